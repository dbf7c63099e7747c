"""From a built network to results: groups, members, their entities and events, hotspots.

Pure: frames in, frames out. ``stage.run`` reads the store, calls :func:`analyse`, and
writes what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lantern.network.actors import key_actor_scores
from lantern.network.codes import days, from_days, join_per_key, runs
from lantern.network.config import NetworkConfig
from lantern.network.graph import Network
from lantern.network.groups import (
    communities,
    entity_sizes,
    graph_from_ends,
    id_number,
    offender_groups,
    stable_ids,
)


@dataclass(frozen=True)
class Results:
    """What the stage stores (columns as in ``lantern.store.tables.network``)."""

    groups: pd.DataFrame
    members: pd.DataFrame
    entities: pd.DataFrame
    events: pd.DataFrame
    hotspots: pd.DataFrame
    nodes: pd.DataFrame
    edges: pd.DataFrame


def join_unique(keys: pd.Series, values: pd.Series) -> pd.Series:
    """Per key, the sorted distinct ``;``-separated parts of ``values``, joined by ``;``."""
    frame = pd.DataFrame({"key": keys.to_numpy(), "value": values.to_numpy()}).dropna()
    frame["value"] = frame["value"].astype(str)
    several = frame["value"].str.contains(";", regex=False)
    if several.any():  # split only the values that hold several parts
        parts = frame[several].assign(value=frame.loc[several, "value"].str.split(";"))
        frame = pd.concat([frame[~several], parts.explode("value")], ignore_index=True)
    frame = frame[frame["value"] != ""].drop_duplicates().sort_values(["key", "value"])
    # string sum in C, not a Python join per group
    return (frame["value"] + ";").groupby(frame["key"], sort=True).sum().str[:-1]


def group_events(network: Network, group_of: np.ndarray,
                 group_ids: np.ndarray) -> pd.DataFrame:
    """Events that link a member (as anything but a professional): the group's timeline.

    ``group_of``: group number of each node code (-1 for non-members); ``group_ids``: the
    id of each group number. Sorted by group id, date, then the store's order."""
    inc, events = network.incidence, network.events
    names = network.nodes["node_id"].to_numpy(dtype=object)
    node = inc["node"].to_numpy()
    event = inc["event"].to_numpy()
    group = group_of[node]
    linked = inc["person"].to_numpy() & (inc["role_weight"].to_numpy() > 0) & (group >= 0)
    group, event, node = group[linked], event[linked], node[linked]
    rank = np.empty(len(group_ids), dtype=np.int64)
    rank[np.argsort(group_ids, kind="stable")] = np.arange(len(group_ids))
    occurred = days(events["occurred_on"])
    # node codes follow node ids: sorting by code lists each event's persons in id order
    order = np.lexsort((node, event, occurred[event], rank[group]))
    group, event, node = group[order], event[order], node[order]
    starts = runs(group * max(len(events), 1) + event)
    persons = np.add.reduceat(names[node] + ";", starts) if len(starts) else np.zeros(0)
    group, event = group[starts], event[starts]
    wanted = np.zeros(len(events), dtype=bool)
    wanted[event] = True
    things = ~inc["person"].to_numpy() & wanted[inc["event"].to_numpy()]
    entities = join_per_key(inc["event"].to_numpy()[things],
                            names[inc["node"].to_numpy()[things]], len(events))
    out = pd.DataFrame({"group_id": group_ids[group],
                        "persons": pd.Series(persons, dtype=object).str[:-1].to_numpy()})
    info = events.iloc[event][["agency", "event_ref", "kind", "occurred_on", "area",
                               "grading", "grading_scheme"]].reset_index(drop=True)
    out = pd.concat([out, info], axis=1)
    out["entities"] = entities[event]
    return out


