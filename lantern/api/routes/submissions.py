"""Agency submissions: upload, status, quarantine."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile

from lantern.api.deps import DENIED, NOT_FOUND, ApiUser, CallInfo, Ctx, IntId
from lantern.api.services import submissions as service

router = APIRouter(prefix="/submissions", tags=["submissions"])


@router.get("", responses=DENIED)
def list_submissions(ctx: Ctx, user: ApiUser, call: CallInfo) -> list[dict[str, Any]]:
    """Submissions loaded for your areas, newest first, with rows loaded and quarantined."""
    return service.list_submissions(ctx, user, call)


@router.post("", status_code=201, responses={**DENIED, 422: {"description": "refused"}})
async def upload(
    ctx: Ctx, user: ApiUser, call: CallInfo, file: Annotated[UploadFile, File()]
) -> dict[str, Any]:
    """Upload one submission as a .zip (manifest.json and the contract's CSV files). It
    loads at once; bad rows go to quarantine, a bad submission is refused whole."""
    content = await file.read(service.MAX_UPLOAD + 1)
    return service.upload(ctx, user, call, filename=file.filename or "upload.zip",
                          content=content)


@router.get("/{submission_pk}", responses={**DENIED, **NOT_FOUND})
def submission(submission_pk: IntId, ctx: Ctx, user: ApiUser, call: CallInfo) -> dict[str, Any]:
    """One submission with its quarantined rows (file, line, column, reason, raw row) and
    data-quality warnings."""
    return service.submission_detail(ctx, user, call, submission_pk=submission_pk)
