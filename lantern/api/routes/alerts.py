"""The missed-opportunity work queue, with acknowledgement."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from lantern.api.deps import DENIED, NOT_FOUND, UNAVAILABLE, ApiUser, CallInfo, Ctx, run
from lantern.api.services import alerts as service

router = APIRouter(prefix="/alerts", tags=["alerts"])


class AckIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000, description="What was done or decided.")


@router.get("", responses={**DENIED, **UNAVAILABLE})
async def list_alerts(
    ctx: Ctx,
    user: ApiUser,
    call: CallInfo,
    area: Annotated[str | None, Query(max_length=16)] = None,
    include_acknowledged: bool = False,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[dict[str, Any]]:
    """Open alerts (missed opportunities, responses due) in your areas, oldest first."""
    if service.queue_ready(ctx, include_acknowledged=include_acknowledged):
        return await run(ctx, service.list_alerts, ctx, user, call, area=area,
                         include_acknowledged=include_acknowledged, limit=limit)
    # the queue is rebuilt first (after a run or an acknowledgement): not in the loop
    return await run_in_threadpool(service.list_alerts, ctx, user, call, area=area,
                                   include_acknowledged=include_acknowledged, limit=limit)


@router.post("/{alert_id}/ack", responses={**DENIED, **NOT_FOUND, **UNAVAILABLE})
def acknowledge(alert_id: str, body: AckIn, ctx: Ctx, user: ApiUser,
                call: CallInfo) -> dict[str, Any]:
    """Acknowledge an alert with a note; acknowledgements are kept, never overwritten."""
    return service.acknowledge(ctx, user, call, alert_id=alert_id, note=body.note)
