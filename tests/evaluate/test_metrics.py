"""Pair counts, ARI and NMI from contingency tables, checked against brute force."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from lantern.evaluate.metrics import adjusted_rand_index, normalized_mutual_info, pair_counts


def brute_pairs(pred: list[int], true: list[int]) -> tuple[int, int, int]:
    both = predicted = same = 0
    for i, j in itertools.combinations(range(len(pred)), 2):
        p, t = pred[i] == pred[j], true[i] == true[j]
        both += p and t
        predicted += p
        same += t
    return both, predicted, same


@pytest.mark.parametrize("seed", range(5))
def test_pair_counts_match_enumeration(seed: int) -> None:
    rng = np.random.default_rng(seed)
    pred = rng.integers(0, 8, 60).tolist()
    true = rng.integers(0, 12, 60).tolist()
    c = pair_counts(np.array(pred), np.array(true))
    assert (c.both, c.predicted, c.true) == brute_pairs(pred, true)
    assert c.f1 is not None and 0 < c.f1 < 1


def test_known_values() -> None:
    # sklearn's documented examples: ARI 0.57, NMI (arithmetic) 0.8.
    assert adjusted_rand_index(np.array([0, 0, 1, 1]), np.array([0, 0, 1, 2])) == pytest.approx(
        0.5714285714285715
    )
    assert normalized_mutual_info(np.array([0, 0, 1, 1]), np.array([0, 0, 1, 2])) == (
        pytest.approx(0.8)
    )
    assert adjusted_rand_index(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])) < 0


def test_identical_up_to_renaming_scores_one() -> None:
    a = np.array(["x", "x", "y", "z", "z", "z"])
    b = np.array([5, 5, 9, 1, 1, 1])
    assert adjusted_rand_index(a, b) == 1.0
    assert normalized_mutual_info(a, b) == pytest.approx(1.0)
    c = pair_counts(a, b)
    assert c.precision == c.recall == c.f1 == 1.0


def test_merging_everything_keeps_recall_loses_precision() -> None:
    true = np.repeat(np.arange(50), 3)
    c = pair_counts(np.zeros(150, dtype=int), true)
    assert c.recall == 1.0
    assert c.precision == pytest.approx(50 * 3 / math.comb(150, 2))


def test_scales_to_a_million_records() -> None:
    rng = np.random.default_rng(0)
    true = rng.integers(0, 400_000, 1_000_000)
    pred = np.where(rng.random(true.size) < 0.05, rng.integers(0, 400_000, true.size), true)
    c = pair_counts(pred, true)
    assert 0.8 < c.recall < 1.0
    assert 0.0 < adjusted_rand_index(pred, true) < 1.0
