"""Log-linear Poisson models for capture histories, after SparseMSE.

A model is a hierarchical set of interaction terms (each a frozenset of list
indices, size >= 2) on top of the intercept and main effects. The intercept is
the log of the expected count in the unobserved cell, so the population
estimate is (cases observed) + exp(intercept).

Sparse data are handled as Chan, Silverman and Vincent (2021) do: a term whose
lists never overlap has MLE minus infinity, so its column is dropped together
with every cell containing all its lists; the parameter still counts in AIC
and BIC. Before fitting, the Fienberg-Rinaldo (2012) linear program checks that
the (extended) MLE exists and a rank check that the model is identifiable.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import statsmodels.api as sm
from scipy.optimize import linprog

from lantern.national.mse.table import CaptureTable

Term = frozenset[int]
Model = tuple[Term, ...]

# Sentinel term: Agresti's (1994) exchangeable-heterogeneity column C(s, 2), s =
# number of lists a case is on. Under a Rasch model with normal visibility of
# variance v and rare captures, log mu = main effects + v * C(s, 2) exactly, so
# this one extra parameter absorbs the "seen by all or by none" heterogeneity.
HETEROGENEITY: Term = frozenset({-1})

# A fitted dark figure this many times the observed total means the MLE is
# running off to infinity (numerically non-existent) rather than a real estimate.
MAX_DARK_RATIO = 1e4


@dataclass(frozen=True)
class Check:
    """Outcome of the existence and identifiability checks."""

    exists: bool
    identifiable: bool

    @property
    def ok(self) -> bool:
        return self.exists and self.identifiable

    def reason(self) -> str:
        parts = []
        if not self.exists:
            parts.append("the maximum likelihood estimate does not exist (infinite estimate)")
        if not self.identifiable:
            parts.append("the model is not identifiable")
        return " and ".join(parts) or "ok"


@dataclass(frozen=True)
class Fit:
    """A fitted model: point estimate, likelihood and information criteria."""

    terms: Model
    estimate: float
    dark: float
    log_dark_se: float
    loglik: float
    n_params: int
    aic: float
    bic: float
    sparse_terms: Model
    fitted: npt.NDArray[np.float64] = field(repr=False)
    kept: npt.NDArray[np.bool_] = field(repr=False)


def normalise(terms: Iterable[Iterable[int]]) -> Model:
    """Sorted tuple of frozensets, so equal models compare and hash equal."""
    uniq = {frozenset(t) for t in terms}
    return tuple(sorted(uniq, key=lambda t: (t != HETEROGENEITY, len(t), sorted(t))))


def model_name(table: CaptureTable, terms: Model) -> str:
    """Readable name, e.g. 'main effects + D:E'."""
    if not terms:
        return "main effects"
    named = [
        "heterogeneity" if t == HETEROGENEITY else ":".join(table.lists[i] for i in sorted(t))
        for t in terms
    ]
    return "main effects + " + " + ".join(named)


def _layout(
    table: CaptureTable, terms: Model
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_], Model]:
    """Design matrix on the kept cells, the kept-cell mask and the sparse terms."""
    pats = table.patterns.astype(float)
    n_on = pats.sum(axis=1)
    sparse = tuple(
        t
        for t in terms
        if (table.counts[n_on >= 2].sum() if t == HETEROGENEITY else table.overlap(t)) == 0
    )
    dense = [t for t in terms if t not in sparse]
    kept = np.ones(len(pats), dtype=bool)
    for t in sparse:
        kept &= (n_on < 2) if t == HETEROGENEITY else ~pats[:, sorted(t)].all(axis=1)
    cols = [np.ones(len(pats)), *(pats[:, j] for j in range(table.n_lists))]
    cols += [
        n_on * (n_on - 1) / 2 if t == HETEROGENEITY else pats[:, sorted(t)].prod(axis=1)
        for t in dense
    ]
    x = np.column_stack(cols)[kept]
    return x, kept, sparse


def check(table: CaptureTable, terms: Model) -> Check:
    """Fienberg-Rinaldo LP existence check and design rank check (as SparseMSE's checkident)."""
    x, kept, _ = _layout(table, terms)
    y = table.counts[kept]
    identifiable = bool(np.linalg.matrix_rank(x) == x.shape[1])
    if (y > 0).all():
        # y itself is a strictly positive point with the observed margins.
        return Check(exists=True, identifiable=identifiable)
    n_cells, n_par = x.shape
    # maximise s subject to X'z = X'y, z_i >= s, z >= 0: s* = 0 iff X'y is on the
    # boundary of the marginal cone, i.e. no finite MLE.
    target = x.T @ y
    res = linprog(
        c=np.r_[np.zeros(n_cells), -1.0],
        A_eq=np.c_[x.T, np.zeros(n_par)],
        b_eq=target,
        A_ub=np.c_[-np.eye(n_cells), np.ones(n_cells)],
        b_ub=np.zeros(n_cells),
        bounds=(0, None),
        method="highs",
    )
    exists = bool(res.status == 0 and -res.fun > 1e-9 * max(1.0, float(y.sum())))
    return Check(exists=exists, identifiable=identifiable)


def fit(
    table: CaptureTable,
    terms: Iterable[Iterable[int]] = (),
    *,
    verify: bool = True,
) -> Fit | Check:
    """Fit one model; returns the failed `Check` when no estimate exists."""
    model = normalise(terms)
    if verify:
        result = check(table, model)
        if not result.ok:
            return result
    x, kept, sparse = _layout(table, model)
    y = table.counts[kept]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = sm.GLM(y, x, family=sm.families.Poisson()).fit()
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            return Check(exists=False, identifiable=True)
    params = np.asarray(res.params)
    dark = math.exp(params[0]) if params[0] < 700 else math.inf
    if not np.isfinite(params).all() or dark > MAX_DARK_RATIO * max(1.0, float(y.sum())):
        return Check(exists=False, identifiable=True)
    cov = np.asarray(res.cov_params())
    n_params = 1 + table.n_lists + len(model)
    llf = float(res.llf)
    n_obs = max(float(y.sum()), 1.0)
    return Fit(
        terms=model,
        estimate=float(y.sum()) + dark,
        dark=dark,
        log_dark_se=float(math.sqrt(max(cov[0, 0], 0.0))),
        loglik=llf,
        n_params=n_params,
        aic=2 * n_params - 2 * llf,
        bic=n_params * math.log(n_obs) - 2 * llf,
        sparse_terms=sparse,
        fitted=np.asarray(res.fittedvalues, dtype=float),
        kept=kept,
    )


def profile_deviance(table: CaptureTable, terms: Model, log_dark: float) -> float:
    """-2 x profile log-likelihood with the intercept (log dark count) held at `log_dark`."""
    x, kept, _ = _layout(table, terms)
    y = table.counts[kept]
    offset = np.full(len(y), log_dark)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = sm.GLM(y, x[:, 1:], family=sm.families.Poisson(), offset=offset).fit()
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            return math.inf
    return -2.0 * float(res.llf)


def pair_terms(n_lists: int) -> list[Term]:
    return [frozenset({i, j}) for i in range(n_lists) for j in range(i + 1, n_lists)]


def hierarchical_models(n_lists: int, *, max_order: int) -> list[Model]:
    """Every hierarchical model with all main effects and interactions up to `max_order`."""
    from itertools import combinations

    candidates: list[Term] = [
        frozenset(c) for k in range(2, max_order + 1) for c in combinations(range(n_lists), k)
    ]
    out: list[Model] = []

    def walk(i: int, chosen: list[Term], chosen_set: set[Term]) -> None:
        if i == len(candidates):
            out.append(normalise(chosen))
            return
        walk(i + 1, chosen, chosen_set)
        term = candidates[i]
        if len(term) == 2 or all(term - {m} in chosen_set for m in term):
            chosen.append(term)
            chosen_set.add(term)
            walk(i + 1, chosen, chosen_set)
            chosen.pop()
            chosen_set.discard(term)

    walk(0, [], set())
    return out


def terms_from_names(table: CaptureTable, names: Sequence[str]) -> Model:
    """Parse terms written like 'A:B' against the table's list names."""
    index = {n: i for i, n in enumerate(table.lists)}
    return normalise(
        HETEROGENEITY if name == "heterogeneity" else frozenset(index[p] for p in name.split(":"))
        for name in names
    )
