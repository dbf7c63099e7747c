"""Core tables: reference data, submissions, agency records with history, quarantine.

Every record table keeps each version a submission sent (``version`` counts up per
``(agency, ref)``); ``is_current`` marks the latest and ``withdrawn`` the ones withdrawn by
``withdrawn.csv``. Raw and normalised values sit side by side.
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
    UniqueConstraint,
)

from lantern.store.tables.base import metadata

areas = Table(
    "areas",
    metadata,
    Column("area", String(16), primary_key=True),
    Column("name", Text, nullable=False),
    Column("child_population", Integer, nullable=False),
    Column("region", Text),
)

agencies = Table(
    "agencies",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("type", String(32), nullable=False),
    Column("name", Text),
)

submissions = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("submission_id", String(128), nullable=False),
    Column("agency", String(64), ForeignKey("agencies.code"), nullable=False),
    Column("area", String(16), ForeignKey("areas.area"), nullable=False),
    Column("contract", String(8), nullable=False),
    Column("extracted_at", DateTime, nullable=False),
    Column("loaded_at", DateTime, nullable=False),
    Column("source", Text),
    Column("rows_read", Integer, nullable=False, default=0),
    Column("rows_loaded", Integer, nullable=False, default=0),
    Column("rows_quarantined", Integer, nullable=False, default=0),
    Column("rows_warned", Integer, nullable=False, default=0),
    UniqueConstraint("agency", "submission_id", name="uq_submissions_agency_submission_id"),
)


def _record_columns(ref: str) -> list[Column]:
    """Columns every agency record table shares: provenance and history."""
    return [
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("submission_pk", Integer, ForeignKey("submissions.id"), nullable=False),
        Column("agency", String(64), nullable=False),
        Column("area", String(16), nullable=False),
        Column(ref, String(64), nullable=False),
        Column("version", Integer, nullable=False),
        Column("is_current", Boolean, nullable=False),
        Column("withdrawn", Boolean, nullable=False, default=False),
        Column("line", Integer, nullable=False),
        Column("extra", Text),  # extra columns, as JSON
    ]


person_records = Table(
    "person_records",
    metadata,
    *_record_columns("person_ref"),
    Column("forename", Text),
    Column("middle_names", Text),
    Column("surname", Text),
    Column("aliases", Text),
    Column("dob_raw", Text),
    Column("dob", String(10)),
    Column("dob_precision", String(5)),
    Column("sex_raw", Text),
    Column("sex", String(1)),
    Column("address", Text),
    Column("postcode_raw", Text),
    Column("postcode", String(8)),
    Column("phone_raw", Text),
    Column("phones", Text),
    Column("email_raw", Text),
    Column("emails", Text),
    Column("nhs_number_raw", Text),
    Column("nhs_number", String(10)),
    Column("upn_raw", Text),
    Column("upn", String(13)),
    Column("ethnicity", Text),
    UniqueConstraint("agency", "person_ref", "version", name="uq_person_records_version"),
    Index("ix_person_records_current", "agency", "person_ref", "is_current"),
)

object_records = Table(
    "object_records",
    metadata,
    *_record_columns("object_ref"),
    Column("kind", String(16), nullable=False),
    Column("value_raw", Text, nullable=False),
    Column("value", Text),
    Column("description", Text),
    UniqueConstraint("agency", "object_ref", "version", name="uq_object_records_version"),
    Index("ix_object_records_current", "agency", "object_ref", "is_current"),
)

location_records = Table(
    "location_records",
    metadata,
    *_record_columns("location_ref"),
    Column("kind", String(16), nullable=False),
    Column("name", Text),
    Column("address", Text),
    Column("postcode_raw", Text),
    Column("postcode", String(8)),
    Column("latitude_raw", Text),
    Column("latitude", Float),
    Column("longitude_raw", Text),
    Column("longitude", Float),
    UniqueConstraint("agency", "location_ref", "version", name="uq_location_records_version"),
    Index("ix_location_records_current", "agency", "location_ref", "is_current"),
)

event_records = Table(
    "event_records",
    metadata,
    *_record_columns("event_ref"),
    Column("kind", String(32), nullable=False),
    Column("occurred_raw", Text, nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("occurred_at", DateTime),
    Column("location_ref", String(64)),
    Column("indicators_raw", Text),
    Column("grading_raw", Text),
    Column("grading_scheme", String(8)),
    Column("grading_source", String(1)),
    Column("grading_intelligence", String(1)),
    Column("grading_handling", String(1)),
    Column("summary", Text),
    UniqueConstraint("agency", "event_ref", "version", name="uq_event_records_version"),
    Index("ix_event_records_current", "agency", "event_ref", "is_current"),
)

event_indicators = Table(
    "event_indicators",
    metadata,
    Column("event_record_id", Integer, ForeignKey("event_records.id"), primary_key=True),
    Column("indicator", String(32), primary_key=True),
)

links = Table(
    "links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_record_id", Integer, ForeignKey("event_records.id"), nullable=False),
    Column("submission_pk", Integer, ForeignKey("submissions.id"), nullable=False),
    Column("agency", String(64), nullable=False),
    Column("event_ref", String(64), nullable=False),
    Column("entity", String(8), nullable=False),
    Column("ref", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("line", Integer, nullable=False),
    Column("extra", Text),  # extra columns, as JSON
    Index("ix_links_event_record_id", "event_record_id"),
    # A person's (or object's, place's) events: the child's page looks them up by ref.
    Index("ix_links_agency_ref", "agency", "ref"),
)

withdrawals = Table(
    "withdrawals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("submission_pk", Integer, ForeignKey("submissions.id"), nullable=False),
    Column("agency", String(64), nullable=False),
    Column("entity", String(8), nullable=False),
    Column("ref", String(64), nullable=False),
    Column("reason", Text),
    Column("line", Integer, nullable=False),
    Column("extra", Text),  # extra columns, as JSON
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("submission_pk", Integer, ForeignKey("submissions.id"), nullable=False),
    Column("file", String(32), nullable=False),
    Column("line", Integer, nullable=False),
    Column("column", String(64)),
    Column("reason", Text, nullable=False),
    Column("raw", Text, nullable=False),  # the row as received (JSON list of fields)
)

dq_warnings = Table(
    "dq_warnings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("submission_pk", Integer, ForeignKey("submissions.id"), nullable=False),
    Column("file", String(32), nullable=False),
    Column("line", Integer, nullable=False),
    Column("column", String(64), nullable=False),
    Column("value", Text),
    Column("reason", Text, nullable=False),
)
