"""screen tables (owned by lantern/screen; see lantern/store/tables/screen.py).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screen_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_at", sa.DateTime(), nullable=False),
        sa.Column("config_version", sa.String(length=32), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("children", sa.Integer(), nullable=False),
        sa.Column("high", sa.Integer(), nullable=False),
        sa.Column("missed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screen_runs")),
    )
    op.create_table(
        "screen_risk",
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("area", sa.String(length=16), nullable=True),
        sa.Column("risk", sa.String(length=8), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("identified_victim", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("risk_date", sa.Date(), nullable=True),
        sa.Column("high_first_on", sa.Date(), nullable=True),
        sa.Column("distinct_signs", sa.Integer(), nullable=False),
        sa.Column("dob_known", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_screen_risk")),
    )
    op.create_index("ix_screen_risk_area_risk", "screen_risk", ["area", "risk"], unique=False)
    op.create_table(
        "screen_missed",
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("area", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("first_sign_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("first_recorded_on", sa.Date(), nullable=True),
        sa.Column("agencies", sa.Text(), nullable=False),
        sa.Column("contacts", sa.Integer(), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_screen_missed")),
    )
    op.create_table(
        "screen_alerts",
        sa.Column("alert_id", sa.String(length=16), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("area", sa.String(length=16), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("alert_id", name=op.f("pk_screen_alerts")),
    )
    op.create_index(
        "ix_screen_alerts_area_active", "screen_alerts", ["area", "active"], unique=False
    )
    op.create_table(
        "screen_alert_acks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.String(length=16), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=False),
        sa.Column("acknowledged_by", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["screen_alerts.alert_id"],
            name=op.f("fk_screen_alert_acks_alert_id_screen_alerts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screen_alert_acks")),
    )
    op.create_index(
        "ix_screen_alert_acks_alert_id", "screen_alert_acks", ["alert_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_screen_alert_acks_alert_id", table_name="screen_alert_acks")
    op.drop_table("screen_alert_acks")
    op.drop_index("ix_screen_alerts_area_active", table_name="screen_alerts")
    op.drop_table("screen_alerts")
    op.drop_table("screen_missed")
    op.drop_index("ix_screen_risk_area_risk", table_name="screen_risk")
    op.drop_table("screen_risk")
    op.drop_table("screen_runs")
