"""Malformed rows for testing the loader (``lantern simulate --bad-rows P``).

A share ``P`` of the data lines of each file is damaged in one of the ways the contract
says must be quarantined (missing ref, unknown kind, bad date, dangling link, duplicate
ref, wrong column count) or merely warned about (a bad optional value). Every fault is
logged to ``truth/bad_rows.csv`` with its file and line number.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

FAULTS: dict[str, tuple[str, ...]] = {
    "persons.csv": (
        "missing_ref",
        "duplicate_ref",
        "wrong_column_count",
        "bad_postcode",
        "bad_nhs_number",
        "bad_date_of_birth",
    ),
    "events.csv": (
        "missing_ref",
        "unknown_kind",
        "bad_date",
        "dangling_location",
        "duplicate_ref",
        "wrong_column_count",
    ),
    "links.csv": ("dangling_link", "unknown_entity", "missing_ref", "wrong_column_count"),
    "objects.csv": ("missing_ref", "unknown_kind", "duplicate_ref"),
    "locations.csv": ("missing_ref", "unknown_kind", "bad_latitude"),
}
# Faults in optional values: the row loads with a data-quality warning (the contract); an
# event's optional location_ref that points nowhere is treated the same way by the loader.
WARN_ONLY = frozenset(
    {"bad_postcode", "bad_nhs_number", "bad_date_of_birth", "bad_latitude", "dangling_location"}
)


def _damage(fields: list[str], header: list[str], fault: str) -> list[str]:
    col = {name: i for i, name in enumerate(header)}
    out = list(fields)
    if fault == "missing_ref":
        out[0] = ""
    elif fault in ("unknown_kind", "unknown_entity"):
        out[1] = "not_a_kind"
    elif fault == "bad_date":
        out[col["occurred_on"]] = "2013-02-30"
    elif fault == "dangling_location":
        out[col["location_ref"]] = "NO-SUCH-LOCATION"
    elif fault == "dangling_link":
        out[col["ref"]] = "NO-SUCH-REF"
    elif fault == "wrong_column_count":
        out.append("EXTRA")
    elif fault == "bad_postcode":
        out[col["postcode"]] = "NOT A POSTCODE"
    elif fault == "bad_nhs_number":
        out[col["nhs_number"]] = "9990000001"  # check digit fails
    elif fault == "bad_date_of_birth":
        out[col["date_of_birth"]] = "2001-02-30"
    elif fault == "bad_latitude":
        out[col["latitude"]] = "north"
    return out


def _line(fields: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(fields)
    return buf.getvalue()


def corrupt(
    rng: np.random.Generator, text: str, name: str, share: float
) -> tuple[str, pd.DataFrame]:
    """Damage about ``share`` of the data lines of one CSV file; returns text and a fault log."""
    lines = text.rstrip("\n").split("\n")
    header = lines[0].split(",")
    n = len(lines) - 1
    faults = FAULTS.get(name, ())
    if n <= 0 or not faults:
        return text, pd.DataFrame(columns=["file", "line", "fault"])
    hit = np.flatnonzero(rng.random(n) < share) + 1
    kinds = np.array(faults, dtype=object)[rng.integers(0, len(faults), hit.size)]
    out = list(lines)
    log: list[tuple[str, int, str]] = []
    shift = 0  # duplicated lines push the later line numbers down
    for i, fault in zip(hit.tolist(), kinds.tolist(), strict=True):  # damaged lines only
        fields = next(csv.reader([lines[i]]))
        if fault == "duplicate_ref":
            copy = list(fields)
            copy[-1] = copy[-1] + " (copy)" if copy[-1] else "copy"
            out[i] = lines[i] + "\n" + _line(copy)
            shift += 1
        else:
            out[i] = _line(_damage(fields, header, fault))
        log.append((name, i + 1 + shift, fault))
    return "\n".join(out) + "\n", pd.DataFrame(log, columns=["file", "line", "fault"])
