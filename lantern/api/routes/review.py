"""Clerical review of uncertain record matches."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from lantern.api.deps import DENIED, NOT_FOUND, UNAVAILABLE, ApiUser, CallInfo, Ctx, IntId
from lantern.api.services import review as service

router = APIRouter(prefix="/review", tags=["review"])


class DecisionIn(BaseModel):
    decision: Literal["accept", "reject"]
    reason: str = Field(min_length=1, max_length=2000)


@router.get("", responses={**DENIED, **UNAVAILABLE})
def queue(ctx: Ctx, user: ApiUser, call: CallInfo,
          limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> list[dict[str, Any]]:
    """Uncertain pairs whose two records are both in your areas, with their fields side
    by side and the fields that differ."""
    return service.queue(ctx, user, call, limit=limit)


class UnmergeIn(BaseModel):
    agency: str = Field(min_length=1, max_length=64)
    person_ref: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)


@router.post("/unmerge", responses={**DENIED, **NOT_FOUND, **UNAVAILABLE})
def unmerge(body: UnmergeIn, ctx: Ctx, user: ApiUser, call: CallInfo) -> dict[str, Any]:
    """Take one record out of the person it was merged into (as `lantern review unmerge`);
    kept as rejections that every later run honours."""
    return service.unmerge(ctx, user, call, agency=body.agency, person_ref=body.person_ref,
                           reason=body.reason)


@router.get("/log", responses={**DENIED, **UNAVAILABLE})
def judgement_log(ctx: Ctx, user: ApiUser, call: CallInfo,
                  limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> list[dict[str, Any]]:
    """The append-only judgement log (who, when, why) for records in your areas."""
    return service.judgement_log(ctx, user, call, limit=limit)


@router.post("/{review_id}", responses={**DENIED, **NOT_FOUND, **UNAVAILABLE})
def decide(review_id: IntId, body: DecisionIn, ctx: Ctx, user: ApiUser,
           call: CallInfo) -> dict[str, Any]:
    """Accept (the same person) or reject (different people), with a reason. Every later
    run honours the decision."""
    return service.decide(ctx, user, call, review_id=review_id, decision=body.decision,
                          reason=body.reason)
