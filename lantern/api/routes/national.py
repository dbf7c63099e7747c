"""National figures (disclosure-controlled) and multiple systems estimation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from lantern.api.deps import DENIED, UNAVAILABLE, ApiUser, CallInfo, Ctx, run
from lantern.api.services import national as service

router = APIRouter(prefix="/national", tags=["national"])
RESPONSES = {**DENIED, **UNAVAILABLE}


class CaptureTableIn(BaseModel):
    rows: list[dict[str, Annotated[int, Field(ge=0, le=10**9)]]] = Field(
        min_length=1, max_length=4096,
        description="One object per capture pattern: a 0/1 value per list, plus `count`.",
        examples=[[{"police": 1, "health": 0, "count": 12}, {"police": 0, "health": 1,
                   "count": 9}, {"police": 1, "health": 1, "count": 3}]],
    )


@router.get("/area-stats", responses=RESPONSES)
async def area_stats(ctx: Ctx, user: ApiUser, call: CallInfo) -> list[dict[str, Any]]:
    """Each area and year: children identified and at high risk, rate per 10,000 with its
    exact Poisson interval, funnel flag, hidden-victim estimate. Small counts suppressed."""
    return await run(ctx, service.area_stats, ctx, user, call)


@router.get("/funnel", responses=RESPONSES)
async def funnel(ctx: Ctx, user: ApiUser, call: CallInfo,
           year: Annotated[int | None, Query(ge=1900, le=2200)] = None) -> dict[str, Any]:
    """One year's funnel plot data: points per area and the 95% / 99.8% control limits."""
    return await run(ctx, service.funnel, ctx, user, call, year=year)


@router.get("/trends", responses=RESPONSES)
async def trends(ctx: Ctx, user: ApiUser, call: CallInfo) -> list[dict[str, Any]]:
    """National totals (rounded) and the national rate by year."""
    return await run(ctx, service.trends, ctx, user, call)


@router.get("/quality", responses=RESPONSES)
async def quality(ctx: Ctx, user: ApiUser, call: CallInfo) -> list[dict[str, Any]]:
    """Data quality by agency and area: completeness, quarantine share, duplicates, lag."""
    return await run(ctx, service.quality, ctx, user, call)


@router.post("/estimate", responses={**RESPONSES, 422: {"description": "no estimate"}})
def estimate(body: CaptureTableIn, ctx: Ctx, user: ApiUser, call: CallInfo) -> dict[str, Any]:
    """Multiple systems estimation on your own capture-history table (as `lantern
    estimate`): estimate, 95% interval, model, observed; or the reason none exists."""
    return service.estimate(ctx, user, call, rows=body.rows)
