"""The contract's vocabulary, loaded once from ``vocabulary.yaml`` (the ontology as data)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class FileSpec:
    """Columns of one submission file."""

    name: str
    required_file: bool
    key: str | None
    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


@dataclass(frozen=True)
class GradingScheme:
    name: str
    source: str
    intelligence: str
    handling: str


@dataclass(frozen=True)
class Vocabulary:
    contract_versions: frozenset[str]
    agency_types: frozenset[str]
    sexes: frozenset[str]
    object_kinds: frozenset[str]
    location_kinds: frozenset[str]
    link_entities: frozenset[str]
    roles: frozenset[str]
    event_kinds: frozenset[str]
    child_indicators: frozenset[str]
    adult_indicators: frozenset[str]
    grading_schemes: dict[str, GradingScheme]
    default_grading_scheme: str
    files: dict[str, FileSpec]
    areas_required: tuple[str, ...]
    areas_optional: tuple[str, ...]
    outputs: dict[str, tuple[str, ...]]
    victim_event_kinds: frozenset[str]
    victim_indicators: frozenset[str]
    protected_characteristics: frozenset[str]

    @property
    def indicators(self) -> frozenset[str]:
        return self.child_indicators | self.adult_indicators


def _parse(raw: dict[str, Any]) -> Vocabulary:
    files = {
        name: FileSpec(
            name=name,
            required_file=bool(spec["required_file"]),
            key=spec["key"],
            required=tuple(spec["required"]),
            optional=tuple(spec["optional"]),
        )
        for name, spec in raw["files"].items()
    }
    schemes = {
        name: GradingScheme(name=name, **spec) for name, spec in raw["grading_schemes"].items()
    }
    return Vocabulary(
        contract_versions=frozenset(raw["contract_versions"]),
        agency_types=frozenset(raw["agency_types"]),
        sexes=frozenset(raw["sexes"]),
        object_kinds=frozenset(raw["object_kinds"]),
        location_kinds=frozenset(raw["location_kinds"]),
        link_entities=frozenset(raw["link_entities"]),
        roles=frozenset(raw["roles"]),
        event_kinds=frozenset(raw["event_kinds"]),
        child_indicators=frozenset(raw["child_indicators"]),
        adult_indicators=frozenset(raw["adult_indicators"]),
        grading_schemes=schemes,
        default_grading_scheme=raw["default_grading_scheme"],
        files=files,
        areas_required=tuple(raw["areas_columns"]["required"]),
        areas_optional=tuple(raw["areas_columns"]["optional"]),
        outputs={name: tuple(cols) for name, cols in raw["outputs"].items()},
        victim_event_kinds=frozenset(raw["identified_victim"]["victim_event_kinds"]),
        victim_indicators=frozenset(raw["identified_victim"]["indicators"]),
        protected_characteristics=frozenset(raw["protected_characteristics"]),
    )


@cache
def vocabulary() -> Vocabulary:
    """The contract v1 vocabulary (cached; the YAML ships inside the package)."""
    text = resources.files("lantern.contract").joinpath("vocabulary.yaml").read_text("utf-8")
    return _parse(yaml.safe_load(text))
