"""Normalisers for contract values. Pure functions: raw text in, canonical value (or None) out.

Each returns ``None`` when the raw value is blank, and raises :class:`InvalidValue` when a
non-blank value fails its format, so that the caller can keep the raw value and record a
data-quality warning (the contract: a bad optional value never costs the row).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import phonenumbers


class InvalidValue(ValueError):
    """A non-blank value that does not match its format."""


def blank(raw: str | None) -> bool:
    return raw is None or raw.strip() == ""


# UK postcode: outward code (area, district) + inward code (sector digit, unit letters).
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})$")


def postcode(raw: str | None) -> str | None:
    """Canonical UK postcode: upper case, one space before the inward code (``S60 1AA``)."""
    if blank(raw):
        return None
    assert raw is not None
    compact = re.sub(r"\s+", "", raw).upper()
    match = _POSTCODE.match(compact)
    if not match:
        raise InvalidValue(f"not a UK postcode: {raw!r}")
    return f"{match.group(1)} {match.group(2)}"


def phone(raw: str | None) -> str | None:
    """One UK phone number to E.164 (``+447700900123``) with Google's libphonenumber rules."""
    if blank(raw):
        return None
    assert raw is not None
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException as exc:
        raise InvalidValue(f"not a phone number: {raw!r}") from exc
    if not phonenumbers.is_possible_number(number):
        raise InvalidValue(f"not a possible phone number: {raw!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def split_multi(raw: str | None) -> list[str]:
    """Split a ``;``-separated contract field into its non-blank parts."""
    if blank(raw):
        return []
    assert raw is not None
    return [part.strip() for part in raw.split(";") if part.strip()]


def phones(raw: str | None) -> str | None:
    """``;``-separated phone numbers to ``;``-joined E.164; any bad part fails the value."""
    parts = [phone(part) for part in split_multi(raw)]
    return ";".join(p for p in parts if p) or None


def vrm(raw: str | None) -> str | None:
    """Vehicle registration mark: upper case without spaces or punctuation."""
    if blank(raw):
        return None
    assert raw is not None
    compact = re.sub(r"[^A-Za-z0-9]", "", raw).upper()
    if not 2 <= len(compact) <= 8:
        raise InvalidValue(f"not a registration mark: {raw!r}")
    return compact


def account(raw: str | None) -> str | None:
    """Online account handle: lower case, no leading ``@``, inner whitespace removed."""
    if blank(raw):
        return None
    assert raw is not None
    return re.sub(r"\s+", "", raw.strip().lstrip("@").lower()) or None


def emails(raw: str | None) -> str | None:
    parts = [part.lower() for part in split_multi(raw)]
    for part in parts:
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", part):
            raise InvalidValue(f"not an email address: {part!r}")
    return ";".join(parts) or None


def nhs_number(raw: str | None) -> str | None:
    """NHS number: 10 digits whose mod-11 check digit holds."""
    if blank(raw):
        return None
    assert raw is not None
    digits = re.sub(r"[\s-]", "", raw)
    if not re.fullmatch(r"\d{10}", digits):
        raise InvalidValue(f"NHS number is not 10 digits: {raw!r}")
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    if check == 10 or check != int(digits[9]):
        raise InvalidValue(f"NHS number check digit fails: {raw!r}")
    return digits


def upn(raw: str | None) -> str | None:
    """Unique pupil number: 13 characters, a letter then 12 digits (or 11 digits and a letter)."""
    if blank(raw):
        return None
    assert raw is not None
    value = raw.strip().upper()
    if not re.fullmatch(r"[A-Z]\d{11}[0-9A-Z]", value):
        raise InvalidValue(f"not a unique pupil number: {raw!r}")
    return value


@dataclass(frozen=True)
class PartialDate:
    """A date known to the day, the month or the year."""

    iso: str  # YYYY-MM-DD, YYYY-MM or YYYY
    precision: str  # day | month | year

    @property
    def first_day(self) -> date:
        parts = [int(p) for p in self.iso.split("-")] + [1, 1]
        return date(parts[0], parts[1], parts[2])


def partial_date(raw: str | None, *, today: date | None = None) -> PartialDate | None:
    """A date of birth as ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; impossible dates fail."""
    if blank(raw):
        return None
    assert raw is not None
    value = raw.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            parsed = date.fromisoformat(value)
            result = PartialDate(parsed.isoformat(), "day")
        elif re.fullmatch(r"\d{4}-\d{2}", value):
            year, month = (int(p) for p in value.split("-"))
            parsed = date(year, month, 1)
            result = PartialDate(value, "month")
        elif re.fullmatch(r"\d{4}", value):
            parsed = date(int(value), 1, 1)
            result = PartialDate(value, "year")
        else:
            raise InvalidValue(f"date must be YYYY-MM-DD, YYYY-MM or YYYY: {raw!r}")
    except ValueError as exc:
        raise InvalidValue(f"impossible date: {raw!r}") from exc
    if parsed.year < 1900 or parsed > (today or date.today()):
        raise InvalidValue(f"impossible date of birth: {raw!r}")
    return result


def event_datetime(raw: str | None) -> datetime:
    """An event date: ``YYYY-MM-DD`` or an ISO 8601 date-time (required, so blank fails)."""
    if blank(raw):
        raise InvalidValue("event date is missing")
    assert raw is not None
    value = raw.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return datetime.fromisoformat(value)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidValue(f"not an ISO 8601 date: {raw!r}") from exc
    return parsed.replace(tzinfo=None) if parsed.tzinfo is None else parsed


def sex(raw: str | None) -> str | None:
    if blank(raw):
        return None
    assert raw is not None
    value = raw.strip().upper()
    if value not in {"F", "M", "X", "U"}:
        raise InvalidValue(f"sex must be F, M, X or U: {raw!r}")
    return value


@dataclass(frozen=True)
class Grading:
    scheme: str
    source: str
    intelligence: str
    handling: str


def grading(raw: str | None, scheme: str | None) -> Grading | None:
    """An intelligence grading such as ``2BP`` (3x5x2) or ``B24`` (5x5x5), kept with its scheme."""
    from lantern.contract.vocabulary import vocabulary

    if blank(raw):
        return None
    assert raw is not None
    vocab = vocabulary()
    name = (scheme or "").strip() or vocab.default_grading_scheme
    spec = vocab.grading_schemes.get(name)
    if spec is None:
        raise InvalidValue(f"unknown grading scheme: {name!r}")
    value = raw.strip().upper()
    if (
        len(value) != 3
        or value[0] not in spec.source
        or value[1] not in spec.intelligence
        or value[2] not in spec.handling
    ):
        raise InvalidValue(f"not a {name} grading: {raw!r}")
    return Grading(scheme=name, source=value[0], intelligence=value[1], handling=value[2])
