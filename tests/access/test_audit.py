"""The audit log's hash chain catches edits, removals and reordering; `lantern audit`."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, delete, select, update
from typer.testing import CliRunner

from lantern.access import audit
from lantern.access.audit import Actor
from lantern.store.tables.access import audit_log

ALICE = Actor("alice", "practitioner")


def _fill(engine: Engine, n: int = 5) -> None:
    for i in range(n):
        audit.record(engine, actor=ALICE, action="person.read", purpose="safeguarding",
                     subject=f"P{i}", result_ids=[f"P{i}", "P99"])


def test_an_untouched_chain_verifies(engine: Engine) -> None:
    _fill(engine)
    result = audit.verify(engine)
    assert result.ok and result.rows == 5 and result.head_seq == 5


def test_editing_any_field_is_detected(engine: Engine) -> None:
    _fill(engine)
    with engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 3).values(purpose="curiosity"))
    result = audit.verify(engine)
    assert [(p.seq, p.kind) for p in result.problems] == [(3, "edited")]


def test_editing_a_row_and_its_hash_breaks_the_next_link(engine: Engine) -> None:
    _fill(engine)
    with engine.begin() as conn:
        row = dict(conn.execute(select(audit_log).where(audit_log.c.seq == 2)).one()._mapping)
        row["username"] = "mallory"
        row["hash"] = audit.row_hash(row)
        conn.execute(update(audit_log).where(audit_log.c.seq == 2).values(
            username="mallory", hash=row["hash"]))
    kinds = {(p.seq, p.kind) for p in audit.verify(engine).problems}
    assert (3, "broken_chain") in kinds


def test_removing_a_row_is_detected(engine: Engine) -> None:
    _fill(engine)
    with engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == 2))
    kinds = {(p.seq, p.kind) for p in audit.verify(engine).problems}
    assert {(3, "gap"), (3, "broken_chain")} <= kinds


def test_reordering_rows_is_detected(engine: Engine) -> None:
    _fill(engine)
    with engine.begin() as conn:
        two = dict(conn.execute(select(audit_log).where(audit_log.c.seq == 2)).one()._mapping)
        four = dict(conn.execute(select(audit_log).where(audit_log.c.seq == 4)).one()._mapping)
        for seq, other in ((2, four), (4, two)):
            conn.execute(update(audit_log).where(audit_log.c.seq == seq).values(
                **{k: v for k, v in other.items() if k != "seq"}))
    result = audit.verify(engine)
    assert not result.ok
    assert {p.seq for p in result.problems} >= {2, 4}


def test_concurrent_appends_keep_one_unbroken_chain(engine: Engine) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda i: audit.record(engine, actor=ALICE, action="x",
                                             subject=str(i)), range(40)))
    result = audit.verify(engine)
    assert result.ok and result.rows == 40


def test_plain_dbapi_and_sqlalchemy_appends_write_one_chain(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    # the hot path appends with plain DBAPI statements; the SQLAlchemy path (other
    # backends, in-memory stores) must write the very same rows, so the two interleave
    assert audit._raw_appender(engine) is not None
    _fill(engine, 2)
    with monkeypatch.context() as patch:
        patch.setattr(audit, "_raw_appender", lambda _engine: None)
        _fill(engine, 2)
    audit.record(engine, actor=ALICE, action="person.search", result_ids=["P1", "P2"],
                 detail={"query": {"name": "Zoë O'Neil"}}, client="127.0.0.1")
    result = audit.verify(engine)
    assert result.ok and result.rows == 5
    last = audit.show(engine, limit=1)[0]
    assert (last.seq, last.result_ids, last.detail, last.client) == (
        5, ["P1", "P2"], {"query": {"name": "Zoë O'Neil"}}, "127.0.0.1")


def test_show_filters_by_user_person_and_time(engine: Engine) -> None:
    _fill(engine, 3)
    audit.record(engine, actor=Actor("bob", "analyst"), action="person.search",
                 result_ids=["P1", "P7"])
    assert [e.username for e in audit.show(engine, user="bob")] == ["bob"]
    about_p1 = audit.show(engine, person="P1")
    assert {e.username for e in about_p1} == {"alice", "bob"}
    assert all("P1" in e.result_ids or e.subject == "P1" for e in about_p1)
    assert audit.show(engine, person="P7")[0].action == "person.search"
    first = audit.show(engine, limit=10)[-1]
    from datetime import datetime
    moment = datetime.fromisoformat(first.at.rstrip("Z"))
    assert len(audit.show(engine, until=moment)) == 1
    assert len(audit.show(engine, since=datetime(2999, 1, 1))) == 0


def test_cli_verify_reports_a_tampered_row(engine: Engine, store_url: str) -> None:
    from lantern.cli.main import app

    _fill(engine)
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify", "--db", store_url])
    assert ok.exit_code == 0, ok.output
    assert "intact" in ok.output
    with engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 4).values(
            result_ids=json.dumps(["P0"])))
    bad = runner.invoke(app, ["audit", "verify", "--db", store_url])
    assert bad.exit_code != 0
    assert "row 4: edited" in bad.output


def test_cli_show_filters(engine: Engine, store_url: str) -> None:
    from lantern.cli.main import app

    _fill(engine, 2)
    audit.record(engine, actor=Actor("bob", "analyst"), action="alerts.read")
    out = CliRunner().invoke(app, ["audit", "show", "--user", "bob", "--json", "--db",
                                   store_url])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert [r["action"] for r in rows] == ["alerts.read"]
