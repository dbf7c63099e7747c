"""Rates per 10,000 children with exact (Garwood) Poisson intervals.

Counts of identified victims are small in most areas, so a normal
approximation would give negative lower limits and too-short intervals;
the exact interval from the chi-square / Poisson relation is used instead.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

PER = 10_000


def poisson_interval(
    counts: npt.ArrayLike, *, level: float = 0.95
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Exact Garwood interval for the mean of a Poisson count (vectorised)."""
    k = np.asarray(counts, dtype=float)
    alpha = 1.0 - level
    with np.errstate(invalid="ignore"):
        low = np.where(k > 0, stats.chi2.ppf(alpha / 2, 2 * k) / 2, 0.0)
        high = stats.chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def rates(
    counts: npt.ArrayLike,
    population: npt.ArrayLike,
    *,
    per: int = PER,
    level: float = 0.95,
) -> pd.DataFrame:
    """Rate per `per` children with its exact interval; NaN where population is 0."""
    k = np.asarray(counts, dtype=float)
    pop = np.asarray(population, dtype=float)
    low, high = poisson_interval(k, level=level)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(pop > 0, per / pop, np.nan)
    return pd.DataFrame({"rate": k * scale, "rate_low": low * scale, "rate_high": high * scale})


def add_rates(
    frame: pd.DataFrame,
    *,
    count: str,
    population: str = "child_population",
    prefix: str = "rate",
    per: int = PER,
) -> pd.DataFrame:
    """Return `frame` with `<prefix>_per_10k`, `<prefix>_low`, `<prefix>_high` columns."""
    r = rates(frame[count].to_numpy(), frame[population].to_numpy(), per=per)
    out = frame.copy()
    out[f"{prefix}_per_10k"] = r["rate"].to_numpy()
    out[f"{prefix}_low"] = r["rate_low"].to_numpy()
    out[f"{prefix}_high"] = r["rate_high"].to_numpy()
    return out


def year_on_year(
    frame: pd.DataFrame, *, value: str, by: str = "area", year: str = "year"
) -> pd.Series:
    """Change of `value` from the same area's previous calendar year (NaN if no such year)."""
    keyed = frame.set_index([by, year])[value]
    prev = keyed.copy()
    prev.index = pd.MultiIndex.from_arrays(
        [prev.index.get_level_values(0), prev.index.get_level_values(1) + 1]
    )
    prev = prev[~prev.index.duplicated()]
    idx = pd.MultiIndex.from_arrays([frame[by].to_numpy(), frame[year].to_numpy()])
    before = prev.reindex(idx).to_numpy()
    return pd.Series(frame[value].to_numpy() - before, index=frame.index, name=f"{value}_change")
