"""Clerical review of uncertain matches: the queue side by side, accept or reject.

A pair is shown only to a user whose areas hold both records (deny by default: a
cross-area pair needs someone scoped to both areas).
"""

from __future__ import annotations

from typing import Any

from lantern.access.roles import AccessDenied, Permission, Principal
from lantern.api.context import AppContext, BadInput, Call, NotFound
from lantern.api.services.base import guarded, log_read, optional_service, plain

FIELDS = ("forename", "middle_names", "surname", "aliases", "dob", "sex", "address",
          "postcode", "phones", "emails", "nhs_number", "upn", "area")


def _pairs(ctx: AppContext, principal: Principal, *, limit: int | None) -> list[dict[str, Any]]:
    pending = optional_service("lantern.resolve.review", "pending")
    rows: list[dict[str, Any]] = plain(pending(ctx.engine, limit=None))
    mine = [r for r in rows if principal.in_scope(r.get("area_l"))
            and principal.in_scope(r.get("area_r"))]
    out = []
    for r in mine[:limit] if limit else mine:
        sides = []
        for side in ("l", "r"):
            sides.append({"agency": r[f"agency_{side}"], "ref": r[f"ref_{side}"],
                          **{f: r.get(f"{f}_{side}") for f in FIELDS}})
        differs = [f for f in FIELDS if (sides[0][f] or None) != (sides[1][f] or None)]
        out.append({"id": int(r["id"]), "match_probability": r["match_probability"],
                    "reason": r.get("reason"), "left": sides[0], "right": sides[1],
                    "differs": differs})
    return out


def _record_ids(pairs: list[dict[str, Any]]) -> list[str]:
    return [f"{p[s]['agency']}:{p[s]['ref']}" for p in pairs for s in ("left", "right")]


def queue(
    ctx: AppContext, principal: Principal, call: Call, *, limit: int = 50
) -> list[dict[str, Any]]:
    """Pending pairs in the caller's areas, most probable first, fields side by side."""
    with guarded(ctx, principal, "review.read", call, permission=Permission.REVIEW_READ):
        pairs = _pairs(ctx, principal, limit=limit)
    log_read(ctx, principal, "review.read", call, result_ids=_record_ids(pairs))
    return pairs


def decide(
    ctx: AppContext, principal: Principal, call: Call, *, review_id: int, decision: str,
    reason: str,
) -> dict[str, Any]:
    """Accept (same person) or reject (different people); takes effect at once."""
    action = f"review.{decision}"
    with guarded(ctx, principal, action, call, permission=Permission.REVIEW_DECIDE,
                 subject=f"pair:{review_id}"):
        if decision not in {"accept", "reject"}:
            raise BadInput("decision is accept or reject")
        pair = [p for p in _pairs(ctx, principal, limit=None) if p["id"] == review_id]
        if not pair:
            everyone = [p for p in plain(optional_service(
                "lantern.resolve.review", "pending")(ctx.engine)) if int(p["id"]) == review_id]
            if everyone:
                raise AccessDenied(f"pair {review_id} is outside your areas")
            raise NotFound(f"no pending pair {review_id}")
        if not reason.strip():
            raise BadInput("say why")
        decide_ = optional_service("lantern.resolve.review", "decide")
        try:
            result = plain(decide_(ctx.engine, review_id, decision=decision,
                                   by=principal.username, reason=reason.strip()))
        except ValueError as exc:
            raise BadInput(str(exc)) from exc
    ctx.index.refresh(force=True, wait=False)
    log_read(ctx, principal, action, call, subject=f"pair:{review_id}",
             result_ids=_record_ids(pair), detail={"reason": reason.strip()})
    return {"review_id": review_id, "decision": decision, **(result or {})}


def _record_areas(ctx: AppContext, keys: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    from sqlalchemy import select, tuple_

    from lantern.store.tables.core import person_records as p

    if not keys:
        return {}
    with ctx.engine.connect() as conn:
        rows = conn.execute(select(p.c.agency, p.c.person_ref, p.c.area).where(
            p.c.is_current.is_(True), tuple_(p.c.agency, p.c.person_ref).in_(sorted(keys))))
        return {(a, r): area for a, r, area in rows}


def unmerge(ctx: AppContext, principal: Principal, call: Call, *, agency: str,
            person_ref: str, reason: str) -> dict[str, Any]:
    """Take one record out of the person it was merged into (kept as rejections)."""
    action = "review.unmerge"
    subject = f"{agency}:{person_ref}"
    with guarded(ctx, principal, action, call, permission=Permission.REVIEW_DECIDE,
                 subject=subject):
        area = _record_areas(ctx, {(agency, person_ref)}).get((agency, person_ref))
        if area is None:
            raise NotFound(f"no current person record {subject}")
        if not principal.in_scope(area):
            raise AccessDenied(f"record {subject} is outside your areas")
        if not reason.strip():
            raise BadInput("say why")
        run = optional_service("lantern.resolve.review", "unmerge")
        try:
            separated = int(run(ctx.engine, (agency, person_ref), by=principal.username,
                                reason=reason.strip()))
        except ValueError as exc:
            raise BadInput(str(exc)) from exc
    ctx.index.refresh(force=True, wait=False)
    log_read(ctx, principal, action, call, subject=subject, result_ids=[subject],
             detail={"reason": reason.strip(), "separated": separated})
    return {"record": subject, "separated_from": separated}


def judgement_log(ctx: AppContext, principal: Principal, call: Call, *,
                  limit: int = 500) -> list[dict[str, Any]]:
    """Every decision with who, when and why, for pairs of records in the caller's areas."""
    with guarded(ctx, principal, "review.log", call, permission=Permission.REVIEW_READ):
        history = optional_service("lantern.resolve.review", "history")
        rows: list[dict[str, Any]] = plain(history(ctx.engine))
        keys = {(r["agency_l"], r["ref_l"]) for r in rows} | {
            (r["agency_r"], r["ref_r"]) for r in rows}
        areas = _record_areas(ctx, keys)
    mine = [r for r in rows
            if principal.in_scope(areas.get((r["agency_l"], r["ref_l"])))
            and principal.in_scope(areas.get((r["agency_r"], r["ref_r"])))][-limit:]
    log_read(ctx, principal, "review.log", call, result_ids=[
        f"{r[f'agency_{s}']}:{r[f'ref_{s}']}" for r in mine for s in ("l", "r")])
    return mine
