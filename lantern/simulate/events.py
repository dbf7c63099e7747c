"""A bulk builder of true events and their participants (before agencies record them)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from lantern.contract import vocabulary

DAY = np.timedelta64(1, "D")


def indicator_codes() -> tuple[str, ...]:
    vocab = vocabulary()
    return tuple(sorted(vocab.child_indicators)) + tuple(sorted(vocab.adult_indicators))


INDICATORS = indicator_codes()
BIT = {code: np.int64(1) << np.int64(i) for i, code in enumerate(INDICATORS)}

Spec = Mapping[str, float]


def draw_dates(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A uniform day in ``[lo, hi]`` per row (``datetime64[D]`` arrays)."""
    span = ((hi - lo) / DAY).astype(np.int64) + 1
    return lo + (rng.random(lo.size) * span).astype(np.int64) * DAY


class EventBuilder:
    """Collects events and links as arrays, block by block, then returns two frames.

    Persons, objects and places are referred to by their true integer ids; events get
    consecutive integer ids in the order they are emitted.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._events: list[dict[str, np.ndarray]] = []
        self._links: list[dict[str, np.ndarray]] = []
        self.count = 0

    def indicators(self, n: int, spec: Spec) -> np.ndarray:
        """Bitmask of indicators, each present with its own probability."""
        mask = np.zeros(n, dtype=np.int64)
        for code, p in spec.items():
            mask |= np.where(self.rng.random(n) < p, BIT[code], 0)
        return mask

    def emit(
        self,
        kind: str | np.ndarray,
        date: np.ndarray,
        agency_type: str,
        area: np.ndarray,
        *,
        indicators: np.ndarray | None = None,
        location: np.ndarray | None = None,
        grading: np.ndarray | None = None,
        scheme: np.ndarray | None = None,
    ) -> np.ndarray:
        n = date.size
        ids = np.arange(self.count, self.count + n)
        self.count += n
        none = np.full(n, None, dtype=object)
        self._events.append(
            {
                "ev": ids,
                "kind": np.broadcast_to(np.asarray(kind, dtype=object), (n,)).copy(),
                "date": date.astype("datetime64[D]"),
                "agency_type": np.full(n, agency_type, dtype=object),
                "area": np.asarray(area, dtype=np.int64),
                "mask": indicators if indicators is not None else np.zeros(n, dtype=np.int64),
                "lid": location if location is not None else np.full(n, -1, dtype=np.int64),
                "grading": grading if grading is not None else none,
                "grading_scheme": scheme if scheme is not None else none,
            }
        )
        return ids

    def link(
        self,
        ev: np.ndarray,
        entity: str,
        ids: np.ndarray,
        role: str | np.ndarray,
        *,
        mask: np.ndarray | None = None,
        alias: np.ndarray | None = None,
    ) -> None:
        keep = mask if mask is not None else np.ones(ev.size, dtype=bool)
        keep = keep & (np.asarray(ids) >= 0)
        n = int(keep.sum())
        role_arr = np.broadcast_to(np.asarray(role, dtype=object), ev.shape)[keep]
        self._links.append(
            {
                "ev": ev[keep],
                "entity": np.full(n, entity, dtype=object),
                "id": np.asarray(ids, dtype=np.int64)[keep],
                "role": role_arr.copy(),
                "alias": alias[keep] if alias is not None else np.zeros(n, dtype=bool),
            }
        )

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        events = pd.DataFrame(
            {k: np.concatenate([e[k] for e in self._events]) for k in self._events[0]}
        )
        links = pd.DataFrame(
            {k: np.concatenate([e[k] for e in self._links]) for k in self._links[0]}
        )
        events["indicators"] = mask_strings(events["mask"].to_numpy())
        return events, links


def mask_strings(mask: np.ndarray) -> np.ndarray:
    """Indicator bitmasks to ``;``-joined codes (vocabulary order), via the distinct masks."""
    uniq, inv = np.unique(mask, return_inverse=True)
    text = np.array(
        [";".join(c for c, b in BIT.items() if int(u) & int(b)) or None for u in uniq], dtype=object
    )
    return text[inv]


def where_or_none(cond: np.ndarray | pd.Series, values: object) -> np.ndarray:
    """``values`` where ``cond`` holds, else ``None`` (an object array)."""
    c = np.asarray(cond, dtype=bool)
    out = np.full(c.shape, None, dtype=object)
    out[c] = np.broadcast_to(np.asarray(values, dtype=object), c.shape)[c]
    return out


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))
