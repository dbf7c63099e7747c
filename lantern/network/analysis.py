"""From a built network to results: groups, members, their entities and events, hotspots.

Pure: frames in, frames out. ``stage.run`` reads the store, calls :func:`analyse`, and
writes what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lantern.network.actors import key_actor_scores
from lantern.network.config import NetworkConfig
from lantern.network.graph import Network
from lantern.network.groups import communities, id_number, offender_groups, stable_ids, to_igraph


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


def group_events(incidence: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Events that link a member (as anything but a professional): the group's timeline."""
    people = incidence[(incidence["node_kind"] == "person") & (incidence["role_weight"] > 0)]
    community = members.drop_duplicates("person_id").set_index("person_id")["community"]
    linked = pd.DataFrame({"event_key": people["event_key"].to_numpy(),
                           "person_id": people["node_id"].to_numpy(),
                           "community": people["node_id"].map(community).to_numpy()})
    linked = linked.dropna(subset=["community"])
    # incidence has one row per (event, person), in event order, and a person is in one
    # group: no duplicates, and a deterministic order without sorting the ids again
    per_event = (linked["person_id"] + ";").groupby(
        [linked["community"].astype(np.int64), linked["event_key"]], sort=True).sum() \
        .str[:-1].rename("persons").reset_index()
    group_of = members.drop_duplicates("community").set_index("community")["group_id"]
    per_event.insert(0, "group_id", per_event.pop("community").map(group_of))
    wanted = incidence[incidence["event_key"].isin(per_event["event_key"])]
    things = wanted[wanted["node_kind"] != "person"]
    places = join_unique(things["event_key"], things["node_id"]).rename("entities")
    info = wanted.drop_duplicates("event_key").set_index("event_key")[
        ["agency", "event_ref", "kind", "occurred_on", "area", "grading", "grading_scheme"]]
    out = per_event.join(info, on="event_key").join(places, on="event_key")
    out = out.sort_values(["group_id", "occurred_on", "event_key"])
    return out.drop(columns=["event_key"]).reset_index(drop=True)


def group_entities(edges: pd.DataFrame, nodes: pd.DataFrame, members: pd.DataFrame,
                   node_community: pd.Series, community_group: pd.Series) -> pd.DataFrame:
    """Vehicles, phones, accounts and places of each group: in its community, or tied to a
    suspect of it, or to two or more of its members."""
    kinds = nodes.set_index("node_id")["kind"]
    both = pd.concat([
        edges.rename(columns={"source": "person_id", "target": "node_id"}),
        edges.rename(columns={"target": "person_id", "source": "node_id"}),
    ], ignore_index=True)
    both = both[both["node_id"].map(kinds) != "person"]
    tied = both.merge(members[["group_id", "person_id", "role"]], on="person_id")
    tied["suspect"] = (tied["role"] == "suspect").astype(int)
    agg = tied.groupby(["group_id", "node_id"]).agg(
        members_linked=("person_id", "nunique"),
        suspects_linked=("suspect", "sum"),
        first_seen=("first_seen", "min"), last_seen=("last_seen", "max")).reset_index()
    own = node_community.map(community_group)
    agg["in_community"] = agg["node_id"].map(own) == agg["group_id"]
    agg = agg[agg["in_community"] | (agg["suspects_linked"] > 0) | (agg["members_linked"] >= 2)]
    labels = nodes.set_index("node_id")
    agg["kind"] = agg["node_id"].map(labels["kind"])
    agg["label"] = agg["node_id"].map(labels["label"])
    return agg.sort_values(["group_id", "members_linked", "node_id"],
                           ascending=[True, False, True]).reset_index(drop=True)


def hotspots(incidence: pd.DataFrame, nodes: pd.DataFrame, members: pd.DataFrame,
             config: NetworkConfig) -> pd.DataFrame:
    """Places and objects linked (by events of the listed kinds) to many different children,
    with the span of dates over which they were."""
    inc = incidence[incidence["kind"].isin(config.hotspots.event_kinds)]
    entities = inc[inc["node_kind"] != "person"][["event_key", "node_id"]]
    people = inc[inc["node_kind"] == "person"]
    children = people[people["is_child_at"].fillna(False).astype(bool)][
        ["event_key", "node_id", "occurred_on", "area"]].rename(columns={"node_id": "child"})
    suspects = set(nodes.loc[nodes["is_suspect"], "node_id"])
    adults = people[people["node_id"].isin(suspects)][["event_key", "node_id"]].rename(
        columns={"node_id": "suspect"})
    seen = entities.merge(children, on="event_key")
    out = seen.groupby("node_id").agg(
        n_children=("child", "nunique"), first_seen=("occurred_on", "min"),
        last_seen=("occurred_on", "max"))
    out["areas"] = join_unique(seen["node_id"], seen["area"]).reindex(out.index)
    out = out[out["n_children"] >= config.hotspots.min_children]
    n_suspects = entities.merge(adults, on="event_key").groupby("node_id")["suspect"].nunique()
    out["n_suspects"] = n_suspects.reindex(out.index, fill_value=0).astype(int)
    group_of = members.drop_duplicates("person_id").set_index("person_id")["group_id"]
    groups = seen[seen["node_id"].isin(out.index)].assign(
        group_id=lambda f: f["child"].map(group_of))
    out["group_ids"] = join_unique(groups["node_id"], groups["group_id"]).reindex(
        out.index).fillna("")
    labels = nodes.set_index("node_id")
    out["kind"] = labels["kind"].reindex(out.index)
    out["label"] = labels["label"].reindex(out.index)
    out["days"] = (out["last_seen"] - out["first_seen"]).dt.days
    out = out.reset_index().sort_values(["n_children", "node_id"], ascending=[False, True])
    return out.reset_index(drop=True)


def analyse(network: Network, config: NetworkConfig, *,
            previous: pd.DataFrame | None = None, issued: pd.Series | None = None) -> Results:
    """Groups with stable ids, key-actor scores, entities, timelines and hotspots.

    ``previous``: group_id, person_id of the last run (ids are kept by overlap);
    ``issued``: every group id ever issued (new ids continue after the highest).
    """
    nodes, edges = network.nodes, network.edges
    graph = to_igraph(nodes, edges)
    membership = communities(graph, config)
    grouped = offender_groups(nodes, membership, config)
    previous = previous if previous is not None else pd.DataFrame(
        columns=["group_id", "person_id"])
    ever = pd.concat([issued if issued is not None else pd.Series(dtype=object),
                      previous["group_id"]])
    community_group = stable_ids(grouped, previous, next_number=id_number(ever))
    members = grouped.assign(group_id=grouped["community"].map(community_group))

    vertex = pd.Series(np.arange(len(nodes)), index=nodes["node_id"])
    vertices = vertex[members["person_id"]].to_numpy()
    inside = np.isin(membership, members["community"].unique())
    scores = key_actor_scores(graph, membership, inside, vertices, config)
    members = pd.concat([members.reset_index(drop=True), scores], axis=1)
    info = nodes.set_index("node_id")
    members["is_child"] = members["person_id"].map(info["is_child"]).astype(bool)
    members["person_areas"] = members["person_id"].map(info["areas"]).fillna("")

    events = group_events(network.incidence, members)
    node_community = pd.Series(membership, index=nodes["node_id"])
    entities = group_entities(edges, nodes, members, node_community, community_group)

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
                   hotspots=hotspots(network.incidence, nodes, members, config),
                   nodes=nodes_out, edges=edges)
