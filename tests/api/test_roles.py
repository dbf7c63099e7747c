"""The role matrix: every API route with every role; scope, purpose and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lantern.access import audit
from lantern.access.roles import ROLE_PERMISSIONS, Permission, Role

ACCOUNTS = {
    "practitioner": ("pat", "practitioner"),
    "analyst": ("ann", "analyst"),
    "area_manager": ("max", "area_manager"),
    "national_analyst": ("nat", "national_analyst"),
    "auditor": ("aud", "auditor"),
    "admin": ("adm", "admin"),
}
P = Permission


@dataclass
class Call:
    method: str
    path: str  # may hold {amy}, {mark}, {bella}
    permission: Permission
    params: dict[str, Any] = field(default_factory=dict)
    json: dict[str, Any] | None = None
    ok: tuple[int, ...] = (200,)


def calls() -> list[Call]:
    return [
        Call("GET", "/api/v1/persons/search", P.PERSON_SEARCH, {"name": "amy jones"}),
        Call("GET", "/api/v1/persons/{amy}", P.PERSON_READ, {"purpose": "safeguarding"}),
        Call("GET", "/api/v1/alerts", P.ALERTS_READ),
        Call("GET", "/api/v1/submissions", P.SUBMISSIONS_READ),
        Call("GET", "/api/v1/submissions/1", P.SUBMISSIONS_READ),
        Call("GET", "/api/v1/review", P.REVIEW_READ),
        Call("GET", "/api/v1/national/area-stats", P.NATIONAL_READ),
        Call("GET", "/api/v1/national/funnel", P.NATIONAL_READ),
        Call("GET", "/api/v1/national/trends", P.NATIONAL_READ),
        Call("GET", "/api/v1/national/quality", P.NATIONAL_READ),
        Call("POST", "/api/v1/national/estimate", P.NATIONAL_READ, json={"rows": [
            {"a": 1, "b": 0, "count": 30}, {"a": 0, "b": 1, "count": 20},
            {"a": 1, "b": 1, "count": 10}]}),
        Call("GET", "/api/v1/network/groups", P.NETWORK_READ),
        Call("GET", "/api/v1/network/groups/{group}", P.NETWORK_READ),
        Call("GET", "/api/v1/network/groups/{group}/graph", P.NETWORK_READ),
        Call("GET", "/api/v1/network/export", P.NETWORK_EXPORT, {"format": "graphml"}),
        Call("GET", "/api/v1/network/hotspots", P.NETWORK_READ),
        Call("GET", "/api/v1/network/cross-area", P.NETWORK_READ),
        Call("GET", "/api/v1/review/log", P.REVIEW_READ),
        Call("GET", "/api/v1/users", P.USERS_MANAGE),
        Call("GET", "/api/v1/tokens", P.USERS_MANAGE),
        Call("GET", "/api/v1/audit", P.AUDIT_READ, {"person": "{amy}"}),
        Call("GET", "/api/v1/audit/verify", P.AUDIT_READ),
    ]


# Routes every authenticated user may call, and routes whose write is tested on its own.
OPEN_TO_ALL = {("GET", "/api/v1/auth/me"), ("GET", "/api/v1/persons/purposes")}
TESTED_ELSEWHERE = {
    ("POST", "/api/v1/auth/token"), ("DELETE", "/api/v1/auth/token"),
    ("POST", "/api/v1/users"), ("POST", "/api/v1/users/{username}/disable"),
    ("POST", "/api/v1/users/{username}/tokens"), ("DELETE", "/api/v1/tokens/{token_id}"),
    ("POST", "/api/v1/alerts/{alert_id}/ack"), ("POST", "/api/v1/submissions"),
    ("POST", "/api/v1/review/{review_id}"), ("POST", "/api/v1/review/unmerge"),
}


def _fill(text: str, ids: dict[str, str]) -> str:
    for key, value in ids.items():
        text = text.replace("{" + key + "}", value)
    return text


def _send(client: TestClient, call: Call, ids: dict[str, str]) -> Any:
    params = {k: _fill(v, ids) for k, v in call.params.items()}
    return client.request(call.method, _fill(call.path, ids), params=params, json=call.json)


def test_every_api_route_is_in_the_matrix(world_app: Any) -> None:
    generic = {"{amy}": "{person_id}", "/submissions/1": "/submissions/{submission_pk}",
               "{group}": "{group_id}"}
    covered = set()
    for c in calls():
        path = c.path
        for concrete, pattern in generic.items():
            path = path.replace(concrete, pattern)
        covered.add((c.method, path))
    covered |= OPEN_TO_ALL | TESTED_ELSEWHERE
    routes = {
        (method, route.path)
        for route in world_app.routes
        if isinstance(route, APIRoute) and route.path.startswith("/api/")
        for method in route.methods
    }
    assert routes - covered == set()


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_role_matrix(role: str, clients: dict[str, TestClient],
                     person_ids: dict[str, str], group_id: str) -> None:
    person_ids = {**person_ids, "group": group_id}
    client = clients[role]
    allowed = ROLE_PERMISSIONS[Role(ACCOUNTS[role][1])]
    for call in calls():
        response = _send(client, call, person_ids)
        expected = call.ok if call.permission in allowed else (403,)
        assert response.status_code in expected, (role, call.path, response.text[:300])
    for method, path in OPEN_TO_ALL:
        assert client.request(method, path).status_code == 200


def test_no_token_no_data(world_app: Any, person_ids: dict[str, str], group_id: str) -> None:
    person_ids = {**person_ids, "group": group_id}
    anonymous = TestClient(world_app)
    for call in calls():
        assert _send(anonymous, call, person_ids).status_code == 401
    bad = TestClient(world_app, headers={"Authorization": "Bearer lt_nonsense"})
    assert bad.get("/api/v1/auth/me").status_code == 401


def test_practitioner_outside_their_area_is_refused_and_logged(
    clients: dict[str, TestClient], person_ids: dict[str, str], world_engine: Engine
) -> None:
    bella = person_ids["bella"]
    response = clients["practitioner"].get(f"/api/v1/persons/{bella}",
                                           params={"purpose": "safeguarding"})
    assert response.status_code == 403
    assert "Bella" not in response.text
    entries = audit.show(world_engine, user="pat", person=bella)
    assert entries and entries[0].outcome == "denied" and entries[0].action == "person.read"
    # the same practitioner does not find her by search either
    hits = clients["practitioner"].get("/api/v1/persons/search", params={"name": "bella brown"})
    assert hits.status_code == 200 and hits.json() == []


def test_reading_a_child_needs_a_purpose_and_is_logged_first(
    clients: dict[str, TestClient], person_ids: dict[str, str], world_engine: Engine
) -> None:
    amy = person_ids["amy"]
    client = clients["practitioner"]
    assert client.get(f"/api/v1/persons/{amy}").status_code == 422
    refused = client.get(f"/api/v1/persons/{amy}", params={"purpose": "curiosity"})
    assert refused.status_code == 403
    before = audit.verify(world_engine).head_seq
    ok = client.get(f"/api/v1/persons/{amy}", params={"purpose": "strategy_meeting",
                                                      "note": "SM 12/05"})
    assert ok.status_code == 200
    entry = audit.show(world_engine, user="pat", person=amy, limit=1)[0]
    assert entry.seq > before and entry.outcome == "ok"
    assert entry.purpose == "strategy_meeting" and entry.result_ids[0] == amy
    assert entry.detail == {"note": "SM 12/05"}


def test_restricted_intelligence_is_withheld_from_practitioners(
    clients: dict[str, TestClient], person_ids: dict[str, str]
) -> None:
    amy = person_ids["amy"]
    params = {"purpose": "safeguarding"}
    seen_by: dict[str, str] = {}
    for role in ("practitioner", "analyst", "area_manager"):
        response = clients[role].get(f"/api/v1/persons/{amy}", params=params)
        assert response.status_code == 200
        seen_by[role] = response.text
    assert "RESTRICTED-INTEL" not in seen_by["practitioner"]
    assert '"withheld":1' in seen_by["practitioner"].replace(" ", "")
    assert "RESTRICTED-INTEL" in seen_by["analyst"]
    assert "RESTRICTED-INTEL" in seen_by["area_manager"]


def test_national_analyst_never_receives_identifiable_data(
    clients: dict[str, TestClient], person_ids: dict[str, str], world: Any, group_id: str
) -> None:
    person_ids = {**person_ids, "group": group_id}
    client = clients["national_analyst"]
    bodies = [_send(client, call, person_ids).text for call in calls()]
    bodies += [client.request(m, p).text for m, p in OPEN_TO_ALL]
    for body in bodies:
        for secret in world.SECRETS:
            assert secret not in body, secret


def test_search_results_are_logged(
    clients: dict[str, TestClient], person_ids: dict[str, str], world_engine: Engine
) -> None:
    response = clients["analyst"].get("/api/v1/persons/search", params={"vehicle": "ab12cde"})
    found = {h["person_id"] for h in response.json()}
    assert person_ids["mark"] in found
    entry = audit.show(world_engine, user="ann", limit=1)[0]
    assert entry.action == "person.search" and set(entry.result_ids) == found
