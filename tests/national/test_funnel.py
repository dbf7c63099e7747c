"""Funnel limits against an independent calculation (chi-square form of the Poisson)."""

import math

import numpy as np
import pytest
from scipy import stats

from lantern.national.funnel import funnel_flags, funnel_limits, poisson_limit


def _independent_limit(expected: float, p: float) -> float:
    """Spiegelhalter's interpolated Poisson limit, via P(X<=r) = P(chi2_{2r+2} > 2 lambda)."""

    def cdf(r: int) -> float:
        return 0.0 if r < 0 else float(stats.chi2.sf(2 * expected, 2 * r + 2))

    r = 0
    while cdf(r) < p:
        r += 1
    alpha = (cdf(r) - p) / (cdf(r) - cdf(r - 1))
    return max(r - alpha, 0.0)


def _exact_cdf(r: int, lam: float) -> float:
    return sum(math.exp(-lam) * lam**i / math.factorial(i) for i in range(r + 1))


@pytest.mark.parametrize("expected", [0.3, 1.0, 2.5, 4.0, 9.7, 25.0, 140.0])
@pytest.mark.parametrize("p", [0.001, 0.025, 0.975, 0.999])
def test_limits_match_independent_calculation(expected: float, p: float) -> None:
    ours = poisson_limit([expected], p)[0]
    assert ours == pytest.approx(_independent_limit(expected, p), abs=1e-9)


def test_small_count_limit_by_hand() -> None:
    # expected 2: upper 99.8% quantile r is the first r with F(r) >= 0.999.
    lam, p = 2.0, 0.999
    r = next(r for r in range(50) if _exact_cdf(r, lam) >= p)
    alpha = (_exact_cdf(r, lam) - p) / (_exact_cdf(r, lam) - _exact_cdf(r - 1, lam))
    assert poisson_limit([lam], p)[0] == pytest.approx(r - alpha, abs=1e-9)
    assert r == 8


def test_funnel_narrows_with_population() -> None:
    lim = funnel_limits([1_000, 10_000, 100_000], target_rate=5.0)
    width = lim["upper_99_8"] - lim["lower_99_8"]
    assert width.is_monotonic_decreasing
    assert (lim["lower_99_8"] <= lim["lower_95"]).all()
    assert (lim["upper_95"] <= lim["upper_99_8"]).all()


def test_flags() -> None:
    pops = np.array([50_000, 50_000, 50_000, 50_000, 2_000])
    counts = np.array([25, 24, 90, 2, 3])
    out = funnel_flags(counts, pops, target_rate=5.0)
    assert list(out["funnel"]) == ["within", "within", "above", "below", "within"]
