"""``areas.csv``: the deployment's reference list of areas (all rows good, or none loaded)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from sqlalchemy import Engine

from lantern.contract import vocabulary
from lantern.ingest.errors import SubmissionError
from lantern.ingest.source import clean_header
from lantern.ingest.writer import upsert
from lantern.store.db import transaction
from lantern.store.tables.core import areas

_AREA = re.compile(r"^[A-Z0-9]{1,16}$")


def read_areas(path: Path) -> list[dict[str, object]]:
    """Parse and check areas.csv; any bad row refuses the file with its line number."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise SubmissionError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise SubmissionError(f"{name} is not UTF-8") from exc
    if "\x00" in text:
        raise SubmissionError(f"{name} contains a NUL character")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = clean_header(next(reader, []))
    vocab = vocabulary()
    missing = [c for c in vocab.areas_required if c not in header]
    if missing:
        raise SubmissionError(f"{name} is missing required column(s): {', '.join(missing)}")
    index = {c: header.index(c) for c in (*vocab.areas_required, *vocab.areas_optional)
             if c in header}
    rows: dict[str, dict[str, object]] = {}
    previous = reader.line_num
    for row in reader:
        line, previous = previous + 1, reader.line_num
        if not row:
            continue
        if len(row) != len(header):
            raise SubmissionError(
                f"{name} line {line}: expected {len(header)} fields, got {len(row)}"
            )
        area = row[index["area"]].strip().upper()
        if not _AREA.match(area):
            raise SubmissionError(f"{name} line {line}: area must be 1-16 of A-Z0-9: {area!r}")
        if area in rows:
            raise SubmissionError(f"{name} line {line}: area {area!r} appears twice")
        display = row[index["name"]].strip()
        if not display:
            raise SubmissionError(f"{name} line {line}: missing name")
        count = row[index["child_population"]].strip()
        if not count.isdigit():
            raise SubmissionError(
                f"{name} line {line}: child_population must be a whole number: {count!r}"
            )
        region = row[index["region"]].strip() if "region" in index else ""
        rows[area] = {"area": area, "name": display, "child_population": int(count),
                      "region": region or None}
    if not rows:
        raise SubmissionError(f"{name} has no areas")
    return list(rows.values())


def load_areas(engine: Engine, path: Path) -> int:
    """Insert or update every area of ``areas.csv`` in one transaction; returns the count."""
    rows = read_areas(Path(path))
    with transaction(engine) as conn:
        upsert(conn, areas, rows, key="area")
    return len(rows)
