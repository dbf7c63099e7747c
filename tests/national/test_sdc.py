"""Disclosure control: no small counts leave; suppressed cells cannot be recovered."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from pydantic import ValidationError
from scipy.optimize import linprog

from lantern.national.hub import publishable_area_stats
from lantern.national.sdc import (
    SdcConfig,
    check_no_small_counts,
    default_config,
    load_config,
    protect_cells,
    protect_table,
    round_total,
    suppression_mask,
)

small_tables = arrays(
    dtype=np.int64,
    shape=st.tuples(st.integers(1, 5), st.integers(1, 4)),
    elements=st.one_of(st.integers(0, 6), st.integers(0, 60)),
)


def feasible_range(values: np.ndarray, hidden: np.ndarray, i: int, j: int) -> tuple[float, float]:
    """Independent audit: min and max of cell (i, j) over non-negative tables that agree
    with every published cell and with the exact row and column totals."""
    cells = np.argwhere(hidden)
    n = len(cells)
    a_eq, b_eq = [], []
    if values.shape[1] > 1:  # row totals are published unless a row is a single cell
        for r in range(values.shape[0]):
            a_eq.append([1.0 if c[0] == r else 0.0 for c in cells])
            b_eq.append(values[r].sum() - values[r][~hidden[r]].sum())
    if values.shape[0] > 1:
        for k in range(values.shape[1]):
            a_eq.append([1.0 if c[1] == k else 0.0 for c in cells])
            b_eq.append(values[:, k].sum() - values[:, k][~hidden[:, k]].sum())
    if not a_eq:
        return 0.0, float("inf")
    target = [idx for idx, c in enumerate(cells) if c[0] == i and c[1] == j][0]
    c = np.zeros(n)
    c[target] = 1
    lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    return lo.fun, -hi.fun


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_tables)
def test_published_table_has_no_small_cells(values: np.ndarray) -> None:
    frame = pd.DataFrame(values)
    published = protect_table(frame)
    flat = published.to_numpy(dtype=float).ravel()
    flat = flat[~np.isnan(flat)]
    assert not ((flat >= 1) & (flat <= 4)).any()
    assert check_no_small_counts(published) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_tables)
def test_secondary_suppression_holds_against_totals(values: np.ndarray) -> None:
    hidden, totals_ok = protect_cells(values)
    assert not ((values >= 1) & (values <= 4) & ~hidden).any()
    if not totals_ok:
        published = protect_table(pd.DataFrame(values))
        assert "Total" not in published.columns and "Total" not in published.index
        return
    for axis in (0, 1):
        if values.shape[axis] == 1:
            continue  # no totals along single-cell lines
        per_line = hidden.sum(axis=axis)
        assert not (per_line == 1).any(), "a line with one hidden cell gives it away"
    for i, j in np.argwhere(hidden & (values >= 1) & (values <= 4)):
        lo, hi = feasible_range(values, hidden, int(i), int(j))
        assert hi - lo > 0.5, f"cell {(i, j)} = {values[i, j]} is pinned by the totals"


def test_totals_are_rounded() -> None:
    frame = pd.DataFrame({"2020": [3, 12, 40], "2021": [0, 7, 33]}, index=["A", "B", "C"])
    out = protect_table(frame)
    assert out.loc["Total", "2020"] == 55
    assert out.loc["Total", "2021"] == 40
    assert out.loc["Total", "Total"] % 5 == 0
    assert np.isnan(out.loc["A", "2020"])


def test_round_total() -> None:
    cfg = default_config()
    assert [round_total(v, cfg) for v in (0, 2, 3, 7, 12.5, 1234)] == [0, 0, 5, 5, 15, 1235]


def test_config_schema_and_threshold(tmp_path: Path) -> None:
    assert default_config().min_count == 5
    path = tmp_path / "sdc.yaml"
    path.write_text("version: 1\nmin_count: 10\nround_totals_to: 10\n")
    cfg = load_config(path)
    assert cfg.min_count == 10
    mask = suppression_mask(np.array([[7, 30], [40, 50]]), config=cfg)
    assert mask[0, 0]
    path.write_text("version: 1\nmin_count: 5\nunknown: 1\n")
    with pytest.raises(ValidationError):
        load_config(path)
    with pytest.raises(ValidationError):
        SdcConfig(version=2)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    arrays(np.int64, st.tuples(st.integers(2, 6), st.integers(1, 3)), elements=st.integers(0, 30))
)
def test_area_stats_export_has_no_small_counts(values: np.ndarray) -> None:
    n_areas, n_years = values.shape
    rows = []
    for a in range(n_areas):
        for y in range(n_years):
            rows.append({
                "area": f"A{a}", "year": 2020 + y, "children_identified": values[a, y],
                "children_high_risk": (values[a, y] * 7) % 11,
                "rate_per_10k": values[a, y] / 3.0, "estimated_total": values[a, y] * 2.5,
            })
    out = publishable_area_stats(pd.DataFrame(rows))
    for col in ("children_identified", "children_high_risk"):
        v = pd.to_numeric(out[col], errors="coerce")
        assert not v.between(1, 4).any()
    gone = pd.to_numeric(out["children_identified"], errors="coerce").isna()
    assert pd.to_numeric(out.loc[gone, "rate_per_10k"], errors="coerce").isna().all()
    assert pd.to_numeric(out.loc[gone, "estimated_total"], errors="coerce").isna().all()
