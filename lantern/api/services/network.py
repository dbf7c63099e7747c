"""Groups and their network, scoped to the caller's areas.

Reads the network stage's results (``lantern.store.tables.network``) and shapes them for
the pages: the group list, one group's members, entities and events, and its graph as
Cytoscape.js elements with a date filter. Names come from the search index, for roles
that may see them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import or_, select

from lantern.access.roles import AccessDenied, Permission, Principal, is_restricted_handling
from lantern.api.context import AppContext, Call, NotFound, ServiceUnavailable
from lantern.api.services.base import guarded, log_read, optional_service, plain


def _tables() -> Any:
    try:
        from lantern.store.tables import network
    except ImportError as exc:
        raise ServiceUnavailable("the network stage is not available") from exc
    return network


def _areas(text: str | None) -> list[str]:
    return [a for a in (text or "").split(";") if a]


def list_groups(
    ctx: AppContext, principal: Principal, call: Call, *, area: str | None = None,
    cross_area: bool = False, limit: int = 500,
) -> list[dict[str, Any]]:
    """Active groups touching the caller's areas, most recently active first."""
    with guarded(ctx, principal, "network.groups", call, permission=Permission.NETWORK_READ):
        if area is not None and not principal.in_scope(area):
            raise AccessDenied(f"area {area} is outside your areas")
        t = _tables()
        query = select(t.network_groups).where(t.network_groups.c.active.is_(True)).order_by(
            t.network_groups.c.last_seen.desc(), t.network_groups.c.group_id)
        if cross_area:
            query = query.where(t.network_groups.c.cross_area.is_(True))
        with ctx.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
    groups = [g for g in rows if principal.any_in_scope(_areas(g["areas"]))
              and (area is None or area in _areas(g["areas"]))][:limit]
    for g in groups:
        g["most_connected_name"] = (ctx.index.name_of(g["most_connected"])
                                    if g.get("most_connected") else None)
    log_read(ctx, principal, "network.groups", call,
             result_ids=[g["most_connected"] for g in groups if g.get("most_connected")],
             detail={"groups": len(groups), "area": area})
    return plain(groups)  # type: ignore[no-any-return]


def _group_row(ctx: AppContext, principal: Principal, group_id: str) -> dict[str, Any]:
    t = _tables()
    with ctx.engine.connect() as conn:
        row = conn.execute(select(t.network_groups).where(
            t.network_groups.c.group_id == group_id)).first()
    if row is None:
        raise NotFound(f"no group {group_id}")
    group = dict(row._mapping)
    if not principal.any_in_scope(_areas(group["areas"])):
        raise AccessDenied(f"group {group_id} is outside your areas")
    return group


def group_detail(ctx: AppContext, principal: Principal, call: Call, *,
                 group_id: str) -> dict[str, Any]:
    """Members with roles and scores, their vehicles, phones and places, and events."""
    action = "network.group"
    with guarded(ctx, principal, action, call, permission=Permission.NETWORK_READ,
                 subject=group_id):
        group = _group_row(ctx, principal, group_id)
        t = _tables()
        with ctx.engine.connect() as conn:
            members = [dict(r._mapping) for r in conn.execute(
                select(t.network_members).where(t.network_members.c.group_id == group_id)
                .order_by(t.network_members.c.key_actor_score.desc()))]
            entities = [dict(r._mapping) for r in conn.execute(
                select(t.network_entities).where(t.network_entities.c.group_id == group_id)
                .order_by(t.network_entities.c.members_linked.desc()))]
            events = [dict(r._mapping) for r in conn.execute(
                select(t.network_events).where(t.network_events.c.group_id == group_id)
                .order_by(t.network_events.c.occurred_on))]
    for m in members:
        m["name"] = ctx.index.name_of(m["person_id"]) if principal.identifiable else None
    for e in events:
        grading = e.get("grading") or ""
        e["withheld"] = bool(grading) and is_restricted_handling(
            e.get("grading_scheme"), grading[-1:]) and not principal.can(
            Permission.INTEL_RESTRICTED)
    log_read(ctx, principal, action, call, subject=group_id,
             result_ids=[m["person_id"] for m in members])
    return plain({"group": group, "members": members, "entities": entities,
                  "events": events})  # type: ignore[no-any-return]


