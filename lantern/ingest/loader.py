"""Loading one submission: one transaction, bulk writes, supersession, withdrawals.

Files load in the order persons, objects, locations, events, links, withdrawn so that
every cross-reference can be checked against what this submission (or an earlier one
from the same agency) holds. A failure anywhere rolls the whole submission back.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from itertools import compress, repeat
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import Connection, Engine, Table, select, text, update
from sqlalchemy.exc import IntegrityError

from lantern.ingest import rules
from lantern.ingest.batch import Batch, each, lengths
from lantern.ingest.errors import SubmissionError
from lantern.ingest.reader import read_chunks
from lantern.ingest.report import FileCounts, IngestReport
from lantern.ingest.source import (
    FileScan,
    Manifest,
    Source,
    check_files,
    check_header,
    check_utf8,
)
from lantern.ingest.writer import (
    any_records,
    current_records,
    insert_columns,
    insert_rows,
    lock_for_ingest,
    next_id,
    select_in,
    set_flag,
    sync_sequence,
    upsert,
)
from lantern.store.db import transaction
from lantern.store.tables.core import (
    agencies,
    areas,
    dq_warnings,
    event_indicators,
    event_records,
    links,
    location_records,
    object_records,
    person_records,
    quarantine,
    submissions,
    withdrawals,
)

PAUSE_ENV = "LANTERN_INGEST_TEST_PAUSE"

RECORDS: dict[str, tuple[Table, str, str]] = {
    "persons.csv": (person_records, "person_ref", "person"),
    "objects.csv": (object_records, "object_ref", "object"),
    "locations.csv": (location_records, "location_ref", "location"),
    "events.csv": (event_records, "event_ref", "event"),
}
TABLE_OF = {entity: (table, key) for table, key, entity in RECORDS.values()}
_COMMON = ("submission_pk", "agency", "area", "version", "is_current", "withdrawn")


class _AlreadyLoaded(Exception):
    pass


def pick(values: Any, mask: np.ndarray) -> list[Any]:
    """The entries of a column for the rows under ``mask``, as plain Python values."""
    if isinstance(values, pd.Series):
        values = values.to_numpy()
    if isinstance(values, np.ndarray):
        return list(values[mask].tolist())
    return list(compress(values, mask))


def load_submission(engine: Engine, path: Path, *, progress: bool = False) -> IngestReport:
    """Load one submission folder or zip atomically; see ``docs/ingest.md``.

    Raises :class:`SubmissionError` (and loads nothing) when the submission cannot be
    read as a whole. Loading the same ``(agency, submission_id)`` again changes nothing.
    """
    path = Path(path)
    with Source(path) as source:
        manifest = source.manifest()
        files = check_files(source)
        scans = {name: check_utf8(source, name) for name in files}
        for name in files:
            check_header(source, name)
        try:
            with transaction(engine) as conn:
                loader = _Loader(conn, source, manifest)
                return loader.run(files, scans, progress=progress)
        except _AlreadyLoaded:
            return IngestReport(
                submission_id=manifest.submission_id, agency=manifest.agency.code,
                area=manifest.area, status="already loaded", source=path,
            )


class _Loader:
    """State of one submission's load inside its transaction."""

    def __init__(self, conn: Connection, source: Source, manifest: Manifest) -> None:
        self.conn = conn
        self.source = source
        self.manifest = manifest
        self.agency = manifest.agency.code
        self.area = manifest.area
        self.pk = 0
        self.report = IngestReport(
            submission_id=manifest.submission_id, agency=self.agency, area=self.area,
            status="loaded", source=source.path,
        )
        self.loaded: dict[str, set[str]] = {"person": set(), "object": set(), "location": set()}
        self.event_ids: dict[str, int] = {}
        self.superseded_events: dict[str, int] = {}  # event_ref -> id of the older version
        self.linked_events: set[str] = set()
        self.paused = False

    # -- the submission as a whole --------------------------------------------------

    def run(self, files: Sequence[str], scans: dict[str, FileScan], *,
            progress: bool) -> IngestReport:
        self._begin()
        self.next_event_id = next_id(self.conn, event_records)
        if not progress:
            for name in files:
                self._load_file(name, scans[name], None)
        else:
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TimeRemainingColumn())
            with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
                for name in files:
                    total = max(scans[name].newlines, 1)
                    task = bar.add_task(f"{self.agency}/{name}", total=total)
                    self._load_file(name, scans[name], lambda n, t=task: bar.advance(t, n))
        self._carry_links_forward()
        sync_sequence(self.conn, event_records)
        report = self.report
        self.conn.execute(
            update(submissions).where(submissions.c.id == self.pk).values(
                rows_read=report.rows_read, rows_loaded=report.rows_loaded,
                rows_quarantined=report.rows_quarantined, rows_warned=report.rows_warned,
            )
        )
        return report

    def _begin(self) -> None:
        conn, manifest = self.conn, self.manifest
        lock_for_ingest(conn)
        exists = select(submissions.c.id).where(
            submissions.c.agency == self.agency,
            submissions.c.submission_id == manifest.submission_id,
        )
        if conn.execute(exists).first() is not None:
            raise _AlreadyLoaded
        if conn.execute(select(areas.c.area).where(areas.c.area == self.area)).first() is None:
            raise SubmissionError(
                f"unknown area {self.area!r} (load the areas first: lantern areas load)"
            )
        upsert(conn, agencies, [{"code": self.agency, "type": manifest.agency.type,
                                 "name": manifest.agency.name}],
               key="code", keep_when_null=("name",))
        try:
            result = conn.execute(submissions.insert().values(
                submission_id=manifest.submission_id, agency=self.agency, area=self.area,
                contract=manifest.contract, extracted_at=manifest.extracted_utc,
                loaded_at=datetime.now(UTC).replace(tzinfo=None), source=str(self.source.path),
                rows_read=0, rows_loaded=0, rows_quarantined=0, rows_warned=0,
            ))
        except IntegrityError as exc:  # the same submission committed meanwhile
            raise _AlreadyLoaded from exc
        key = result.inserted_primary_key
        assert key is not None
        self.pk = int(key[0])

    # -- one file --------------------------------------------------------------------

    def _load_file(self, name: str, scan: FileScan, advance: Any) -> None:
        counts = self.report.files.setdefault(name, FileCounts())
        seen: dict[str, int] = {}
        stored = name in RECORDS and any_records(self.conn, RECORDS[name][0], self.agency)
        with self.source.open(name) as stream:
            for raw in read_chunks(stream, file=name, nul=scan.nul, quotes=scan.quotes):
                batch = Batch(raw)
                if name in RECORDS:
                    self._records(name, batch, seen, stored=stored)
                elif name == "links.csv":
                    self._links(batch, seen)
                else:
                    self._withdrawn(batch, seen)
                self._problems(batch)
                counts.read += raw.size
                counts.loaded += int(batch.ok.sum())
                counts.quarantined += len(batch.quarantined)
                counts.warned += int((batch.warned & batch.ok).sum())
                if advance is not None:
                    advance(raw.size)
                self._pause_for_tests()

    def _records(self, name: str, batch: Batch, seen: dict[str, int], *, stored: bool) -> None:
        table, key, entity = RECORDS[name]
        if name == "persons.csv":
            values = rules.persons(batch, seen, extracted=self.manifest.extracted_utc.date())
        elif name == "objects.csv":
            values = rules.objects(batch, seen)
        elif name == "locations.csv":
            values = rules.locations(batch, seen)
        else:
            values = rules.events(batch, seen)
            self._check_locations(batch, values)
        ok = batch.ok
        refs = pick(values[key], ok)
        existing = current_records(self.conn, table, key, self.agency, refs) if stored else {}
        if existing:
            set_flag(self.conn, table, "is_current", False, [i for i, _ in existing.values()])
            self.report.superseded += len(existing)
        versions = [existing[r][1] + 1 if r in existing else 1 for r in refs]
        columns = [c for c in values if c in table.c and c != key]
        data = [pick(values[c], ok) for c in columns]
        head = [*_COMMON, key]
        constants: list[Iterable[Any]] = [repeat(self.pk), repeat(self.agency), repeat(self.area)]
        flags: list[Iterable[Any]] = [versions, repeat(True), repeat(False), refs]
        if entity == "event":
            ids = list(range(self.next_event_id, self.next_event_id + len(refs)))
            self.next_event_id += len(refs)
            head = ["id", *head]
            constants = [ids, *constants]
            self.event_ids.update(zip(refs, ids, strict=True))
            self.superseded_events.update({r: existing[r][0] for r in refs if r in existing})
            pairs = [(i, code) for i, codes in zip(ids, pick(values["indicator_codes"], ok),
                                                   strict=True) for code in codes]
        else:
            self.loaded[entity].update(refs)
        insert_columns(self.conn, table, [*head, *columns], [*constants, *flags, *data])
        if entity == "event":
            insert_rows(self.conn, event_indicators, ["event_record_id", "indicator"], pairs)

    def _check_locations(self, batch: Batch, values: rules.Values) -> None:
        """An event's location_ref pointing nowhere is warned, not quarantined."""
        refs: pd.Series = values["location_ref"]
        given = batch.ok & refs.ne("").to_numpy()
        if not given.any():
            return
        known = self.loaded["location"]
        unknown = [r for r in set(refs[given]) if r not in known]
        found = self._stored("location", unknown)
        missing = given & refs.isin([r for r in unknown if r not in found]).to_numpy()
        batch.warn(missing, "location_ref", refs,
                   each("location_ref {!r} not found in this submission or earlier ones from "
                        + self.agency, refs))
        too_long = missing & (lengths(refs) > rules.MAX_REF)
        values["location_ref"] = refs.where(~too_long & refs.ne(""), None)

    def _stored(self, entity: str, refs: Sequence[str]) -> dict[str, tuple[int, int]]:
        """Current stored records of this agency among ``refs``."""
        refs = [r for r in refs if len(r) <= rules.MAX_REF]
        if not refs:
            return {}
        table, key = TABLE_OF[entity]
        return current_records(self.conn, table, key, self.agency, refs)

    def _links(self, batch: Batch, seen: dict[str, int]) -> None:
        values = rules.links(batch, seen)
        event_refs: pd.Series = values["event_ref"]
        ok = batch.ok
        leftovers = [r for r in set(event_refs[ok]) if r not in self.event_ids]
        stored_events = {r: i for r, (i, _) in self._stored("event", leftovers).items()}
        record_ids = [self.event_ids.get(r, stored_events.get(r)) for r in event_refs]
        batch.reject(np.array([i is None for i in record_ids]), "event_ref",
                     each("event_ref {!r} not found in this submission or earlier ones from "
                          + self.agency, event_refs))
        entities: pd.Series = values["entity"]
        refs: pd.Series = values["ref"]
        for entity, known in self.loaded.items():
            mask = batch.ok & entities.eq(entity).to_numpy()
            if not mask.any():
                continue
            unknown = [r for r in set(refs[mask]) if r not in known]
            found = self._stored(entity, unknown)
            missing = mask & refs.isin([r for r in unknown if r not in found]).to_numpy()
            batch.reject(missing, "ref", each(entity + " {!r} not found in this submission or "
                                              "earlier ones from " + self.agency, refs))
        ok = batch.ok
        ids = pick(record_ids, ok)
        rows = list(zip(ids, repeat(self.pk), repeat(self.agency), pick(event_refs, ok),
                        pick(entities, ok), pick(refs, ok), pick(values["role"], ok),
                        pick(values["line"], ok), pick(values["extra"], ok)))
        self.linked_events.update(r for r in pick(event_refs, ok) if r in self.event_ids)
        rows = self._drop_known_links(rows, set(stored_events.values()))
        insert_rows(self.conn, links, ["event_record_id", "submission_pk", "agency", "event_ref",
                                       "entity", "ref", "role", "line", "extra"], rows)

    def _drop_known_links(self, rows: list[tuple[Any, ...]], stored: set[int]) -> list[Any]:
        """A link to an earlier event that it already has is loaded already: skip it."""
        targets = sorted({row[0] for row in rows if row[0] in stored})
        if not targets:
            return rows
        sql = "SELECT event_record_id, entity, ref, role FROM links WHERE event_record_id {in}"
        have = {tuple(r) for r in select_in(self.conn, sql, (), targets)}
        return [row for row in rows if (row[0], row[4], row[5], row[6]) not in have]

    def _carry_links_forward(self) -> None:
        """A re-sent event without links in this submission keeps its earlier links."""
        pairs = [{"new": self.event_ids[ref], "old": old}
                 for ref, old in self.superseded_events.items()
                 if ref not in self.linked_events]
        if not pairs:
            return
        self.conn.execute(text(
            "INSERT INTO links (event_record_id, submission_pk, agency, event_ref, entity, "
            "ref, role, line, extra) SELECT :new, submission_pk, agency, event_ref, entity, "
            "ref, role, line, extra FROM links WHERE event_record_id = :old"
        ), pairs)

    def _withdrawn(self, batch: Batch, seen: dict[str, int]) -> None:
        values = rules.withdrawn(batch, seen)
        entities: pd.Series = values["entity"]
        refs: pd.Series = values["ref"]
        for entity in rules.WITHDRAWABLE:
            mask = batch.ok & entities.eq(entity).to_numpy()
            if not mask.any():
                continue
            found = self._stored(entity, list(set(refs[mask])))
            missing = mask & ~refs.isin(list(found)).to_numpy()
            batch.reject(missing, "ref", each(entity + " {!r} not found in this submission or "
                                              "earlier ones from " + self.agency, refs))
            table, _ = TABLE_OF[entity]
            set_flag(self.conn, table, "withdrawn", True, [i for i, _ in found.values()])
            self.report.withdrawn += len(found)
        ok = batch.ok
        rows = list(zip(repeat(self.pk), repeat(self.agency), pick(entities, ok),
                        pick(refs, ok), pick(values["reason"], ok), pick(values["line"], ok),
                        pick(values["extra"], ok)))
        insert_rows(self.conn, withdrawals,
                    ["submission_pk", "agency", "entity", "ref", "reason", "line", "extra"], rows)

    # -- quarantine and warnings -----------------------------------------------------

    def _problems(self, batch: Batch) -> None:
        insert_rows(self.conn, quarantine,
                    ["submission_pk", "file", "line", "column", "reason", "raw"],
                    [(self.pk, q.file, q.line, q.column, q.reason, q.raw)
                     for q in batch.quarantined])
        insert_rows(self.conn, dq_warnings,
                    ["submission_pk", "file", "line", "column", "value", "reason"],
                    [(self.pk, w.file, w.line, w.column, w.value, w.reason)
                     for w in batch.warnings])

    def _pause_for_tests(self) -> None:
        """Crash-safety tests: signal (by creating a file) and wait inside the transaction."""
        marker = os.environ.get(PAUSE_ENV)
        if marker and not self.paused:
            self.paused = True
            Path(marker).write_text(str(os.getpid()), encoding="utf-8")
            time.sleep(120)


__all__ = ["SubmissionError", "load_submission"]
