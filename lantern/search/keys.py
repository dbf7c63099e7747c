"""Normalised search keys for person records and queries. Pure, vectorised with pandas."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from lantern.contract import normalise

_NON_NAME = re.compile(r"[^a-z ]+")


def fold_name(value: str | None) -> str:
    """Lower-case ASCII letters and single spaces: ``"O'Neil-Brown"`` -> ``"oneil brown"``."""
    if not value:
        return ""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    folded = folded.replace("'", "").replace("-", " ")
    return " ".join(_NON_NAME.sub(" ", folded).split())


def fold_names(series: pd.Series) -> pd.Series:
    """Vectorised :func:`fold_name` for a column of names."""
    s = series.fillna("").astype(str).str.normalize("NFKD")
    s = s.str.encode("ascii", "ignore").str.decode("ascii").str.lower()
    s = s.str.replace("'", "", regex=False).str.replace("-", " ", regex=False)
    s = s.str.replace(r"[^a-z ]+", " ", regex=True).str.split().str.join(" ")
    return s.fillna("")


def compact_postcode(series: pd.Series) -> pd.Series:
    return series.fillna("").astype(str).str.replace(r"\s+", "", regex=True).str.upper()


def query_postcode(raw: str) -> tuple[str, bool]:
    """A compact postcode and whether it is a full postcode (else an outward-code prefix)."""
    try:
        canonical = normalise.postcode(raw)
    except normalise.InvalidValue:
        canonical = None
    if canonical:
        return canonical.replace(" ", ""), True
    return re.sub(r"\s+", "", raw).upper(), False


def query_phone(raw: str) -> str | None:
    try:
        return normalise.phone(raw)
    except normalise.InvalidValue:
        return None


def query_vrm(raw: str) -> str | None:
    try:
        return normalise.vrm(raw)
    except normalise.InvalidValue:
        return None


def query_dob(raw: str) -> str | None:
    """An ISO date, month or year from what a person types (``14/03/2009`` too)."""
    text = raw.strip()
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if m:
        text = f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
    if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        return text
    return None
