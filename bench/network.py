"""Network stage: timed at a million ties, and measured against a simulated world's truth.

**Scale** (default): builds a planted world of about a million ties from record frames (the
shape the store hands the stage) and runs the whole analysis: Leiden CPM groups with
stable ids, key-actor scores, group entities and timelines, hotspots. Prints sizes, wall
and CPU seconds per step and the groups' agreement with the planted truth. The database
write is not timed here (it depends on the backend).

    .venv/bin/python bench/network.py [--groups 31000] [--seed 0] [--modularity]

**Truth** (``--world``): on a world written by ``lantern simulate`` and a store that
``lantern run`` filled from it, scores the groups three ways with the evaluation's own
``score_groups``: from the resolved people (what ``lantern evaluate`` reports), from the
*true* people (the records' true identities instead of resolution's, which separates
network errors from resolution errors), and the *evidence ceiling* (below). It also counts
the true members with no tie at all and the cross-area groups whose second area shows
nowhere in the evidence.

    .venv/bin/python bench/network.py --world W --db sqlite:///R.db --run R [--set k=v ...]

The evidence ceiling is the ARI of an oracle that knows the true groups but may only use
the graph: a true member is placed in their group when they sit in the largest connected
piece of that group's evidence (the group's own people plus every vehicle, phone, place
and address; other people excluded); everyone else is left alone. No method working from
the records can place a member who has no path to their group.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from lantern.network.analysis import analyse
from lantern.network.config import NetworkConfig, load_config
from lantern.network.graph import Network, NetworkInputs, build_network
from lantern.network.synthetic import planted_world, score_planted


def scale(args: argparse.Namespace) -> int:
    n = args.groups
    started = time.perf_counter()
    world = planted_world(n_groups=n, seed=args.seed, background_children=10 * n,
                          background_adults=5 * n, n_takeaways=max(1, n // 8),
                          events_per_victim=6)
    generated = time.perf_counter() - started
    config = load_config()
    t0, c0 = time.perf_counter(), time.process_time()
    network = build_network(world.inputs, config)
    t1, c1 = time.perf_counter(), time.process_time()
    results = analyse(network, config)
    t2, c2 = time.perf_counter(), time.process_time()
    ari, recall, cross = score_planted(world, results.members)
    print(f"world: {n} planted groups, {len(world.inputs.events):,} events, "
          f"{len(world.inputs.links):,} links (generated in {generated:.1f}s)")
    print(f"network: {len(network.nodes):,} nodes, {len(network.edges):,} ties")
    print(f"wall: build {t1 - t0:.1f}s + groups/scores/hotspots {t2 - t1:.1f}s "
          f"= {t2 - t0:.1f}s")
    print(f"cpu:  build {c1 - c0:.1f}s + groups/scores/hotspots {c2 - c1:.1f}s "
          f"= {c2 - c0:.1f}s (wall exceeds cpu when other work shares the machine)")
    print(f"groups {len(results.groups):,}, hotspots {len(results.hotspots):,}; "
          f"CPM gamma={config.groups.resolution}: ARI {ari:.3f}, offender recall "
          f"{recall:.3f}, cross-area recall {cross:.3f}")
    if args.modularity:
        mod = load_config(groups__objective="modularity")
        t3 = time.perf_counter()
        members = analyse(network, mod).members
        t4 = time.perf_counter()
        ari_m, recall_m, cross_m = score_planted(world, members)
        print(f"modularity: ARI {ari_m:.3f}, offender recall {recall_m:.3f}, cross-area "
              f"recall {cross_m:.3f} ({t4 - t3:.1f}s)")
    return 0


def with_true_people(inputs: NetworkInputs, records: pd.DataFrame) -> NetworkInputs:
    """The same records with each person record's *true* identity as its person_id."""
    true = records.set_index(["agency", "person_ref"])["true_person_id"]
    persons = inputs.persons.copy()
    keys = pd.MultiIndex.from_frame(persons[["agency", "person_ref"]])
    persons["person_id"] = true.reindex(keys).to_numpy()
    persons["person_id"] = persons["person_id"].fillna(
        persons["agency"] + ":" + persons["person_ref"])
    return dataclasses.replace(inputs, persons=persons)


