"""Submissions: upload a zip, see what loaded, read its quarantine and warnings."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import select

from lantern.access.roles import AccessDenied, Permission, Principal
from lantern.api.context import AppContext, BadInput, Call, NotFound
from lantern.api.services.base import guarded, log_read
from lantern.store.tables.core import dq_warnings, quarantine, submissions

MAX_UPLOAD = 512 * 1024 * 1024


def list_submissions(
    ctx: AppContext, principal: Principal, call: Call, *, limit: int = 500
) -> list[dict[str, Any]]:
    """Submissions of the caller's areas, newest first, with their row counts."""
    with guarded(ctx, principal, "submissions.read", call,
                 permission=Permission.SUBMISSIONS_READ):
        query = select(submissions).order_by(submissions.c.loaded_at.desc()).limit(limit)
        scope = principal.scope_filter()
        if scope is not None:
            query = query.where(submissions.c.area.in_(sorted(scope)))
        with ctx.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        row.pop("source", None)  # a server path: not the client's business
    return rows


def submission_detail(
    ctx: AppContext, principal: Principal, call: Call, *, submission_pk: int, limit: int = 1000
) -> dict[str, Any]:
    """One submission with its quarantined rows and data-quality warnings (raw values:
    identifiable, so the read is logged)."""
    action = "quarantine.read"
    with guarded(ctx, principal, action, call, permission=Permission.SUBMISSIONS_READ,
                 subject=f"submission:{submission_pk}"), ctx.engine.connect() as conn:
        row = conn.execute(
            select(submissions).where(submissions.c.id == submission_pk)
        ).first()
        if row is None:
            raise NotFound(f"no submission {submission_pk}")
        if not principal.in_scope(row.area):
            raise AccessDenied(f"submission {submission_pk} is outside your areas")
        held = [dict(r._mapping) for r in conn.execute(
            select(quarantine).where(quarantine.c.submission_pk == submission_pk)
            .order_by(quarantine.c.file, quarantine.c.line).limit(limit))]
        warned = [dict(r._mapping) for r in conn.execute(
            select(dq_warnings).where(dq_warnings.c.submission_pk == submission_pk)
            .order_by(dq_warnings.c.file, dq_warnings.c.line).limit(limit))]
    detail = dict(row._mapping)
    detail.pop("source", None)
    log_read(ctx, principal, action, call, subject=f"submission:{submission_pk}",
             result_ids=[f"Q{q['id']}" for q in held] + [f"W{w['id']}" for w in warned])
    return {"submission": detail, "quarantine": held, "warnings": warned}


def upload(
    ctx: AppContext, principal: Principal, call: Call, *, filename: str, content: bytes
) -> dict[str, Any]:
    """Load an uploaded submission zip, if its area is one of the caller's."""
    from lantern.ingest import SubmissionError, load_submission
    from lantern.ingest.source import Source

    action = "submissions.upload"
    with guarded(ctx, principal, action, call, permission=Permission.SUBMISSIONS_UPLOAD,
                 subject=filename):
        if not filename.lower().endswith(".zip"):
            raise BadInput("upload a submission as a .zip of its folder")
        if len(content) > MAX_UPLOAD:
            raise BadInput("the file is too large")
        with tempfile.TemporaryDirectory(prefix="lantern-upload-") as tmp:
            path = Path(tmp) / "submission.zip"
            path.write_bytes(content)
            try:
                with Source(path) as source:
                    manifest = source.manifest()
                if not principal.in_scope(manifest.area):
                    raise AccessDenied(f"area {manifest.area} is outside your areas")
                report = load_submission(ctx.engine, path)
            except SubmissionError as exc:
                log_read(ctx, principal, action, call, subject=filename,
                         detail={"refused": str(exc)})
                raise BadInput(f"submission refused: {exc}") from exc
    result = {
        "submission_id": report.submission_id,
        "agency": report.agency,
        "area": report.area,
        "status": report.status,
        "rows_read": report.rows_read,
        "rows_loaded": report.rows_loaded,
        "rows_quarantined": report.rows_quarantined,
        "rows_warned": report.rows_warned,
        "summary": report.summary(),
    }
    log_read(ctx, principal, action, call, subject=f"{report.agency}/{report.submission_id}",
             detail={k: v for k, v in result.items() if k != "summary"})
    return result
