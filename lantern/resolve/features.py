"""Linkage features: person records (as ``read_persons`` gives them) to Splink's input.

Pure pandas, vectorised per column; nickname look-ups run once per distinct name, not per
row. Ethnicity (and any other protected characteristic) is dropped here on purpose: it
never reaches a comparison, a blocking rule or a guard.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jellyfish
import numpy as np
import pandas as pd
from nicknames import NickNamer

# Columns the linkage model reads; anything else (ethnicity above all) is never passed on.
FEATURE_COLUMNS = (
    "unique_id",
    "agency",
    "area",
    "forename",
    "middle",
    "surname",
    "forename_keys",
    "surname_keys",
    "name_key",
    "alias1",
    "alias_keys",
    "forename_sx",
    "surname_sx",
    "dob",
    "dob_partial",
    "dob_swapped",
    "dob_year",
    "sex",
    "postcode",
    "pc_sector",
    "pc_district",
    "address",
    "address_tokens",
    "addr_key",
    "addr_first",
    "addr_last",
    "phones",
    "mobiles",
    "phone1",
    "emails",
    "email1",
    "nhs_number",
    "upn",
)
ARRAY_COLUMNS = ("forename_keys", "surname_keys", "alias_keys", "address_tokens", "phones",
                 "mobiles", "emails")
PROTECTED = ("ethnicity", "nationality", "religion")

_NON_LETTER = re.compile(r"[^a-z\s'-]")
_SEPARATORS = re.compile(r"[\s'-]+")
_ADDRESS_TOKEN = re.compile(r"[a-z0-9]+")
_UK_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][ABD-HJLNP-UW-Z]{2})\b")


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


def _ascii_lower(value: str) -> str:
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return folded.lower()


def clean_name(series: pd.Series) -> pd.Series:
    """Lower case ASCII letters, single spaces; blank becomes missing (once per distinct
    value: names repeat)."""
    raw = series.fillna("").astype(str)
    distinct = pd.Series(raw.unique())
    text = distinct.map(_ascii_lower)
    text = text.str.replace(_NON_LETTER, "", regex=True).str.replace(_SEPARATORS, " ", regex=True)
    text = text.str.strip()
    lookup = dict(zip(distinct, text.where(text != "", None), strict=True))
    return raw.map(lookup)


@lru_cache(maxsize=200_000)
def name_variants(name: str) -> tuple[str, ...]:
    """A name and the formal names it may be short for (``danny`` -> ``daniel``)."""
    namer = _nicknamer()
    return tuple(sorted({name, *namer.canonicals_of(name)}))


@lru_cache(maxsize=200_000)
def name_family(name: str) -> tuple[str, ...]:
    """A name, the formal names it may be short for, and its own nicknames."""
    return tuple(sorted({*name_variants(name), *_nicknamer().nicknames_of(name)}))


def _soundex(names: pd.Series) -> pd.Series:
    """Soundex codes (blocking keys tolerant of typos), computed once per distinct name."""
    distinct = names.dropna().unique()
    codes = {n: jellyfish.soundex(n) for n in distinct}
    return names.map(codes)


def _name_key(name: str) -> str:
    return min(name_variants(name))


def _variant_lists(tokens: pd.Series) -> pd.Series:
    """Per record: the sorted union of the variants of each of its name tokens, computed
    once per distinct combination of tokens (far fewer than records)."""
    keys = tokens.map(lambda t: "\x1f".join(x for x in t if isinstance(x, str)))
    lookup = {
        key: sorted({v for name in key.split("\x1f") if name for v in name_variants(name)})
        for key in keys.unique()
    }
    return keys.map(lookup)


def _alias_parts(aliases: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Alias forenames (first word of each alias) and alias surnames (last word, if two+)."""
    parts = aliases.fillna("").astype(str).str.split(";").explode()
    cleaned = clean_name(parts)
    words = cleaned.str.split(" ")
    first = words.str[0]
    last = words.where(words.map(lambda w: isinstance(w, list) and len(w) > 1)).str[-1]
    fore = first.dropna().groupby(level=0).agg(list).reindex(aliases.index)
    sur = last.dropna().groupby(level=0).agg(list).reindex(aliases.index)
    return fore, sur


