"""Linkage features: person records (as ``read_persons`` gives them) to Splink's input.

Pure pandas. Every derivation (cleaning, nickname variants, soundex, dates, address words,
postcodes, phones, email names) runs once per distinct value, or distinct combination of
values, and is gathered back to the records by integer code: records repeat names, dates
and addresses many times over. Ethnicity (and any other protected characteristic) is never
read here, on purpose: it never reaches a comparison, a blocking rule or a guard.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

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


def _alias_lists(aliases: pd.Series) -> pd.Series:
    """Aliases (street names) as recorded, spaces removed, sorted and distinct."""
    words = clean_name(aliases.fillna("").astype(str).str.split(";").explode())
    words = words.str.replace(" ", "", regex=False).dropna()
    return words.groupby(level=0).agg(lambda s: sorted(set(s))).reindex(aliases.index)


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


def _postcode_in(address: pd.Series) -> pd.Series:
    """A UK postcode found inside the address text (else missing)."""
    found = address.fillna("").astype(str).str.upper().str.extract(_UK_POSTCODE)
    return (found[0] + " " + found[1]).where(found[0].notna(), None)


def _postcode_parts(postcode: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({
        "postcode": postcode,
        "pc_sector": postcode.str[:-2].str.strip().where(postcode.notna(), None),
        "pc_district": postcode.str.split(" ").str[0],
    }, index=postcode.index)


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


# ------------------------------------------------------------- once per distinct value
# Records repeat names, dates, addresses and postcodes many times over. Each derivation
# below runs on the distinct values (or distinct combinations of values) of the columns it
# reads, with exactly the code it would run per record, and the results are gathered back
# to the records by integer code. Missing values (None, NaN) form one distinct value: every
# derivation treats them alike.


def _distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Per record, the code of its value; and the distinct values, in code order."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=False)
    return codes, pd.Series(uniques, dtype=object)


def _combinations(*codes: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Per record, the code of its combination of several codes; and, per combination,
    the code it holds in each of them."""
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for more in codes:
        key = key * (int(more.max(initial=0)) + 1) + more
        key = pd.factorize(key)[0]
    _, first = np.unique(key, return_index=True)
    return key, [c[first] for c in codes]


def _finished(column: str, values: pd.Series) -> np.ndarray:
    """A feature column's values as ``person_features`` hands them on: an empty list is
    "not recorded" (SQL NULL), and object columns hold real None rather than NaN."""
    if column in ARRAY_COLUMNS:
        values = values.map(lambda v: v if isinstance(v, list) and v else None)
    if values.dtype == object:
        values = values.astype(object).where(values.notna(), None)
    return values.to_numpy()


def _lists(values: pd.Series) -> list[list[str]]:
    return [v if isinstance(v, list) else [] for v in values.tolist()]