def group_entities(network: Network, group_of: np.ndarray, group_ids: np.ndarray,
                   membership: np.ndarray, community_number: np.ndarray) -> pd.DataFrame:
    """Vehicles, phones, accounts and places of each group: in its community, or tied to a
    suspect of it, or to two or more of its members."""
    nodes, edges, ends = network.nodes, network.edges, network.ends
    is_person = (nodes["kind"] == "person").to_numpy()
    suspect = (nodes["role"] == "suspect").to_numpy()
    both = np.r_[ends, ends[:, ::-1]].reshape(-1, 2)
    person, thing = both[:, 0], both[:, 1]
    row = np.r_[np.arange(len(ends)), np.arange(len(ends))]
    tied = (group_of[person] >= 0) & ~is_person[thing]
    person, thing, row = person[tied], thing[tied], row[tied]
    frame = pd.DataFrame({"group": group_of[person], "thing": thing,
                          "suspect": suspect[person].astype(int),
                          "first_seen": edges["first_seen"].to_numpy()[row],
                          "last_seen": edges["last_seen"].to_numpy()[row]})
    agg = frame.groupby(["group", "thing"]).agg(
        members_linked=("suspect", "size"), suspects_linked=("suspect", "sum"),
        first_seen=("first_seen", "min"), last_seen=("last_seen", "max")).reset_index()
    thing = agg["thing"].to_numpy()
    agg["in_community"] = community_number[membership[thing]] == agg["group"].to_numpy()
    agg = agg[agg["in_community"] | (agg["suspects_linked"] > 0) | (agg["members_linked"] >= 2)]
    thing = agg["thing"].to_numpy()
    agg.insert(0, "group_id", group_ids[agg["group"].to_numpy()])
    agg.insert(1, "node_id", nodes["node_id"].to_numpy()[thing])
    agg["kind"] = nodes["kind"].to_numpy()[thing]
    agg["label"] = nodes["label"].to_numpy()[thing]
    agg = agg.drop(columns=["group", "thing"])
    return agg.sort_values(["group_id", "members_linked", "node_id"],
                           ascending=[True, False, True]).reset_index(drop=True)


