"""Identifiers in valid UK formats that cannot belong to anyone real, and their messy spellings.

- Phone numbers: Ofcom's drama ranges (``07700 900xxx``, ``0114 496 0xxx`` ...) plus the
  rest of the unallocated ``07700 9`` block, so every number is *possible* (libphonenumber)
  but none is in service.
- Postcodes: outward codes starting ``Q`` or ``X``, letters no real postcode area uses.
- Vehicle marks: current format with first letter ``Z``, which the DVLA does not issue.
- NHS numbers: the ``999`` test range with a valid mod-11 check digit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LANDLINE_BLOCKS = (
    ("0113", "4960"),
    ("0114", "4960"),
    ("0115", "4960"),
    ("0116", "4960"),
    ("0117", "4960"),
    ("0118", "4960"),
    ("0121", "4960"),
    ("0131", "4960"),
    ("0141", "4960"),
    ("0151", "4960"),
    ("0161", "4960"),
    ("0191", "4980"),
)
INWARD_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
STREET_WORDS = [
    "Larch",
    "Wyvern",
    "Thistle",
    "Quill",
    "Marrow",
    "Bramble",
    "Cinder",
    "Juniper",
    "Kestrel",
    "Hollin",
    "Sable",
    "Tansy",
    "Pewter",
    "Umber",
    "Nettle",
    "Gorse",
    "Saffron",
    "Vellum",
    "Brindle",
    "Larkspur",
    "Copper",
    "Fern",
    "Alder",
    "Heron",
]
STREET_TYPES = ("Road", "Street", "Close", "Avenue", "Lane", "Way", "Grove", "Terrace")
STREET_ABBREV = {"Road": "Rd", "Street": "St", "Avenue": "Ave", "Lane": "Ln"}


def mobile_pool(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct mobile numbers ``77009xxxxx`` (national number without the 0).

    The block holds 100,000 numbers; beyond that numbers repeat (documented).
    """
    size = 100_000
    draw = rng.permutation(size)[: min(n, size)]
    if n > size:
        draw = np.concatenate([draw, rng.integers(0, size, n - size)])
    return np.char.add("77009", zpad(draw, 5)).astype(object)


