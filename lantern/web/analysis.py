"""Analysis pages: the national dashboard and the network of groups."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from lantern.access.roles import Principal
from lantern.api.context import AppContext, BadInput, Call
from lantern.api.deps import CallInfo, Ctx, WebUser
from lantern.api.services import national, network
from lantern.web.charts import funnel_chart, trend_chart
from lantern.web.render import render

router = APIRouter()
QUALITY_SHOWN = ("agency", "area", "records", "dob_complete", "nhs_number_complete",
                 "postcode_complete", "ethnicity_complete", "quarantined_share",
                 "duplicate_rate", "median_lag_days")


def _cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if column.endswith(("complete", "share", "rate", "stated")) and 0 <= value <= 1:
            return f"{value:.0%}"
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _national(request: Request, ctx: AppContext, user: Principal, call: Call,
              year: int | None, **extra: Any) -> Response:
    f = national.funnel(ctx, user, call, year=year)
    stats = national.area_stats(ctx, user, call)
    trends = national.trends(ctx, user, call)
    quality = national.quality(ctx, user, call)
    cols = [c for c in QUALITY_SHOWN if quality and c in quality[0]] or (
        list(quality[0]) if quality else [])
    return render(request, "national.html", user, f=f, fc=funnel_chart(f),
                  year_rows=[r for r in stats if r.get("year") == f["year"]],
                  trends=trends, tc=trend_chart(trends),
                  quality=[[_cell(c, q.get(c)) for c in cols] for q in quality],
                  quality_cols=cols, status=422 if extra.get("mse_error") else 200, **extra)


@router.get("/national", response_class=HTMLResponse)
def national_page(request: Request, ctx: Ctx, user: WebUser, call: CallInfo,
                  year: int | None = None) -> Response:
    request.state.principal = user
    return _national(request, ctx, user, call, year)


@router.post("/national/estimate", response_class=HTMLResponse)
def estimate_page(request: Request, ctx: Ctx, user: WebUser, call: CallInfo,
                  table: Annotated[str, Form(max_length=100_000)]) -> Response:
    request.state.principal = user
    try:
        reader = csv.DictReader(io.StringIO(table.strip()))
        rows = [{k.strip(): int(v) for k, v in r.items() if k} for r in reader]
        result = national.estimate(ctx, user, call, rows=rows)
    except (ValueError, BadInput) as exc:
        return _national(request, ctx, user, call, None, mse_input=table,
                         mse_error=f"Could not read the table: {exc}")
    return _national(request, ctx, user, call, None, mse=result, mse_input=table)


@router.get("/groups", response_class=HTMLResponse)
def groups_page(request: Request, ctx: Ctx, user: WebUser, call: CallInfo,
                area: str | None = None, cross_area: bool = False) -> Response:
    request.state.principal = user
    rows = network.list_groups(ctx, user, call, area=area or None, cross_area=cross_area,
                               limit=301)
    areas = sorted(user.areas) if not user.all_areas else sorted(
        {a for g in rows for a in g["areas"].split(";") if a})
    spots = network.hotspots(ctx, user, call)[:20]
    return render(request, "groups.html", user, groups=rows[:300], truncated=len(rows) > 300,
                  areas=areas, area=area, cross_area=cross_area, hotspots=spots)


@router.get("/groups/{group_id}", response_class=HTMLResponse)
def group_page(request: Request, ctx: Ctx, user: WebUser, call: CallInfo, group_id: str,
               since: str | None = None, until: str | None = None) -> Response:
    request.state.principal = user
    detail = network.group_detail(ctx, user, call, group_id=group_id[:16])
    return render(request, "group.html", user, g=detail["group"], members=detail["members"],
                  entities=detail["entities"], events=detail["events"], since=since,
                  until=until)
