"""The network stage's settings: a versioned YAML file checked against a schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

DEFAULT_CONFIG = Path(__file__).with_name("config.yaml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SchemeFactors(_Strict):
    source: dict[str, float]
    intelligence: dict[str, float]


class Grading(_Strict):
    schemes: dict[str, SchemeFactors]
    ungraded_intelligence: float = Field(ge=0)
    ungraded_other: float = Field(ge=0)


class Recency(_Strict):
    half_life_years: float = Field(gt=0)
    floor: float = Field(ge=0, le=1)


class Tie(_Strict):
    saturation: float = Field(gt=0)
    full_weight_up_to: int = Field(ge=2)
    max_event_size: int = Field(ge=2)
    suspect_home: float = Field(ge=0, le=1)
    person_phone: float = Field(ge=0, le=1)
    hub_full_weight_up_to: int = Field(default=0, ge=0)


class Groups(_Strict):
    objective: Literal["cpm", "modularity"]
    implementation: Literal["igraph", "leidenalg"]
    resolution: float = Field(gt=0)
    seed: int
    n_iterations: int
    min_suspects: int = Field(ge=0)
    min_members: int = Field(ge=1)
    entity_size: float = Field(default=1.0, ge=0)


class KeyActor(_Strict):
    strength: float = Field(ge=0)
    pagerank: float = Field(ge=0)
    betweenness: float = Field(ge=0)


class Areas(_Strict):
    from_postcodes: bool
    from_towns: bool
    min_records: int = Field(ge=1)
    min_share: float = Field(gt=0.5, le=1)


class Hotspots(_Strict):
    min_children: int = Field(ge=1)
    event_kinds: list[str]


class Suspects(_Strict):
    roles: list[str]
    kinds: list[str]
    kind_roles: list[str]


class NetworkConfig(_Strict):
    version: int
    event_kinds: dict[str, float]
    default_event_kind: float = Field(ge=0)
    roles: dict[str, float]
    default_role: float = Field(ge=0)
    suspects: Suspects
    grading: Grading
    recency: Recency
    tie: Tie
    groups: Groups
    key_actor: KeyActor
    areas: Areas
    hotspots: Hotspots


def _from_raw(raw: dict[str, Any]) -> NetworkConfig:
    grading = dict(raw.get("grading", {}))
    schemes = {k: grading.pop(k) for k in list(grading) if k not in (
        "ungraded_intelligence", "ungraded_other")}
    raw = {**raw, "grading": {**grading, "schemes": schemes}}
    return NetworkConfig.model_validate(raw)


def load_config(path: str | Path | None = None, **overrides: Any) -> NetworkConfig:
    """Read the YAML (the packaged default unless ``path``), then apply dotted overrides.

    ``overrides`` use ``section__field`` keys, e.g. ``groups__resolution=0.1``, so that the
    stage's ``**options`` and the benchmarks can vary one setting without a new file.
    """
    raw = yaml.safe_load(Path(path or DEFAULT_CONFIG).read_text(encoding="utf-8"))
    for key, value in overrides.items():
        section, _, field = key.partition("__")
        if not field:
            raw[section] = value
        else:
            raw.setdefault(section, {})[field] = value
    return _from_raw(raw)
