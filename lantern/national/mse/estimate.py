"""One call from a capture-history table to an estimate with a 95% interval."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any, Literal

import pandas as pd

from lantern.national.mse.interval import (
    bca_interval,
    bootstrap_estimates,
    percentile_interval,
    profile_interval,
)
from lantern.national.mse.models import HETEROGENEITY, Check, Model, model_name
from lantern.national.mse.select import Selection, best_bic, stepwise
from lantern.national.mse.table import CaptureTable

Method = Literal["stepwise", "bic"]
IntervalMethod = Literal["profile", "bootstrap", "both"]


@dataclass(frozen=True)
class Estimate:
    """Population estimate (observed + hidden) with its interval and chosen model."""

    estimate: float
    low: float
    high: float
    model: str
    observed: int
    lists: tuple[str, ...]
    method: str
    interval: str
    level: float = 0.95

    @property
    def hidden(self) -> float:
        return self.estimate - self.observed

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["lists"] = list(self.lists)
        out["hidden"] = self.hidden
        for key in ("estimate", "low", "high", "hidden"):
            value = out[key]
            out[key] = None if value is None or not math.isfinite(value) else round(value, 1)
        return out


@dataclass(frozen=True)
class NoEstimate:
    """Why no estimate exists for this table (one line for people)."""

    reason: str
    observed: int
    lists: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "estimate": None,
            "low": None,
            "high": None,
            "model": None,
            "observed": self.observed,
            "lists": list(self.lists),
            "reason": self.reason,
        }


def _selector(method: Method, pthresh: float, max_order: int | None, base: Model) -> Any:
    if method == "stepwise":
        return partial(stepwise, pthresh=pthresh, base=base)
    return partial(best_bic, max_order=max_order, base=base)


def estimate(
    table: CaptureTable,
    *,
    method: Method = "stepwise",
    interval: IntervalMethod = "profile",
    pthresh: float = 0.02,
    max_order: int | None = None,
    heterogeneity: bool = False,
    n_boot: int = 200,
    seed: int = 20_140_826,
    level: float = 0.95,
) -> Estimate | NoEstimate:
    """Select a log-linear model, estimate the population and its interval.

    `interval="both"` reports the wider of the profile and bootstrap ends,
    which keeps model-selection and small-count uncertainty both in view. The
    bootstrap interval is BCa (as SparseMSE), falling back to percentiles.
    """
    usable = table.informative()
    observed = table.observed
    if usable.n_lists < 2:
        return NoEstimate(
            f"too little data: {usable.n_lists} list(s) with cases; at least two are needed",
            observed,
            table.lists,
        )
    if all(usable.overlap(frozenset({i, j})) == 0
           for i in range(usable.n_lists) for j in range(i + 1, usable.n_lists)):
        return NoEstimate(
            "too little overlap: no case appears on more than one list, so the hidden "
            "number cannot be estimated",
            observed,
            table.lists,
        )
    base: Model = (HETEROGENEITY,) if heterogeneity and usable.n_lists >= 3 else ()
    select = _selector(method, pthresh, max_order, base)
    chosen = select(usable)
    if isinstance(chosen, Check):
        return NoEstimate(f"no estimate: {chosen.reason()}", observed, table.lists)
    assert isinstance(chosen, Selection)
    best = chosen.best
    low, high = math.nan, math.nan
    if interval in ("profile", "both"):
        low, high = profile_interval(usable, best, level=level)
    if interval in ("bootstrap", "both"):
        reps = bootstrap_estimates(usable, select, n_boot=n_boot, seed=seed)
        b_low, b_high = bca_interval(usable, select, point=best.estimate, reps=reps, level=level)
        if not (math.isfinite(b_low) and math.isfinite(b_high)):
            b_low, b_high = percentile_interval(reps, level=level)
        if interval == "bootstrap":
            low, high = b_low, b_high
        else:
            low, high = min(low, b_low), max(high, b_high)
    low = max(low, float(observed)) if math.isfinite(low) else low
    return Estimate(
        estimate=best.estimate,
        low=low,
        high=high,
        model=model_name(usable, best.terms),
        observed=observed,
        lists=usable.lists,
        method=chosen.method,
        interval=interval,
        level=level,
    )


def estimate_frame(frame: pd.DataFrame, **options: Any) -> Estimate | NoEstimate:
    """`estimate` on a capture-history DataFrame (0/1 list columns + `count`)."""
    return estimate(CaptureTable.from_frame(frame), **options)
