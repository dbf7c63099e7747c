"""95% intervals for the population size: profile likelihood and bootstrap.

The profile-likelihood interval treats the selected model as known; the
bootstrap repeats the model selection on each multinomial resample of the
observed cases (Silverman, Chan and Vincent 2024), so model uncertainty
widens the interval.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import optimize, stats

from lantern.national.mse.models import Check, Fit, profile_deviance
from lantern.national.mse.select import Selection
from lantern.national.mse.table import CaptureTable

Selector = Callable[[CaptureTable], Selection | Check]


def profile_interval(
    table: CaptureTable, best: Fit, *, level: float = 0.95, predictive: bool = True
) -> tuple[float, float]:
    """Interval for the total from the profile deviance of the intercept (log dark count).

    The profile interval bounds the *expected* hidden count; with `predictive`
    its ends are widened by the Poisson spread of the hidden count itself, so
    the interval is for the realised number of people (what coverage is
    measured against). The upper end is infinite when the deviance never rises
    far enough: the data cannot rule out an arbitrarily large hidden population.
    """
    low, high = _profile_ends(table, best, level=level)
    if not predictive:
        return low, high
    observed = float(table.counts[best.kept].sum())
    tail = (1 - level) / 2
    if math.isfinite(low):
        low = observed + float(stats.poisson.ppf(tail, max(low - observed, 0.0)))
    if math.isfinite(high):
        high = observed + float(stats.poisson.ppf(1 - tail, high - observed))
    return low, high


def _profile_ends(table: CaptureTable, best: Fit, *, level: float) -> tuple[float, float]:
    crit = float(stats.chi2.ppf(level, 1))
    observed = float(table.counts[best.kept].sum())
    d0 = profile_deviance(table, best.terms, math.log(best.dark))
    centre = math.log(best.dark)
    step = max(best.log_dark_se, 0.05)

    def excess(log_dark: float) -> float:
        return min(profile_deviance(table, best.terms, log_dark) - d0 - crit, 1e6)

    def bound(direction: int) -> float:
        inner, outer = centre, centre + direction * step
        for _ in range(60):
            if excess(outer) > 0:
                root = optimize.brentq(excess, min(inner, outer), max(inner, outer), xtol=1e-6)
                return observed + math.exp(root)
            inner, outer = outer, outer + direction * step
            step_scale = abs(outer - centre)
            if direction > 0 and outer > math.log(1e4 * max(observed, 1.0)):
                return math.inf
            if direction < 0 and outer < math.log(1e-8) - step_scale:
                return observed
        return math.inf if direction > 0 else observed

    return bound(-1), bound(+1)


def bootstrap_estimates(
    table: CaptureTable, selector: Selector, *, n_boot: int, seed: int
) -> np.ndarray:
    """Population estimates of the selected model on multinomial resamples (NaN = none)."""
    rng = np.random.default_rng(seed)
    n = table.observed
    probs = table.counts / max(table.counts.sum(), 1.0)
    out = np.full(n_boot, np.nan)
    for b in range(n_boot):
        sample = table.with_counts(rng.multinomial(n, probs).astype(float))
        chosen = selector(sample)
        if isinstance(chosen, Selection):
            out[b] = chosen.best.estimate
    return out


def percentile_interval(
    reps: np.ndarray, *, level: float = 0.95, max_failed: float = 0.1
) -> tuple[float, float]:
    """Percentile interval; replicates with no estimate count as infinite (conservative)."""
    vals = np.where(np.isnan(reps), np.inf, reps)
    if np.mean(np.isnan(reps)) > max_failed and np.isnan(reps).all():
        return math.nan, math.nan
    tail = (1 - level) / 2
    lo = float(np.quantile(vals, tail, method="linear")) if np.isfinite(vals).any() else math.nan
    hi_q = np.quantile(vals, 1 - tail, method="linear")
    return lo, float(hi_q)


def bca_interval(
    table: CaptureTable,
    selector: Selector,
    *,
    point: float,
    reps: np.ndarray,
    level: float = 0.95,
) -> tuple[float, float]:
    """Bias-corrected and accelerated interval (Efron 1987), as in SparseMSE.

    The acceleration comes from the delete-one-case jackknife over the observed
    capture patterns, repeating the model selection each time.
    """
    usable = reps[np.isfinite(reps)]
    if len(usable) < 10:
        return math.nan, math.nan
    share = float(np.mean(usable < point))
    share = min(max(share, 0.5 / len(usable)), 1 - 0.5 / len(usable))
    z0 = float(stats.norm.ppf(share))
    counts = table.counts
    jack = np.full(len(counts), np.nan)
    for j in np.flatnonzero(counts > 0):
        reduced = counts.copy()
        reduced[j] -= 1
        chosen = selector(table.with_counts(reduced))
        if isinstance(chosen, Selection):
            jack[j] = chosen.best.estimate
    positive = counts > 0
    if np.isnan(jack[positive]).any():
        accel = 0.0
    else:
        weights = counts[positive]
        mean = float(np.sum(weights * jack[positive]) / weights.sum())
        dev = mean - jack[positive]
        denom = float(np.sum(weights * dev**2))
        accel = float(np.sum(weights * dev**3) / (6 * denom**1.5)) if denom > 0 else 0.0
    tail = (1 - level) / 2
    ends = []
    for alpha in (tail, 1 - tail):
        za = float(stats.norm.ppf(alpha))
        adjusted = float(stats.norm.cdf(z0 + (z0 + za) / (1 - accel * (z0 + za))))
        ends.append(float(np.quantile(usable, adjusted, method="median_unbiased")))
    return ends[0], ends[1]
