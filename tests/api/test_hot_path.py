"""The hot read routes (search, the child's page, alerts, national figures) run their
service in the event loop on SQLite; what they return, and the rule that nothing is
returned unless its audit row was written first, are the same as everywhere else."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lantern.access import audit
from lantern.api.context import AppContext
from lantern.api.deps import run
from lantern.api.routes.persons import Hit

HOT = (
    ("/api/v1/persons/search", {"name": "amy jones"}),
    ("/api/v1/persons/{amy}", {"purpose": "safeguarding"}),
    ("/api/v1/alerts", {}),
    ("/api/v1/national/funnel", {}),
)


def test_sqlite_runs_hot_services_in_the_event_loop_and_others_in_a_thread(
        world_engine: Engine) -> None:
    import anyio

    ctx = AppContext(engine=world_engine, secret=b"x")
    assert ctx.inline

    def thread_name() -> str:
        return threading.current_thread().name

    async def where(inline: bool) -> tuple[str, str]:
        ctx.inline = inline
        return thread_name(), await run(ctx, thread_name)

    here, ran = anyio.run(where, True)
    assert ran == here
    here, ran = anyio.run(where, False)  # PostgreSQL: a worker thread
    assert ran != here


def test_search_returns_exactly_the_documented_fields(clients: dict[str, TestClient]) -> None:
    hits = clients["analyst"].get("/api/v1/persons/search", params={"name": "amy jones"})
    assert hits.status_code == 200 and hits.json()
    for hit in hits.json():
        assert set(hit) == set(Hit.model_fields)
        Hit.model_validate(hit)


@pytest.mark.parametrize(("path", "params"), HOT, ids=[p for p, _ in HOT])
def test_nothing_is_returned_when_the_audit_row_cannot_be_written(
        world_app: Any, tokens: dict[str, str], person_ids: dict[str, str],
        monkeypatch: pytest.MonkeyPatch, path: str, params: dict[str, str]) -> None:
    client = TestClient(world_app, headers={"Authorization": f"Bearer {tokens['analyst']}"},
                        raise_server_exceptions=False)
    url = path.format(amy=person_ids["amy"])
    assert client.get(url, params=params).status_code == 200

    def refuse(*args: object, **kwargs: object) -> int:
        raise RuntimeError("could not append to the audit log: disk full")

    monkeypatch.setattr(audit, "record", refuse)
    response = client.get(url, params=params)
    assert response.status_code == 500
    assert "Amy" not in response.text and "Jones" not in response.text
