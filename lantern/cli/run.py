"""``lantern run``: the batch entry point other systems drive Lantern with."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from lantern.cli.common import CliError, DbOption, console, err_console
from lantern.store.db import open_store


class Backend(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


def register(root: typer.Typer) -> None:
    root.command("run")(run)


def run(
    submissions: Annotated[
        list[Path],
        typer.Argument(
            help="Submission folders or .zip files, or folders holding many of them.",
            exists=True,
        ),
    ],
    areas: Annotated[
        Path, typer.Option("--areas", help="The deployment's areas.csv.", exists=True)
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for the contract's output files.")],
    db: DbOption = None,
    engine_name: Annotated[
        Backend, typer.Option("--engine", help="Linkage backend: duckdb (embedded) or spark.")
    ] = Backend.duckdb,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress output.")] = False,
) -> None:
    """Load submissions, resolve, screen, map networks, compute national figures, write outputs.

    Writes persons.csv, risk.csv, groups.csv, missed_opportunities.csv and area_stats.csv
    to --out, as the contract defines them. A submission refused as a whole is reported
    on one line and the rest go on; the exit code is then 1.
    """
    from lantern.ingest import SubmissionError, discover, load_areas, load_submission
    from lantern.pipeline import run_stages, stage_modules, write_outputs

    started = time.perf_counter()
    engine = open_store(db)
    try:
        load_areas(engine, areas)
        paths = discover(submissions)
    except SubmissionError as exc:
        raise CliError(str(exc)) from exc
    refused = 0
    for path in paths:
        try:
            report = load_submission(engine, path, progress=not quiet)
        except SubmissionError as exc:
            refused += 1
            err_console.print(f"[bold red]refused:[/] {path}: {exc}", highlight=False)
            continue
        if not quiet:
            console.print(
                f"{report.agency} {report.submission_id}: {report.status}, read "
                f"{report.rows_read}, loaded {report.rows_loaded}, quarantined "
                f"{report.rows_quarantined}, warned {report.rows_warned}",
                highlight=False,
            )

    def announce(stage: str) -> None:
        if not quiet:
            console.print(f"[bold]{stage}[/] …")

    timings = run_stages(
        engine, options={"resolve": {"backend": engine_name.value}}, on_stage=announce
    )
    written = write_outputs(engine, out, stage_modules())
    if not quiet:
        for name, rows in written.items():
            console.print(f"wrote {out / name} ({rows} rows)")
        stages = ", ".join(f"{k} {v:.1f}s" for k, v in timings.items())
        console.print(f"done in {time.perf_counter() - started:.1f}s ({stages})")
    if refused:
        raise CliError(f"{refused} submission(s) refused; the rest were loaded and run")
