"""Integer keys (lantern.network.codes) and the refinement step, on cases with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lantern.network.codes import join_per_key, lookup, record_keys, runs
from lantern.network.config import load_config
from lantern.network.graph import NetworkInputs, build_network


def test_record_keys_match_across_frames_and_missing_never_matches() -> None:
    table, links = record_keys(
        (pd.Series(["P1", "P1", "P2"]), pd.Series(["E1", "E2", "E1"])),
        (pd.Series(["P2", "P1", "P9", None]), pd.Series(["E1", "E2", "E1", "E1"])))
    assert lookup(links, table).tolist() == [2, 1, -1, -1]


def test_lookup_takes_the_first_occurrence() -> None:
    assert lookup(np.array([7, 3, 5]), np.array([3, 7, 3])).tolist() == [1, 0, -1]
    assert lookup(np.array([1]), np.zeros(0, dtype=np.int64)).tolist() == [-1]


def test_runs_and_join_per_key() -> None:
    assert runs(np.array([0, 0, 1, 3, 3, 3])).tolist() == [0, 2, 3]
    joined = join_per_key(np.array([0, 0, 2, 2, 2]),
                          np.array(["B", "A", "C;A", None, "A"], dtype=object), 3)
    assert joined.tolist() == ["A;B", None, "A;C"]


def test_edges_sorted_unique_and_ends_match_names(frames: NetworkInputs) -> None:
    net = build_network(frames, load_config())
    ids = net.nodes["node_id"].to_numpy()
    assert (net.edges["source"] < net.edges["target"]).all()
    assert not net.edges.duplicated(["source", "target"]).any()
    assert (ids[net.ends[:, 0]] == net.edges["source"].to_numpy()).all()
    assert (ids[net.ends[:, 1]] == net.edges["target"].to_numpy()).all()
    assert list(ids) == sorted(ids)


def test_hub_ties_are_scaled_and_small_places_keep_full_weight() -> None:
    from lantern.network.graph import _hub_factor

    # node 0: a place tied to 8 people (1-8); node 9: a car tied to 2 people (1, 2)
    person = np.array([False] + [True] * 8 + [False])
    a = np.array([0] * 8 + [1, 2])
    b = np.array(list(range(1, 9)) + [9, 9])
    factor = _hub_factor(a, b, person, 5)
    assert factor[:8] == pytest.approx([4 / 7] * 8)
    assert factor[8:].tolist() == [1.0, 1.0]
    assert _hub_factor(a, b, person, 0).tolist() == [1.0] * 10