def _email_names(emails: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A forename and a surname from email addresses written ``first.last``
    (``catherine.smith4@...`` -> ``catherine``, ``smith``); other addresses give none."""
    local = emails.fillna("").astype(str).str.lower().str.split(";").explode().str.strip()
    local = local.str.split("@").str[0].str.replace(r"\d+", "", regex=True)
    parts = local.str.split(r"[._-]+", regex=True)
    named = parts.map(lambda w: isinstance(w, list) and len(w) == 2 and all(
        len(x) >= 2 and x.isalpha() for x in w))
    first = parts[named].str[0].groupby(level=0).agg(list).reindex(emails.index)
    last = parts[named].str[-1].groupby(level=0).agg(list).reindex(emails.index)
    return first, last


def _as_lists(series: pd.Series) -> pd.Series:
    return series.map(lambda v: v if isinstance(v, list) else [])


def _split_multi(series: pd.Series) -> pd.Series:
    """``;``-joined values to sorted lists (missing -> empty list)."""
    return series.fillna("").astype(str).map(
        lambda v: sorted({p.strip() for p in v.split(";") if p.strip()})
    )


def _postcode_from(postcode: pd.Series, address: pd.Series) -> pd.Series:
    """The canonical postcode, else a UK postcode found inside the address text."""
    found = address.fillna("").astype(str).str.upper().str.extract(_UK_POSTCODE)
    from_address = (found[0] + " " + found[1]).where(found[0].notna(), None)
    return postcode.where(postcode.notna() & (postcode.astype(str) != ""), from_address)


def _dob_features(frame: pd.DataFrame) -> pd.DataFrame:
    dob = frame["dob"].where(frame["dob"].notna() & (frame["dob"].astype(str) != ""), None)
    precision = frame.get("dob_precision")
    if precision is None:
        precision = dob.str.len().map({10: "day", 7: "month", 4: "year"})
    is_day = (precision == "day") & dob.notna()
    full = dob.where(is_day, None)
    year, month, day = full.str[0:4], full.str[5:7], full.str[8:10]
    swappable = is_day & (day.astype(float, errors="ignore") <= 12) & (day != month)
    swapped = (year + "-" + day + "-" + month).where(swappable, None)
    return pd.DataFrame(
        {
            "dob": full,
            "dob_partial": dob,
            "dob_swapped": swapped,
            "dob_year": dob.str[0:4],
        },
        index=frame.index,
    )


# Common abbreviations of street types, written out so that "Rd" meets "Road".
_STREET_WORDS = {
    "rd": "road", "st": "street", "ave": "avenue", "av": "avenue", "ln": "lane",
    "cl": "close", "gr": "grove", "gro": "grove", "ter": "terrace", "terr": "terrace",
    "dr": "drive", "cres": "crescent", "pl": "place", "sq": "square", "ct": "court",
    "gdns": "gardens", "pk": "park", "wy": "way",
}
_STREET_ABBREVIATION = re.compile(r"\b(" + "|".join(_STREET_WORDS) + r")\b\.?")


def _address_features(address: pd.Series) -> pd.DataFrame:
    raw = address.fillna("").astype(str)
    distinct = pd.Series(raw.unique())
    expanded = distinct.map(_ascii_lower).str.replace(
        _STREET_ABBREVIATION, lambda m: _STREET_WORDS[m.group(1)], regex=True)
    text = raw.map(dict(zip(distinct, expanded, strict=True)))
    tokens = text.str.findall(_ADDRESS_TOKEN).map(lambda t: sorted(set(t)))
    numbers = tokens.map(lambda t: "|".join(sorted(x for x in t if x.isdigit())))
    in_order = text.str.findall(r"\d+")
    cleaned = text.str.findall(_ADDRESS_TOKEN).str.join(" ")
    return pd.DataFrame(
        {
            "address": cleaned.where(cleaned != "", None),
            "address_tokens": tokens,
            "addr_key": numbers.where(numbers != "", None),
            # First and last number in the text: a house number, a postcode's digits.
            "addr_first": in_order.str[0],
            "addr_last": in_order.str[-1],
        },
        index=address.index,
    )


def person_features(persons: pd.DataFrame) -> pd.DataFrame:
    """Splink input rows, one per person record, keyed by ``unique_id`` = ``record_id``.

    Columns are exactly :data:`FEATURE_COLUMNS`; protected characteristics are dropped.
    """
    frame = persons.drop(columns=[c for c in PROTECTED if c in persons.columns])
    out = pd.DataFrame(index=frame.index)
    out["unique_id"] = frame["record_id"].astype("int64")
    out["agency"] = frame["agency"].astype(str)
    # The area of the agency that recorded the person (not where they come from): people
    # are mostly known to the agencies where they live.
    area = frame["area"] if "area" in frame.columns else pd.Series(None, index=frame.index)
    out["area"] = area.where(area.notna() & (area.astype(str) != ""), None)

    fore_full = clean_name(frame["forename"])
    fore_words = fore_full.str.split(" ")
    # The whole forename, spaces and hyphens removed ("Zoe-Ann", "jaco b"); each part
    # also counts as a name variant below.
    out["forename"] = fore_full.str.replace(" ", "", regex=False)
    middle = clean_name(frame["middle_names"]).str.split(" ")
    out["middle"] = middle.str[0]
    sur = clean_name(frame["surname"])
    out["surname"] = sur.str.replace(" ", "", regex=False)
    alias_fore, alias_sur = _alias_parts(frame["aliases"])

    joined = out["forename"].map(lambda n: [n] if isinstance(n, str) else [])
    email_fore, email_sur = _email_names(frame["emails"])
    fore_tokens = (_as_lists(fore_words) + joined + _as_lists(middle) + _as_lists(alias_fore)
                   + _as_lists(email_fore))
    out["forename_keys"] = _variant_lists(fore_tokens.map(lambda t: sorted(set(t))))
    sur_tokens = _as_lists(sur.str.split(" ")) + _as_lists(alias_sur) + _as_lists(email_sur)
    out["surname_keys"] = (sur_tokens + _as_lists(sur.str.replace(" ", "").map(
        lambda s: [s] if isinstance(s, str) else []))).map(lambda t: sorted(set(t)))
    # The first formal name a forename may stand for: blocks "Danny" with "Daniel".
    distinct = out["forename"].dropna().unique()
    keys = {n: _name_key(n) for n in distinct}
    out["name_key"] = out["forename"].map(keys)

    out["forename_sx"] = _soundex(out["forename"])
    out["surname_sx"] = _soundex(out["surname"])
    out = out.join(_dob_features(frame))
    sex = frame["sex"].where(frame["sex"].isin(["F", "M", "X"]), None)
    out["sex"] = sex

    address = _address_features(frame["address"])
    postcode = _postcode_from(frame["postcode"], frame["address"])
    out["postcode"] = postcode
    out["pc_sector"] = postcode.str[:-2].str.strip().where(postcode.notna(), None)
    out["pc_district"] = postcode.str.split(" ").str[0]
    out = out.join(address)

    out["phones"] = _split_multi(frame["phones"])
    out["mobiles"] = out["phones"].map(lambda p: [x for x in p if x.startswith("+447")])
    out["phone1"] = out["phones"].str[0]
    out["emails"] = _split_multi(frame["emails"].str.lower())
    out["email1"] = out["emails"].str[0]
    out["nhs_number"] = frame["nhs_number"].where(frame["nhs_number"].notna(), None)
    out["upn"] = frame["upn"].where(frame["upn"].notna(), None)
    # Aliases (street names) as recorded, matched against each other.
    alias_words = clean_name(frame["aliases"].fillna("").astype(str).str.split(";").explode())
    alias_words = alias_words.str.replace(" ", "", regex=False).dropna()
    alias_lists = alias_words.groupby(level=0).agg(lambda s: sorted(set(s))).reindex(
        frame.index)
    out["alias1"] = alias_lists.str[0]
    out["alias_keys"] = _as_lists(alias_lists)
    out = out[list(FEATURE_COLUMNS)].reset_index(drop=True)
    for column in ARRAY_COLUMNS:  # an empty list is "not recorded": SQL NULL
        out[column] = out[column].map(lambda v: v if isinstance(v, list) and v else None)
    # Object columns with real None (not NaN) so every backend sees SQL NULL.
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    out.loc[:, "unique_id"] = out["unique_id"].astype(np.int64)
    return out


def forenames_compatible(features: pd.DataFrame, left: pd.Series, right: pd.Series
                         ) -> pd.Series:
    """Per pair of record ids: the forenames (first names only) share a formal name, or
    one is one keying error away from the other, from a formal name the other may stand
    for, or from one of the other's nicknames ("Naxhan" and "Nat" for Nathan, "Tohmas"
    and "Tom", "Maatie" and "Matthew"). A mistyped nickname is a recording error, not a
    sibling's name."""
    names = features.set_index("unique_id")["forename"]
    a = names.reindex(left.to_numpy()).to_numpy()
    b = names.reindex(right.to_numpy()).to_numpy()

    def close(x: object, y: object) -> bool:
        if not isinstance(x, str) or not isinstance(y, str):
            return False
        if set(name_variants(x)) & set(name_variants(y)):
            return True
        return any(jellyfish.damerau_levenshtein_distance(x, v) <= 1 for v in name_family(y)
                   ) or any(jellyfish.damerau_levenshtein_distance(y, v) <= 1
                            for v in name_family(x))

    return pd.Series([close(x, y) for x, y in zip(a, b, strict=True)], index=left.index,
                     dtype=bool)
