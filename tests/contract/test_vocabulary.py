"""The vocabulary data matches the contract text (../shared/CONTRACT.md, copied in docs)."""

from __future__ import annotations

import re
from pathlib import Path

from lantern.contract import vocabulary

CONTRACT = Path(__file__).parents[2] / "docs" / "contract.md"


def _codes(section: str) -> set[str]:
    text = CONTRACT.read_text("utf-8")
    start = text.index(section)
    end = text.index("\n### ", start + 1)
    return set(re.findall(r"`([a-z_]+)`", text[start:end]))


def test_event_kinds_and_indicators_match_the_contract() -> None:
    vocab = vocabulary()
    assert vocab.event_kinds == _codes("### Event kinds")
    assert vocab.indicators == _codes("### Indicator codes")
    assert vocab.victim_event_kinds <= vocab.event_kinds
    assert vocab.victim_indicators <= vocab.indicators


def test_files_and_columns() -> None:
    vocab = vocabulary()
    assert {n for n, f in vocab.files.items() if f.required_file} == {"persons.csv",
                                                                      "events.csv"}
    assert vocab.files["persons.csv"].columns[0] == "person_ref"
    assert vocab.files["events.csv"].required == ("event_ref", "kind", "occurred_on")
    assert set(vocab.files["links.csv"].required) == {"event_ref", "entity", "ref", "role"}
    assert vocab.agency_types == {"police", "social_care", "health", "education",
                                  "youth_justice", "voluntary", "housing"}


def test_grading_schemes() -> None:
    schemes = vocabulary().grading_schemes
    assert vocabulary().default_grading_scheme == "3x5x2"
    assert (schemes["3x5x2"].source, schemes["3x5x2"].intelligence,
            schemes["3x5x2"].handling) == ("123", "ABCDE", "PC")
    assert (schemes["5x5x5"].source, schemes["5x5x5"].handling) == ("ABCDE", "12345")


def test_protected_characteristics_are_listed() -> None:
    assert {"ethnicity", "nationality", "religion"} <= vocabulary().protected_characteristics
