"""``lantern evaluate``: score a run's outputs against a simulated world's truth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lantern.cli.common import CliError, JsonOption, console


def evaluate_command(
    truth: Annotated[
        Path,
        typer.Option(
            "--truth",
            help="The simulated world (or its truth/ folder) written by `lantern simulate`.",
            show_default=False,
        ),
    ],
    run: Annotated[
        Path,
        typer.Option(
            "--run",
            help="Output folder of `lantern run` (persons.csv, "
            "risk.csv, groups.csv, missed_opportunities.csv, "
            "area_stats.csv; missing files are 'not available').",
            show_default=False,
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Score linkage, victims, groups, counts, hidden-victim estimates and missed opportunities.

    Linkage is pairwise precision/recall/F1 over the records; victims are recall of true
    victims at high and at medium-or-above risk and precision of high; groups are ARI/NMI,
    offenders placed in groups and cross-area groups recovered (ARI and cross-area recall
    both over the members the records tie to their group and over every member with a
    record: some children are known only from records that name nobody); counts compare identified
    children per area and year; hidden victims check the 95% intervals; missed opportunities
    are recall and precision. See docs/simulation.md.
    """
    from lantern.evaluate import evaluate, load_run, load_truth
    from lantern.evaluate.report import to_json, to_table

    if not run.is_dir():
        raise CliError(f"--run {run} is not a folder")
    try:
        world = load_truth(truth)
    except FileNotFoundError as exc:
        raise CliError(str(exc)) from exc
    scores = evaluate(world, load_run(run))
    if as_json:
        print(to_json(scores))
    else:
        console.print(to_table(scores, title=f"{run} against {truth}"))


def register(root: typer.Typer) -> None:
    """Add the top-level ``evaluate`` command."""
    root.command("evaluate")(evaluate_command)
