"""national tables (owned by lantern/national; see lantern/store/tables/national.py).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "national_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_at", sa.DateTime(), nullable=False),
        sa.Column("area_years", sa.Integer(), nullable=False),
        sa.Column("estimates", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_runs")),
    )
    op.create_table(
        "national_area_stats",
        sa.Column("area", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("children_identified", sa.Integer(), nullable=False),
        sa.Column("children_high_risk", sa.Integer(), nullable=False),
        sa.Column("rate_per_10k", sa.Float(), nullable=True),
        sa.Column("funnel", sa.String(length=8), nullable=True),
        sa.Column("estimated_total", sa.Float(), nullable=True),
        sa.Column("estimated_low", sa.Float(), nullable=True),
        sa.Column("estimated_high", sa.Float(), nullable=True),
        sa.Column("rate_low", sa.Float(), nullable=True),
        sa.Column("rate_high", sa.Float(), nullable=True),
        sa.Column("rate_change", sa.Float(), nullable=True),
        sa.Column("identified_change", sa.Float(), nullable=True),
        sa.Column("funnel_95", sa.String(length=8), nullable=True),
        sa.Column("national_rate", sa.Float(), nullable=True),
        sa.Column("child_population", sa.Integer(), nullable=True),
        sa.Column("mse_lists", sa.Integer(), nullable=True),
        sa.Column("mse_model", sa.Text(), nullable=True),
        sa.Column("mse_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("area", "year", name=op.f("pk_national_area_stats")),
    )
    op.create_table(
        "national_quality",
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("area", sa.String(length=16), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("dob_complete", sa.Float(), nullable=True),
        sa.Column("nhs_number_complete", sa.Float(), nullable=True),
        sa.Column("postcode_complete", sa.Float(), nullable=True),
        sa.Column("ethnicity_complete", sa.Float(), nullable=True),
        sa.Column("ethnicity_not_stated", sa.Float(), nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=True),
        sa.Column("quarantined_share", sa.Float(), nullable=True),
        sa.Column("duplicate_rate", sa.Float(), nullable=True),
        sa.Column("lag_days_median", sa.Float(), nullable=True),
        sa.Column("lag_days_p90", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("agency", "area", name=op.f("pk_national_quality")),
    )


def downgrade() -> None:
    op.drop_table("national_quality")
    op.drop_table("national_area_stats")
    op.drop_table("national_runs")
