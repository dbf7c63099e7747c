"""Read side of the network stage, shared by the CLI, the API and the web.

Every function reads what the last ``lantern network run`` stored. ``areas`` (when given)
limits results to groups, hotspots and nodes touching those areas, so the access layer can
pass a user's area scope straight through.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, or_, select

from lantern.network.export import cytoscape
from lantern.store.frames import read_frame
from lantern.store.tables.network import (
    network_edges,
    network_entities,
    network_events,
    network_groups,
    network_hotspots,
    network_members,
    network_nodes,
    network_runs,
)


class GroupNotFound(LookupError):
    """No current group has that id."""


@dataclass(frozen=True)
class GroupDetail:
    group: dict[str, Any]
    members: pd.DataFrame
    entities: pd.DataFrame
    events: pd.DataFrame


def _in_areas(frame: pd.DataFrame, areas: list[str] | None, column: str = "areas") -> pd.Series:
    if not areas:
        return pd.Series(True, index=frame.index)
    wanted = set(areas)
    return frame[column].fillna("").str.split(";").map(lambda a: bool(wanted & set(a)))


def last_run(engine: Engine) -> dict[str, Any] | None:
    """The latest run's summary (when, objective, resolution, sizes), or None."""
    runs = read_frame(engine, select(network_runs).order_by(network_runs.c.id.desc()).limit(1))
    return None if runs.empty else {str(k): v for k, v in runs.iloc[0].items()}


def list_groups(engine: Engine, *, areas: list[str] | None = None,
                cross_area_only: bool = False) -> pd.DataFrame:
    """Current groups, most victims first (then most members)."""
    query = select(network_groups).where(network_groups.c.active.is_(True))
    if cross_area_only:
        query = query.where(network_groups.c.cross_area.is_(True))
    groups = read_frame(engine, query)
    groups = groups[_in_areas(groups, areas)]
    return groups.sort_values(["n_victims", "n_members", "group_id"],
                              ascending=[False, False, True]).reset_index(drop=True)


def cross_area_alerts(engine: Engine, *, areas: list[str] | None = None) -> pd.DataFrame:
    """Groups that touch two or more areas: the ones no single area's agencies see whole."""
    groups = list_groups(engine, areas=areas, cross_area_only=True)
    groups["alert"] = (
        "group " + groups["group_id"] + " spans " + groups["n_areas"].astype(str)
        + " areas (" + groups["areas"].str.replace(";", ", ") + "): "
        + groups["n_suspects"].astype(str) + " suspects, " + groups["n_victims"].astype(str)
        + " children")
    return groups.sort_values(["n_areas", "n_victims", "group_id"],
                              ascending=[False, False, True]).reset_index(drop=True)


def group_detail(engine: Engine, group_id: str) -> GroupDetail:
    """Members (most connected first), vehicles and places, and the timeline of events."""
    group = read_frame(engine, select(network_groups).where(and_(
        network_groups.c.group_id == group_id, network_groups.c.active.is_(True))))
    if group.empty:
        raise GroupNotFound(f"no current group {group_id!r} (see `lantern network groups`)")
    members = read_frame(engine, select(network_members).where(
        network_members.c.group_id == group_id).order_by(
        network_members.c.key_actor_score.desc(), network_members.c.person_id))
    entities = read_frame(engine, select(network_entities).where(
        network_entities.c.group_id == group_id).order_by(
        network_entities.c.members_linked.desc(), network_entities.c.node_id))
    events = read_frame(engine, select(network_events).where(
        network_events.c.group_id == group_id).order_by(
        network_events.c.occurred_on, network_events.c.agency, network_events.c.event_ref))
    return GroupDetail(group={str(k): v for k, v in group.iloc[0].items()}, members=members,
                       entities=entities, events=events.drop(columns=["id"]))


def hotspots(engine: Engine, *, areas: list[str] | None = None, kind: str | None = None,
             min_children: int | None = None) -> pd.DataFrame:
    """Places and vehicles linked to many different children, with their time span."""
    query = select(network_hotspots)
    if kind:
        query = query.where(network_hotspots.c.kind == kind)
    if min_children:
        query = query.where(network_hotspots.c.n_children >= min_children)
    spots = read_frame(engine, query)
    spots = spots[_in_areas(spots, areas)]
    return spots.sort_values(["n_children", "node_id"], ascending=[False, True]).reset_index(
        drop=True)


def graph(engine: Engine, *, group_id: str | None = None, areas: list[str] | None = None,
          since: str | None = None, until: str | None = None) -> tuple[pd.DataFrame,
                                                                        pd.DataFrame]:
    """Nodes and edges of the stored network: one group's (its members and entities and
    the ties among them), or the whole network; ``since``/``until`` keep ties seen in that
    window (ISO dates)."""
    node_query = select(network_nodes)
    if group_id is not None:
        ids = select(network_members.c.person_id).where(network_members.c.group_id == group_id)
        things = select(network_entities.c.node_id).where(
            network_entities.c.group_id == group_id)
        node_query = node_query.where(or_(network_nodes.c.node_id.in_(ids),
                                          network_nodes.c.node_id.in_(things)))
    nodes = read_frame(engine, node_query)
    if group_id is not None and nodes.empty:
        raise GroupNotFound(f"no current group {group_id!r} (see `lantern network groups`)")
    nodes = nodes[_in_areas(nodes, areas)]
    edge_query = select(network_edges)
    if group_id is not None:
        keep = list(nodes["node_id"])
        edge_query = edge_query.where(and_(network_edges.c.source.in_(keep),
                                           network_edges.c.target.in_(keep)))
    edges = read_frame(engine, edge_query)
    known = set(nodes["node_id"])
    edges = edges[edges["source"].isin(known) & edges["target"].isin(known)]
    if since:
        edges = edges[pd.to_datetime(edges["last_seen"]).fillna(pd.Timestamp.max)
                      >= pd.Timestamp(since)]
    if until:
        edges = edges[pd.to_datetime(edges["first_seen"]).fillna(pd.Timestamp.min)
                      <= pd.Timestamp(until)]
    return nodes.reset_index(drop=True), edges.drop(columns=["id"]).reset_index(drop=True)


def member_scores(engine: Engine) -> pd.DataFrame:
    return read_frame(engine, select(network_members.c.person_id,
                                network_members.c.key_actor_score))


def graph_json(engine: Engine, *, group_id: str | None = None,
               areas: list[str] | None = None, since: str | None = None,
               until: str | None = None) -> dict[str, Any]:
    """Cytoscape.js elements for the web view (dates on every edge)."""
    nodes, edges = graph(engine, group_id=group_id, areas=areas, since=since, until=until)
    return cytoscape(nodes, edges, member_scores(engine))
