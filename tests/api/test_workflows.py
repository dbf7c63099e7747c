"""Writes through the API: acknowledging alerts, deciding review pairs, uploading."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lantern.access import audit


def test_alert_queue_is_scoped_and_acknowledgement_is_kept(
    clients: dict[str, TestClient], person_ids: dict[str, str], world_engine: Engine
) -> None:
    everyone = clients["analyst"].get("/api/v1/alerts").json()
    assert everyone, "the small world should raise an alert for Amy"
    assert {a["area"] for a in everyone} <= {"AAA1"}
    assert all(a["person_id"] != person_ids["bella"] for a in everyone)
    amy_alerts = [a for a in everyone if a["person_id"] == person_ids["amy"]]
    assert amy_alerts and amy_alerts[0]["name"] == "Amy Jones"
    alert_id = amy_alerts[0]["alert_id"]
    client = clients["practitioner"]
    assert client.post(f"/api/v1/alerts/{alert_id}/ack", json={"note": ""}).status_code == 422
    done = client.post(f"/api/v1/alerts/{alert_id}/ack",
                       json={"note": "Referred to MASH; strategy meeting booked"})
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["acknowledged"] and body["acknowledgements"][-1]["acknowledged_by"] == "pat"
    still_open = {a["alert_id"] for a in clients["analyst"].get("/api/v1/alerts").json()}
    assert alert_id not in still_open
    kept = clients["analyst"].get("/api/v1/alerts", params={"include_acknowledged": True})
    assert alert_id in {a["alert_id"] for a in kept.json()}
    entry = audit.show(world_engine, user="pat", limit=1)[0]
    assert entry.action == "alerts.ack" and entry.subject == alert_id
    assert clients["auditor"].post(f"/api/v1/alerts/{alert_id}/ack",
                                   json={"note": "x"}).status_code == 403
    assert clients["analyst"].post("/api/v1/alerts/nope/ack",
                                   json={"note": "x"}).status_code == 404


def test_review_pairs_side_by_side_and_decisions(
    clients: dict[str, TestClient], world_engine: Engine
) -> None:
    queue = clients["analyst"].get("/api/v1/review").json()
    assert queue, "the small world has uncertain pairs (U1-U9: near-duplicates)"
    pair = queue[0]
    left, right = pair["left"], pair["right"]
    assert left["ref"] == right["ref"] and left["ref"].startswith("U")
    assert {left["agency"], right["agency"]} == {"NTP", "NTC"}
    differs = [f for f in left if f not in {"agency", "ref"}
               and (left[f] or None) != (right[f] or None)]
    assert pair["differs"] == differs and differs
    assert left["surname"] == right["surname"]
    refused = clients["practitioner"].post(f"/api/v1/review/{pair['id']}",
                                           json={"decision": "reject", "reason": "x"})
    assert refused.status_code == 403
    decided = clients["analyst"].post(f"/api/v1/review/{pair['id']}", json={
        "decision": "reject", "reason": "different dates of birth and schools"})
    assert decided.status_code == 200, decided.text
    assert pair["id"] not in {p["id"] for p in clients["analyst"].get("/api/v1/review").json()}
    entries = audit.show(world_engine, user="ann", limit=2)  # the decision, then the re-read
    assert [e.action for e in entries] == ["review.read", "review.reject"] or [
        e.action for e in entries] == ["review.reject", "review.read"]
    entry = next(e for e in entries if e.action == "review.reject")
    assert len(entry.result_ids) == 2


def _zip(manifest: dict[str, Any], files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _submission(sid: str, area: str) -> bytes:
    return _zip(
        {"contract": "1", "submission_id": sid, "area": area,
         "agency": {"code": "NTH", "type": "health", "name": "Northtown Health"},
         "extracted_at": "2024-07-01T00:00:00Z"},
        {"persons.csv": "person_ref,forename,surname,date_of_birth\nH1,Zed,Quill,2010-01-01\n"
                        ",Nobody,Here,2010-01-01\n",
         "events.csv": "event_ref,kind,occurred_on\nHE1,ae_attendance,2024-06-01\n",
         "links.csv": "event_ref,entity,ref,role\nHE1,person,H1,subject\n"})


def test_upload_status_and_quarantine(clients: dict[str, TestClient]) -> None:
    client = clients["analyst"]
    up = client.post("/api/v1/submissions",
                     files={"file": ("nth.zip", _submission("NTH-1", "AAA1"), "application/zip")})
    assert up.status_code == 201, up.text
    report = up.json()
    assert report["status"] == "loaded" and report["rows_quarantined"] == 1
    listed = client.get("/api/v1/submissions").json()
    pk = next(s["id"] for s in listed if s["submission_id"] == "NTH-1")
    detail = client.get(f"/api/v1/submissions/{pk}").json()
    assert detail["quarantine"][0]["file"] == "persons.csv"
    assert detail["quarantine"][0]["column"] == "person_ref"
    elsewhere = client.post("/api/v1/submissions", files={
        "file": ("b.zip", _submission("NTH-2", "BBB2"), "application/zip")})
    assert elsewhere.status_code == 403
    junk = client.post("/api/v1/submissions", files={"file": ("x.zip", b"not a zip")})
    assert junk.status_code == 422 and "refused" in junk.json()["detail"]
    assert clients["practitioner"].post("/api/v1/submissions", files={
        "file": ("nth.zip", _submission("NTH-3", "AAA1"))}).status_code == 403


def test_users_and_tokens_through_the_api(clients: dict[str, TestClient],
                                          world_app: Any) -> None:
    admin = clients["admin"]
    made = admin.post("/api/v1/users", json={"username": "newbie", "password": "x" * 12,
                                             "role": "practitioner", "areas": ["AAA1"]})
    assert made.status_code == 201, made.text
    assert admin.post("/api/v1/users", json={"username": "newbie", "password": "x" * 12,
                                             "role": "analyst"}).status_code == 422
    token = admin.post("/api/v1/users/newbie/tokens", json={"name": "t"}).json()["token"]
    newbie = TestClient(world_app, headers={"Authorization": f"Bearer {token}"})
    assert newbie.get("/api/v1/auth/me").json()["areas"] == ["AAA1"]
    token_id = max(t["id"] for t in admin.get("/api/v1/tokens").json()
                   if t["username"] == "newbie")
    assert admin.delete(f"/api/v1/tokens/{token_id}").status_code == 204
    assert newbie.get("/api/v1/auth/me").status_code == 401
    login = TestClient(world_app).post("/api/v1/auth/token", json={"username": "newbie",
                                                                   "password": "x" * 12})
    assert login.status_code == 200
    fresh = TestClient(world_app, headers={"Authorization": f"Bearer {login.json()['token']}"})
    assert fresh.get("/api/v1/auth/me").status_code == 200
    assert fresh.delete("/api/v1/auth/token").status_code == 204
    assert fresh.get("/api/v1/auth/me").status_code == 401
    assert admin.post("/api/v1/users/newbie/disable").status_code == 204
    assert clients["analyst"].post("/api/v1/users/newbie/disable").status_code == 403


def test_unmerge_and_judgement_log(clients: dict[str, TestClient],
                                   person_ids: dict[str, str]) -> None:
    analyst = clients["analyst"]
    missing = analyst.post("/api/v1/review/unmerge", json={
        "agency": "NTC", "person_ref": "nope", "reason": "x"})
    assert missing.status_code == 404
    outside = analyst.post("/api/v1/review/unmerge", json={
        "agency": "STP", "person_ref": "B9", "reason": "x"})
    assert outside.status_code == 403
    done = analyst.post("/api/v1/review/unmerge", json={
        "agency": "NTC", "person_ref": "K77", "reason": "different child, same name"})
    assert done.status_code == 200, done.text
    assert done.json()["separated_from"] >= 1
    log = analyst.get("/api/v1/review/log").json()
    assert any(r["source"] == "unmerge" and r["decided_by"] == "ann" for r in log)
    assert clients["practitioner"].get("/api/v1/review/log").status_code == 403
