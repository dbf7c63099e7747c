"""Per-process caches of the web app: every worker sees other workers' writes at once.

Each app below has its own caches, as each ``lantern serve --workers N`` process has;
two apps over one store stand for two worker processes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select

from lantern.access.users import disable_user, issue_token, set_areas
from lantern.api.app import create_app
from lantern.api.services.cache import cached, clear, latest_ids
from lantern.store.tables.screen import screen_alert_acks, screen_alerts


@pytest.fixture()
def other_worker(world_engine: Engine) -> Any:
    return create_app(world_engine, secret="test-secret")


def _as(app: Any, token: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def test_cached_value_follows_the_version(world_app: Any) -> None:
    ctx = world_app.state.ctx
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert cached(ctx, "test", 1, compute) == 1
    assert cached(ctx, "test", 1, compute) == 1 and len(calls) == 1
    assert cached(ctx, "test", 2, compute) == 2
    assert ("test", 1) not in ctx.cache  # old versions are dropped


@pytest.fixture()
def extra_alert(world_app: Any, world_engine: Engine, person_ids: dict[str, str]) -> str:
    """An alert of this test's own (last in the queue), so that acknowledging it leaves
    the world's alerts open for the other tests."""
    alert_id = "TCACHE1"
    with world_engine.begin() as conn:
        if conn.execute(select(screen_alerts.c.alert_id)
                        .where(screen_alerts.c.alert_id == alert_id)).first() is None:
            now = datetime(2099, 1, 1)
            conn.execute(insert(screen_alerts).values(
                alert_id=alert_id, person_id=person_ids["amy"], area="AAA1",
                kind="missed_opportunity", raised_on=date(2099, 1, 1), reason="cache test",
                first_seen_at=now, last_seen_at=now, active=True))
    clear(world_app.state.ctx)  # a row added by hand, outside any run: drop the caches
    return alert_id


def test_acknowledgement_in_another_worker_reaches_the_cached_queue(
        world_app: Any, other_worker: Any, tokens: dict[str, str], extra_alert: str) -> None:
    here, there = _as(world_app, tokens["analyst"]), _as(other_worker, tokens["analyst"])
    before = {a["alert_id"]: a for a in
              here.get("/api/v1/alerts", params={"include_acknowledged": True}).json()}
    assert extra_alert in before
    open_before = {a["alert_id"] for a in here.get("/api/v1/alerts").json()}
    assert extra_alert in open_before
    version = latest_ids(world_app.state.ctx, screen_alert_acks)
    done = there.post(f"/api/v1/alerts/{extra_alert}/ack",
                      json={"note": "seen in the other worker"})
    assert done.status_code == 200, done.text
    assert latest_ids(world_app.state.ctx, screen_alert_acks) != version
    after = {a["alert_id"]: a for a in
             here.get("/api/v1/alerts", params={"include_acknowledged": True}).json()}
    notes = [k["note"] for k in after[extra_alert]["acknowledgements"]]
    assert notes == [*[k["note"] for k in before[extra_alert]["acknowledgements"]],
                     "seen in the other worker"]
    open_after = {a["alert_id"] for a in here.get("/api/v1/alerts").json()}
    assert open_after == open_before - {extra_alert}


def test_cached_queue_is_not_changed_by_callers(world_app: Any,
                                                tokens: dict[str, str]) -> None:
    client = _as(world_app, tokens["analyst"])
    first = client.get("/api/v1/alerts", params={"include_acknowledged": True}).json()
    for cached_list in [v for k, v in world_app.state.ctx.cache.items()
                        if isinstance(k, tuple) and str(k[0]).startswith("alerts:")]:
        assert all("name" not in a for a in cached_list)
    assert client.get("/api/v1/alerts", params={"include_acknowledged": True}).json() == first


def test_a_new_national_run_invalidates_cached_figures(world_app: Any,
                                                       tokens: dict[str, str],
                                                       world_engine: Engine) -> None:
    from lantern.national import stage

    client = _as(world_app, tokens["national_analyst"])
    first = client.get("/api/v1/national/funnel")
    assert first.status_code == 200
    ctx = world_app.state.ctx
    old = {k for k in ctx.cache if isinstance(k, tuple) and k[0] == "funnel:None"}
    assert len(old) == 1
    stage.run(world_engine)
    again = client.get("/api/v1/national/funnel")
    assert again.status_code == 200 and again.json() == first.json()  # same data, new run
    new = {k for k in ctx.cache if isinstance(k, tuple) and k[0] == "funnel:None"}
    assert len(new) == 1 and new != old


def test_revocation_disabling_and_areas_reach_every_worker_at_once(
        world_app: Any, other_worker: Any, world_engine: Engine) -> None:
    from lantern.access.users import add_user

    add_user(world_engine, username="cachetest", password="x" * 12, role="practitioner",
             areas=["AAA1"])
    token = issue_token(world_engine, username="cachetest", name="t")
    here, there = _as(world_app, token), _as(other_worker, token)
    assert here.get("/api/v1/auth/me").json()["areas"] == ["AAA1"]
    assert there.get("/api/v1/auth/me").json()["areas"] == ["AAA1"]
    set_areas(world_engine, username="cachetest", areas=["AAA1", "BBB2"])
    assert here.get("/api/v1/auth/me").json()["areas"] == ["AAA1", "BBB2"]
    assert there.delete("/api/v1/auth/token").status_code == 204
    assert here.get("/api/v1/auth/me").status_code == 401  # revoked in the other worker
    second = issue_token(world_engine, username="cachetest", name="t2")
    assert _as(world_app, second).get("/api/v1/auth/me").status_code == 200
    disable_user(world_engine, username="cachetest")
    assert _as(world_app, second).get("/api/v1/auth/me").status_code == 401
    assert _as(other_worker, second).get("/api/v1/auth/me").status_code == 401


def test_cached_reads_are_still_audited_each_time(world_app: Any, tokens: dict[str, str],
                                                  world_engine: Engine) -> None:
    from lantern.access import audit

    for role, path, action in (("national_analyst", "/api/v1/national/funnel",
                                "national.read"),
                               ("analyst", "/api/v1/alerts", "alerts.read")):
        client = _as(world_app, tokens[role])
        before = audit.verify(world_engine).head_seq
        for _ in range(3):
            assert client.get(path).status_code == 200
        rows = [e for e in audit.show(world_engine, limit=10) if e.seq > before]
        assert [e.action for e in rows] == [action] * 3, path
    assert audit.verify(world_engine).ok
