"""Multiple systems estimation against published estimates (tests/fixtures/mse/README.md)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lantern.national.mse import CaptureTable, CaptureTableError, Estimate, NoEstimate, estimate
from lantern.national.mse.models import (
    HETEROGENEITY,
    Fit,
    check,
    fit,
    hierarchical_models,
    model_name,
    terms_from_names,
)
from lantern.national.mse.select import Selection, best_bic, stepwise

FIXTURES = Path(__file__).parents[1] / "fixtures" / "mse"


def table(name: str) -> CaptureTable:
    return CaptureTable.from_frame(pd.read_csv(FIXTURES / f"{name}.csv"))


def within(value: float, target: float, tol: float = 0.05) -> bool:
    return abs(value - target) <= tol * target


def selected(result: Selection | object) -> Selection:
    assert isinstance(result, Selection)
    return result


# Chan, Silverman and Vincent (2021): stepwise, p = 0.02.
@pytest.mark.parametrize(
    ("name", "target", "model"),
    [
        ("NewOrl", 1184, "main effects + D:E"),
        ("Western", 2483, "main effects + A:E"),
        ("NewOrl_5", 1034, "main effects"),
    ],
)
def test_stepwise_reproduces_published(name: str, target: float, model: str) -> None:
    tab = table(name)
    chosen = selected(stepwise(tab, pthresh=0.02))
    assert within(chosen.best.estimate, target)
    assert model_name(tab, chosen.best.terms) == model


def test_neworl_main_effects() -> None:
    result = fit(table("NewOrl"), ())
    assert isinstance(result, Fit)
    assert within(result.estimate, 997)


def test_ukdat_within_home_office_range() -> None:
    # The Home Office's published range for 2013: 10,000 to 13,000.
    for name in ("UKdat", "UKdat_5"):
        chosen = selected(stepwise(table(name)))
        assert 10_000 <= chosen.best.estimate <= 13_000


# Silverman, Chan and Vincent (2024): best model by BIC.
def test_korea_bic() -> None:
    tab = table("Korea")
    chosen = selected(best_bic(tab))
    assert within(chosen.best.estimate, 157)
    assert chosen.best.terms == terms_from_names(tab, ["b:c", "c:d"])


def test_kosovo_bic() -> None:
    assert within(selected(best_bic(table("Kosovo"))).best.estimate, 10357)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "target"), [("UKdat_5", 25311), ("NewOrl_5_186", 981)])
def test_five_list_bic(name: str, target: float) -> None:
    assert within(selected(best_bic(table(name))).best.estimate, target)


def test_neworl_5_186_main_effects_is_the_bic_choice_value() -> None:
    # The BIC choice for NewOrl_5_186 is the main-effects model (slow test above).
    result = fit(table("NewOrl_5_186"), ())
    assert isinstance(result, Fit)
    assert within(result.estimate, 981)


def test_every_fixture_gives_an_answer_or_a_reason() -> None:
    for path in sorted(FIXTURES.glob("*.csv")):
        tab = CaptureTable.from_frame(pd.read_csv(path))
        result = estimate(tab, heterogeneity=False)
        assert isinstance(result, Estimate), path.name
        assert result.low <= result.estimate <= result.high
        assert result.estimate >= tab.observed


def test_artificial_3_existence_and_identifiability() -> None:
    tab = table("Artificial_3")
    ab = check(tab, terms_from_names(tab, ["A:B"]))
    assert not ab.exists and ab.identifiable
    every_pair = check(tab, terms_from_names(tab, ["A:B", "A:C", "B:C"]))
    assert not every_pair.identifiable
    fine = check(tab, terms_from_names(tab, ["A:C", "B:C"]))
    assert fine.ok
    assert not isinstance(fit(tab, terms_from_names(tab, ["A:B"])), Fit)
    # The stepwise search never picks a model that fails the checks.
    chosen = selected(stepwise(tab, pthresh=1.0))
    assert check(tab, chosen.best.terms).ok


def test_non_overlapping_pair_drops_cells() -> None:
    tab = table("Artificial_3")
    result = fit(tab, terms_from_names(tab, ["A:C", "B:C"]))
    assert isinstance(result, Fit)
    assert len(result.sparse_terms) == 2
    assert result.kept.sum() == 4  # cells with A&C or B&C removed


def test_hierarchical_catalogue_sizes() -> None:
    assert len(hierarchical_models(3, max_order=2)) == 8
    assert len(hierarchical_models(4, max_order=2)) == 64
    # triples only where all three of their pairs are present
    for model in hierarchical_models(4, max_order=3):
        for term in model:
            if len(term) == 3:
                assert all(term - {m} in model for m in term)


def test_no_overlap_has_no_estimate() -> None:
    frame = pd.DataFrame({"A": [1, 0, 0], "B": [0, 1, 0], "C": [0, 0, 1], "count": [5, 7, 3]})
    result = estimate(CaptureTable.from_frame(frame))
    assert isinstance(result, NoEstimate)
    assert "overlap" in result.reason


def test_bad_tables_are_refused() -> None:
    with pytest.raises(CaptureTableError):
        CaptureTable.from_frame(pd.DataFrame({"A": [1], "count": [3]}))
    with pytest.raises(CaptureTableError):
        CaptureTable.from_frame(pd.DataFrame({"A": [2], "B": [0], "count": [3]}))
    with pytest.raises(CaptureTableError):
        CaptureTable.from_frame(pd.DataFrame({"A": [1], "B": [0], "n": [3]}))


def test_profile_interval_contains_estimate_and_widens_with_heterogeneity() -> None:
    tab = table("Western")
    plain = estimate(tab, heterogeneity=False)
    het = estimate(tab, heterogeneity=True)
    assert isinstance(plain, Estimate) and isinstance(het, Estimate)
    assert plain.low < plain.estimate < plain.high
    assert (het.high - het.low) > (plain.high - plain.low)
    assert "heterogeneity" in het.model


def test_heterogeneity_term_recovers_rasch_population() -> None:
    """Simulated Rasch-type heterogeneity: the heterogeneity model's interval covers N."""
    rng = np.random.default_rng(7)
    n_true = 3000
    z = rng.normal(size=(n_true, 1))
    base = np.log(np.array([0.15, 0.12, 0.1, 0.08]) / 0.9)
    seen = rng.random((n_true, 4)) < 1 / (1 + np.exp(-(base + 1.0 * z)))
    frame = pd.DataFrame(seen[seen.any(axis=1)].astype(int), columns=list("ABCD"))
    counts = frame.value_counts().rename("count").reset_index()
    tab = CaptureTable.from_frame(counts)
    het = estimate(tab, heterogeneity=True)
    plain = estimate(tab, heterogeneity=False)
    assert isinstance(het, Estimate) and isinstance(plain, Estimate)
    assert het.low <= n_true <= het.high
    assert abs(het.estimate - n_true) < abs(plain.estimate - n_true)


def test_bootstrap_interval_runs_selection_again() -> None:
    tab = table("Korea")
    result = estimate(tab, method="stepwise", interval="bootstrap", n_boot=40, seed=1,
                      heterogeneity=False)
    assert isinstance(result, Estimate)
    assert result.low < result.estimate < result.high


def test_heterogeneity_sentinel_names() -> None:
    tab = table("Korea")
    assert model_name(tab, (HETEROGENEITY,)) == "main effects + heterogeneity"
