"""Finding a person and opening their record: scope, purpose, restricted intelligence."""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel

from lantern.access.roles import (
    AccessDenied,
    Permission,
    Principal,
    is_restricted_handling,
    require_purpose,
)
from lantern.api.context import AppContext, Call, NotFound
from lantern.api.services.base import guarded, log_read, optional_service, plain
from lantern.search import PersonHit, SearchQuery


def search(
    ctx: AppContext, principal: Principal, call: Call, *, query: SearchQuery
) -> list[PersonHit]:
    """Fuzzy search within the caller's areas; the ids returned are logged."""
    with guarded(ctx, principal, "person.search", call, permission=Permission.PERSON_SEARCH):
        hits = ctx.index.search(query, areas=principal.scope_filter())
    if query.is_empty():
        return hits
    log_read(
        ctx,
        principal,
        "person.search",
        call,
        result_ids=[h.person_id for h in hits],
        detail={"query": {k: v for k, v in vars(query).items() if v}},
    )
    return hits


def _redact_restricted(view: dict[str, Any]) -> int:
    """Withhold the content of intelligence with handling conditions; keep provenance."""
    withheld = 0
    for event in view.get("events", []):
        if is_restricted_handling(event.get("grading_scheme"), event.get("handling")):
            event["summary"] = None
            event["linked"] = []
            event["indicators"] = []
            event["warning_signs"] = []
            event["withheld"] = True
            withheld += 1
    return withheld


def _linked_ids(view: dict[str, Any]) -> list[str]:
    """Every other resolved person shown on the page: their ids go in the audit row too."""
    ids: list[str] = []
    for event in view.get("events", []):
        for linked in event.get("linked", []) or []:
            pid = linked.get("resolved_id")
            if linked.get("entity") == "person" and pid and pid not in ids:
                ids.append(str(pid))
    return ids


def summarise(view: dict[str, Any]) -> None:
    """Add what the page shows at a glance: linked entities and agencies involved."""
    linked: dict[tuple[str, str], dict[str, Any]] = {}
    agencies: dict[str, dict[str, Any]] = {}
    for record in view.get("records", []):
        agencies.setdefault(record["agency"], {
            "agency": record["agency"], "agency_type": record.get("agency_type"),
            "events": 0, "first": None, "last": None})
    for event in view.get("events", []):
        on = str(event.get("occurred_on"))
        a = agencies.setdefault(event["agency"], {
            "agency": event["agency"], "agency_type": event.get("agency_type"),
            "events": 0, "first": None, "last": None})
        a["events"] += 1
        a["first"] = min(filter(None, [a["first"], on]))
        a["last"] = max(filter(None, [a["last"], on]))
        for item in event.get("linked", []) or []:
            key = (item["entity"], item.get("resolved_id") or item["label"])
            entry = linked.setdefault(key, {
                "entity": item["entity"], "resolved_id": item.get("resolved_id"),
                "label": item["label"], "roles": [], "events": 0, "first": on, "last": on})
            entry["events"] += 1
            entry["first"], entry["last"] = min(entry["first"], on), max(entry["last"], on)
            if item["role"] not in entry["roles"]:
                entry["roles"].append(item["role"])
    groups: dict[str, list[dict[str, Any]]] = {"person": [], "object": [], "location": []}
    for entry in sorted(linked.values(), key=lambda e: (-e["events"], e["label"])):
        groups.setdefault(entry["entity"], []).append(entry)
    view["linked_summary"] = groups
    view["agencies_involved"] = sorted(agencies.values(), key=lambda a: a["agency"])
    names = [n for names in view.get("names_by_agency", {}).values() for n in names]
    view["name"] = names[0] if names else None


@functools.cache
def _screening_config() -> Any:
    """The packaged screening configuration, parsed once per process (parsing the YAML
    cost more than the rest of a child's page)."""
    return optional_service("lantern.screen.config", "load_config")()


def person_view(
    ctx: AppContext,
    principal: Principal,
    call: Call,
    *,
    person_id: str,
    purpose: str | None,
    note: str | None = None,
) -> dict[str, Any]:
    """The single view of one person (child), for a stated purpose, within scope."""
    action = "person.read"
    with guarded(
        ctx,
        principal,
        action,
        call,
        permission=Permission.PERSON_READ,
        subject=person_id,
        purpose=purpose,
    ):
        purpose = require_purpose(purpose)
        areas = ctx.index.areas_of(person_id)
        if not areas:
            raise NotFound(f"no person {person_id}")
        if not principal.any_in_scope(areas):
            raise AccessDenied(f"person {person_id} is outside your areas")
    child_view = optional_service("lantern.screen.timeline", "child_view")
    try:
        raw = child_view(ctx.engine, person_id, config=_screening_config())
    except LookupError as exc:
        raise NotFound(f"no person {person_id}") from exc
    # pydantic's compiled JSON-mode dump gives the same values as ``plain`` (checked on
    # 300 children of the 103k world), five times faster
    view: dict[str, Any] = (raw.model_dump(mode="json") if isinstance(raw, BaseModel)
                            else plain(raw))
    view.setdefault("person_id", person_id)
    view["areas"] = areas
    withheld = 0
    if not principal.can(Permission.INTEL_RESTRICTED):
        withheld = _redact_restricted(view)
    view["withheld"] = withheld
    summarise(view)
    log_read(
        ctx,
        principal,
        action,
        call,
        subject=person_id,
        purpose=purpose,
        result_ids=[person_id, *_linked_ids(view)],
        detail={"note": note} if note else None,
    )
    return view
