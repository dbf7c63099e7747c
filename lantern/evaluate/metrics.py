"""Clustering agreement measures from contingency tables (no pair enumeration).

Counting pairs through cluster sizes keeps every measure linear in the number of records,
so a million-record run is scored in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class PairCounts:
    """Pairs of items put together by the prediction, by the truth, and by both."""

    both: int
    predicted: int
    true: int

    @property
    def precision(self) -> float | None:
        return self.both / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.both / self.true if self.true else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _codes(labels: np.ndarray | pd.Series) -> np.ndarray:
    return pd.factorize(np.asarray(labels, dtype=object))[0].astype(np.int64)


def contingency(
    predicted: np.ndarray | pd.Series, true: np.ndarray | pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Non-zero cell sizes n_ij, row sizes a_i (predicted) and column sizes b_j (true)."""
    p, t = _codes(predicted), _codes(true)
    if p.size != t.size:
        raise ValueError("labellings differ in length")
    if p.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    cell = p * (int(t.max()) + 1) + t
    _, n_ij = np.unique(cell, return_counts=True)
    return n_ij, np.bincount(p), np.bincount(t)


def _pairs(sizes: np.ndarray) -> int:
    s = sizes.astype(np.int64)
    return int((s * (s - 1) // 2).sum())


def pair_counts(predicted: np.ndarray | pd.Series, true: np.ndarray | pd.Series) -> PairCounts:
    n_ij, a, b = contingency(predicted, true)
    return PairCounts(both=_pairs(n_ij), predicted=_pairs(a), true=_pairs(b))


def adjusted_rand_index(predicted: np.ndarray | pd.Series, true: np.ndarray | pd.Series) -> float:
    """Hubert and Arabie's ARI; 1 for identical partitions, about 0 for chance agreement."""
    n_ij, a, b = contingency(predicted, true)
    n = int(a.sum())
    if n < 2:
        return 1.0
    index, sum_a, sum_b = _pairs(n_ij), _pairs(a), _pairs(b)
    total = n * (n - 1) // 2
    expected = sum_a * sum_b / total
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:  # both partitions trivial (all singletons or one cluster)
        return 1.0
    return float((index - expected) / (maximum - expected))


def _entropy(sizes: np.ndarray, n: int) -> float:
    p = sizes[sizes > 0] / n
    return float(-(p * np.log(p)).sum())


def normalized_mutual_info(
    predicted: np.ndarray | pd.Series, true: np.ndarray | pd.Series
) -> float:
    """Mutual information over the arithmetic mean of the entropies (sklearn's default)."""
    p, t = _codes(predicted), _codes(true)
    n = p.size
    if n == 0:
        return 1.0
    cell = p * (int(t.max()) + 1) + t
    uniq, n_ij = np.unique(cell, return_counts=True)
    a, b = np.bincount(p), np.bincount(t)
    h_p, h_t = _entropy(a, n), _entropy(b, n)
    if h_p == 0 and h_t == 0:
        return 1.0
    i, j = uniq // (int(t.max()) + 1), uniq % (int(t.max()) + 1)
    mi = float((n_ij / n * (np.log(n_ij * n) - np.log(a[i] * b[j].astype(float)))).sum())
    denom = (h_p + h_t) / 2
    return float(max(0.0, min(1.0, mi / denom))) if denom > 0 else 1.0
