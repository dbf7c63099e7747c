"""``lantern simulate``: write a synthetic national world with known truth."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lantern.cli.common import CliError, console, err_console


def parse_years(text: str) -> tuple[int, ...]:
    """``2012-2013`` or ``2013`` to a tuple of years."""
    match = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*", text)
    if not match:
        raise CliError(f"--years must look like 2012-2013 or 2013, not {text!r}")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first or last - first > 20 or first < 1990:
        raise CliError(f"--years {text!r} is not a sensible range (1990 onwards, at most 21 years)")
    return tuple(range(first, last + 1))


def simulate(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Folder to write areas.csv, submissions/ and truth/ into (created if absent).",
            show_default=False,
        ),
    ],
    scale: Annotated[
        float,
        typer.Option(
            "--scale",
            help="Share of England's ~12 million children to simulate "
            "(1 = England, ~150 areas; the default 0.02 gives 3 areas and 240,000 children).",
        ),
    ] = 0.02,
    areas: Annotated[
        int | None,
        typer.Option(
            "--areas",
            help="Number of areas (default: 150 x scale, at least 2); the children "
            "are shared among them.",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: the same seed gives byte-identical output.")
    ] = 0,
    years: Annotated[
        str,
        typer.Option(
            "--years",
            help="Years covered, e.g. 2012-2013; one submission per agency, area and year.",
        ),
    ] = "2012-2013",
    bad_rows: Annotated[
        float,
        typer.Option(
            "--bad-rows",
            help="Share (0-1) of rows to damage on purpose (missing refs, unknown "
            "kinds, bad dates, dangling links, ...), logged in truth/bad_rows.csv.",
        ),
    ] = 0.0,
) -> None:
    """Generate a synthetic world: agency submissions (contract v1) plus the full truth.

    Nothing in it is real: areas, people, phone numbers, postcodes and vehicles are invented
    in reserved or unused ranges. See docs/simulation.md for the design and calibration.
    """
    from lantern.simulate.world import generate

    if scale <= 0 or scale > 5:
        raise CliError("--scale must be above 0 and at most 5")
    if not 0 <= bad_rows < 1:
        raise CliError("--bad-rows must be a share between 0 and 1")
    if areas is not None and areas < 1:
        raise CliError("--areas must be at least 1")
    if out.exists() and not out.is_dir():
        raise CliError(f"--out {out} is a file, not a folder")
    if out.exists() and any(out.iterdir()) and not (out / "truth" / "world.json").exists():
        raise CliError(f"{out} is not empty and does not hold a simulated world; pick another")
    span = parse_years(years)
    with err_console.status("simulating ...") as status:
        summary = generate(
            out,
            scale=scale,
            areas=areas,
            seed=seed,
            years=span,
            bad_rows=bad_rows,
            on_step=lambda s: status.update(f"simulating: {s} ..."),
        )
    table = Table(title=f"Simulated world in {out}", show_header=False)
    for label, value in (
        ("areas", summary.areas),
        ("children", summary.children),
        ("submissions", summary.submissions),
        ("person records", summary.person_records),
        ("events", summary.events),
        ("links", summary.links),
        ("true victims", summary.true_victims),
        ("offender groups", summary.groups),
        ("damaged rows", summary.bad_rows),
        ("seconds", round(sum(summary.seconds.values()), 1)),
    ):
        table.add_row(label, f"{value:,}" if isinstance(value, int) else str(value))
    console.print(table)


def register(root: typer.Typer) -> None:
    """Add the top-level ``simulate`` command."""
    root.command("simulate")(simulate)
