"""Integer keys for the network stage: strings are hashed once, everything after is numpy.

A national graph has millions of links keyed by text (``agency`` + ``event_ref``, person
ids, vehicle registrations). Joining and grouping on those strings dominated the stage's
time, so every key is turned into an integer code once and the joins, de-duplications
and sums run on integer arrays.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def joint_codes(*columns: pd.Series | np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """One integer code per distinct value across all ``columns`` (-1 for missing values),
    and the distinct values (in order of first appearance)."""
    sizes = [len(c) for c in columns]
    values = np.concatenate([np.asarray(c, dtype=object) for c in columns]) if columns \
        else np.zeros(0, dtype=object)
    codes, uniques = pd.factorize(values)
    return np.split(codes.astype(np.int64), np.cumsum(sizes)[:-1]), np.asarray(uniques,
                                                                               dtype=object)


def record_keys(*pairs: tuple[pd.Series, pd.Series]) -> list[np.ndarray]:
    """``(agency, ref)`` column pairs as int64 keys comparable across frames (-1 where
    either part is missing)."""
    agencies, _ = joint_codes(*[a for a, _ in pairs])
    refs, ref_values = joint_codes(*[r for _, r in pairs])
    width = max(len(ref_values), 1)
    return [np.where((a >= 0) & (r >= 0), a * width + r, -1) for a, r in zip(agencies, refs,
                                                                            strict=True)]


def lookup(keys: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Row of each key's first occurrence in ``table`` (-1 when absent or missing)."""
    if not len(table):
        return np.full(len(keys), -1, dtype=np.int64)
    distinct, first = np.unique(table, return_index=True)
    at = np.minimum(np.searchsorted(distinct, keys), len(distinct) - 1)
    found = (distinct[at] == keys) & (keys >= 0)
    return np.where(found, first[at], -1).astype(np.int64)


def runs(sorted_keys: np.ndarray) -> np.ndarray:
    """Start of each run of equal values in an already sorted array."""
    if not len(sorted_keys):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])


def days(dates: pd.Series | np.ndarray) -> np.ndarray:
    """Dates as float days since 1970 (NaN for missing), for NaN-aware min/max."""
    values = pd.to_datetime(pd.Series(dates)).to_numpy(dtype="datetime64[D]")
    out = values.astype(np.int64).astype(float)
    out[np.isnat(values)] = np.nan
    return out


def from_days(values: np.ndarray) -> pd.Series:
    """Float days since 1970 back to datetime64 (NaN -> NaT)."""
    whole = np.where(np.isnan(values), 0, values).astype(np.int64)
    out = whole.astype("datetime64[D]").astype("datetime64[ns]")
    out[np.isnan(values)] = np.datetime64("NaT")
    return pd.Series(out)


def join_per_key(keys: np.ndarray, values: np.ndarray, n_keys: int) -> np.ndarray:
    """Per key (0..n_keys-1), its distinct ``values`` sorted and joined by ``;`` (None when
    it has none). ``values`` are strings, possibly already ``;``-joined, or None."""
    out = np.full(n_keys, None, dtype=object)
    vals = pd.Series(values, dtype=object)
    keep = vals.notna().to_numpy() & (keys >= 0)
    keys, vals = keys[keep], vals[keep].astype(str)
    several = vals.str.contains(";", regex=False).to_numpy()
    if several.any():
        parts = vals[several].str.split(";")
        lengths = parts.map(len).to_numpy(dtype=np.int64)
        keys = np.r_[keys[~several], np.repeat(keys[several], lengths)]
        vals = pd.concat([vals[~several], parts.explode()], ignore_index=True)
    vals = vals.reset_index(drop=True)
    nonempty = (vals != "").to_numpy()
    keys, vals = keys[nonempty], vals[nonempty]
    codes, distinct = pd.factorize(vals, sort=True)
    width = max(len(distinct), 1)
    pair = np.unique(keys.astype(np.int64) * width + codes)
    key_of, code_of = pair // width, pair % width
    starts = runs(key_of)
    counts = np.diff(np.r_[starts, len(key_of)])
    names = np.asarray(distinct, dtype=object)
    single = counts == 1
    out[key_of[starts[single]]] = names[code_of[starts[single]]]
    if (~single).any():
        many = np.isin(key_of, key_of[starts[~single]])
        text = pd.Series(names[code_of[many]] + ";")
        joined = text.groupby(key_of[many], sort=True).sum().str[:-1]
        out[joined.index.to_numpy()] = joined.to_numpy()
    return out
