"""The screening configuration: a versioned YAML file validated with pydantic.

All weights, windows and thresholds live in ``screening.yaml`` (sources in
``docs/screening.md``); this module only checks them and turns them into lookups.
"""

from __future__ import annotations

from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from lantern.contract import vocabulary

DEFAULT_CONFIG = "screening.yaml"


class ConfigError(ValueError):
    """The screening configuration is unreadable or invalid (a one-line message)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_Strict):
    weight: float = Field(ge=0)
    older_weight: float = Field(ge=0)
    high_on_own: bool


class Sign(_Strict):
    category: str
    label: str = Field(min_length=1)


class ChildRules(_Strict):
    adult_age_years: int = Field(gt=0, le=25)
    sign_roles: list[str]
    unknown_dob: Literal["exclude", "with_child_signs"]
    unknown_dob_roles: list[str]
    partial_dob: Literal["midpoint"]


class NetworkRules(_Strict):
    adult_roles: list[str]
    adult_flags: dict[str, str]
    ignored_place_kinds: list[str]
    min_other_children: int = Field(ge=1)


class Levels(_Strict):
    medium_score: float = Field(gt=0)
    high_score: float = Field(gt=0)
    high_distinct_signs: int = Field(ge=1)
    distinct_categories: list[str]


class MissedRules(_Strict):
    min_agencies: int = Field(ge=1)
    sign_categories: list[str]
    response_kinds: list[str]
    window_days: int = Field(ge=0)
    responses_count_from: Literal["first_sign", "picture"]


DERIVED_REQUIRED = ("victim_of_sexual_abuse_report", "shared_vehicle", "shared_place")


class ScreeningConfig(_Strict):
    """The whole file; cross-field checks against the contract's vocabulary."""

    version: str = Field(min_length=1)
    as_of: Literal["latest_extract"]
    child: ChildRules
    recent_days: int = Field(gt=0)
    categories: dict[str, Category]
    indicators: dict[str, Sign]
    derived: dict[str, Sign]
    network: NetworkRules
    levels: Levels
    missed: MissedRules

    @model_validator(mode="after")
    def _check(self) -> ScreeningConfig:
        vocab = vocabulary()
        missing = sorted(vocab.child_indicators - set(self.indicators))
        if missing:
            raise ValueError(f"indicators: child indicator(s) {missing} have no category")
        unknown = sorted(set(self.indicators) - vocab.child_indicators)
        if unknown:
            raise ValueError(f"indicators: {unknown} are not child indicators of the contract")
        for group, signs in (("indicators", self.indicators), ("derived", self.derived)):
            for name, sign in signs.items():
                if sign.category not in self.categories:
                    raise ValueError(
                        f"{group}.{name}: unknown category {sign.category!r} "
                        f"(one of {sorted(self.categories)})"
                    )
        both = sorted(set(self.indicators) & set(self.derived))
        if both:
            raise ValueError(f"derived: {both} clash with indicator names")
        need = [d for d in DERIVED_REQUIRED if d not in self.derived]
        if need:
            raise ValueError(f"derived: missing sign(s) {need}")
        for flag, derived_sign in self.network.adult_flags.items():
            if flag not in vocab.adult_indicators:
                raise ValueError(f"network.adult_flags: {flag!r} is not an adult indicator")
            if derived_sign not in self.derived:
                raise ValueError(
                    f"network.adult_flags.{flag}: {derived_sign!r} is not a derived sign")
        for field, roles in (
            ("child.sign_roles", self.child.sign_roles),
            ("network.adult_roles", self.network.adult_roles),
            ("child.unknown_dob_roles", self.child.unknown_dob_roles),
        ):
            bad = sorted(set(roles) - vocab.roles)
            if bad:
                raise ValueError(f"{field}: unknown role(s) {bad}")
        bad = sorted(set(self.missed.response_kinds) - vocab.event_kinds)
        if bad:
            raise ValueError(f"missed.response_kinds: unknown event kind(s) {bad}")
        bad = sorted(set(self.network.ignored_place_kinds) - vocab.location_kinds)
        if bad:
            raise ValueError(f"network.ignored_place_kinds: unknown kind(s) {bad}")
        for field, names in (("levels.distinct_categories", self.levels.distinct_categories),
                             ("missed.sign_categories", self.missed.sign_categories)):
            bad = sorted(set(names) - set(self.categories))
            if bad:
                raise ValueError(f"{field}: unknown categor(ies) {bad}")
        if self.levels.medium_score >= self.levels.high_score:
            raise ValueError("levels: medium_score must be below high_score")
        return self

    @cached_property
    def signs(self) -> dict[str, Sign]:
        """Every sign the screening knows: child indicators, then derived signs."""
        return {**self.indicators, **self.derived}

    def weight(self, sign: str, *, recent: bool) -> float:
        category = self.categories[self.signs[sign].category]
        return category.weight if recent else category.older_weight

    def counts_toward_high(self, sign: str) -> bool:
        """Whether the sign counts toward the distinct-sign rule for high risk."""
        return self.signs[sign].category in self.levels.distinct_categories

    def is_missed_sign(self, sign: str) -> bool:
        """Whether the sign counts as a warning sign for missed opportunities."""
        return self.signs[sign].category in self.missed.sign_categories

    def is_decisive(self, sign: str) -> bool:
        return self.categories[self.signs[sign].category].high_on_own


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "file"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}"


def parse_config(raw: object, *, source: str = DEFAULT_CONFIG) -> ScreeningConfig:
    """Validate a loaded YAML document; errors become one line naming the field."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level")
    try:
        return ScreeningConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {_first_error(exc)}") from None


def load_config(path: Path | None = None) -> ScreeningConfig:
    """The packaged configuration, or the file at ``path``."""
    if path is None:
        text = resources.files("lantern.screen").joinpath(DEFAULT_CONFIG).read_text("utf-8")
        source = DEFAULT_CONFIG
    else:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
        source = str(path)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML ({str(exc).splitlines()[0]})") from None
    return parse_config(raw, source=source)
