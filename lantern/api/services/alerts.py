"""The area's missed-opportunity queue and its acknowledgements."""

from __future__ import annotations

from typing import Any

from lantern.access.roles import AccessDenied, Permission, Principal
from lantern.api.context import AppContext, BadInput, Call, NotFound
from lantern.api.services.base import guarded, log_read, optional_service, plain
from lantern.api.services.cache import cached, is_cached, latest_ids


def _alert_areas(ctx: AppContext, alert: dict[str, Any]) -> list[str]:
    return [alert["area"]] if alert.get("area") else ctx.index.areas_of(alert["person_id"])


def _version(ctx: AppContext) -> tuple[object, ...]:
    from lantern.store.tables.screen import screen_alert_acks, screen_runs

    return latest_ids(ctx, screen_runs, screen_alert_acks)


def queue_ready(ctx: AppContext, *, include_acknowledged: bool) -> bool:
    """Whether this process already holds the queue at the store's current version.
    Rebuilding it takes 0.2-0.4 s at 6,449 alerts (after each acknowledgement), so the
    route does that in a worker thread rather than in the event loop."""
    try:
        version = _version(ctx)
    except ImportError:
        return True  # no screening package: the service answers 503 at once
    return is_cached(ctx, f"alerts:{include_acknowledged}", version)


def _queue(ctx: AppContext, *, include_acknowledged: bool) -> list[dict[str, Any]]:
    """Every area's open alerts, oldest first, as the screening service lists them (as
    plain values); cached until the next screening run or acknowledgement, made by this
    worker process or any other. Callers copy what they change."""
    service = optional_service("lantern.screen.alerts", "list_alerts")
    version = _version(ctx)
    found: list[dict[str, Any]] = cached(
        ctx, f"alerts:{include_acknowledged}", version,
        lambda: [plain(a) for a in service(ctx.engine, area=None,
                                           include_acknowledged=include_acknowledged)])
    return found


def list_alerts(
    ctx: AppContext,
    principal: Principal,
    call: Call,
    *,
    area: str | None = None,
    include_acknowledged: bool = False,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Open alerts of the caller's areas (or one of them), oldest first, with names."""
    with guarded(ctx, principal, "alerts.read", call, permission=Permission.ALERTS_READ):
        if area is not None and not principal.in_scope(area):
            raise AccessDenied(f"area {area} is outside your areas")
        queue = _queue(ctx, include_acknowledged=include_acknowledged)
    if area is not None:
        found = [a for a in queue if a["area"] == area]
    elif principal.all_areas:
        found = queue
    else:  # an alert raised in one of the caller's areas
        found = [a for a in queue if a["area"] in principal.areas]
    mine: list[dict[str, Any]] = []
    for alert in found:  # oldest first already
        if len(mine) >= limit:
            break
        areas = [alert["area"]] if alert["area"] else ctx.index.areas_of(alert["person_id"])
        if principal.any_in_scope(areas):
            mine.append({**alert, "acknowledgements": list(alert["acknowledgements"])})
    for alert in mine:
        alert["name"] = ctx.index.name_of(alert["person_id"])
        alert["acknowledged"] = bool(alert.get("acknowledgements"))
    log_read(ctx, principal, "alerts.read", call, result_ids=[a["person_id"] for a in mine],
             detail={"area": area} if area else None)
    return mine


def acknowledge(
    ctx: AppContext, principal: Principal, call: Call, *, alert_id: str, note: str
) -> dict[str, Any]:
    """Record that the caller has seen the alert and what they did, with a note."""
    action = "alerts.ack"
    with guarded(ctx, principal, action, call, permission=Permission.ALERTS_ACK,
                 subject=alert_id):
        lister = optional_service("lantern.screen.alerts", "list_alerts")
        acknowledge_ = optional_service("lantern.screen.alerts", "acknowledge")
        found = [plain(a) for a in lister(ctx.engine, include_acknowledged=True,
                                           include_inactive=True) if a.alert_id == alert_id]
        if not found:
            raise NotFound(f"no alert {alert_id}")
        alert = found[0]
        if not principal.any_in_scope(_alert_areas(ctx, alert)):
            raise AccessDenied(f"alert {alert_id} is outside your areas")
    note = (note or "").strip()
    if not note:
        raise BadInput("an acknowledgement needs a note")
    try:
        ack = plain(acknowledge_(ctx.engine, alert_id, note=note, by=principal.username))
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    log_read(ctx, principal, action, call, subject=alert_id, result_ids=[alert["person_id"]])
    alert.setdefault("acknowledgements", []).append(ack)
    alert["acknowledged"] = True
    alert["name"] = ctx.index.name_of(alert["person_id"])
    return alert