def group_graph(ctx: AppContext, principal: Principal, call: Call, *, group_id: str,
                since: date | None = None, until: date | None = None) -> dict[str, Any]:
    """Cytoscape.js elements for one group: members and their entities, and the ties
    between them active in [since, until]."""
    action = "network.graph"
    with guarded(ctx, principal, action, call, permission=Permission.NETWORK_READ,
                 subject=group_id):
        _group_row(ctx, principal, group_id)
        t = _tables()
        with ctx.engine.connect() as conn:
            members = [dict(r._mapping) for r in conn.execute(
                select(t.network_members).where(t.network_members.c.group_id == group_id))]
            entities = [dict(r._mapping) for r in conn.execute(
                select(t.network_entities).where(t.network_entities.c.group_id == group_id))]
            ids = [m["person_id"] for m in members] + [e["node_id"] for e in entities]
            edge_query = select(t.network_edges).where(
                t.network_edges.c.source.in_(ids), t.network_edges.c.target.in_(ids))
            if since is not None:
                edge_query = edge_query.where(or_(t.network_edges.c.last_seen.is_(None),
                                                  t.network_edges.c.last_seen >= since))
            if until is not None:
                edge_query = edge_query.where(or_(t.network_edges.c.first_seen.is_(None),
                                                  t.network_edges.c.first_seen <= until))
            edges = [dict(r._mapping) for r in conn.execute(edge_query)] if ids else []
    filtered = since is not None or until is not None
    touched = {e["source"] for e in edges} | {e["target"] for e in edges}
    top = max((m["key_actor_score"] for m in members), default=1.0) or 1.0
    nodes = []
    for m in members:
        if filtered and m["person_id"] not in touched:
            continue
        name = ctx.index.name_of(m["person_id"]) if principal.identifiable else None
        nodes.append({"data": {
            "id": m["person_id"], "label": name or m["person_id"], "kind": "person",
            "role": "child" if m["role"] == "victim" else m["role"],
            "score": round(m["key_actor_score"] / top, 3), "areas": m.get("person_areas")}})
    for e in entities:
        if filtered and e["node_id"] not in touched:
            continue
        kind = "location" if e["kind"] in {"place", "address"} else e["kind"]
        nodes.append({"data": {
            "id": e["node_id"], "label": e.get("label") or e["node_id"], "kind": kind,
            "score": 0.2, "first_seen": e.get("first_seen"), "last_seen": e.get("last_seen")}})
    kept = {n["data"]["id"] for n in nodes}
    links = [{"data": {"id": f"e{e['id']}", "source": e["source"], "target": e["target"],
                       "weight": round(float(e["weight"]) * 4, 2), "events": e["n_events"],
                       "first_seen": e.get("first_seen"), "last_seen": e.get("last_seen")}}
             for e in edges if e["source"] in kept and e["target"] in kept]
    log_read(ctx, principal, action, call, subject=group_id,
             result_ids=[n["data"]["id"] for n in nodes if n["data"]["kind"] == "person"],
             detail={"since": since, "until": until} if filtered else None)
    return plain({"elements": {"nodes": nodes, "edges": links}})  # type: ignore[no-any-return]


def export(ctx: AppContext, principal: Principal, call: Call, *, fmt: str) -> tuple[str, str]:
    """The whole network in graphml, gexf or json, as the network package writes it."""
    action = "network.export"
    with guarded(ctx, principal, action, call, permission=Permission.NETWORK_EXPORT):
        if not principal.all_areas:
            raise AccessDenied("a whole-network export needs national scope")
        writer = optional_service("lantern.network.export", "export_text")
    text, media = writer(ctx.engine, fmt=fmt)
    log_read(ctx, principal, action, call, detail={"format": fmt})
    return text, media


__all__ = ["export", "group_detail", "group_graph", "list_groups"]