def landline_pool(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` landline numbers from the drama blocks (12,000 numbers, then repeats)."""
    size = len(LANDLINE_BLOCKS) * 1000
    draw = rng.permutation(size)[: min(n, size)]
    if n > size:
        draw = np.concatenate([draw, rng.integers(0, size, n - size)])
    block = np.array([a[1:] + b for a, b in LANDLINE_BLOCKS], dtype=object)[draw // 1000]
    return (block + zpad((draw % 1000), 3).astype(object)).astype(object)


def _subset(
    values: pd.Series | np.ndarray, keep: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Positions and fixed-width text of the non-null values (where ``keep`` holds)."""
    arr = np.asarray(values, dtype=object)
    ok = pd.notna(arr) if keep is None else (pd.notna(arr) & keep)
    pos = np.flatnonzero(ok)
    return pos, arr[pos].astype(str)


def _place(n: int, pos: np.ndarray, text: np.ndarray, index: pd.Index | None) -> pd.Series:
    out = np.full(n, None, dtype=object)
    out[pos] = text.astype(object)
    return pd.Series(out, index=index)


def _index(values: pd.Series | np.ndarray) -> pd.Index | None:
    return values.index if isinstance(values, pd.Series) else None


def format_phones(
    national: pd.Series | np.ndarray, style: np.ndarray, keep: np.ndarray | None = None
) -> pd.Series:
    """Spell national numbers (``7700900123`` / ``1144960123``) in five common styles."""
    pos, s = _subset(national, keep)
    if pos.size == 0:
        return _place(len(national), pos, s, _index(national))
    st = style[pos]
    add = np.strings.add
    mobile = np.strings.startswith(s, "7")
    trunk = np.where(mobile, np.strings.slice(s, 0, 4), np.strings.slice(s, 0, 3))
    rest = np.where(mobile, np.strings.slice(s, 4, None), np.strings.slice(s, 3, None))
    pretty = np.where(
        mobile, rest, add(add(np.strings.slice(rest, 0, 3), " "), np.strings.slice(rest, 3, None))
    )
    spaced = add(add(trunk, " "), pretty)
    options = [
        add("0", spaced),
        add("+44 ", spaced),
        add("0", s),
        add("+44", s),
        np.where(
            mobile, add(add(add("0", trunk), "-"), rest), add(add(add("(0", trunk), ") "), pretty)
        ),
    ]
    text = np.select([st == k for k in range(4)], options[:4], default=options[4])
    return _place(len(national), pos, text, _index(national))


def postcode_outwards(area_index: np.ndarray, district: np.ndarray) -> np.ndarray:
    """Outward codes for areas: ``Q``/``X`` + a letter + a district number unique to the area."""
    first = np.where((area_index // 156) % 2 == 0, "Q", "X").astype(object)
    second = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), dtype=object)[area_index % 26]
    number = ((area_index % 156) // 26) * 16 + 1 + district % 16
    return first + second + number.astype(str).astype(object)


def draw_postcodes(rng: np.random.Generator, area_index: np.ndarray) -> np.ndarray:
    n = area_index.size
    outward = postcode_outwards(area_index, rng.integers(0, 16, n))
    inward = (
        rng.integers(0, 10, n).astype(str).astype(object)
        + INWARD_LETTERS[rng.integers(0, INWARD_LETTERS.size, n)].astype(object)
        + INWARD_LETTERS[rng.integers(0, INWARD_LETTERS.size, n)].astype(object)
    )
    return outward + " " + inward


def format_postcodes(
    canonical: pd.Series | np.ndarray, style: np.ndarray, keep: np.ndarray | None = None
) -> pd.Series:
    """Postcodes as agencies type them: canonical, lower case, no space, or both."""
    pos, s = _subset(canonical, keep)
    if pos.size == 0:
        return _place(len(canonical), pos, s, _index(canonical))
    st = style[pos]
    compact = np.strings.replace(s, " ", "")
    text = np.select(
        [st == 0, st == 1, st == 2],
        [s, np.strings.lower(s), compact],
        default=np.strings.lower(compact),
    )
    return _place(len(canonical), pos, text, _index(canonical))


def draw_addresses(rng: np.random.Generator, n: int, towns: np.ndarray) -> np.ndarray:
    number = rng.integers(1, 180, n).astype(str).astype(object)
    word = np.array(STREET_WORDS, dtype=object)[rng.integers(0, len(STREET_WORDS), n)]
    kind = np.array(STREET_TYPES, dtype=object)[rng.integers(0, len(STREET_TYPES), n)]
    return number + " " + word + " " + kind + ", " + towns.astype(object)


def format_addresses(
    addresses: pd.Series | np.ndarray, style: np.ndarray, keep: np.ndarray | None = None
) -> pd.Series:
    """Addresses as typed: as is, upper case, abbreviated street type, or without the town."""
    pos, s = _subset(addresses, keep)
    if pos.size == 0:
        return _place(len(addresses), pos, s, _index(addresses))
    st = style[pos]
    short = s
    for long, abbrev in STREET_ABBREV.items():
        short = np.strings.replace(short, f" {long},", f" {abbrev},")
    comma = np.strings.find(s, ",")
    first = np.where(comma >= 0, np.strings.slice(s, 0, np.maximum(comma, 0)), s)
    text = np.select([st == 0, st == 1, st == 2], [s, np.strings.upper(s), short], default=first)
    return _place(len(addresses), pos, text, _index(addresses))


def draw_vrms(rng: np.random.Generator, n: int) -> np.ndarray:
    """Distinct current-format registration marks ``Z?99 ???`` (not issued by the DVLA)."""
    letters = np.array(list("ABCDEFGHJKLMNOPRSTUVWXY"), dtype=object)
    space = 23 * 100 * 23**3
    codes = rng.choice(space, n, replace=False) if n <= space else rng.integers(0, space, n)
    l1, rest = codes % 23, codes // 23
    digits, rest = rest % 100, rest // 100
    a, rest = rest % 23, rest // 23
    b, c = rest % 23, rest // 23
    return (
        "Z"
        + letters[l1]
        + zpad(digits, 2).astype(object)
        + " "
        + letters[a]
        + letters[b]
        + letters[c]
    )


def format_vrms(
    canonical: pd.Series | np.ndarray, style: np.ndarray, keep: np.ndarray | None = None
) -> pd.Series:
    pos, s = _subset(canonical, keep)
    if pos.size == 0:
        return _place(len(canonical), pos, s, _index(canonical))
    st = style[pos]
    compact = np.strings.replace(s, " ", "")
    text = np.select([st == 0, st == 1], [s, compact], default=np.strings.lower(compact))
    return _place(len(canonical), pos, text, _index(canonical))


def zpad(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal text of integers (fixed-width numpy strings)."""
    if np.size(values) == 0:
        return np.zeros(0, dtype="U1")
    return np.strings.zfill(np.asarray(values, dtype=np.int64).astype(str), width)


def nhs_check_digit(nine: np.ndarray) -> np.ndarray:
    """Mod-11 check digit of 9-digit integers; 10 means the number cannot be issued."""
    digits = (nine[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    total = (digits * np.arange(10, 1, -1)).sum(axis=1)
    check = 11 - total % 11
    return np.where(check == 11, 0, check)


def draw_nhs_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Distinct valid NHS numbers in the ``999`` test range (about 909,000 exist; then repeats)."""
    m = min(1_000_000, int(n * 1.15) + 50)
    nine = 999_000_000 + rng.choice(1_000_000, m, replace=False)
    check = nhs_check_digit(nine)
    valid = nine[check != 10] * 10 + check[check != 10]
    if valid.size < n:  # only when nearly the whole range is asked for
        valid = np.concatenate([valid, valid[rng.integers(0, valid.size, n - valid.size)]])
    return valid[:n].astype(str).astype(object)


def draw_upns(rng: np.random.Generator, la_numbers: np.ndarray) -> np.ndarray:
    """Distinct unique pupil numbers: check letter + LA (3) + school (4) + year (2) + serial (3)."""
    n = la_numbers.size
    rest = rng.choice(6000 * 100 * 1000, n, replace=False) + 1000 * 100 * 1000
    body = la_numbers.astype(np.int64) * 10**9 + rest
    digits = (body[:, None] // 10 ** np.arange(11, -1, -1, dtype=np.int64)) % 10
    total = (digits * np.arange(2, 14)).sum(axis=1) % 23
    letters = np.array(list(UPN_LETTERS), dtype=object)[total]
    return letters + zpad(body, 12).astype(object)
