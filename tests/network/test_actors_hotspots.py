"""Key-actor scores and hotspots on small graphs whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lantern.network.actors import key_actor_scores
from lantern.network.analysis import analyse
from lantern.network.config import load_config
from lantern.network.graph import NetworkInputs, build_network
from lantern.network.groups import to_igraph


def test_hub_and_broker_score_highest() -> None:
    # two triangles joined through "b" (the broker); "h" is the hub of the first
    nodes = pd.DataFrame({"node_id": list("hxyzbuvw")})
    pairs = [("h", "x"), ("h", "y"), ("h", "z"), ("x", "y"), ("h", "b"), ("b", "u"),
             ("u", "v"), ("v", "w"), ("u", "w")]
    edges = pd.DataFrame(pairs, columns=["source", "target"]).assign(weight=0.8)
    graph = to_igraph(nodes, edges)
    membership = np.zeros(len(nodes), dtype=int)
    scores = key_actor_scores(graph, membership, np.ones(len(nodes), dtype=bool),
                              np.arange(len(nodes)), load_config())
    scores.index = nodes["node_id"]
    assert scores["key_actor_score"].between(0, 1).all()
    assert scores["key_actor_score"].idxmax() == "h"
    assert scores.loc["b", "betweenness"] > scores.loc["x", "betweenness"]
    assert scores.loc["b", "key_actor_score"] > scores.loc["z", "key_actor_score"]


def test_hotspot_counts_distinct_children_and_span(frames: NetworkInputs) -> None:
    # three more children stopped in V1 on later dates (one of them twice)
    extra_events, extra_links, extra_people = [], [], []
    for i, (child, on) in enumerate([("C5", "2013-07-01"), ("C6", "2013-08-01"),
                                     ("C5", "2013-09-01")]):
        ref = f"X{i}"
        extra_events.append({"agency": "P1", "event_ref": ref, "kind": "stop_check",
                             "occurred_on": pd.Timestamp(on), "location_ref": None,
                             "grading": None, "grading_scheme": None, "area": "AA1"})
        extra_links += [{"agency": "P1", "area": "AA1", "event_ref": ref, "entity": "person",
                         "ref": child, "role": "passenger"},
                        {"agency": "P1", "area": "AA1", "event_ref": ref, "entity": "object",
                         "ref": "V1", "role": "present"}]
    for child in ("C5", "C6"):
        extra_people.append({"agency": "P1", "person_ref": child, "person_id": child,
                             "area": "AA1", "dob": "2001-01-01", "address": None,
                             "postcode": None, "phones": None})
    inputs = NetworkInputs(pd.concat([frames.persons, pd.DataFrame(extra_people)]),
                           pd.concat([frames.events, pd.DataFrame(extra_events)]),
                           pd.concat([frames.links, pd.DataFrame(extra_links)]),
                           frames.objects, frames.locations)
    config = load_config()
    spots = analyse(build_network(inputs, config), config).hotspots.set_index("node_id")
    assert list(spots.index) == ["vehicle:AB12CDE"]
    spot = spots.loc["vehicle:AB12CDE"]
    assert spot["n_children"] == 4  # C1, C2, C5, C6
    assert spot["n_suspects"] == 1  # S1 drove it with C1
    assert str(spot["first_seen"].date()) == "2013-02-01"
    assert str(spot["last_seen"].date()) == "2013-09-01"
    assert spot["group_ids"] != ""


def test_groups_hold_suspects_and_their_children(frames: NetworkInputs) -> None:
    config = load_config()
    results = analyse(build_network(frames, config), config)
    members = results.members.set_index("person_id")
    assert members.loc["C2", "group_id"] == members.loc["S1", "group_id"]  # via the vehicle
    assert members.loc["C3", "group_id"] == members.loc["S2", "group_id"]  # via the home
    assert members.loc["C4", "group_id"] != members.loc["S1", "group_id"]
    assert "W1" not in members.index and "K1" not in members.index
    groups = results.groups.set_index("group_id")
    second = groups.loc[members.loc["C4", "group_id"]]
    assert second["cross_area"] and second["areas"] == "AA1;AA2"
    first = groups.loc[members.loc["S1", "group_id"]]
    assert first["most_connected"] == "S1" and not first["cross_area"]
    entities = results.entities
    mine = entities[entities["group_id"] == members.loc["S1", "group_id"]]
    assert set(mine["node_id"]) == {"vehicle:AB12CDE", "location:P1/L1"}
