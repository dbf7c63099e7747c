"""Network tables: offender groups, members, their entities and events, hotspots, the graph.

Every run of the network stage replaces these in bulk, except ``network_groups``, which
keeps every group id ever issued (``active`` marks the current run's groups) so that ids
are never reused and stay stable across runs.
"""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from lantern.store.tables.base import metadata

network_runs = Table(
    "network_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_at", DateTime, nullable=False),
    Column("config_version", String(32), nullable=False),
    Column("objective", String(16), nullable=False),
    Column("resolution", Float, nullable=False),
    Column("nodes", Integer, nullable=False),
    Column("edges", Integer, nullable=False),
    Column("groups", Integer, nullable=False),
    Column("seconds", Float, nullable=False),
)

network_groups = Table(
    "network_groups",
    metadata,
    Column("group_id", String(16), primary_key=True),
    Column("active", Boolean, nullable=False),
    Column("n_members", Integer, nullable=False),
    Column("n_suspects", Integer, nullable=False),
    Column("n_victims", Integer, nullable=False),
    Column("n_other", Integer, nullable=False),
    Column("areas", Text, nullable=False),
    Column("n_areas", Integer, nullable=False),
    Column("cross_area", Boolean, nullable=False),
    Column("first_seen", Date),
    Column("last_seen", Date),
    Column("most_connected", String(64)),
    Column("run_id", Integer, nullable=False),
    Index("ix_network_groups_active", "active", "cross_area"),
)

network_members = Table(
    "network_members",
    metadata,
    Column("group_id", String(16), primary_key=True),
    Column("person_id", String(64), primary_key=True),
    Column("role", String(8), nullable=False),  # suspect | victim | other
    Column("key_actor_score", Float, nullable=False),
    Column("strength", Float, nullable=False),
    Column("pagerank", Float, nullable=False),
    Column("betweenness", Float, nullable=False),
    Column("is_child", Boolean, nullable=False),
    Column("person_areas", Text, nullable=False),
    Index("ix_network_members_person_id", "person_id"),
)

network_entities = Table(
    "network_entities",
    metadata,
    Column("group_id", String(16), primary_key=True),
    Column("node_id", Text, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("label", Text),
    Column("members_linked", Integer, nullable=False),
    Column("suspects_linked", Integer, nullable=False),
    Column("in_community", Boolean, nullable=False),
    Column("first_seen", Date),
    Column("last_seen", Date),
)

network_events = Table(
    "network_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("group_id", String(16), nullable=False),
    Column("agency", String(64), nullable=False),
    Column("event_ref", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("occurred_on", Date),
    Column("area", String(16)),
    Column("grading", String(8)),
    Column("grading_scheme", String(8)),
    Column("persons", Text, nullable=False),
    Column("entities", Text),
    Index("ix_network_events_group_id", "group_id", "occurred_on"),
)

network_hotspots = Table(
    "network_hotspots",
    metadata,
    Column("node_id", Text, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("label", Text),
    Column("n_children", Integer, nullable=False),
    Column("n_suspects", Integer, nullable=False),
    Column("first_seen", Date),
    Column("last_seen", Date),
    Column("days", Integer),
    Column("areas", Text, nullable=False),
    Column("group_ids", Text, nullable=False),
)

network_nodes = Table(
    "network_nodes",
    metadata,
    Column("node_id", Text, primary_key=True),
    Column("kind", String(16), nullable=False),  # person|vehicle|phone|online_account|place|address
    Column("label", Text),
    Column("role", String(8)),
    Column("is_child", Boolean, nullable=False),
    Column("areas", Text),
    Column("community", Integer, nullable=False),
    Column("group_id", String(16)),
    Index("ix_network_nodes_group_id", "group_id"),
)

network_edges = Table(
    "network_edges",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("weight", Float, nullable=False),
    Column("evidence", Float, nullable=False),
    Column("n_events", Integer, nullable=False),
    Column("first_seen", Date),
    Column("last_seen", Date),
    Index("ix_network_edges_source", "source"),
    Index("ix_network_edges_target", "target"),
)
