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


@router.post("/{review_id}", responses={**DENIED, **NOT_FOUND, **UNAVAILABLE})
def decide(review_id: IntId, body: DecisionIn, ctx: Ctx, user: ApiUser,
           call: CallInfo) -> dict[str, Any]:
    """Accept (the same person) or reject (different people), with a reason. Every later
    run honours the decision."""
    return service.decide(ctx, user, call, review_id=review_id, decision=body.decision,
                          reason=body.reason)
