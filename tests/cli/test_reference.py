"""The README's CLI reference is generated from the code; this fails when it is stale."""

from pathlib import Path

from lantern.cli.reference import END, START, render

README = Path(__file__).parents[2] / "README.md"


def test_readme_cli_reference_is_current() -> None:
    text = README.read_text("utf-8")
    assert START in text and END in text
    committed = text[text.index(START) : text.index(END) + len(END)]
    assert committed == render(), "CLI reference is stale: run `make docs`"


def test_every_command_has_help() -> None:
    reference = render()
    for block in reference.split("### ")[1:]:
        lines = [line for line in block.splitlines() if line.strip()]
        assert len(lines) >= 3, f"command without help text: {lines[0]}"
