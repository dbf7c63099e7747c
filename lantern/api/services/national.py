"""National figures for the dashboard: area rates with funnel limits, trends, data
quality, hidden-victim estimates. Disclosure-controlled for every role: counts from 1 to
4 (the SDC threshold) and what would reveal them are blanked before they leave."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from lantern.access.roles import Permission, Principal
from lantern.api.context import AppContext, BadInput, Call
from lantern.api.services.base import guarded, log_read, optional_service, plain
from lantern.api.services.cache import cached, latest_ids

DERIVED = ("rate_per_10k", "rate_low", "rate_high", "rate_change", "identified_change",
           "estimated_total", "estimated_low", "estimated_high", "funnel", "funnel_95")


def _run_id(ctx: AppContext) -> object:
    """The latest national run: cached figures are valid until the next run."""
    try:
        from lantern.store.tables.national import national_runs
    except ImportError:
        return None
    return latest_ids(ctx, national_runs)[0]


def _cached(ctx: AppContext, name: str, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per process and national run (figures change only with a run)."""
    return cached(ctx, name, _run_id(ctx), compute)


def _read_stats(ctx: AppContext) -> pd.DataFrame:
    read = optional_service("lantern.national.stage", "read_area_stats")
    return _cached(ctx, "area_stats", lambda: read(ctx.engine))  # type: ignore[no-any-return]


def _controlled_stats(ctx: AppContext) -> pd.DataFrame:
    return _cached(ctx, "controlled", lambda: _control(ctx))  # type: ignore[no-any-return]


def _control(ctx: AppContext) -> pd.DataFrame:
    suppress = optional_service("lantern.national.sdc", "suppress_column")
    frame = _read_stats(ctx)
    if frame.empty:
        return frame
    frame = suppress(frame, column="children_identified", by="year", across="area",
                     dependents=DERIVED)
    return suppress(frame, column="children_high_risk", by="year", across="area")


def area_stats(ctx: AppContext, principal: Principal, call: Call) -> list[dict[str, Any]]:
    """Every area and year: counts, rates with intervals, funnel flag, estimates."""
    with guarded(ctx, principal, "national.read", call, permission=Permission.NATIONAL_READ):
        rows = _cached(ctx, "area_stats:plain", lambda: plain(_controlled_stats(ctx)))
    log_read(ctx, principal, "national.read", call, detail={"table": "area_stats"})
    return list(rows)


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _published_rate(rows: pd.DataFrame, round_total: Any, config: Any) -> float | None:
    """The national rate from the rounded national total, so it cannot reveal a small
    count (an exact rate times the population would give the count back)."""
    population = pd.to_numeric(rows["child_population"], errors="coerce").sum()
    if not population:
        return None
    total = round_total(float(pd.to_numeric(rows["children_identified"],
                                            errors="coerce").sum()), config)
    return _finite(total / population * 10_000)


def funnel(ctx: AppContext, principal: Principal, call: Call, *,
           year: int | None = None) -> dict[str, Any]:
    """One year's funnel plot: areas' rates against their child population, with the
    95% and 99.8% limits around the national rate."""
    with guarded(ctx, principal, "national.read", call, permission=Permission.NATIONAL_READ):
        payload = _cached(ctx, f"funnel:{year}", lambda: _funnel(ctx, year))
    log_read(ctx, principal, "national.read", call, detail={"table": "funnel",
             "year": payload["year"]})
    return dict(payload)


def _funnel(ctx: AppContext, year: int | None) -> dict[str, Any]:
    """The funnel payload (aggregates only, the same for every caller): cached per run."""
    frame = _controlled_stats(ctx)
    raw = _read_stats(ctx)
    limits = optional_service("lantern.national.funnel", "funnel_limits")
    round_total = optional_service("lantern.national.sdc", "round_total")
    config = optional_service("lantern.national.sdc", "default_config")()
    years = sorted(int(y) for y in frame["year"].dropna().unique()) if len(frame) else []
    if not years:
        return {"year": None, "years": [], "national_rate": None, "points": [], "curve": []}
    chosen = year if year in years else years[-1]
    rows = frame[frame["year"] == chosen]
    national = _published_rate(raw[raw["year"] == chosen], round_total, config)
    points = [
        {"area": r["area"], "population": _finite(r["child_population"]),
         "rate": _finite(r["rate_per_10k"]), "funnel": r["funnel"],
         "count": _finite(r["children_identified"])}
        for _, r in rows.iterrows()
    ]
    pops = [p["population"] for p in points if p["population"]]
    curve: list[dict[str, Any]] = []
    if national is not None and pops:
        grid = np.geomspace(max(min(pops) / 2, 100.0), max(pops) * 1.2, 60)
        table = limits(grid, national)
        table.insert(0, "population", grid)
        curve = plain(table)
    return {"year": chosen, "years": years, "national_rate": national, "points": points,
            "curve": curve}


def trends(ctx: AppContext, principal: Principal, call: Call) -> list[dict[str, Any]]:
    """National totals by year (rounded) and the national rate."""
    with guarded(ctx, principal, "national.read", call, permission=Permission.NATIONAL_READ):
        out = _cached(ctx, "trends", lambda: _trends(ctx))
    log_read(ctx, principal, "national.read", call, detail={"table": "trends"})
    return list(out)


def _trends(ctx: AppContext) -> list[dict[str, Any]]:
    round_total = optional_service("lantern.national.sdc", "round_total")
    default = optional_service("lantern.national.sdc", "default_config")
    frame = _read_stats(ctx)
    out = []
    if len(frame):
        config = default()
        for year, rows in frame.groupby("year"):
            out.append({
                "year": int(str(year)),
                "children_identified": round_total(float(rows["children_identified"].sum()),
                                                   config),
                "children_high_risk": round_total(float(rows["children_high_risk"].sum()),
                                                  config),
                "national_rate": _published_rate(rows, round_total, config),
                "estimated_total": round_total(float(rows["estimated_total"].sum()), config)
                if rows["estimated_total"].notna().any() else None,
                "areas": int(rows["area"].nunique()),
            })
    return out


def quality(ctx: AppContext, principal: Principal, call: Call) -> list[dict[str, Any]]:
    """Data quality per agency and area (completeness, quarantine, duplicates, lag)."""
    with guarded(ctx, principal, "national.read", call, permission=Permission.NATIONAL_READ):
        read = optional_service("lantern.national.stage", "read_quality")
        rows = _cached(ctx, "quality", lambda: plain(read(ctx.engine)))
    log_read(ctx, principal, "national.read", call, detail={"table": "quality"})
    return list(rows)


def estimate(ctx: AppContext, principal: Principal, call: Call, *,
             rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Multiple systems estimation on any capture-history table (0/1 lists + count)."""
    with guarded(ctx, principal, "national.estimate", call,
                 permission=Permission.NATIONAL_READ):
        run = optional_service("lantern.national.mse.estimate", "estimate_frame")
    if not rows:
        raise BadInput("give at least one capture pattern")
    frame = pd.DataFrame(rows)
    if "count" not in frame.columns or len(frame.columns) < 2:
        raise BadInput("the table needs 0/1 list columns and a count column")
    try:
        result = run(frame)
    except (ValueError, KeyError, TypeError) as exc:
        raise BadInput(f"cannot estimate from this table: {exc}") from exc
    out = result.as_dict() if hasattr(result, "as_dict") else plain(result)
    log_read(ctx, principal, "national.estimate", call, detail={"patterns": len(rows)})
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in plain(out).items()}