def evidence_ceiling(network: Network, true: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Oracle placement from the graph of a network built on true people.

    ``true``: group_id, true_person_id of members in records. Returns the oracle's group
    of each placeable member, and whether each member has any tie at all."""
    nodes = network.nodes
    group = nodes["node_id"].map(true.set_index("true_person_id")["group_id"]).to_numpy(
        dtype=object)
    person = (nodes["kind"] == "person").to_numpy()
    ends = network.ends
    tied = np.zeros(len(nodes), dtype=bool)
    tied[ends.ravel()] = True
    placed: dict[str, str] = {}
    for gid in true["group_id"].unique():
        mine = np.flatnonzero(group == gid)
        if len(mine) < 2:
            continue
        keep = ~person | (group == gid)
        sub = ends[keep[ends[:, 0]] & keep[ends[:, 1]]]
        piece = np.asarray(ig.Graph(n=len(nodes), edges=sub).connected_components().membership)
        values, counts = np.unique(piece[mine], return_counts=True)
        if counts.max() >= 2:
            best = values[np.argmax(counts)]
            placed.update({str(nodes["node_id"].iat[v]): gid for v in mine[piece[mine] == best]})
    has_tie = pd.Series(tied, index=nodes["node_id"])
    return pd.Series(placed, dtype=object), has_tie


def evidence_areas(network: Network, members: pd.DataFrame) -> pd.Series:
    """Per group: the areas of its members' records and homes and of the events that
    link them, as the stage computes a group's areas."""
    nodes, inc = network.nodes, network.incidence
    code = pd.Series(np.arange(len(nodes)), index=nodes["node_id"])
    rows = pd.DataFrame({"group_id": members["group_id"].to_numpy(),
                         "node": code.reindex(members["person_id"]).to_numpy()})
    linked = inc[inc["person"] & (inc["role_weight"] > 0)].merge(rows, on="node")
    areas = pd.concat([
        pd.DataFrame({"group_id": rows["group_id"],
                      "area": nodes["areas"].to_numpy()[rows["node"].to_numpy()]}),
        pd.DataFrame({"group_id": linked["group_id"],
                      "area": network.events["area"].to_numpy()[linked["event"].to_numpy()]})])
    areas = areas.dropna().assign(area=lambda f: f["area"].astype(str).str.split(";"))
    areas = areas.explode("area").drop_duplicates().sort_values(["group_id", "area"])
    return areas.groupby("group_id")["area"].agg(";".join)


def truth_report(args: argparse.Namespace) -> int:
    from lantern.evaluate.io import load_truth, read_csv
    from lantern.evaluate.score import identity_map, labelled_records, score_groups
    from lantern.network.stage import read_inputs
    from lantern.store.db import open_store

    overrides: dict[str, Any] = {}
    for item in args.set:
        key, _, value = item.partition("=")
        overrides[key] = float(value) if value.replace(".", "", 1).isdigit() else value
    config: NetworkConfig = load_config(**overrides)
    truth = load_truth(args.world)
    true = truth.groups[truth.groups.in_records].drop_duplicates("true_person_id")
    inputs = read_inputs(open_store(args.db))

    def run(inp: NetworkInputs, ids: pd.Series) -> tuple[dict[str, Any], Network]:
        network = build_network(inp, config)
        members = analyse(network, config).members
        return score_groups(members, ids, truth), network

    persons = read_csv(Path(args.run) / "persons.csv")
    resolved, _ = run(inputs, identity_map(labelled_records(persons, truth.records)))
    people = truth.records["true_person_id"].unique()
    exact, network = run(with_true_people(inputs, truth.records),
                         pd.Series(people, index=people))
    placed, has_tie = evidence_ceiling(network, true[["group_id", "true_person_id"]])
    oracle = pd.DataFrame({"group_id": placed.to_numpy(), "person_id": placed.index})
    oracle["areas"] = oracle["group_id"].map(evidence_areas(network, oracle)).fillna("")
    ceiling = score_groups(oracle, pd.Series(people, index=people), truth)
    untied = ~true["true_person_id"].map(has_tie).fillna(False).astype(bool)
    print(f"world {args.world}: {true['group_id'].nunique()} true groups, {len(true)} "
          f"members in records, {int(untied.sum())} ({untied.mean():.0%}) with no tie at "
          f"all ({int((untied & (true['role'] == 'victim')).sum())} of them victims)")
    for name, s in (("resolved people", resolved), ("true people", exact),
                    ("evidence ceiling", ceiling)):
        cross = (f", cross-area recall {s['cross_area_recall']:.3f} "
                 f"(all {s['cross_area_recall_all']:.3f})")
        print(f"  {name:17s} ARI {s['ari']:.3f} (all members {s['ari_all_members']:.3f}), "
              f"NMI {s['nmi']:.3f}, offender recall {s['offender_recall']:.3f}{cross}, "
              f"predicted groups {s['predicted_groups']}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=31_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--modularity", action="store_true",
                        help="also run Leiden with modularity on the same network")
    parser.add_argument("--world", type=Path, help="a simulated world: measure against truth")
    parser.add_argument("--db", help="the store `lantern run` filled from --world")
    parser.add_argument("--run", type=Path, help="the output folder of that `lantern run`")
    parser.add_argument("--set", action="append", default=[],
                        help="a config override, e.g. groups__resolution=0.01")
    args = parser.parse_args()
    if args.world is not None:
        if not args.db or args.run is None:
            parser.error("--world needs --db and --run")
        return truth_report(args)
    return scale(args)


if __name__ == "__main__":
    sys.exit(main())
