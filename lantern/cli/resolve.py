"""``lantern resolve``: link person records across agencies, and objects and places.

Also ``lantern resolve-changes`` (merges and splits with their reasons).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lantern.cli.common import CliError, DbOption, JsonOption, console
from lantern.store.db import open_store


def resolve(
    db: DbOption = None,
    engine_name: Annotated[str, typer.Option(
        "--engine", help="Splink backend: duckdb (default, one machine) or spark "
        "(local mode here; national scale on a cluster).")] = "duckdb",
    model: Annotated[Path | None, typer.Option(
        "--model", help="Model file (Splink JSON): reused if it exists, else the newly "
        "trained model is saved there. Default: the latest model kept in the store.",
        show_default=False)] = None,
    retrain: Annotated[bool, typer.Option(
        "--retrain", help="Train a new model (EM + random-sampling u, no labels) instead "
        "of reusing the saved one; re-scores every pair.")] = False,
    full: Annotated[bool, typer.Option(
        "--full", help="Re-score every pair, not only pairs involving new or changed "
        "records.")] = False,
    threshold: Annotated[float, typer.Option(
        help="Merge records linked at or above this match probability.")] = 0.8,
    review_low: Annotated[float, typer.Option(
        help="Pairs from this probability up to the threshold go to clerical review.")] = 0.5,
    threads: Annotated[int | None, typer.Option(
        help="DuckDB threads (default: all cores).", show_default=False)] = None,
) -> None:
    """Resolve who is who: Splink scores pairs, strong links cluster, ids stay stable.

    Trains the model without labels on first use (then reuses it), scores only pairs that
    involve new or changed records, clusters on strong links under the review decisions
    and the household guard, and queues uncertain pairs for review.
    """
    from lantern.resolve import stage

    if engine_name not in ("duckdb", "spark"):
        raise CliError(f"--engine must be duckdb or spark, not {engine_name!r}")
    if not 0 <= review_low <= threshold <= 1:
        raise CliError("need 0 <= --review-low <= --threshold <= 1")
    engine = open_store(db)
    options: dict[str, object] = {"threshold": threshold, "review_low": review_low,
                                  "full": full, "retrain": retrain}
    if model is not None:
        options["model_path"] = str(model)
    if threads:
        options["threads"] = threads
    try:
        stage.run(engine, backend=engine_name, progress=True, **options)
    except ValueError as exc:
        raise CliError(str(exc)) from exc


def resolve_changes(
    db: DbOption = None,
    person: Annotated[str | None, typer.Option(
        "--person", help="Only changes touching this person_id.", show_default=False)] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many, newest first.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """Merges and splits of person ids between runs, each with its reason."""
    from lantern.resolve import review

    frame = review.changes(open_store(db), person_id=person).head(limit)
    if as_json:
        console.print_json(json.dumps(frame.astype(str).to_dict("records")))
        return
    table = Table("run", "kind", "person_id", "other", "records", "reason")
    for row in frame.itertuples():
        table.add_row(*(str(v) for v in (row.run_id, row.kind, row.person_id,
                                          row.other_person_id, row.n_records, row.reason)))
    console.print(table)


def register(root: typer.Typer) -> None:
    """Add ``resolve`` and ``resolve-changes``."""
    root.command("resolve")(resolve)
    root.command("resolve-changes")(resolve_changes)