def person_features(persons: pd.DataFrame) -> pd.DataFrame:
    """Splink input rows, one per person record, keyed by ``unique_id`` = ``record_id``.

    Columns are exactly :data:`FEATURE_COLUMNS`; protected characteristics are never
    read. Derivations run once per distinct value (see :func:`_distinct`).
    """
    frame = persons  # only the columns named below are read: never PROTECTED ones
    # column -> (values per distinct input, code per record)
    parts: dict[str, tuple[pd.Series, np.ndarray]] = {}
    plain: dict[str, pd.Series] = {}  # columns derived record by record
    plain["agency"] = frame["agency"].astype(str)
    # The area of the agency that recorded the person (not where they come from): people
    # are mostly known to the agencies where they live.
    area = frame["area"] if "area" in frame.columns else pd.Series(None, index=frame.index)
    plain["area"] = area.where(area.notna() & (area.astype(str) != ""), None)

    # Names: the forename (whole, spaces and hyphens removed: "Zoe-Ann", "jaco b"; each
    # part also counts as a name variant), the first middle name, the surname.
    fore_code, fore_raw = _distinct(frame["forename"])
    fore_full = clean_name(fore_raw)
    forename = fore_full.str.replace(" ", "", regex=False)
    fore_words = fore_full.str.split(" ")
    parts["forename"] = forename, fore_code
    # The first formal name a forename may stand for: blocks "Danny" with "Daniel".
    keys = {name: _name_key(name) for name in forename.dropna().unique()}
    parts["name_key"] = forename.map(keys), fore_code
    parts["forename_sx"] = _soundex(forename), fore_code
    middle_code, middle_raw = _distinct(frame["middle_names"])
    middle = clean_name(middle_raw).str.split(" ")
    parts["middle"] = middle.str[0], middle_code
    sur_code, sur_raw = _distinct(frame["surname"])
    sur = clean_name(sur_raw)
    surname = sur.str.replace(" ", "", regex=False)
    sur_words = sur.str.split(" ")
    parts["surname"] = surname, sur_code
    parts["surname_sx"] = _soundex(surname), sur_code
    alias_code, alias_raw = _distinct(frame["aliases"])
    alias_fore, alias_sur = _alias_parts(alias_raw)
    # Aliases (street names) as recorded, matched against each other.
    alias_lists = _alias_lists(alias_raw)
    parts["alias1"] = alias_lists.str[0], alias_code
    parts["alias_keys"] = _as_lists(alias_lists), alias_code
    email_code, email_raw = _distinct(frame["emails"])
    email_fore, email_sur = _email_names(email_raw)
    emails = _split_multi(email_raw.str.lower())
    parts["emails"], parts["email1"] = (emails, email_code), (emails.str[0], email_code)

    # Forename keys: every variant of the forename's words, the whole forename, middle
    # names, alias forenames and email forenames, per distinct combination of those.
    code, (f, m, a, e) = _combinations(fore_code, middle_code, alias_code, email_code)
    words, whole, middles = _lists(fore_words), forename.tolist(), _lists(middle)
    alias_first, email_first = _lists(alias_fore), _lists(email_fore)
    tokens = pd.Series([
        sorted(set(words[i] + ([whole[i]] if isinstance(whole[i], str) else []) + middles[j]
                   + alias_first[k] + email_first[x]))
        for i, j, k, x in zip(f.tolist(), m.tolist(), a.tolist(), e.tolist(), strict=True)
    ], dtype=object)
    parts["forename_keys"] = _variant_lists(tokens), code
    code, (s, a, e) = _combinations(sur_code, alias_code, email_code)
    sur_parts, alias_last, email_last = _lists(sur_words), _lists(alias_sur), _lists(email_sur)
    whole = surname.tolist()
    parts["surname_keys"] = pd.Series([
        sorted(set(sur_parts[i] + alias_last[k] + email_last[x]
                   + ([whole[i]] if isinstance(whole[i], str) else [])))
        for i, k, x in zip(s.tolist(), a.tolist(), e.tolist(), strict=True)
    ], dtype=object), code

    # Dates of birth, per distinct date and precision.
    dob_code, dob_raw = _distinct(frame["dob"])
    if "dob_precision" in frame.columns:
        precision_code, precision_raw = _distinct(frame["dob_precision"])
        code, (d, p) = _combinations(dob_code, precision_code)
        dates = pd.DataFrame({"dob": dob_raw.to_numpy()[d],
                              "dob_precision": precision_raw.to_numpy()[p]})
    else:
        code, dates = dob_code, pd.DataFrame({"dob": dob_raw})
    for column, values in _dob_features(dates).items():
        parts[str(column)] = values, code
    sex = frame["sex"].where(frame["sex"].isin(["F", "M", "X"]), None)
    plain["sex"] = sex

    # Address text per distinct address; the postcode, else one found in the address.
    address_code, address_raw = _distinct(frame["address"])
    for column, values in _address_features(address_raw).items():
        parts[str(column)] = values, address_code
    postcode_code, postcode_raw = _distinct(frame["postcode"])
    given = (postcode_raw.notna() & (postcode_raw.astype(str) != "")).to_numpy()[postcode_code]
    postcode = np.where(given, postcode_raw.to_numpy()[postcode_code],
                        _postcode_in(address_raw).to_numpy()[address_code])
    code, postcodes = _distinct(pd.Series(postcode, dtype=object))
    for column, values in _postcode_parts(postcodes).items():
        parts[str(column)] = values, code

    phone_code, phone_raw = _distinct(frame["phones"])
    phones = _split_multi(phone_raw)
    parts["phones"] = phones, phone_code
    parts["mobiles"] = phones.map(lambda p: [x for x in p if x.startswith("+447")]), phone_code
    parts["phone1"] = phones.str[0], phone_code
    plain["nhs_number"] = frame["nhs_number"].where(frame["nhs_number"].notna(), None)
    plain["upn"] = frame["upn"].where(frame["upn"].notna(), None)

    columns: dict[str, Any] = {"unique_id": frame["record_id"].to_numpy().astype(np.int64)}
    for column in FEATURE_COLUMNS[1:]:
        if column in plain:
            columns[column] = _finished(column, plain[column])
        else:
            values, code = parts[column]
            columns[column] = _finished(column, values)[code]
    # Fresh arrays, one per column: no copy into one consolidated block (a second per
    # million records).
    return pd.DataFrame(columns, columns=list(FEATURE_COLUMNS), copy=False)


def forenames_compatible(features: pd.DataFrame, left: pd.Series, right: pd.Series
                         ) -> pd.Series:
    """Per pair of record ids: the forenames (first names only) share a formal name, or
    one is one keying error away from the other, from a formal name the other may stand
    for, or from one of the other's nicknames ("Naxhan" and "Nat" for Nathan, "Tohmas"
    and "Tom", "Maatie" and "Matthew"). A mistyped nickname is a recording error, not a
    sibling's name."""
    names = pd.Series(features["forename"].to_numpy(), index=features["unique_id"].to_numpy())
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

    known: dict[tuple[object, object], bool] = {}  # once per distinct pair of names

    def once(x: object, y: object) -> bool:
        result = known.get((x, y))
        if result is None:
            result = known[(x, y)] = close(x, y)
        return result

    return pd.Series([once(x, y) for x, y in zip(a, b, strict=True)], index=left.index,
                     dtype=bool)
