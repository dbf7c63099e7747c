"""Fictional areas (local authorities), police forces and agencies."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lantern.simulate.config import (
    AGENCY_PREFIX,
    AGENCY_TYPES,
    AREA_SPREAD_SIGMA,
    AREAS_PER_FORCE,
    HOT_AREA_FACTOR,
    HOT_AREA_SHARE,
    WorldConfig,
)

PREFIXES = [
    "Quill",
    "Marrow",
    "Thistle",
    "Wyvern",
    "Brindle",
    "Sable",
    "Tansy",
    "Kestrel",
    "Juniper",
    "Larkspur",
    "Cinder",
    "Pewter",
    "Saffron",
    "Umber",
    "Vellum",
    "Nettle",
    "Gorse",
    "Bramble",
    "Hollin",
    "Moth",
]
SUFFIXES = ("mere", "combe", "stead", "wick", "holt", "thorpe", "dale", "brook", "marsh", "fold")
REGIONS = [
    "Northmarch",
    "Eastfold",
    "Westreach",
    "Southvale",
    "Midholm",
    "Highmoor",
    "Lowfen",
    "Coastmarch",
    "Greywold",
    "Ambershire",
    "Duskvale",
    "Frostmere",
    "Oakreach",
    "Stonefold",
]


def area_names(n: int) -> list[str]:
    """Distinct invented place names (``Quillmere``, ``Sablecombe`` ...), numbered past 200."""
    base = [p + s for s in SUFFIXES for p in PREFIXES]
    return [
        base[i % len(base)] + ("" if i < len(base) else f" {i // len(base) + 1}") for i in range(n)
    ]


def build_areas(cfg: WorldConfig, rng: np.random.Generator) -> pd.DataFrame:
    """Areas with child populations, prevalence multipliers, a police force and a region.

    Populations are lognormal around the national mean (LAs range roughly 20k-250k children)
    and rescaled to sum to the configured total; a few areas get far higher prevalence.
    """
    n = cfg.n_areas
    weights = rng.lognormal(0.0, 0.6, n)
    population = np.maximum(500, np.round(weights / weights.sum() * cfg.total_children)).astype(int)
    order = rng.permutation(n)
    names = np.array(area_names(n), dtype=object)[order]
    multiplier = rng.lognormal(-(AREA_SPREAD_SIGMA**2) / 2, AREA_SPREAD_SIGMA, n)
    n_hot = int(round(HOT_AREA_SHARE * n)) if n >= 10 else (1 if n >= 3 else 0)
    hot = np.zeros(n, dtype=bool)
    if n_hot:
        hot[rng.choice(n, n_hot, replace=False)] = True
    multiplier = np.where(hot, multiplier * HOT_AREA_FACTOR, multiplier)
    # Normalise so that the population-weighted mean multiplier is 1.
    multiplier = multiplier * population.sum() / (multiplier * population).sum()
    n_forces = max(1, int(round(n / AREAS_PER_FORCE)))
    force = np.sort(rng.integers(0, n_forces, n))
    force = np.unique(force, return_inverse=True)[1]  # no empty forces
    regions = np.array(REGIONS, dtype=object)[force % len(REGIONS)]
    regions = regions + np.where(
        force >= len(REGIONS), " " + (force // len(REGIONS) + 1).astype(str), ""
    )
    return pd.DataFrame(
        {
            "area_index": np.arange(n),
            "area": [f"ZZ{i + 1:03d}" for i in range(n)],
            "name": names,
            "child_population": population,
            "region": regions,
            "force": force,
            "prevalence": multiplier,
            "hot": hot,
            "la_number": 901 + np.arange(n) % 99,
        }
    )


def build_agencies(areas: pd.DataFrame) -> pd.DataFrame:
    """One agency of each type per area; police and voluntary agencies cover a whole force."""
    rows = []
    for _, a in areas.iterrows():  # a few hundred rows at most
        for kind in AGENCY_TYPES:
            if kind in ("police", "voluntary"):
                code = f"{AGENCY_PREFIX[kind]}{a.force + 1:02d}"
                label = "Police" if kind == "police" else "Youth Outreach Trust"
                name = f"{a.region} {label} (fictional)"
            else:
                code = f"{AGENCY_PREFIX[kind]}{a.area_index + 1:03d}"
                label = {
                    "social_care": "Children's Services",
                    "health": "Health NHS Trust",
                    "education": "Education Service",
                }[kind]
                name = f"{a['name']} {label} (fictional)"
            rows.append(
                {
                    "area_index": a.area_index,
                    "agency_type": kind,
                    "agency": code,
                    "agency_name": name,
                }
            )
    return pd.DataFrame(rows)