def hotspots(network: Network, group_of: np.ndarray, group_ids: np.ndarray,
             config: NetworkConfig) -> pd.DataFrame:
    """Places and objects linked (by events of the listed kinds) to many different children,
    with the span of dates over which they were."""
    inc, nodes, events = network.incidence, network.nodes, network.events
    counted = events["kind"].isin(config.hotspots.event_kinds).to_numpy()
    inc = inc[counted[inc["event"].to_numpy()]]
    person = inc["person"].to_numpy()
    entities = inc.loc[~person, ["event", "node"]]
    children = inc.loc[person & inc["is_child_at"].to_numpy(), ["event", "node"]].rename(
        columns={"node": "child"})
    suspect = nodes["is_suspect"].to_numpy()
    adults = inc.loc[person & suspect[inc["node"].to_numpy()], ["event", "node"]].rename(
        columns={"node": "suspect"})
    seen = entities.merge(children, on="event")
    n_nodes = len(nodes)
    pairs = np.unique(seen["node"].to_numpy() * n_nodes + seen["child"].to_numpy())
    n_children = np.bincount(pairs // n_nodes, minlength=n_nodes)
    hot = np.flatnonzero(n_children >= config.hotspots.min_children)
    keep = np.zeros(n_nodes, dtype=bool)
    keep[hot] = True
    seen = seen[keep[seen["node"].to_numpy()]]
    date = days(events["occurred_on"])[seen["event"].to_numpy()]
    span = pd.DataFrame({"node": seen["node"].to_numpy(), "date": date}).groupby("node")[
        "date"].agg(["min", "max"]).reindex(hot)
    out = pd.DataFrame({"node_id": nodes["node_id"].to_numpy()[hot],
                        "n_children": n_children[hot]})
    out["first_seen"] = from_days(span["min"].to_numpy())
    out["last_seen"] = from_days(span["max"].to_numpy())
    area = events["area"].to_numpy(dtype=object)[seen["event"].to_numpy()]
    out["areas"] = join_per_key(seen["node"].to_numpy(), area, n_nodes)[hot]
    with_suspect = entities[keep[entities["node"].to_numpy()]].merge(adults, on="event")
    pairs = np.unique(with_suspect["node"].to_numpy() * n_nodes
                      + with_suspect["suspect"].to_numpy())
    out["n_suspects"] = np.bincount(pairs // n_nodes, minlength=n_nodes)[hot]
    group = group_of[seen["child"].to_numpy()]
    labels = np.full(len(group), None, dtype=object)
    if len(group_ids):
        labels[group >= 0] = group_ids[group[group >= 0]]
    joined = join_per_key(seen["node"].to_numpy(), labels, n_nodes)[hot]
    out["group_ids"] = np.where(pd.isna(joined), "", joined)
    out["kind"] = nodes["kind"].to_numpy()[hot]
    out["label"] = nodes["label"].to_numpy()[hot]
    out["days"] = (out["last_seen"] - out["first_seen"]).dt.days
    out = out.sort_values(["n_children", "node_id"], ascending=[False, True])
    return out.reset_index(drop=True)


def analyse(network: Network, config: NetworkConfig, *,
            previous: pd.DataFrame | None = None, issued: pd.Series | None = None) -> Results:
    """Groups with stable ids, key-actor scores, entities, timelines and hotspots.

    ``previous``: group_id, person_id of the last run (ids are kept by overlap);
    ``issued``: every group id ever issued (new ids continue after the highest).
    """
    nodes, edges = network.nodes, network.edges
    graph = graph_from_ends(nodes["node_id"].to_numpy(), network.ends,
                            edges["weight"].to_numpy())
    membership = communities(graph, config, node_weights=entity_sizes(nodes, config))
    grouped = offender_groups(nodes, membership, config)
    previous = previous if previous is not None else pd.DataFrame(
        columns=["group_id", "person_id"])
    ever = pd.concat([issued if issued is not None else pd.Series(dtype=object),
                      previous["group_id"]])
    community_group = stable_ids(grouped, previous, next_number=id_number(ever))
    members = grouped.assign(group_id=grouped["community"].map(community_group))

    # group numbers: position in community_group; per node code, its group or -1
    group_ids = community_group.to_numpy(dtype=object)
    community_number = np.full(int(membership.max()) + 1 if len(membership) else 0, -1)
    community_number[community_group.index.to_numpy(dtype=np.int64)] = np.arange(
        len(group_ids))
    vertices = grouped.index.to_numpy(dtype=np.int64)  # offender_groups keeps node rows
    group_of = np.full(len(nodes), -1, dtype=np.int64)
    group_of[vertices] = community_number[membership[vertices]]
    inside = np.isin(membership, members["community"].unique())
    scores = key_actor_scores(graph, membership, inside, vertices, config)
    members = pd.concat([members.reset_index(drop=True), scores], axis=1)
    members["is_child"] = nodes["is_child"].to_numpy()[vertices].astype(bool)
    members["person_areas"] = pd.Series(nodes["areas"].to_numpy(dtype=object)[vertices],
                                        dtype=object).fillna("").to_numpy()

    events = group_events(network, group_of, group_ids)
    entities = group_entities(network, group_of, group_ids, membership, community_number)

    area_sets = pd.concat([
        members[["group_id", "person_areas"]].rename(columns={"person_areas": "area"}),
        events[["group_id", "area"]].drop_duplicates()])
    areas = join_unique(area_sets["group_id"], area_sets["area"])
    members["areas"] = members["group_id"].map(areas).fillna("")
    roles = pd.get_dummies(members["role"]).reindex(
        columns=["suspect", "victim", "other"], fill_value=False).astype(int)
    roles.columns = ["n_suspects", "n_victims", "n_other"]
    groups = pd.concat([members[["group_id"]], roles], axis=1).groupby("group_id").sum()
    groups.insert(0, "n_members", members.groupby("group_id").size())
    groups["areas"] = areas.reindex(groups.index).fillna("")
    groups["n_areas"] = (groups["areas"].str.count(";") + 1).where(groups["areas"] != "", 0)
    groups["cross_area"] = groups["n_areas"] >= 2
    span = events.groupby("group_id")["occurred_on"].agg(["min", "max"])
    groups["first_seen"] = span["min"].reindex(groups.index)
    groups["last_seen"] = span["max"].reindex(groups.index)
    top = members.sort_values(["key_actor_score", "person_id"], ascending=[False, True])
    groups["most_connected"] = top.drop_duplicates("group_id").set_index("group_id")[
        "person_id"].reindex(groups.index)
    groups = groups.reset_index()

    nodes_out = nodes.assign(community=membership)
    nodes_out["group_id"] = nodes_out["community"].map(community_group)
    person_group = members.set_index("person_id")["group_id"]
    is_person = nodes_out["kind"] == "person"
    nodes_out.loc[is_person, "group_id"] = nodes_out.loc[is_person, "node_id"].map(person_group)
    return Results(groups=groups, members=members.drop(columns=["community"]),
                   entities=entities, events=events,
                   hotspots=hotspots(network, group_of, group_ids, config),
                   nodes=nodes_out, edges=edges)
