"""Groups and their network, scoped to the caller's areas, around ``lantern.network.service``.

Members whose records all lie outside the caller's areas are shown by id only (a group
can cross area boundaries; the people of another area are that area's to see). Names come
from the search index, for roles that may see them.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from lantern.access.roles import AccessDenied, Permission, Principal, is_restricted_handling
from lantern.api.context import AppContext, BadInput, Call, NotFound
from lantern.api.services.base import guarded, log_read, optional_service, plain

MEDIA = {"json": "application/json", "graphml": "application/graphml+xml",
         "gexf": "application/gexf+xml"}


def _areas(text: Any) -> list[str]:
    return [a for a in str(text or "").split(";") if a]


def _frame(service: Any, *args: Any, **kwargs: Any) -> pd.DataFrame:
    """Call a read of ``lantern.network.service``; an empty selection there can raise
    KeyError (pandas takes an empty boolean mask for column labels): treat it as empty."""
    try:
        return service(*args, **kwargs)  # type: ignore[no-any-return]
    except KeyError:
        return pd.DataFrame()


def _scope(principal: Principal) -> list[str] | None:
    scope = principal.scope_filter()
    return None if scope is None else sorted(scope)


def _name(ctx: AppContext, principal: Principal, person_id: str, areas: Any) -> str | None:
    """A member's name if the caller may see it: identifiable role, member in scope."""
    if not principal.identifiable:
        return None
    if not principal.all_areas and not principal.any_in_scope(
            _areas(areas) or ctx.index.areas_of(person_id)):
        return None
    return ctx.index.name_of(person_id)


def list_groups(
    ctx: AppContext, principal: Principal, call: Call, *, area: str | None = None,
    cross_area: bool = False, limit: int = 500,
) -> list[dict[str, Any]]:
    """Current groups touching the caller's areas, most children first."""
    with guarded(ctx, principal, "network.groups", call, permission=Permission.NETWORK_READ):
        if area is not None and not principal.in_scope(area):
            raise AccessDenied(f"area {area} is outside your areas")
        service = optional_service("lantern.network.service", "list_groups")
        frame = _frame(service, ctx.engine, areas=[area] if area else _scope(principal),
                       cross_area_only=cross_area)
    groups: list[dict[str, Any]] = plain(frame.head(limit))
    for g in groups:
        top = g.get("most_connected")
        g["most_connected_name"] = _name(ctx, principal, top, None) if top else None
    log_read(ctx, principal, "network.groups", call,
             result_ids=[g["most_connected"] for g in groups if g.get("most_connected")],
             detail={"groups": len(groups), "area": area})
    return groups


def _group(ctx: AppContext, principal: Principal, group_id: str) -> Any:
    service = optional_service("lantern.network.service", "group_detail")
    try:
        detail = service(ctx.engine, group_id)
    except LookupError as exc:
        raise NotFound(f"no group {group_id}") from exc
    if not principal.any_in_scope(_areas(detail.group.get("areas"))):
        raise AccessDenied(f"group {group_id} is outside your areas")
    return detail


def group_detail(ctx: AppContext, principal: Principal, call: Call, *,
                 group_id: str) -> dict[str, Any]:
    """Members with roles and scores, their vehicles, phones and places, and events."""
    action = "network.group"
    with guarded(ctx, principal, action, call, permission=Permission.NETWORK_READ,
                 subject=group_id):
        detail = _group(ctx, principal, group_id)
    members: list[dict[str, Any]] = plain(detail.members)
    for m in members:
        m["name"] = _name(ctx, principal, m["person_id"], m.get("person_areas"))
    events: list[dict[str, Any]] = plain(detail.events)
    for e in events:
        grading = str(e.get("grading") or "")
        e["withheld"] = bool(grading) and is_restricted_handling(
            e.get("grading_scheme"), grading[-1:]) and not principal.can(
            Permission.INTEL_RESTRICTED)
    log_read(ctx, principal, action, call, subject=group_id,
             result_ids=[m["person_id"] for m in members if m["name"]])
    return {"group": plain(detail.group), "members": members,
            "entities": plain(detail.entities), "events": events}


