"""The ``lantern`` command: one Typer app with a module per command group."""

from __future__ import annotations

import os
import sys
from importlib import import_module

import typer

from lantern.cli.common import CliError, err_console

app = typer.Typer(
    name="lantern",
    help="Lantern: multi-agency intelligence on child sexual exploitation. "
    "Load agency extracts, join the pieces, screen, map networks and compare areas.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Command modules, in the order of the data flow. A module exposes either ``app`` (a
# command group named after the module) or ``register(root)`` (top-level commands).
COMMAND_MODULES = (
    "ingest",
    "run",
    "simulate",
    "evaluate",
    "resolve",
    "review",
    "screen",
    "network",
    "national",
    "access",
    "serve",
)


def _register_all(root: typer.Typer) -> None:
    for name in COMMAND_MODULES:
        module = import_module(f"lantern.cli.{name}")
        if hasattr(module, "register"):
            module.register(root)
        if hasattr(module, "app"):
            root.add_typer(module.app, name=name)


@app.callback()
def _root() -> None:
    """Lantern: multi-agency intelligence on child sexual exploitation."""


_register_all(app)


def main() -> None:
    """Entry point: user errors become one line on stderr and a non-zero exit code."""
    try:
        app(standalone_mode=True)
    except CliError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("[bold red]error:[/] interrupted")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the CLI never shows a traceback
        if os.environ.get("LANTERN_DEBUG"):
            raise
        err_console.print(
            f"[bold red]error:[/] {type(exc).__name__}: {exc} (set LANTERN_DEBUG=1 for details)",
            highlight=False,
        )
        sys.exit(1)
