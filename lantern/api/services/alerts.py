"""The area's missed-opportunity queue and its acknowledgements."""

from __future__ import annotations

from typing import Any

from lantern.access.roles import AccessDenied, Permission, Principal
from lantern.api.context import AppContext, BadInput, Call, NotFound
from lantern.api.services.base import guarded, log_read, optional_service, plain


def _alert_areas(ctx: AppContext, alert: dict[str, Any]) -> list[str]:
    return [alert["area"]] if alert.get("area") else ctx.index.areas_of(alert["person_id"])


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
        service = optional_service("lantern.screen.alerts", "list_alerts")
    if area is not None or principal.all_areas:
        wanted: list[str | None] = [area]
    else:
        wanted = [*sorted(principal.areas)]
    found = [a for one in wanted
             for a in service(ctx.engine, area=one, include_acknowledged=include_acknowledged)]
    found.sort(key=lambda a: (str(a.raised_on), a.alert_id))
    mine: list[dict[str, Any]] = []
    for alert in found:  # convert only what is returned
        if len(mine) >= limit:
            break
        areas = [alert.area] if alert.area else ctx.index.areas_of(alert.person_id)
        if principal.any_in_scope(areas):
            mine.append(plain(alert))
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
