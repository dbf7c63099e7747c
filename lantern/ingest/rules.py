"""The contract's row rules per file, on whole columns. Pure: no I/O, no database.

Each function validates a :class:`Batch` in place (quarantine, warnings) and returns
the values to store for every row, aligned with the batch; the loader keeps the rows
still ``ok``. Cross-file checks that need the store (links, withdrawals, an event's
location) are the loader's.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from lantern.contract import normalise as norm
from lantern.contract import vocabulary
from lantern.ingest.batch import Batch, each, lengths, lowered, map_unique, normalise

MAX_REF = 64
MAX_SUMMARY = 4000
WITHDRAWABLE = ("person", "object", "location", "event")

Values = dict[str, Any]


def check_ref(batch: Batch, key: str, seen: dict[str, int]) -> pd.Series:
    """A required ref: present, at most 64 characters, once per file (first one wins)."""
    refs = batch.stripped(key)
    batch.reject(refs.eq("").to_numpy(), key, f"missing {key}")
    batch.reject(lengths(refs) > MAX_REF, key, f"{key} is longer than {MAX_REF} characters")
    reject_repeats(batch, refs, seen, key, "duplicate " + key + " {!r}", refs)
    return refs


def reject_repeats(batch: Batch, keys: pd.Series, first: dict[str, int], column: str | None,
                   what: str, *shown: pd.Series) -> None:
    """Quarantine a good row whose key an earlier good row of the same file had.

    ``what`` is the reason, formatted with the ``shown`` columns' values of the row.
    """
    template = what + " (first on line {})"
    if first:
        earlier = pd.Series([first.get(k) for k in keys], index=keys.index, dtype="float64")
        batch.reject(earlier.notna().to_numpy(), column,
                     each(template, *shown, earlier.fillna(0).astype(np.int64)))
    good = keys[batch.ok]
    repeated = good.duplicated(keep="first")
    if repeated.any():
        lines = pd.Series(batch.lines[batch.ok], index=good.index)
        firsts = lines.groupby(good.to_numpy()).transform("min").reindex(keys.index)
        mask = np.zeros(len(keys), dtype=bool)
        mask[np.flatnonzero(batch.ok)[repeated.to_numpy()]] = True
        batch.reject(mask, column, each(template, *shown, firsts.fillna(0).astype(np.int64)))
    first.update(zip(keys[batch.ok], batch.lines[batch.ok].tolist(), strict=True))


def check_choice(batch: Batch, column: str, allowed: frozenset[str] | tuple[str, ...],
                 what: str) -> pd.Series:
    """A required value from the vocabulary (compared in lower case)."""
    values = lowered(batch.stripped(column))
    batch.reject(values.eq("").to_numpy(), column, f"missing {column}")
    unknown = ~values.isin(list(allowed)).to_numpy()
    batch.reject(unknown, column, each(f"unknown {what} {{!r}}", batch.col(column)))
    return values


def extras(batch: Batch, known: tuple[str, ...]) -> list[str | None]:
    """Columns beyond the contract, kept as a JSON object of the non-blank values."""
    names = [c for c in batch.raw.columns if c not in known and c]
    if not names:
        return [None] * len(batch)
    frame = batch.raw.frame[names]
    out: list[str | None] = []
    for row in frame.itertuples(index=False, name=None):
        kept = {k: v for k, v in zip(names, row, strict=True) if v and not v.isspace()}
        out.append(json.dumps(kept, ensure_ascii=False) if kept else None)
    return out


def common(batch: Batch, key: str, seen: dict[str, int]) -> Values:
    refs = check_ref(batch, key, seen)
    return {key: refs, "line": batch.lines}


def persons(batch: Batch, seen: dict[str, int], *, extracted: date) -> Values:
    spec = vocabulary().files["persons.csv"]
    values = common(batch, "person_ref", seen)
    dob = normalise(batch, "date_of_birth", partial(norm.partial_date, today=extracted))
    values["dob"] = [d.iso if d else None for d in dob]
    values["dob_precision"] = [d.precision if d else None for d in dob]
    for column, target, fn in (
        ("sex", "sex", norm.sex),
        ("postcode", "postcode", norm.postcode),
        ("phone", "phones", norm.phones),
        ("email", "emails", norm.emails),
        ("nhs_number", "nhs_number", norm.nhs_number),
        ("upn", "upn", norm.upn),
    ):
        values[target] = normalise(batch, column, fn)
    for column, target in (
        ("forename", "forename"), ("middle_names", "middle_names"), ("surname", "surname"),
        ("aliases", "aliases"), ("address", "address"), ("ethnicity", "ethnicity"),
        ("date_of_birth", "dob_raw"), ("sex", "sex_raw"), ("postcode", "postcode_raw"),
        ("phone", "phone_raw"), ("email", "email_raw"), ("nhs_number", "nhs_number_raw"),
        ("upn", "upn_raw"),
    ):
        values[target] = batch.text(column)
    values["extra"] = extras(batch, spec.columns)
    return values


_OBJECT_NORMALISERS = {"vehicle": norm.vrm, "phone": norm.phone, "online_account": norm.account}


def objects(batch: Batch, seen: dict[str, int]) -> Values:
    vocab = vocabulary()
    values = common(batch, "object_ref", seen)
    kinds = check_choice(batch, "kind", vocab.object_kinds, "object kind")
    raw = batch.col("value")
    batch.reject(batch.stripped("value").eq("").to_numpy(), "value", "missing value")
    normalised = pd.Series(np.full(len(raw), None, dtype=object), index=raw.index)
    for kind, fn in _OBJECT_NORMALISERS.items():
        mask = batch.ok & kinds.eq(kind).to_numpy()
        if not mask.any():
            continue
        results, errors = map_unique(raw[mask], fn)
        normalised[mask] = pd.Series(results, index=raw[mask].index, dtype=object)
        if errors:
            bad = mask & raw.isin(list(errors)).to_numpy()
            batch.warn(bad, "value", raw, each("{}", raw.map(errors)))
    values.update(kind=kinds, value_raw=raw, value=normalised,
                  description=batch.text("description"),
                  extra=extras(batch, vocab.files["objects.csv"].columns))
    return values


def _coordinate(limit: float, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError as exc:
        raise norm.InvalidValue(f"not a number: {raw!r}") from exc
    if not -limit <= value <= limit:
        raise norm.InvalidValue(f"out of range -{limit:g}..{limit:g}: {raw!r}")
    return value


def locations(batch: Batch, seen: dict[str, int]) -> Values:
    vocab = vocabulary()
    values = common(batch, "location_ref", seen)
    values["kind"] = check_choice(batch, "kind", vocab.location_kinds, "location kind")
    values["postcode"] = normalise(batch, "postcode", norm.postcode)
    values["latitude"] = normalise(batch, "latitude", partial(_coordinate, 90.0))
    values["longitude"] = normalise(batch, "longitude", partial(_coordinate, 180.0))
    for column, target in (("name", "name"), ("address", "address"),
                           ("postcode", "postcode_raw"), ("latitude", "latitude_raw"),
                           ("longitude", "longitude_raw")):
        values[target] = batch.text(column)
    values["extra"] = extras(batch, vocab.files["locations.csv"].columns)
    return values


def _occurred(raw: str) -> tuple[date, datetime | None]:
    """Day as written, and the instant in UTC when a time was given."""
    parsed = norm.event_datetime(raw)
    if not any(sep in raw.strip() for sep in ("T", "t", " ")):  # a date without a time
        return parsed.date(), None
    instant = parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
    return parsed.date(), instant


def _grading(pair: tuple[str, str]) -> norm.Grading | None:
    return norm.grading(pair[0], pair[1])


def _indicator_codes(raw: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    known = vocabulary().indicators
    codes = list(dict.fromkeys(code.lower() for code in norm.split_multi(raw)))
    return tuple(c for c in codes if c in known), tuple(c for c in codes if c not in known)


def events(batch: Batch, seen: dict[str, int]) -> Values:
    vocab = vocabulary()
    values = common(batch, "event_ref", seen)
    kinds = check_choice(batch, "kind", vocab.event_kinds, "event kind")
    raw_date = batch.col("occurred_on")
    batch.reject(batch.stripped("occurred_on").eq("").to_numpy(), "occurred_on",
                 "missing occurred_on")
    present = batch.ok.copy()
    results, errors = map_unique(raw_date[present], _occurred)
    if errors:
        bad = raw_date.isin(list(errors)).to_numpy() & present
        batch.reject(bad, "occurred_on", each("bad event date: {}", raw_date.map(errors)))
    occurred = pd.Series(np.full(len(raw_date), None, dtype=object), index=raw_date.index)
    occurred[present] = pd.Series(results, index=raw_date[present].index, dtype=object)

    grading = batch.stripped("grading")
    scheme = batch.stripped("grading_scheme")
    batch.reject((kinds.eq("intelligence_report") & grading.eq("")).to_numpy(), "grading",
                 "grading is required on intelligence_report")
    known_schemes = list(vocab.grading_schemes)
    batch.reject((scheme.ne("") & ~scheme.isin(known_schemes)).to_numpy(), "grading_scheme",
                 each("unknown grading scheme {!r}", scheme))
    graded = batch.ok & grading.ne("").to_numpy()
    pairs = pd.Series(list(zip(grading, scheme, strict=True)), index=grading.index)
    grades, grade_errors = map_unique(pairs[graded], _grading)
    if grade_errors:
        bad = pairs.isin(list(grade_errors)).to_numpy() & graded
        batch.reject(bad, "grading", each("invalid grading: {}", pairs.map(grade_errors)))
    grade = pd.Series(np.full(len(grading), None, dtype=object), index=grading.index)
    grade[graded] = pd.Series(grades, index=pairs[graded].index, dtype=object)

    indicators = batch.col("indicators")
    has_codes = batch.present("indicators")
    codes, _ = map_unique(indicators[has_codes], _indicator_codes)
    code_lists = pd.Series([((), ())] * len(indicators), index=indicators.index, dtype=object)
    code_lists[has_codes] = pd.Series(codes, index=indicators[has_codes].index, dtype=object)
    unknown = pd.Series([";".join(pair[1]) for pair in code_lists], index=indicators.index)
    batch.warn(unknown.ne("").to_numpy(), "indicators", unknown,
               each("unknown indicator code(s): {}", unknown))

    summary = batch.col("summary")
    batch.warn(lengths(summary) > MAX_SUMMARY, "summary", summary,
               f"summary is longer than {MAX_SUMMARY:,} characters (kept in full)")

    values.update(
        kind=kinds,
        occurred_raw=raw_date,
        occurred_on=[o[0] if o else None for o in occurred],
        occurred_at=[o[1] if o else None for o in occurred],
        location_ref=batch.stripped("location_ref"),
        indicator_codes=[pair[0] for pair in code_lists],
        indicators_raw=batch.text("indicators"),
        grading_raw=batch.text("grading"),
        grading_scheme=[g.scheme if g else None for g in grade],
        grading_source=[g.source if g else None for g in grade],
        grading_intelligence=[g.intelligence if g else None for g in grade],
        grading_handling=[g.handling if g else None for g in grade],
        summary=batch.text("summary"),
        extra=extras(batch, vocab.files["events.csv"].columns),
    )
    return values


def _joined(*columns: pd.Series) -> pd.Series:
    out = columns[0]
    for column in columns[1:]:
        out = out + "\x1f" + column
    return out


def links(batch: Batch, seen: dict[str, int]) -> Values:
    vocab = vocabulary()
    event_refs = batch.stripped("event_ref")
    batch.reject(event_refs.eq("").to_numpy(), "event_ref", "missing event_ref")
    entities = check_choice(batch, "entity", vocab.link_entities, "entity")
    refs = batch.stripped("ref")
    batch.reject(refs.eq("").to_numpy(), "ref", "missing ref")
    roles = check_choice(batch, "role", vocab.roles, "role")
    reject_repeats(batch, _joined(event_refs, entities, refs, roles), seen, None,
                   "duplicate link")
    return {"event_ref": event_refs, "entity": entities, "ref": refs, "role": roles,
            "line": batch.lines,
            "extra": extras(batch, vocab.files["links.csv"].columns)}


def withdrawn(batch: Batch, seen: dict[str, int]) -> Values:
    entities = check_choice(batch, "entity", WITHDRAWABLE, "entity")
    refs = batch.stripped("ref")
    batch.reject(refs.eq("").to_numpy(), "ref", "missing ref")
    reject_repeats(batch, _joined(entities, refs), seen, None, "duplicate withdrawal")
    return {"entity": entities, "ref": refs, "line": batch.lines,
            "reason": batch.text("reason"),
            "extra": extras(batch, vocabulary().files["withdrawn.csv"].columns)}
