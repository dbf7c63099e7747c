"""Shared CLI pieces: the ``--db`` option, one-line errors, consoles."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)


class CliError(Exception):
    """A user-facing failure: printed as one clear line, exit code 1, never a traceback."""


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="LANTERN_DB",
        help="Store URL or SQLite path (default ./lantern-data/lantern.db; "
        "PostgreSQL: postgresql://user@host/dbname).",
        show_envvar=True,
    ),
]

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
