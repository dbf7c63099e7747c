"""Resolution tables: models, runs, identities, scored pairs, review queue, judgements.

Records are keyed by ``(agency, ref)`` rather than row ids, so identities and judgements
survive new versions of a record. ``resolve_judgements`` and ``resolve_changes`` are
append-only logs.
"""

from sqlalchemy import (
    Boolean,
    Column,
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

resolve_models = Table(
    "resolve_models",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime, nullable=False),
    Column("version", String(64), nullable=False),
    Column("backend", String(16), nullable=False),
    Column("n_records", Integer, nullable=False),
    Column("model_json", Text, nullable=False),
)

resolve_runs = Table(
    "resolve_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("backend", String(16), nullable=False),
    Column("mode", String(16), nullable=False),  # full | incremental | recluster
    Column("model_id", Integer, ForeignKey("resolve_models.id")),
    Column("threshold", Float, nullable=False),
    Column("review_low", Float, nullable=False),
    Column("n_records", Integer, nullable=False, default=0),
    Column("n_scored", Integer, nullable=False, default=0),
    Column("n_pairs", Integer, nullable=False, default=0),
    Column("n_people", Integer, nullable=False, default=0),
    Column("n_review", Integer, nullable=False, default=0),
)

resolve_person_ids = Table(
    "resolve_person_ids",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("person_id", String(32), nullable=False, unique=True),
    Column("created_run", Integer, nullable=False),
)

resolve_identities = Table(
    "resolve_identities",
    metadata,
    Column("agency", String(64), primary_key=True),
    Column("person_ref", String(64), primary_key=True),
    Column("record_id", Integer, nullable=False),
    Column("person_id", String(32), nullable=False),
    Column("match_probability", Float, nullable=False),
    Column("run_id", Integer, nullable=False),
    Index("ix_resolve_identities_person", "person_id"),
)

resolve_pairs = Table(
    "resolve_pairs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id_l", Integer, nullable=False),
    Column("record_id_r", Integer, nullable=False),
    Column("match_probability", Float, nullable=False),
    Column("match_weight", Float, nullable=False),
    Column("guard", Boolean, nullable=False),
    Column("gammas", String(64), nullable=False),  # comparison levels, for review display
    Column("model_id", Integer, nullable=False),
    Column("run_id", Integer, nullable=False),
    Index("ix_resolve_pairs_ids", "record_id_l", "record_id_r"),
)

resolve_review = Table(
    "resolve_review",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agency_l", String(64), nullable=False),
    Column("ref_l", String(64), nullable=False),
    Column("agency_r", String(64), nullable=False),
    Column("ref_r", String(64), nullable=False),
    Column("match_probability", Float, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(16), nullable=False),  # pending | accepted | rejected | stale
    Column("created_run", Integer, nullable=False),
    Column("judgement_id", Integer),
    UniqueConstraint("agency_l", "ref_l", "agency_r", "ref_r", name="uq_resolve_review_pair"),
)

resolve_judgements = Table(
    "resolve_judgements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agency_l", String(64), nullable=False),
    Column("ref_l", String(64), nullable=False),
    Column("agency_r", String(64), nullable=False),
    Column("ref_r", String(64), nullable=False),
    Column("decision", String(8), nullable=False),  # accept (must-link) | reject (cannot-link)
    Column("source", String(16), nullable=False),  # review | unmerge
    Column("review_id", Integer),
    Column("decided_by", String(128), nullable=False),
    Column("decided_at", DateTime, nullable=False),
    Column("reason", Text, nullable=False),
    Index("ix_resolve_judgements_pair", "agency_l", "ref_l", "agency_r", "ref_r"),
)

resolve_changes = Table(
    "resolve_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("at", DateTime, nullable=False),
    Column("kind", String(8), nullable=False),  # merge | split
    Column("person_id", String(32), nullable=False),
    Column("other_person_id", String(32), nullable=False),
    Column("n_records", Integer, nullable=False),
    Column("reason", Text, nullable=False),
)

resolve_locations = Table(
    "resolve_locations",
    metadata,
    Column("agency", String(64), primary_key=True),
    Column("location_ref", String(64), primary_key=True),
    Column("location_id", String(96), nullable=False),
    Column("run_id", Integer, nullable=False),
)
