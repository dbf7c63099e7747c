"""Funnel-plot control limits for rates (Spiegelhalter 2005).

Each area's count O is compared with the count expected at the national
rate, E = population x national rate, assuming O ~ Poisson(E). Limits are the
exact Poisson quantiles, interpolated between integers as in Spiegelhalter
(2005, Statistics in Medicine 24:1185-1202, appendix A.1.1) so that the funnel
is smooth even for small expected counts (the approach of PHE/OHID's funnel
plot tools).

The `within|above|below` flag uses the 99.8% limits (about 3 standard
errors): with dozens of areas compared each year, 95% limits would flag
about one area in twenty by chance alone. The 95% limits are still returned
and drawn as the inner funnel ("alert" rather than "alarm").
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

LEVELS = (0.95, 0.998)


def poisson_limit(expected: npt.ArrayLike, p: float) -> npt.NDArray[np.float64]:
    """Interpolated Poisson quantile (count scale) at probability `p` for mean `expected`."""
    lam = np.asarray(expected, dtype=float)
    r = stats.poisson.ppf(p, lam)
    f_r = stats.poisson.cdf(r, lam)
    f_below = stats.poisson.cdf(r - 1, lam)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = np.where(f_r > f_below, (f_r - p) / (f_r - f_below), 0.0)
    out = np.maximum(r - alpha, 0.0)
    return np.where(lam > 0, out, 0.0)


def funnel_limits(
    population: npt.ArrayLike, target_rate: float, *, per: int = 10_000
) -> pd.DataFrame:
    """95% and 99.8% limits, on the rate scale (per `per`), for each denominator."""
    pop = np.asarray(population, dtype=float)
    expected = pop * target_rate / per
    cols: dict[str, npt.NDArray[np.float64]] = {}
    for level in LEVELS:
        tail = (1 - level) / 2
        tag = f"{level * 100:g}".replace(".", "_")
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(pop > 0, per / pop, np.nan)
        cols[f"lower_{tag}"] = poisson_limit(expected, tail) * scale
        cols[f"upper_{tag}"] = poisson_limit(expected, 1 - tail) * scale
    return pd.DataFrame(cols)


def funnel_flags(
    counts: npt.ArrayLike,
    population: npt.ArrayLike,
    *,
    target_rate: float | None = None,
    level: float = 0.998,
    per: int = 10_000,
) -> pd.DataFrame:
    """Flag each unit `within`, `above` or `below` the funnel at `level`.

    `target_rate` defaults to the pooled rate of all units given (the national
    rate when called with every area of one year).
    """
    k = np.asarray(counts, dtype=float)
    pop = np.asarray(population, dtype=float)
    if target_rate is None:
        total = pop.sum()
        target_rate = float(k.sum() / total * per) if total > 0 else 0.0
    expected = pop * target_rate / per
    tail = (1 - level) / 2
    lower = poisson_limit(expected, tail)
    upper = poisson_limit(expected, 1 - tail)
    flag = np.where(k > upper, "above", np.where(k < lower, "below", "within"))
    flag = np.where(pop > 0, flag, "")
    return pd.DataFrame(
        {
            "expected": expected,
            "lower": lower,
            "upper": upper,
            "funnel": flag,
            "target_rate": target_rate,
        }
    )
