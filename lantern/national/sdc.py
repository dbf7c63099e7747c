"""Statistical disclosure control: primary and secondary suppression, rounding.

Primary: counts from 1 to `min_count - 1` are hidden. Secondary: a hidden cell
must not be recoverable from published row or column totals, so every row and
column holding a hidden cell holds at least two, and an exact audit (linear
programming over the non-negative tables agreeing with what is published)
suppresses more until no hidden cell has a single possible value. National
totals are rounded.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field
from scipy.optimize import linprog


class SdcConfig(BaseModel):
    """Schema of `sdc.yaml` (versioned)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(1, ge=1, le=1)
    min_count: int = Field(5, ge=1, description="counts 1..min_count-1 are suppressed")
    round_totals_to: int = Field(5, ge=1)
    secondary: bool = True
    marker: str = "*"


@cache
def default_config() -> SdcConfig:
    text = resources.files("lantern.national").joinpath("sdc.yaml").read_text("utf-8")
    return SdcConfig.model_validate(yaml.safe_load(text))


def load_config(path: str | Path | None = None) -> SdcConfig:
    """The deployment's SDC settings (the packaged defaults if no path)."""
    if path is None:
        return default_config()
    return SdcConfig.model_validate(yaml.safe_load(Path(path).read_text("utf-8")))


def is_small(values: npt.ArrayLike, config: SdcConfig) -> npt.NDArray[np.bool_]:
    v = np.asarray(values, dtype=float)
    return (v >= 1) & (v < config.min_count)


def round_total(value: float, config: SdcConfig) -> float:
    """Round a national total to the configured base (NaN stays NaN)."""
    if not np.isfinite(value):
        return value
    base = config.round_totals_to
    return float(base * np.floor(value / base + 0.5))


def suppression_mask(
    cells: npt.ArrayLike,
    *,
    config: SdcConfig | None = None,
    row_totals: bool = True,
    col_totals: bool = True,
) -> npt.NDArray[np.bool_]:
    """Which cells of a 2-D count table to hide, given which margins are published."""
    return protect_cells(cells, config=config, row_totals=row_totals, col_totals=col_totals)[0]


def protect_cells(
    cells: npt.ArrayLike,
    *,
    config: SdcConfig | None = None,
    row_totals: bool = True,
    col_totals: bool = True,
) -> tuple[npt.NDArray[np.bool_], bool]:
    """(cells to hide, whether the totals may be published).

    When hiding more cells cannot stop the totals pinning a hidden value (for
    instance a column whose total is 0), the totals must be withheld.
    """
    cfg = config or default_config()
    vals = np.asarray(cells, dtype=float)
    if vals.ndim != 2:
        raise ValueError("suppression_mask needs a 2-D table")
    vals = np.nan_to_num(vals, nan=0.0)
    row_totals, col_totals = published_totals(vals.shape, row_totals, col_totals)
    hidden = is_small(vals, cfg)
    if not cfg.secondary or not hidden.any():
        return hidden, True
    for _ in range(2 * vals.size + 2):
        changed = _two_per_line(vals, hidden, cfg, row_totals=row_totals, col_totals=col_totals)
        if changed:
            continue
        exposed = exposed_cells(vals, hidden, row_totals=row_totals, col_totals=col_totals)
        if not exposed:
            return hidden, True
        before = int(hidden.sum())
        i, j = exposed[0]
        _hide_partner(vals, hidden, cfg, i, j, row_totals=row_totals)
        if int(hidden.sum()) == before:
            break
    return hidden, False


def published_totals(
    shape: tuple[int, ...], row_totals: bool, col_totals: bool
) -> tuple[bool, bool]:
    """Totals along a line of one cell would repeat the cell itself, so they are never
    published: a one-column table has no row totals, a one-row table no column totals."""
    return row_totals and shape[1] > 1, col_totals and shape[0] > 1


def _two_per_line(
    vals: np.ndarray,
    hidden: np.ndarray,
    cfg: SdcConfig,
    *,
    row_totals: bool,
    col_totals: bool,
) -> bool:
    changed = False
    if row_totals:
        for i in np.flatnonzero(hidden.sum(axis=1) == 1):
            changed |= _hide_one(vals[i], hidden[i], cfg)
    if col_totals:
        for j in np.flatnonzero(hidden.sum(axis=0) == 1):
            changed |= _hide_one(vals[:, j], hidden[:, j], cfg)
    return changed


def _hide_one(line: np.ndarray, hidden_line: np.ndarray, cfg: SdcConfig) -> bool:
    """Hide one more cell of a line (a view): the smallest that makes the hidden sum safe."""
    free = np.flatnonzero(~hidden_line)
    if free.size == 0:
        return False
    already = float(line[hidden_line].sum())
    positive = free[line[free] > 0]
    pool = positive if positive.size else free
    order = pool[np.argsort(line[pool], kind="stable")]
    enough = [k for k in order if already + line[k] >= cfg.min_count]
    pick = enough[0] if enough else order[-1]
    hidden_line[pick] = True
    return True


