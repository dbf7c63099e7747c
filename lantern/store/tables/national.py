"""National statistics tables: area-year figures and data quality of the latest run.

Both are replaced in bulk by each run of the national stage.
"""

from sqlalchemy import Column, DateTime, Float, Integer, String, Table, Text

from lantern.store.tables.base import metadata

national_runs = Table(
    "national_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_at", DateTime, nullable=False),
    Column("area_years", Integer, nullable=False),
    Column("estimates", Integer, nullable=False),
)

national_area_stats = Table(
    "national_area_stats",
    metadata,
    Column("area", String(16), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("children_identified", Integer, nullable=False),
    Column("children_high_risk", Integer, nullable=False),
    Column("rate_per_10k", Float),
    Column("funnel", String(8)),
    Column("estimated_total", Float),
    Column("estimated_low", Float),
    Column("estimated_high", Float),
    Column("rate_low", Float),
    Column("rate_high", Float),
    Column("rate_change", Float),
    Column("identified_change", Float),
    Column("funnel_95", String(8)),
    Column("national_rate", Float),
    Column("child_population", Integer),
    Column("mse_lists", Integer),
    Column("mse_model", Text),
    Column("mse_note", Text),
)

national_quality = Table(
    "national_quality",
    metadata,
    Column("agency", String(64), primary_key=True),
    Column("area", String(16), primary_key=True),
    Column("records", Integer, nullable=False),
    Column("dob_complete", Float),
    Column("nhs_number_complete", Float),
    Column("postcode_complete", Float),
    Column("ethnicity_complete", Float),
    Column("ethnicity_not_stated", Float),
    Column("rows_read", Integer),
    Column("quarantined_share", Float),
    Column("duplicate_rate", Float),
    Column("lag_days_median", Float),
    Column("lag_days_p90", Float),
)
