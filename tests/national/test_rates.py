"""Exact Poisson rates and year-on-year change."""

import math

import numpy as np
import pandas as pd
import pytest

from lantern.national.rates import add_rates, poisson_interval, rates, year_on_year


def _garwood_by_root(k: int, level: float = 0.95) -> tuple[float, float]:
    """The same interval found independently: roots of the Poisson tail sums."""
    from scipy.optimize import brentq

    tail = (1 - level) / 2

    def cdf(n: int, lam: float) -> float:
        return sum(math.exp(-lam) * lam**i / math.factorial(i) for i in range(n + 1))

    low = 0.0 if k == 0 else brentq(lambda m: 1 - cdf(k - 1, m) - tail, 1e-9, 100)
    high = brentq(lambda m: cdf(k, m) - tail, 1e-9, 100)
    return low, high


@pytest.mark.parametrize("k", [0, 1, 2, 3, 4, 7, 12, 30])
def test_poisson_interval_matches_tail_sums(k: int) -> None:
    low, high = poisson_interval([k])
    exp_low, exp_high = _garwood_by_root(k)
    assert low[0] == pytest.approx(exp_low, abs=1e-6)
    assert high[0] == pytest.approx(exp_high, rel=1e-6)


def test_known_values() -> None:
    # Garwood 95% for 0 is (0, 3.689), for 1 is (0.0253, 5.572).
    low, high = poisson_interval([0, 1])
    assert high[0] == pytest.approx(3.6889, abs=1e-3)
    assert low[1] == pytest.approx(0.0253, abs=1e-3)
    assert high[1] == pytest.approx(5.5716, abs=1e-3)


def test_rates_per_10k_and_zero_population() -> None:
    out = rates([5, 3], [20_000, 0])
    assert out.loc[0, "rate"] == pytest.approx(2.5)
    assert out.loc[0, "rate_low"] < 2.5 < out.loc[0, "rate_high"]
    assert np.isnan(out.loc[1, "rate"])


def test_add_rates_and_change() -> None:
    frame = pd.DataFrame({
        "area": ["A", "A", "B", "A"],
        "year": [2020, 2021, 2021, 2023],
        "n": [10, 20, 4, 5],
        "child_population": [10_000, 10_000, 20_000, 10_000],
    })
    out = add_rates(frame, count="n")
    assert list(out["rate_per_10k"]) == [10, 20, 2, 5]
    change = year_on_year(out, value="rate_per_10k")
    assert change.iloc[1] == pytest.approx(10)
    assert np.isnan(change.iloc[0]) and np.isnan(change.iloc[2])
    assert np.isnan(change.iloc[3])  # 2022 missing: no previous year to compare
