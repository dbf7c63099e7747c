"""Suspected offender groups, their members and network graph, and exports."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from fastapi.responses import Response

from lantern.api.deps import DENIED, NOT_FOUND, UNAVAILABLE, ApiUser, CallInfo, Ctx
from lantern.api.services import network as service

router = APIRouter(prefix="/network", tags=["network"])
GroupId = Annotated[str, PathParam(max_length=16, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/groups", responses={**DENIED, **UNAVAILABLE})
def groups(
    ctx: Ctx, user: ApiUser, call: CallInfo,
    area: Annotated[str | None, Query(max_length=16)] = None,
    cross_area: bool = False,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[dict[str, Any]]:
    """Active groups touching your areas (optionally one area, or only those crossing
    area boundaries), most recently active first."""
    return service.list_groups(ctx, user, call, area=area, cross_area=cross_area,
                               limit=limit)


@router.get("/groups/{group_id}", responses={**DENIED, **NOT_FOUND, **UNAVAILABLE})
def group(group_id: GroupId, ctx: Ctx, user: ApiUser, call: CallInfo) -> dict[str, Any]:
    """One group: members with roles and 'most connected' scores, vehicles, phones and
    places, and the events that link them (agency, date, grading)."""
    return service.group_detail(ctx, user, call, group_id=group_id)


@router.get("/groups/{group_id}/graph", responses={**DENIED, **NOT_FOUND, **UNAVAILABLE})
def graph(
    group_id: GroupId, ctx: Ctx, user: ApiUser, call: CallInfo,
    since: date | None = None, until: date | None = None,
) -> dict[str, Any]:
    """The group's network as Cytoscape.js elements, ties limited to [since, until]."""
    return service.group_graph(ctx, user, call, group_id=group_id, since=since, until=until)


@router.get("/hotspots", responses={**DENIED, **UNAVAILABLE})
def hotspots(
    ctx: Ctx, user: ApiUser, call: CallInfo,
    kind: Annotated[str | None, Query(max_length=16, pattern=r"^[a-z_]+$")] = None,
    min_children: Annotated[int | None, Query(ge=1, le=10_000)] = None,
) -> list[dict[str, Any]]:
    """Places and vehicles linked to many different children, with their time span."""
    return service.hotspots(ctx, user, call, kind=kind, min_children=min_children)


@router.get("/cross-area", responses={**DENIED, **UNAVAILABLE})
def cross_area(ctx: Ctx, user: ApiUser, call: CallInfo) -> list[dict[str, Any]]:
    """Groups that cross area boundaries (the ones no single area's agencies see whole)."""
    return service.cross_area(ctx, user, call)


@router.get("/export", responses={**DENIED, **NOT_FOUND, **UNAVAILABLE},
            response_class=Response)
def export(ctx: Ctx, user: ApiUser, call: CallInfo,
           format: Literal["graphml", "gexf", "json"] = "json",
           group: Annotated[str | None, Query(max_length=16,
                                              pattern=r"^[A-Za-z0-9_-]+$")] = None,
           ) -> Response:
    """The network of your areas, or one group, for analysts' tools (as `lantern network
    export`), with dates on every tie."""
    text, media = service.export(ctx, user, call, fmt=format, group_id=group)
    return Response(text, media_type=media)