def _hide_partner(
    vals: np.ndarray, hidden: np.ndarray, cfg: SdcConfig, i: int, j: int, *, row_totals: bool
) -> None:
    if row_totals and _hide_one(vals[i], hidden[i], cfg):
        return
    if not _hide_one(vals[:, j], hidden[:, j], cfg):
        hidden[:] = hidden | (vals != 0)


def exposed_cells(
    vals: npt.ArrayLike,
    hidden: npt.NDArray[np.bool_],
    *,
    row_totals: bool = True,
    col_totals: bool = True,
) -> list[tuple[int, int]]:
    """Hidden cells whose value is fixed by the published cells and totals (LP audit)."""
    v = np.asarray(vals, dtype=float)
    idx = np.argwhere(hidden)
    n = len(idx)
    if n == 0:
        return []
    rows_eq: list[np.ndarray] = []
    rhs: list[float] = []
    if row_totals:
        for i in np.unique(idx[:, 0]):
            rows_eq.append((idx[:, 0] == i).astype(float))
            rhs.append(float(v[i][hidden[i]].sum()))
    if col_totals:
        for j in np.unique(idx[:, 1]):
            rows_eq.append((idx[:, 1] == j).astype(float))
            rhs.append(float(v[:, j][hidden[:, j]].sum()))
    if not rows_eq:
        return []
    a_eq = np.vstack(rows_eq)
    b_eq = np.asarray(rhs)
    out = []
    for k in range(n):
        c = np.zeros(n)
        c[k] = 1.0
        lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        if lo.status == 0 and hi.status == 0 and (-hi.fun) - lo.fun < 0.5:
            out.append((int(idx[k, 0]), int(idx[k, 1])))
    return out


def protect_table(
    table: pd.DataFrame,
    *,
    config: SdcConfig | None = None,
    row_totals: bool = True,
    col_totals: bool = True,
    total_label: str = "Total",
) -> pd.DataFrame:
    """Publishable copy of a count table: hidden cells as NaN, rounded totals appended."""
    cfg = config or default_config()
    vals = table.to_numpy(dtype=float)
    hidden, totals_ok = protect_cells(vals, config=cfg, row_totals=row_totals,
                                      col_totals=col_totals)
    row_totals, col_totals = published_totals(vals.shape, row_totals, col_totals)
    if not totals_ok:
        row_totals = col_totals = False
    out = table.astype(float).mask(hidden)
    if row_totals:
        out[total_label] = [round_total(x, cfg) for x in np.nansum(vals, axis=1)]
    if col_totals:
        sums = np.nansum(vals, axis=0)
        total_row = [round_total(x, cfg) for x in sums]
        if row_totals:
            total_row.append(round_total(float(np.nansum(vals)), cfg))
        out.loc[total_label] = total_row
    return out


def suppress_column(
    frame: pd.DataFrame,
    *,
    column: str,
    by: str,
    across: str,
    dependents: tuple[str, ...] = (),
    config: SdcConfig | None = None,
) -> pd.DataFrame:
    """Suppress a count column of a long table, protected against totals over `across`.

    The long table (e.g. one row per area and year) is pivoted to `across` x
    `by`, protected as a two-way table with totals both ways, and the hidden
    cells blanked in `column` and in every column in `dependents` (a rate or an
    estimate derived from the count would give it away).
    """
    cfg = config or default_config()
    out = frame.copy()
    if out.empty:
        return out
    wide = out.pivot_table(index=across, columns=by, values=column, aggfunc="sum")
    present = out.pivot_table(index=across, columns=by, values=column, aggfunc="size")
    hidden = suppression_mask(wide.fillna(0).to_numpy(), config=cfg)
    hidden &= present.notna().to_numpy()
    hidden_keys = {
        (wide.index[i], wide.columns[j]) for i, j in zip(*np.nonzero(hidden), strict=True)
    }
    keys = list(zip(out[across], out[by], strict=True))
    drop = np.array([k in hidden_keys for k in keys], dtype=bool)
    for col in (column, *dependents):
        if col in out.columns:
            out[col] = out[col].astype(object)
            out.loc[drop, col] = None
    return out


def check_no_small_counts(frame: pd.DataFrame, config: SdcConfig | None = None) -> list[str]:
    """Names of count-like columns (whole numbers) holding a value from 1 to min_count - 1."""
    cfg = config or default_config()
    bad = []
    for col in frame.columns:
        values = pd.to_numeric(frame[col], errors="coerce")
        if values.notna().sum() == 0:
            continue
        whole = values.dropna()
        whole = whole[whole == np.round(whole)]
        if is_small(whole.to_numpy(), cfg).any():
            bad.append(str(col))
    return bad
