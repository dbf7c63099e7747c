"""Network stage at scale: a planted world of about a million ties, timed.

Builds the network from record frames (the shape the store hands the stage) and runs the
whole analysis: Leiden CPM groups with stable ids, key-actor scores, group entities and
timelines, hotspots. Prints sizes, seconds per step and the groups' agreement with the
planted truth (ARI, offender recall, cross-area recall). The database write is not timed
here (it depends on the backend); ``lantern network run`` prints the end-to-end time.

    .venv/bin/python bench/network.py [--groups 31000] [--seed 0] [--modularity]
"""

from __future__ import annotations

import argparse
import sys
import time

from lantern.network.analysis import analyse
from lantern.network.config import load_config
from lantern.network.graph import build_network
from lantern.network.synthetic import planted_world, score_planted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=31_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--modularity", action="store_true",
                        help="also run Leiden with modularity on the same network")
    args = parser.parse_args()
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


if __name__ == "__main__":
    sys.exit(main())
