"""Work-queue pages: alerts, match review, submissions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lantern.access.roles import Permission
from lantern.api.context import BadInput
from lantern.api.deps import CallInfo, Ctx, IntId, WebUser
from lantern.api.services import alerts, review, submissions
from lantern.web.render import is_fragment, render

router = APIRouter()


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request,
    ctx: Ctx,
    user: WebUser,
    call: CallInfo,
    area: str | None = None,
    include_acknowledged: bool = False,
) -> Response:
    request.state.principal = user
    rows = alerts.list_alerts(ctx, user, call, area=area or None,
                              include_acknowledged=include_acknowledged, limit=200)
    areas = sorted(user.areas) if not user.all_areas else sorted(
        {a["area"] for a in rows if a.get("area")})
    return render(request, "alerts.html", user, alerts=rows, area=area, areas=areas,
                  include_acknowledged=include_acknowledged)


@router.post("/alerts/{alert_id}/ack", response_class=HTMLResponse)
def acknowledge(
    request: Request,
    ctx: Ctx,
    user: WebUser,
    call: CallInfo,
    alert_id: str,
    note: Annotated[str, Form(max_length=2000)],
) -> Response:
    request.state.principal = user
    alert = alerts.acknowledge(ctx, user, call, alert_id=alert_id, note=note)
    if is_fragment(request):
        return render(request, "alert_row.html", user, a=alert)
    return RedirectResponse("/alerts?include_acknowledged=true", status_code=303)


@router.get("/submissions", response_class=HTMLResponse)
def submissions_page(request: Request, ctx: Ctx, user: WebUser, call: CallInfo) -> Response:
    request.state.principal = user
    rows = submissions.list_submissions(ctx, user, call)
    return render(request, "submissions.html", user, rows=rows,
                  can_upload=user.can(Permission.SUBMISSIONS_UPLOAD))


@router.post("/submissions", response_class=HTMLResponse)
async def upload_page(
    request: Request,
    ctx: Ctx,
    user: WebUser,
    call: CallInfo,
    file: Annotated[UploadFile, File()],
) -> Response:
    request.state.principal = user
    content = await file.read(submissions.MAX_UPLOAD + 1)
    error, result = None, None
    try:
        result = submissions.upload(ctx, user, call, filename=file.filename or "upload.zip",
                                    content=content)
    except BadInput as exc:
        error = str(exc)
    rows = submissions.list_submissions(ctx, user, call)
    return render(request, "submissions.html", user, rows=rows, result=result, error=error,
                  can_upload=True, status=200 if result else 422)


@router.get("/submissions/{submission_pk}", response_class=HTMLResponse)
def submission_page(
    request: Request, ctx: Ctx, user: WebUser, call: CallInfo, submission_pk: IntId
) -> Response:
    request.state.principal = user
    detail = submissions.submission_detail(ctx, user, call, submission_pk=submission_pk)
    return render(request, "submission.html", user, d=detail)


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, ctx: Ctx, user: WebUser, call: CallInfo,
                done: str | None = None) -> Response:
    request.state.principal = user
    pairs = review.queue(ctx, user, call, limit=20)
    return render(request, "review.html", user, pairs=pairs, fields=review.FIELDS,
                  done=(done or "")[:200] or None)


@router.post("/review/{review_id}")
def decide_page(
    request: Request,
    ctx: Ctx,
    user: WebUser,
    call: CallInfo,
    review_id: IntId,
    decision: Annotated[str, Form(max_length=8)],
    reason: Annotated[str, Form(max_length=2000)],
) -> Response:
    request.state.principal = user
    review.decide(ctx, user, call, review_id=review_id, decision=decision, reason=reason)
    word = "accepted" if decision == "accept" else "rejected"
    return RedirectResponse(f"/review?done=Pair+{review_id}+{word}", status_code=303)
