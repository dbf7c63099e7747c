"""People: fuzzy search and the single view of a child."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from lantern.access.roles import PURPOSES
from lantern.api.deps import DENIED, NOT_FOUND, ApiUser, CallInfo, Ctx, run
from lantern.api.services import persons as service
from lantern.search import SearchQuery

router = APIRouter(prefix="/persons", tags=["persons"])


class Hit(BaseModel):
    person_id: str
    name: str
    dob: str | None
    areas: list[str]
    agencies: list[str]
    score: float
    matched_on: list[str]


Text = Annotated[str | None, Query(max_length=200)]


@router.get("/search", response_model=list[Hit], responses=DENIED)
async def search(
    ctx: Ctx,
    user: ApiUser,
    call: CallInfo,
    name: Text = None,
    dob: Text = None,
    postcode: Text = None,
    phone: Text = None,
    vehicle: Text = None,
) -> list[dict[str, Any]]:
    """Find people by fuzzy name, date of birth, postcode, phone or vehicle, within your
    areas. The ids returned are written to the audit log."""
    query = SearchQuery(name=name, dob=dob, postcode=postcode, phone=phone, vehicle=vehicle)
    # plain values, validated into ``Hit`` and serialised by pydantic's compiled core
    return [vars(h) for h in await run(ctx, service.search, ctx, user, call, query=query)]


@router.get("/purposes", response_model=dict[str, str])
async def purposes(user: ApiUser) -> dict[str, str]:
    """The purposes one may state when opening an identifiable record."""
    return PURPOSES


@router.get(
    "/{person_id}",
    responses={**DENIED, **NOT_FOUND},
)
async def person(
    ctx: Ctx,
    user: ApiUser,
    call: CallInfo,
    person_id: str,
    purpose: Annotated[str, Query(description="one of GET /persons/purposes")],
    note: Annotated[str | None, Query(max_length=500)] = None,
) -> dict[str, Any]:
    """The multi-agency timeline, risk and reasons, linked people, vehicles and places
    of one person. Needs a stated purpose; the read is logged before it is returned."""
    return await run(ctx, service.person_view, ctx, user, call, person_id=person_id,
                     purpose=purpose, note=note)
