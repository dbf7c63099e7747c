"""Helpers for ingest tests: write small submissions, count what the store holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from lantern.store.tables import core

SAMPLE = Path(__file__).parents[1] / "fixtures" / "sample"

PERSONS = "person_ref,forename,surname,date_of_birth\nP1,Ann,Lark,2009-01-02\nP2,Bo,Wren,1980\n"
EVENTS = "event_ref,kind,occurred_on\nE1,referral,2024-01-05\nE2,stop_check,2024-01-06\n"
LINKS = "event_ref,entity,ref,role\nE1,person,P1,subject\n"

MANIFEST: dict[str, Any] = {
    "contract": "1",
    "submission_id": "TST-1",
    "agency": {"code": "TST", "type": "police", "name": "Test Constabulary (fictional)"},
    "area": "ZZ000001",
    "extracted_at": "2024-01-31T23:00:00Z",
}

TABLES = (core.submissions, core.agencies, core.person_records, core.object_records,
          core.location_records, core.event_records, core.event_indicators, core.links,
          core.withdrawals, core.quarantine, core.dq_warnings)


def write_submission(root: Path, files: dict[str, str | bytes | None] | None = None, *,
                     name: str = "sub", manifest: dict[str, Any] | None = None,
                     **changes: Any) -> Path:
    """A submission folder; ``files`` default to small good persons/events/links."""
    folder = root / name
    folder.mkdir(parents=True)
    data = {**MANIFEST, **(manifest or {}), **changes}
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    chosen: dict[str, str | bytes | None] = {
        "persons.csv": PERSONS, "events.csv": EVENTS, "links.csv": LINKS,
    }
    chosen.update(files or {})
    for file, content in chosen.items():
        if content is None:
            continue
        path = folder / file
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def counts(engine: Engine) -> dict[str, int]:
    """Rows in every ingest table."""
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in TABLES}


def rows(engine: Engine, table: Any, *where: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        query = select(table).where(*where).order_by(*table.primary_key.columns)
        return [dict(r._mapping) for r in conn.execute(query)]
