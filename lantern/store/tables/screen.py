"""Screening tables: risk per child, missed opportunities, alerts and their acknowledgements.

``screen_risk`` and ``screen_missed`` hold the latest run's results (replaced in bulk by
each run). Alerts keep a stable id across runs; acknowledgements are append-only.
"""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from lantern.store.tables.base import metadata

screen_runs = Table(
    "screen_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_at", DateTime, nullable=False),
    Column("config_version", String(32), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("children", Integer, nullable=False),
    Column("high", Integer, nullable=False),
    Column("missed", Integer, nullable=False),
)

screen_risk = Table(
    "screen_risk",
    metadata,
    Column("person_id", String(64), primary_key=True),
    Column("area", String(16)),
    Column("risk", String(8), nullable=False),
    Column("score", Float, nullable=False),
    Column("identified_victim", Boolean, nullable=False),
    Column("reasons", Text, nullable=False),
    Column("risk_date", Date),
    Column("high_first_on", Date),
    Column("distinct_signs", Integer, nullable=False),
    Column("dob_known", Boolean, nullable=False),
    Index("ix_screen_risk_area_risk", "area", "risk"),
)

screen_missed = Table(
    "screen_missed",
    metadata,
    Column("person_id", String(64), primary_key=True),
    Column("area", String(16)),
    Column("status", String(16), nullable=False),  # missed | due
    Column("first_sign_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("first_recorded_on", Date),
    Column("agencies", Text, nullable=False),
    Column("contacts", Integer, nullable=False),
    Column("responded_on", Date),
    Column("reason", Text, nullable=False),
)

screen_alerts = Table(
    "screen_alerts",
    metadata,
    Column("alert_id", String(16), primary_key=True),
    Column("person_id", String(64), nullable=False),
    Column("area", String(16)),
    Column("kind", String(24), nullable=False),  # missed_opportunity | response_due
    Column("raised_on", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("first_seen_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    Column("active", Boolean, nullable=False),
    Index("ix_screen_alerts_area_active", "area", "active"),
)

screen_alert_acks = Table(
    "screen_alert_acks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", String(16), ForeignKey("screen_alerts.alert_id"), nullable=False),
    Column("acknowledged_at", DateTime, nullable=False),
    Column("acknowledged_by", Text, nullable=False),
    Column("note", Text, nullable=False),
    Index("ix_screen_alert_acks_alert_id", "alert_id"),
)
