"""No row lost: for any mixture of good and bad rows, loaded + quarantined == read."""

from __future__ import annotations

import csv
import io
import itertools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from lantern.ingest import load_submission
from lantern.store.tables.core import (
    event_records,
    links,
    person_records,
    quarantine,
    submissions,
)
from tests.ingest.ingest_helpers import write_submission

_SERIAL = itertools.count()
REFS = st.sampled_from(["P1", "P2", "P3", "P4", "", " P5 ", "Q" * 70])
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
PERSON = st.one_of(
    st.tuples(REFS, TEXT, st.sampled_from(["2009-01-01", "2009-13-01", "", "1890", "2010-02"]),
              st.sampled_from(["F", "M", "q", ""]), st.sampled_from(["S60 1AA", "nope", ""])
              ).map(list),
    st.lists(TEXT, min_size=1, max_size=7),  # any width, often ragged
)
EVENT = st.tuples(
    st.sampled_from(["E1", "E2", "E3", "", "E1"]),
    st.sampled_from(["referral", "intelligence_report", "bogus", ""]),
    st.sampled_from(["2024-01-01", "2024-01-01T10:00:00Z", "2024-02-31", "", "soon"]),
    st.sampled_from(["", "2BP", "9ZZ"]),
).map(list)
LINK = st.tuples(st.sampled_from(["E1", "E2", "E9"]), st.sampled_from(["person", "thing"]),
                 st.sampled_from(["P1", "P2", "P3", "P9"]),
                 st.sampled_from(["victim", "suspect", "boss"])).map(list)


def _csv(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180: CR quoted too
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(persons=st.lists(PERSON, max_size=25), events=st.lists(EVENT, max_size=12),
       linked=st.lists(LINK, max_size=12))
def test_every_row_is_loaded_or_quarantined(
    store: Engine, persons: list[list[str]], events: list[list[str]], linked: list[list[str]]
) -> None:
    n = f"S{next(_SERIAL)}"
    files: dict[str, str | bytes | None] = {
        "persons.csv": _csv(["person_ref", "forename", "date_of_birth", "sex", "postcode"],
                            persons),
        "events.csv": _csv(["event_ref", "kind", "occurred_on", "grading"], events),
        "links.csv": _csv(["event_ref", "entity", "ref", "role"], linked),
    }
    with tempfile.TemporaryDirectory() as tmp:
        report = load_submission(store, write_submission(Path(tmp), files,
                                                         submission_id=str(n)))
    assert report.rows_read == len(persons) + len(events) + len(linked)
    for counts in report.files.values():
        assert counts.loaded + counts.quarantined == counts.read
    with store.connect() as conn:
        pk = conn.execute(select(submissions.c.id).where(
            submissions.c.submission_id == str(n))).scalar_one()

        def count(table: object, column: object) -> int:
            return int(conn.execute(select(func.count()).select_from(table)  # type: ignore[arg-type]
                                    .where(column == pk)).scalar_one())

        assert count(person_records, person_records.c.submission_pk) == \
            report.files["persons.csv"].loaded
        assert count(event_records, event_records.c.submission_pk) == \
            report.files["events.csv"].loaded
        assert count(links, links.c.submission_pk) <= report.files["links.csv"].loaded
        assert count(quarantine, quarantine.c.submission_pk) == report.rows_quarantined
