"""The CLI reference, generated from the Typer app itself (so it can never drift).

``python -m lantern.cli.reference --write README.md`` rewrites the block between the
markers; a test fails when the committed block is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

START = "<!-- cli-reference:start -->"
END = "<!-- cli-reference:end -->"


def _walk(command: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    found = [(path, command)]
    if hasattr(command, "commands"):
        for name in sorted(command.commands):
            found.extend(_walk(command.commands[name], [*path, name]))
    return found


def _option_line(param: Any) -> str:
    if param.param_type_name == "argument":
        help_text = " ".join((getattr(param, "help", None) or "").split())
        return f"- `{(param.name or '').upper()}` (argument): {help_text}".rstrip(": ")
    names = ", ".join(f"`{n}`" for n in param.opts + param.secondary_opts)
    help_text = " ".join((param.help or "").split())
    return f"- {names}: {help_text}".rstrip(": ")


def render() -> str:
    """Markdown for every command: usage line, help text and options."""
    from lantern.cli.main import app

    root = typer.main.get_command(app)
    lines = [START, "", "## CLI reference", "", "Generated from the code by `make docs`.", ""]
    for path, command in _walk(root, ["lantern"]):
        if command.hidden:
            continue
        ctx = typer.Context(command, info_name=" ".join(path))
        lines.append(f"### `{' '.join(path)}`")
        lines.append("")
        lines.append(f"`{command.get_usage(ctx).removeprefix('Usage: ').strip()}`")
        lines.append("")
        if command.help:
            lines.append(" ".join(command.help.split("\b")).strip())
            lines.append("")
        params = [p for p in command.params if p.name != "help"]
        if params and not hasattr(command, "commands"):
            lines.extend(_option_line(p) for p in params)
            lines.append("")
    lines.append(END)
    return "\n".join(lines)


def update(readme: Path) -> bool:
    """Replace the reference block in ``readme``; returns True when it changed."""
    text = readme.read_text("utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    new = head + render() + tail
    if new != text:
        readme.write_text(new, "utf-8")
        return True
    return False


if __name__ == "__main__":
    target = Path(sys.argv[sys.argv.index("--write") + 1]) if "--write" in sys.argv else None
    if target is None:
        print(render())
    else:
        print("updated" if update(target) else "up to date")