def group_graph(ctx: AppContext, principal: Principal, call: Call, *, group_id: str,
                since: date | None = None, until: date | None = None) -> dict[str, Any]:
    """Cytoscape.js elements for one group (nodes in the caller's areas), ties limited
    to [since, until]."""
    action = "network.graph"
    with guarded(ctx, principal, action, call, permission=Permission.NETWORK_READ,
                 subject=group_id):
        _group(ctx, principal, group_id)
        service = optional_service("lantern.network.service", "graph_json")
        data = service(ctx.engine, group_id=group_id, areas=_scope(principal),
                       since=since.isoformat() if since else None,
                       until=until.isoformat() if until else None)
    nodes = data["elements"]["nodes"]
    scores = [float(n["data"].get("key_actor_score") or 0) for n in nodes]
    top = max(scores, default=0.0) or 1.0
    shown = []
    for node in nodes:
        d = node["data"]
        if d.get("kind") == "person":
            d["label"] = _name(ctx, principal, d["id"], d.get("areas")) or d["id"]
            d["role"] = "child" if d.get("role") == "victim" or d.get("is_child") is True \
                else d.get("role")
            d["score"] = round(float(d.get("key_actor_score") or 0) / top, 3)
            shown.append(d["id"])
        else:
            d["kind"] = "location" if d.get("kind") in {"place", "address"} else d.get("kind")
            d["score"] = 0.2
    for edge in data["elements"]["edges"]:
        edge["data"]["weight"] = round(float(edge["data"].get("weight") or 0) * 4, 2)
    log_read(ctx, principal, action, call, subject=group_id, result_ids=shown,
             detail={"since": since, "until": until} if since or until else None)
    return plain(data)  # type: ignore[no-any-return]


def export(ctx: AppContext, principal: Principal, call: Call, *, fmt: str,
           group_id: str | None = None) -> tuple[str, str]:
    """The network of the caller's areas (or one group) as graphml, gexf or json."""
    action = "network.export"
    with guarded(ctx, principal, action, call, permission=Permission.NETWORK_EXPORT,
                 subject=group_id):
        if fmt not in MEDIA:
            raise BadInput(f"format is one of {', '.join(MEDIA)}")
        if group_id is not None:
            _group(ctx, principal, group_id)
        graph = optional_service("lantern.network.service", "graph")
        scores = optional_service("lantern.network.service", "member_scores")
        write = optional_service("lantern.network.export", "write_graph")
        try:
            nodes, edges = graph(ctx.engine, group_id=group_id, areas=_scope(principal))
        except LookupError as exc:
            raise NotFound(f"no group {group_id}") from exc
    with tempfile.TemporaryDirectory(prefix="lantern-export-") as tmp:
        path = Path(tmp) / f"network.{fmt}"
        write(nodes, edges, path, fmt, scores=scores(ctx.engine))
        text = path.read_text(encoding="utf-8")
    people = nodes.loc[nodes["kind"] == "person", "node_id"].astype(str).tolist()
    log_read(ctx, principal, action, call, subject=group_id, result_ids=people,
             detail={"format": fmt, "nodes": len(nodes), "edges": len(edges)})
    return text, MEDIA[fmt]


def hotspots(ctx: AppContext, principal: Principal, call: Call, *, kind: str | None = None,
             min_children: int | None = None) -> list[dict[str, Any]]:
    """Places and vehicles linked to many different children in the caller's areas."""
    with guarded(ctx, principal, "network.hotspots", call,
                 permission=Permission.NETWORK_READ):
        service = optional_service("lantern.network.service", "hotspots")
        frame = _frame(service, ctx.engine, areas=_scope(principal), kind=kind,
                       min_children=min_children)
    rows: list[dict[str, Any]] = plain(frame)
    log_read(ctx, principal, "network.hotspots", call,
             result_ids=[r["node_id"] for r in rows])
    return rows


def cross_area(ctx: AppContext, principal: Principal, call: Call) -> list[dict[str, Any]]:
    """Groups that cross area boundaries and touch the caller's areas."""
    with guarded(ctx, principal, "network.cross_area", call,
                 permission=Permission.NETWORK_READ):
        service = optional_service("lantern.network.service", "cross_area_alerts")
        frame = _frame(service, ctx.engine, areas=_scope(principal))
    rows: list[dict[str, Any]] = plain(frame)
    log_read(ctx, principal, "network.cross_area", call,
             result_ids=[r["group_id"] for r in rows])
    return rows
