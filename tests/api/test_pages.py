"""The web pages over HTTP: login with CSRF and lockout, headers, the pages per role."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lantern.access import audit

PASSWORD = "correct horse battery"
ROLE_USERS = {"practitioner": "pat", "analyst": "ann", "area_manager": "max",
              "national_analyst": "nat", "auditor": "aud", "admin": "adm"}
PAGES = {  # page -> roles that may open it
    "/search": {"practitioner", "analyst", "area_manager"},
    "/alerts": {"practitioner", "analyst", "area_manager"},
    "/submissions": {"analyst", "area_manager", "admin"},
    "/audit": {"auditor"},
    "/users": {"admin"},
}


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, html[:500]
    return match.group(1)


def login(app: Any, username: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(app, base_url="http://127.0.0.1")
    form = client.get("/login")
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": _csrf(form.text)},
                           follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    return client


def test_security_headers_on_every_response(world_app: Any) -> None:
    client = TestClient(world_app)
    for path in ("/login", "/api/openapi.json", "/static/app.css", "/nope"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
    assert client.get("/login").headers["cache-control"] == "no-store"


def test_pages_need_a_session(world_app: Any) -> None:
    client = TestClient(world_app)
    response = client.get("/search", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_login_form_needs_its_csrf_token(world_app: Any) -> None:
    client = TestClient(world_app)
    client.get("/login")
    response = client.post("/login", data={"username": "pat", "password": PASSWORD,
                                           "csrf_token": "0" * 64}, follow_redirects=False)
    assert response.status_code == 403


def test_session_posts_need_the_csrf_token(world_app: Any) -> None:
    client = login(world_app, "pat")
    refused = client.post("/logout", follow_redirects=False)
    assert refused.status_code == 403
    page = client.get("/search")
    ok = client.post("/logout", data={"csrf_token": _csrf(page.text)}, follow_redirects=False)
    assert ok.status_code == 303
    # the session is revoked server-side, not just forgotten by the browser
    assert client.get("/search", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_pages_by_role(role: str, world_app: Any) -> None:
    client = login(world_app, ROLE_USERS[role])
    for page, roles in PAGES.items():
        status = client.get(page).status_code
        assert status == (200 if role in roles else 403), (role, page)


def test_search_and_child_page(world_app: Any, person_ids: dict[str, str],
                               world_engine: Engine) -> None:
    client = login(world_app, "ann")
    found = client.get("/search", params={"name": "amy jons"})
    assert person_ids["amy"] in found.text and "Amy Jones" in found.text
    amy = person_ids["amy"]
    ask = client.get(f"/persons/{amy}")
    assert "Why are you opening this record?" in ask.text and "2009-03-14" not in ask.text
    page = client.get(f"/persons/{amy}", params={"purpose": "safeguarding"})
    assert page.status_code == 200
    for text in ("Amy Jones", "Risk indicated", "Northtown Police", "2BC", "Mark Smith",
                 "AB12CDE"):
        assert text in page.text or text.replace("Northtown Police", "NTP") in page.text, text
    assert audit.show(world_engine, user="ann", person=amy, limit=1)[0].purpose == "safeguarding"


def test_practitioner_page_for_child_elsewhere_is_403(world_app: Any,
                                                      person_ids: dict[str, str]) -> None:
    client = login(world_app, "pat")
    page = client.get(f"/persons/{person_ids['bella']}", params={"purpose": "safeguarding"})
    assert page.status_code == 403 and "Bella" not in page.text
    assert "recorded in the audit log" in page.text


def test_lockout_after_failed_logins(world_app: Any, world_engine: Engine) -> None:
    from lantern.access.users import add_user

    add_user(world_engine, username="locky", password=PASSWORD, role="practitioner",
             areas=["AAA1"])
    client = TestClient(world_app)
    for _ in range(5):
        form = client.get("/login")
        bad = client.post("/login", data={"username": "locky", "password": "wrong one!!",
                                          "csrf_token": _csrf(form.text)})
        assert bad.status_code == 401
    form = client.get("/login")
    locked = client.post("/login", data={"username": "locky", "password": PASSWORD,
                                         "csrf_token": _csrf(form.text)})
    assert locked.status_code == 401 and "locked" in locked.text
    denied = audit.show(world_engine, user="locky")
    assert len([e for e in denied if e.action == "login" and e.outcome == "denied"]) == 6
