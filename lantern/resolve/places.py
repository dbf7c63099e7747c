"""Objects and places: deterministic keys for objects, similarity for locations.

Vehicles by registration mark, phones by E.164 number, online accounts by normalised
handle (the contract normalisers, reused). Locations: the same postcode plus a similar
name or address is one place ("Station Hotel" and "The Station Hotel, 1 Station Rd").
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from lantern.contract import normalise

_NORMALISERS = {
    "vehicle": normalise.vrm, "phone": normalise.phone, "online_account": normalise.account,
}
_STOP = {"the", "a", "of", "and", "ltd", "limited", "uk"}
_TOKEN = re.compile(r"[a-z0-9]+")


def _normalised(kind: str, raw: object) -> str | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    function = _NORMALISERS.get(kind)
    try:
        value = function(raw) if function else raw.strip().upper()
    except normalise.InvalidValue:
        value = re.sub(r"\s+", "", raw).upper()
    return value


def object_ids(objects: pd.DataFrame) -> pd.Series:
    """``kind:value`` per object record, e.g. ``vehicle:AB12CDE``, ``phone:+447700900123``."""
    value = objects["value"].where(objects["value"].notna() & (objects["value"] != ""), None)
    missing = value.isna()
    if missing.any():  # the loader leaves bad values empty: fall back to a cleaned raw value
        distinct = objects.loc[missing, ["kind", "value_raw"]].drop_duplicates()
        lookup = {
            (k, r): _normalised(k, r)
            for k, r in zip(distinct["kind"], distinct["value_raw"], strict=True)
        }
        value = value.copy()
        value[missing] = [
            lookup[(k, r)]
            for k, r in zip(objects.loc[missing, "kind"], objects.loc[missing, "value_raw"],
                            strict=True)
        ]
    ids = objects["kind"].astype(str) + ":" + value.fillna("?").astype(str)
    unknown = value.isna()
    ids[unknown] = objects.loc[unknown, "kind"] + ":" + objects.loc[unknown, "agency"] + "/" + \
        objects.loc[unknown, "object_ref"]
    return ids


def _tokens(text: pd.Series) -> pd.Series:
    return text.fillna("").astype(str).str.lower().str.findall(_TOKEN).map(
        lambda t: frozenset(x for x in t if x not in _STOP)
    )


def _jaccard(a: pd.Series, b: pd.Series) -> np.ndarray:
    return np.array([len(x & y) / len(x | y) if x and y else 0.0
                     for x, y in zip(a, b, strict=True)])


def location_ids(locations: pd.DataFrame, *, name_similarity: float = 0.5,
                 address_similarity: float = 0.6) -> pd.Series:
    """A place id per location record. Candidates share a postcode (or, without one,
    coordinates to about 100 m); they are one place when names or addresses agree."""
    frame = locations.reset_index(drop=True)
    postcode = frame["postcode"].fillna("").astype(str).str.replace(" ", "").str.upper()
    nothing = pd.Series(np.nan, index=frame.index)
    lat = pd.to_numeric(frame.get("latitude", nothing), errors="coerce")
    lon = pd.to_numeric(frame.get("longitude", nothing), errors="coerce")
    grid = (lat.round(3).astype(str) + "," + lon.round(3).astype(str)).where(
        lat.notna() & lon.notna())
    block = ("pc:" + postcode).where(postcode != "", "geo:" + grid)
    work = pd.DataFrame({
        "i": np.arange(len(frame)),
        "block": block,
        "name": _tokens(frame["name"]),
        "address": _tokens(frame["address"]),
    })
    work = work[work["block"].notna()]
    pairs = work.merge(work, on="block", suffixes=("_l", "_r"))
    pairs = pairs[pairs["i_l"] < pairs["i_r"]]
    if len(pairs):
        name_sim = _jaccard(pairs["name_l"], pairs["name_r"])
        addr_sim = _jaccard(pairs["address_l"], pairs["address_r"])
        neither_named = (pairs["name_l"].map(len) == 0) & (pairs["name_r"].map(len) == 0)
        same = (name_sim >= name_similarity) | ((addr_sim >= address_similarity) & (
            neither_named | (name_sim > 0)).to_numpy())
        pairs = pairs[same]
    n = len(frame)
    graph = coo_matrix((np.ones(len(pairs)), (pairs["i_l"], pairs["i_r"])), shape=(n, n))
    labels = connected_components(graph, directed=False)[1]
    keys = frame["agency"].astype(str) + "/" + frame["location_ref"].astype(str)
    first_key = keys.groupby(labels).transform("min")
    digest = first_key.map(lambda k: hashlib.sha1(k.encode()).hexdigest()[:10])
    prefix = postcode.where(postcode != "", "nopc")
    ids = "location:" + prefix.groupby(labels).transform("first") + ":" + digest
    ids.index = locations.index
    return ids
