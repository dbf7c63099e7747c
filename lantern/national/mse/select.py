"""Model selection: SparseMSE's stepwise p-value rule and best-BIC enumeration."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from lantern.national.mse.models import (
    Check,
    Fit,
    Model,
    check,
    fit,
    hierarchical_models,
    normalise,
    pair_terms,
)
from lantern.national.mse.table import CaptureTable

# Largest model catalogue enumerated exhaustively for BIC; beyond it a greedy
# forward search over pairs is used (six lists have 32,768 pairwise models).
MAX_ENUMERATED = 8000


@dataclass(frozen=True)
class Selection:
    """The chosen fit plus every candidate that was fitted (for bootstrap reuse)."""

    best: Fit
    candidates: tuple[Fit, ...]
    method: str


def default_max_order(n_lists: int) -> int:
    """Maximum interaction order as in MultipleSystemsEstimation's BIC routine."""
    return {2: 1, 3: 2, 4: 3, 5: 3}.get(n_lists, 2)


def stepwise(
    table: CaptureTable, *, pthresh: float = 0.02, base: Model = ()
) -> Selection | Check:
    """Forward selection of pairs by one-sided Poisson p-value (Chan, Silverman, Vincent 2021).

    At each step the pair whose observed overlap is least compatible with the
    current model is added if its p-value is below `pthresh` and the enlarged
    model passes the existence and identifiability checks.
    """
    current = fit(table, base)
    if not isinstance(current, Fit):
        return current
    fits = [current]
    pairs = pair_terms(table.n_lists)
    observed = [table.overlap(p) for p in pairs]
    chosen: list[frozenset[int]] = list(base)
    while True:
        pred = np.zeros(len(table.counts))
        pred[current.kept] = current.fitted
        best_p, best_j = 1.0, -1
        for j, pair in enumerate(pairs):
            if pair in chosen:
                continue
            mask = table.patterns[:, sorted(pair)].all(axis=1)
            expected = float(pred[mask].sum())
            n = observed[j]
            p = min(stats.poisson.cdf(n, expected), stats.poisson.sf(n - 1, expected))
            if p < best_p and p < pthresh and check(table, normalise([*chosen, pair])).ok:
                best_p, best_j = float(p), j
        if best_j < 0:
            break
        candidate = fit(table, [*chosen, pairs[best_j]], verify=False)
        if not isinstance(candidate, Fit):
            break
        chosen.append(pairs[best_j])
        current = candidate
        fits.append(current)
    return Selection(best=current, candidates=tuple(fits), method=f"stepwise p<{pthresh:g}")


def bic_models(table: CaptureTable, *, max_order: int | None = None) -> list[Model]:
    """The catalogue searched by BIC for this many lists."""
    t = table.n_lists
    order = default_max_order(t) if max_order is None else max_order
    if t <= 5:
        return hierarchical_models(t, max_order=order)
    if t <= 6 and order <= 2:
        return hierarchical_models(t, max_order=2)
    return []


def best_bic(
    table: CaptureTable,
    *,
    max_order: int | None = None,
    models: list[Model] | None = None,
    base: Model = (),
) -> Selection | Check:
    """Fit every model in the catalogue passing the checks; choose the smallest BIC.

    With too many lists for the catalogue, a greedy forward search over pairs by BIC.
    """
    catalogue = bic_models(table, max_order=max_order) if models is None else models
    if not catalogue or len(catalogue) > MAX_ENUMERATED:
        return _greedy_bic(table, base)
    fits: list[Fit] = []
    last_fail: Check = Check(exists=False, identifiable=True)
    for terms in catalogue:
        result = fit(table, (*base, *terms))
        if isinstance(result, Fit):
            fits.append(result)
        else:
            last_fail = result
    if not fits:
        return last_fail
    fits.sort(key=lambda f: f.bic)
    return Selection(best=fits[0], candidates=tuple(fits), method="best BIC")


def _greedy_bic(table: CaptureTable, base: Model) -> Selection | Check:
    current = fit(table, base)
    if not isinstance(current, Fit):
        return current
    fits = [current]
    pairs = pair_terms(table.n_lists)
    while True:
        best: Fit | None = None
        for pair in pairs:
            if pair in current.terms:
                continue
            cand = fit(table, [*current.terms, pair])
            if isinstance(cand, Fit) and cand.bic < (best.bic if best else current.bic):
                best = cand
        if best is None:
            break
        current = best
        fits.append(best)
    fits.sort(key=lambda f: f.bic)
    return Selection(best=fits[0], candidates=tuple(fits), method="greedy BIC")


def information_weights(fits: tuple[Fit, ...]) -> np.ndarray:
    """Schwarz (BIC) weights of the candidate models."""
    b = np.array([f.bic for f in fits])
    w = np.exp(-(b - b.min()) / 2)
    return w / w.sum()
