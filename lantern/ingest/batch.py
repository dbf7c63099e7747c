"""A chunk of rows under validation: which rows are still good, why others are not.

Rules work on whole columns (boolean masks); a rejected row goes to quarantine with
its file, line, column, reason and the raw fields, a warned row keeps loading.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lantern.contract.normalise import InvalidValue
from lantern.ingest.reader import RawChunk


@dataclass(frozen=True)
class Quarantined:
    file: str
    line: int
    column: str | None
    reason: str
    raw: str  # JSON list of the fields as received


@dataclass(frozen=True)
class Warned:
    file: str
    line: int
    column: str
    value: str | None
    reason: str


@dataclass
class Batch:
    """Validation state of one :class:`RawChunk`."""

    raw: RawChunk
    ok: np.ndarray = field(init=False)
    warned: np.ndarray = field(init=False)
    quarantined: list[Quarantined] = field(default_factory=list)
    warnings: list[Warned] = field(default_factory=list)
    _stripped: dict[str, pd.Series] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.raw.frame)
        self.ok = np.ones(n, dtype=bool)
        self.warned = np.zeros(n, dtype=bool)
        for line, row, reason in self.raw.refused:
            self.quarantined.append(
                Quarantined(self.file, line, None, reason, json.dumps(row, ensure_ascii=False))
            )

    @property
    def file(self) -> str:
        return self.raw.file

    @property
    def lines(self) -> np.ndarray:
        return self.raw.lines

    def __len__(self) -> int:
        return len(self.raw.frame)

    def col(self, name: str) -> pd.Series:
        """A column as sent (``""`` throughout when the file lacks the optional column)."""
        frame = self.raw.frame
        if name in frame.columns:
            return frame[name]
        return pd.Series(np.full(len(frame), "", dtype=object), index=frame.index)

    def stripped(self, name: str) -> pd.Series:
        """A column without surrounding spaces (computed once per column)."""
        if name not in self._stripped:
            column = self.col(name)
            if padded(column):
                column = pd.Series(np.array([v.strip() for v in column], dtype=object),
                                   index=column.index)
            self._stripped[name] = column
        return self._stripped[name]

    def text(self, name: str) -> np.ndarray:
        """A column as sent, blank cells as ``None`` (free text is stored as it came)."""
        values = self.col(name).to_numpy().copy()
        values[self.stripped(name).eq("").to_numpy()] = None
        return values

    def reject(self, mask: np.ndarray | pd.Series, column: str | None, reason: Reason) -> None:
        """Quarantine the still-good rows under ``mask``.

        ``reason`` is one text, or a function of the rows' positions giving one text each
        (so that per-row messages are built only for the rows that need them).
        """
        hit = np.asarray(mask, dtype=bool) & self.ok
        if not hit.any():
            return
        index = np.flatnonzero(hit)
        reasons = _reasons(reason, index)
        rows = self.raw.frame.to_numpy()[index]
        for i, why, row in zip(index, reasons, rows, strict=True):
            self.quarantined.append(
                Quarantined(self.file, int(self.lines[i]), column, str(why),
                            json.dumps(list(row), ensure_ascii=False))
            )
        self.ok &= ~hit

    def warn(self, mask: np.ndarray | pd.Series, column: str, values: pd.Series,
             reason: Reason) -> None:
        """Record a data-quality warning on good rows under ``mask`` (they still load)."""
        hit = np.asarray(mask, dtype=bool) & self.ok
        if not hit.any():
            return
        index = np.flatnonzero(hit)
        raw = values.to_numpy()[index]
        for i, value, why in zip(index, raw, _reasons(reason, index), strict=True):
            self.warnings.append(
                Warned(self.file, int(self.lines[i]), column,
                       None if value is None else str(value), str(why))
            )
        self.warned |= hit

    def present(self, name: str) -> np.ndarray:
        """Good rows where the column is not blank."""
        return self.ok & self.stripped(name).ne("").to_numpy()


Reason = str | Callable[[np.ndarray], Sequence[str]]


def _reasons(reason: Reason, index: np.ndarray) -> Sequence[str]:
    return [reason] * len(index) if isinstance(reason, str) else reason(index)


def each(template: str, *columns: pd.Series) -> Callable[[np.ndarray], list[str]]:
    """Per-row reasons: ``template`` formatted with the columns' values at each row."""
    def build(index: np.ndarray) -> list[str]:
        picked = [c.to_numpy()[index] for c in columns]
        return [template.format(*values) for values in zip(*picked, strict=True)]
    return build


# A cell with whitespace at either end, in cells joined by NUL (which no cell holds:
# rows with NUL are refused before they reach a frame).
_PADDED = re.compile(r"(?:^|\x00)\s|\s(?:\x00|$)")


def padded(values: pd.Series) -> bool:
    """Whether any cell has surrounding whitespace (one C-speed scan of the column)."""
    return bool(_PADDED.search("\x00".join(values)))


def lowered(values: pd.Series) -> pd.Series:
    """Lower-case cells, touching them one by one only when some need it."""
    joined = "\x00".join(values)
    if joined == joined.lower():
        return values
    return pd.Series(np.array([v.lower() for v in values], dtype=object), index=values.index)


def lengths(values: pd.Series) -> np.ndarray:
    return np.fromiter(map(len, values), dtype=np.int64, count=len(values))


def map_unique(
    values: pd.Series, fn: Callable[[Any], Any]
) -> tuple[list[Any], dict[Hashable, str]]:
    """Apply a normaliser once per distinct value: results per row, and the failures."""
    results: dict[Hashable, Any] = {}
    errors: dict[Hashable, str] = {}
    for value in pd.unique(values):
        try:
            results[value] = fn(value)
        except InvalidValue as exc:
            results[value] = None
            errors[value] = str(exc)
    return [results[v] for v in values], errors


def normalise(batch: Batch, column: str, fn: Callable[[Any], Any]) -> pd.Series:
    """Normalised values of an optional column; a bad value is warned and left empty."""
    raw = batch.col(column)
    out = pd.Series(np.full(len(raw), None, dtype=object), index=raw.index)
    present = batch.present(column)
    if not present.any():
        return out
    values = raw[present]
    results, errors = map_unique(values, fn)
    out[present] = pd.Series(results, index=values.index, dtype=object)
    if errors:
        bad = raw.isin(list(errors)).to_numpy() & present
        batch.warn(bad, column, raw, each("{}", raw.map(errors)))
    return out
