"""Commands that bring data in and show what happened to it.

``lantern ingest``, ``lantern areas load``, ``lantern quarantine list|show`` and
``lantern submissions list``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import select

from lantern.cli.common import CliError, DbOption, JsonOption, console, err_console
from lantern.store.db import open_store
from lantern.store.tables.core import quarantine, submissions

areas_app = typer.Typer(help="Reference list of areas (codes, names, child populations).",
                        no_args_is_help=True)
quarantine_app = typer.Typer(help="Rows refused at ingest, with the reason for each.",
                             no_args_is_help=True)
submissions_app = typer.Typer(help="Submissions loaded into the store.", no_args_is_help=True)

ProgressOption = Annotated[
    bool | None,
    typer.Option("--progress/--no-progress",
                 help="Show a progress bar (default: when the terminal is interactive)."),
]


def ingest(
    paths: Annotated[list[Path], typer.Argument(
        help="Submission folders, .zip files, or folders of them (loaded oldest extract first).",
        metavar="PATH", show_default=False)],
    db: DbOption = None,
    progress: ProgressOption = None,
) -> None:
    """Load agency submissions: each atomically, bad rows to quarantine, reloads skipped."""
    from lantern.ingest import SubmissionError, discover, load_submission  # heavy: pandas

    engine = open_store(db)
    show = err_console.is_terminal if progress is None else progress
    found: list[Path] = []
    refused: list[str] = []
    for path in paths:
        try:
            found.extend(discover([path]))
        except SubmissionError as exc:
            refused.append(str(exc))
            err_console.print(f"[bold red]refused[/] {exc}", highlight=False)
    for path in discover(found) if found else []:
        try:
            report = load_submission(engine, path, progress=show)
        except SubmissionError as exc:
            refused.append(f"{path.name}: {exc}")
            err_console.print(f"[bold red]refused[/] {path.name}: {exc}", highlight=False)
            continue
        style = "green" if report.status == "loaded" else "yellow"
        console.print(f"[{style}]{report.status}[/] {report.summary()}", highlight=False)
    if refused:
        raise CliError(f"{len(refused)} submission(s) refused, nothing of them loaded")


def register(root: typer.Typer) -> None:
    """Add ``ingest`` and the ``areas``, ``quarantine`` and ``submissions`` groups."""
    root.command("ingest")(ingest)
    root.add_typer(areas_app, name="areas")
    root.add_typer(quarantine_app, name="quarantine")
    root.add_typer(submissions_app, name="submissions")


@areas_app.command("load")
def areas_load(
    path: Annotated[Path, typer.Argument(help="areas.csv: area, name, child_population[, region].",
                                         show_default=False)],
    db: DbOption = None,
) -> None:
    """Insert or update the areas of an areas.csv (the whole file or nothing)."""
    from lantern.ingest import SubmissionError, load_areas  # heavy: pandas

    engine = open_store(db)
    try:
        count = load_areas(engine, path)
    except SubmissionError as exc:
        raise CliError(str(exc)) from exc
    console.print(f"loaded {count:,} area(s) from {path}", highlight=False)


def _submission_filter(value: str) -> Any:
    """``ID`` or ``AGENCY/ID``."""
    if "/" in value:
        agency, sid = value.split("/", 1)
        return (submissions.c.agency == agency) & (submissions.c.submission_id == sid)
    return submissions.c.submission_id == value


@quarantine_app.command("list")
def quarantine_list(
    submission: Annotated[str | None, typer.Option(
        "--submission", help="Only this submission (ID or AGENCY/ID).")] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many rows.")] = 200,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List quarantined rows: where each came from and why it was refused."""
    engine = open_store(db)
    q = quarantine
    query = (
        select(q.c.id, submissions.c.agency, submissions.c.submission_id, q.c.file, q.c.line,
               q.c.column, q.c.reason)
        .join(submissions, submissions.c.id == q.c.submission_pk)
        .order_by(q.c.id)
        .limit(limit)
    )
    if submission:
        query = query.where(_submission_filter(submission))
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    if as_json:
        console.print_json(json.dumps(rows))
        return
    if not rows:
        console.print("no quarantined rows")
        return
    table = Table("id", "submission", "file", "line", "column", "reason")
    for r in rows:
        table.add_row(str(r["id"]), f"{r['agency']}/{r['submission_id']}", r["file"],
                      str(r["line"]), r["column"] or "", r["reason"])
    console.print(table)


@quarantine_app.command("show")
def quarantine_show(
    row_id: Annotated[int, typer.Argument(metavar="ID", help="Quarantine row id (from list).",
                                          show_default=False)],
    db: DbOption = None,
) -> None:
    """Show one quarantined row: file, line, column, reason and the raw row as received."""
    engine = open_store(db)
    q = quarantine
    query = (
        select(q, submissions.c.agency, submissions.c.submission_id)
        .join(submissions, submissions.c.id == q.c.submission_pk)
        .where(q.c.id == row_id)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise CliError(f"no quarantined row with id {row_id}")
    r = row._mapping
    fields = json.loads(r["raw"])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    for label, value in (
        ("submission", f"{r['agency']}/{r['submission_id']}"), ("file", r["file"]),
        ("line", r["line"]), ("column", r["column"] or "(whole row)"),
        ("reason", r["reason"]), ("raw", buffer.getvalue()),
    ):
        console.print(f"[bold]{label:>10}[/] {value}", highlight=False)


@submissions_app.command("list")
def submissions_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List loaded submissions with rows read, loaded, quarantined and warned."""
    engine = open_store(db)
    s = submissions
    query = select(s.c.agency, s.c.submission_id, s.c.area, s.c.extracted_at, s.c.loaded_at,
                   s.c.rows_read, s.c.rows_loaded, s.c.rows_quarantined,
                   s.c.rows_warned).order_by(s.c.id)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    if as_json:
        console.print_json(json.dumps(rows, default=str))
        return
    if not rows:
        console.print("no submissions loaded")
        return
    table = Table("submission", "area", "extracted", "loaded", "read", "loaded rows",
                  "quarantined", "warned")
    for r in rows:
        table.add_row(f"{r['agency']}/{r['submission_id']}", r["area"],
                      str(r["extracted_at"])[:19], str(r["loaded_at"])[:19],
                      f"{r['rows_read']:,}", f"{r['rows_loaded']:,}",
                      f"{r['rows_quarantined']:,}", f"{r['rows_warned']:,}")
    console.print(table)
