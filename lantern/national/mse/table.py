"""Capture-history tables: one 0/1 column per list plus `count`."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd


class CaptureTableError(ValueError):
    """The table cannot be read as a capture history (one clear line)."""


@dataclass(frozen=True)
class CaptureTable:
    """Counts for every non-empty capture pattern over `lists` (missing patterns = 0)."""

    lists: tuple[str, ...]
    patterns: npt.NDArray[np.int8]  # (2**t - 1, t), ordered by number of lists captured
    counts: npt.NDArray[np.float64]

    @property
    def n_lists(self) -> int:
        return len(self.lists)

    @property
    def observed(self) -> int:
        return int(round(float(self.counts.sum())))

    def with_counts(self, counts: npt.NDArray[np.float64]) -> CaptureTable:
        """Same patterns, other counts (used by the bootstrap)."""
        return CaptureTable(self.lists, self.patterns, np.asarray(counts, dtype=float))

    def overlap(self, members: frozenset[int]) -> float:
        """Cases seen on every list in `members` (whatever else they were on)."""
        mask = self.patterns[:, sorted(members)].all(axis=1)
        return float(self.counts[mask].sum())

    def informative(self) -> CaptureTable:
        """Drop lists that saw nobody: they carry no information on overlap."""
        keep = [j for j in range(self.n_lists) if self.overlap(frozenset({j})) > 0]
        if len(keep) == self.n_lists:
            return self
        frame = self.to_frame()
        return CaptureTable.from_frame(frame[[self.lists[j] for j in keep] + ["count"]])

    def to_frame(self) -> pd.DataFrame:
        out = pd.DataFrame(self.patterns.astype(int), columns=list(self.lists))
        out["count"] = self.counts.astype(int)
        return out

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, count: str = "count") -> CaptureTable:
        """Validate and complete a capture-history frame (duplicate patterns are summed)."""
        if count not in frame.columns:
            raise CaptureTableError(f"the table has no '{count}' column")
        lists = [str(c) for c in frame.columns if c != count]
        if len(lists) < 2:
            raise CaptureTableError("a capture-history table needs at least two list columns")
        if len(lists) > 12:
            raise CaptureTableError(f"{len(lists)} lists is more than this method supports (12)")
        body = frame[[c for c in frame.columns if c != count]]
        try:
            flags = body.apply(pd.to_numeric, errors="raise").to_numpy(dtype=float)
            n = pd.to_numeric(frame[count], errors="raise").to_numpy(dtype=float)
        except (ValueError, TypeError) as exc:
            raise CaptureTableError(f"non-numeric value in the table ({exc})") from None
        if np.isnan(flags).any() or not np.isin(flags, (0.0, 1.0)).all():
            raise CaptureTableError("list columns must hold only 0 or 1")
        if np.isnan(n).any() or (n < 0).any() or (n != np.round(n)).any():
            raise CaptureTableError("counts must be non-negative whole numbers")
        empty = flags.sum(axis=1) == 0
        if (n[empty] > 0).any():
            raise CaptureTableError("a row with no list marked cannot have a count (unobserved)")
        t = len(lists)
        patterns = _all_patterns(t)
        index = {tuple(p): i for i, p in enumerate(patterns.tolist())}
        counts = np.zeros(len(patterns))
        for row, c in zip(flags[~empty].astype(int).tolist(), n[~empty], strict=True):
            counts[index[tuple(row)]] += c
        return cls(tuple(lists), patterns, counts)


def _all_patterns(t: int) -> npt.NDArray[np.int8]:
    rows = [p for p in itertools.product((0, 1), repeat=t) if any(p)]
    rows.sort(key=lambda p: (sum(p), tuple(-x for x in p)))
    return np.array(rows, dtype=np.int8)
