"""The true people of the world: children, hard negatives, victims, offenders and carers.

Everything is drawn in bulk with numpy; one row per true person, one per group, object and
place. Dates are ``datetime64[D]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lantern.simulate import formats, names
from lantern.simulate.assets import build_assets
from lantern.simulate.config import (
    CROSS_AREA_SHARE,
    ETHNICITY_CODES,
    ETHNICITY_P,
    GROUP_OFFENDERS,
    GROUP_VICTIMS,
    HARD_NEGATIVE_SHARE,
    HIERARCHICAL_SHARE,
    KNOWN_CHILD_SHARE,
    VICTIM_AGE_P,
    VICTIM_GIRL_SHARE,
    VICTIM_MISSING_SHARE,
    VICTIMS_PER_10K,
    WorldConfig,
)
from lantern.simulate.events import where_or_none

DAY = np.timedelta64(1, "D")
YEAR_DAYS = 365.25


@dataclass
class Population:
    persons: pd.DataFrame
    groups: pd.DataFrame
    objects: pd.DataFrame
    places: pd.DataFrame
    start: np.datetime64
    end: np.datetime64


def _days(x: np.ndarray) -> np.ndarray:
    return np.round(x).astype(np.int64) * DAY


def _sizes(rng: np.random.Generator, total: int, spec: tuple[int, int, float, float]) -> np.ndarray:
    """Group sizes (clipped lognormal) whose sum first reaches ``total``."""
    lo, hi, median, sigma = spec
    if total <= 0:
        return np.zeros(0, dtype=np.int64)
    draw = np.clip(np.round(rng.lognormal(np.log(median), sigma, total + 5)), lo, hi).astype(int)
    stop = int(np.searchsorted(np.cumsum(draw), total)) + 1
    return draw[:stop]


def _households(rng: np.random.Generator, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Area index and household size per household, giving about ``counts`` children per area."""
    sizes = rng.choice([1, 2, 3, 4], int(counts.sum()) + 10, p=[0.55, 0.3, 0.12, 0.03])
    area_of, size_of = [], []
    pos = 0
    for area, n in enumerate(counts):  # one iteration per area
        k = int(np.searchsorted(np.cumsum(sizes[pos:]), n)) + 1 if n > 0 else 0
        area_of.append(np.full(k, area))
        size_of.append(sizes[pos : pos + k])
        pos += k
        if pos + int(counts.max()) + 10 > sizes.size:
            sizes = np.concatenate([sizes, rng.choice([1, 2, 3], sizes.size, p=[0.6, 0.3, 0.1])])
    return np.concatenate(area_of), np.concatenate(size_of)


def _base(n: int, kind: str, area: np.ndarray, household: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "kind": np.full(n, kind, dtype=object),
        "subkind": np.full(n, "", dtype=object),
        "area": area.astype(np.int64),
        "household": household.astype(np.int64),
        "group": np.full(n, -1, dtype=np.int64),
        "twin": np.zeros(n, dtype=bool),
        "key_actor": np.zeros(n, dtype=bool),
    }


def _children(
    rng: np.random.Generator, areas: pd.DataFrame, end: np.datetime64, n_years: int, hh_start: int
) -> pd.DataFrame:
    """Children known to services, in households of one to four (twins in a few)."""
    counts = np.round(areas.child_population.to_numpy() * KNOWN_CHILD_SHARE).astype(int)
    h_area, h_size = _households(rng, counts)
    household = np.repeat(np.arange(h_area.size) + hh_start, h_size)
    position = np.arange(household.size) - np.repeat(np.cumsum(h_size) - h_size, h_size)
    n = household.size
    ages = np.arange(1, 17 + n_years)
    p = np.where(ages >= 10, 3.0, 1.0)
    age = rng.choice(ages, n, p=p / p.sum()) * YEAR_DAYS + rng.uniform(0, 364, n)
    dob = end - _days(age)
    twin_household = (h_size >= 2) & (rng.random(h_area.size) < 0.06)
    twin = np.repeat(twin_household, h_size) & (position <= 1)
    first_of_household = np.repeat(np.cumsum(h_size) - h_size, h_size)
    dob = np.where(twin & (position == 1), dob[first_of_household], dob)
    frame = _base(n, "child", np.repeat(h_area, h_size), household)
    frame["twin"] = twin
    frame["dob"] = dob
    return pd.DataFrame(frame)


def _hard_negatives(
    rng: np.random.Generator, areas: pd.DataFrame, end: np.datetime64, n_years: int, hh_start: int
) -> pd.DataFrame:
    counts = rng.poisson(areas.child_population.to_numpy() * HARD_NEGATIVE_SHARE)
    area = np.repeat(np.arange(counts.size), counts)
    n = area.size
    frame = _base(n, "hard_negative", area, hh_start + np.arange(n))
    frame["subkind"] = np.where(rng.random(n) < 0.5, "looked_after_missing", "persistent_absentee")
    age = rng.uniform(12, 16 + n_years, n) * YEAR_DAYS
    frame["dob"] = end - _days(age)
    return pd.DataFrame(frame)


def _exploitation(rng: np.random.Generator, n: int, period: float) -> tuple[np.ndarray, np.ndarray]:
    """Start and end day (from the period's start) of each victim's exploitation.

    Starts are spread from a year before the period to its end, lasting 3-18 months; a
    spell that would end before the period is taken to run into its first weeks.
    """
    s = rng.uniform(-360, period - 14, n)
    e = np.minimum(s + rng.uniform(90, 540, n), period)
    late = e < 0
    e = np.where(late, rng.uniform(0, 60, n), e)
    return s, e


def _groups(
    rng: np.random.Generator,
    areas: pd.DataFrame,
    cfg: WorldConfig,
    start: np.datetime64,
    end: np.datetime64,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Offender groups per area; returns groups and the number of victims of each."""
    n_years = len(cfg.years)
    # Victim-years per victim for the exploitation periods drawn below (estimated once).
    probe = np.random.default_rng(12345)
    period = (end - start) / DAY
    s, e = _exploitation(probe, 20000, period)
    edges = np.linspace(0, period, n_years + 1)
    overlap = sum(
        ((e >= lo) & (s <= hi)).astype(int) for lo, hi in zip(edges[:-1], edges[1:], strict=True)
    )
    per_victim = overlap.mean()
    target = (
        areas.child_population.to_numpy()
        * VICTIMS_PER_10K
        / 1e4
        * cfg.prevalence
        * areas.prevalence.to_numpy()
        * n_years
        / per_victim
    )
    n_victims = rng.poisson(target)
    rows_area, rows_size = [], []
    for area, total in enumerate(n_victims):
        sizes = _sizes(rng, int(total), GROUP_VICTIMS)
        rows_area.append(np.full(sizes.size, area))
        rows_size.append(sizes)
    g_area = np.concatenate(rows_area)
    v_size = np.concatenate(rows_size)
    n = g_area.size
    n_areas = len(areas)
    cross = (rng.random(n) < CROSS_AREA_SHARE) & (n_areas > 1)
    # The second area: a neighbour in the same force where possible, else any other area.
    shift = np.where(rng.random(n) < 0.7, 1, rng.integers(1, max(2, n_areas), n))
    second = np.where(cross, (g_area + shift) % max(1, n_areas), -1)
    lo, hi, median, sigma = GROUP_OFFENDERS
    o_size = np.clip(np.round(rng.lognormal(np.log(median), sigma, n)), lo, hi).astype(int)
    groups = pd.DataFrame(
        {
            "group": np.arange(n),
            "area": g_area,
            "second_area": second,
            "cross_area": cross,
            "hierarchical": rng.random(n) < HIERARCHICAL_SHARE,
            "n_victims": v_size,
            "n_offenders": o_size,
        }
    )
    return groups, v_size


def _victims(
    rng: np.random.Generator,
    groups: pd.DataFrame,
    start: np.datetime64,
    end: np.datetime64,
    hh_start: int,
) -> pd.DataFrame:
    g = np.repeat(groups.group.to_numpy(), groups.n_victims.to_numpy())
    n = g.size
    home = groups.area.to_numpy()[g]
    second = groups.second_area.to_numpy()[g]
    area = np.where((second >= 0) & (rng.random(n) < 0.4), second, home)
    frame = _base(n, "victim", area, hh_start + np.arange(n))
    frame["group"] = g
    s_days, e_days = _exploitation(rng, n, (end - start) / DAY)
    s = start + _days(s_days)
    ages = np.array(sorted(VICTIM_AGE_P))
    age = rng.choice(ages, n, p=[VICTIM_AGE_P[a] for a in ages]) * YEAR_DAYS + rng.uniform(
        0, 300, n
    )
    dob = s - _days(age)
    adult = dob + _days(np.full(n, 6570.0))
    e = np.minimum(start + _days(e_days), adult)
    frame.update(
        dob=dob,
        exp_start=s,
        exp_end=e,
        goes_missing=rng.random(n) < VICTIM_MISSING_SHARE,
        visibility=rng.standard_normal(n),
    )
    frame["subkind"] = np.where(rng.random(n) < 0.2, "looked_after", "")
    out = pd.DataFrame(frame)
    return out[(out.exp_end >= start) & (out.exp_end >= out.exp_start)]


def _active_from(groups: pd.DataFrame, victims: pd.DataFrame, start: np.datetime64) -> pd.Series:
    """A group is active from its first victim's exploitation (or the period's start)."""
    first = victims.groupby("group").exp_start.min()
    return first.reindex(groups.group).fillna(pd.Timestamp(start)).reset_index(drop=True)


def _offenders(
    rng: np.random.Generator, groups: pd.DataFrame, start: np.datetime64
) -> pd.DataFrame:
    g = np.repeat(groups.group.to_numpy(), groups.n_offenders.to_numpy())
    n = g.size
    rank = np.arange(n) - np.repeat(
        np.cumsum(groups.n_offenders) - groups.n_offenders, groups.n_offenders
    )
    second = groups.second_area.to_numpy()[g]
    area = np.where((second >= 0) & (rng.random(n) < 0.3), second, groups.area.to_numpy()[g])
    frame = _base(n, "offender", area, np.full(n, -1))
    frame["group"] = g
    frame["key_actor"] = groups.hierarchical.to_numpy()[g] & (rank == 0)
    frame["dob"] = start - _days((18 + rng.gamma(2.0, 6.0, n)) * YEAR_DAYS)
    return pd.DataFrame(frame)


def _parents(rng: np.random.Generator, children: pd.DataFrame) -> pd.DataFrame:
    """One parent or carer per household, living at it."""
    first = children.drop_duplicates("household")
    n = len(first)
    frame = _base(n, "parent", first.area.to_numpy(), first.household.to_numpy())
    frame["dob"] = first.dob.to_numpy() - _days(rng.uniform(20, 40, n) * YEAR_DAYS)
    return pd.DataFrame(frame)


def _attributes(rng: np.random.Generator, p: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Sex, names, addresses, phones and identifiers, shared within households."""
    n = len(p)
    kind = p.kind.to_numpy()
    sex = np.where(rng.random(n) < 0.5, "F", "M").astype(object)
    sex = np.where(kind == "victim", np.where(rng.random(n) < VICTIM_GIRL_SHARE, "F", "M"), sex)
    sex = np.where(kind == "offender", np.where(rng.random(n) < 0.92, "M", "F"), sex)
    sex = np.where(kind == "parent", np.where(rng.random(n) < 0.8, "F", "M"), sex)
    p["sex"] = sex
    p["forename"] = names.draw_forenames(rng, sex)
    middle = names.draw_forenames(rng, sex)
    p["middle_names"] = where_or_none(rng.random(n) < 0.6, middle)
    # Households (keyed by id; offenders have none) share surname, address and landline.
    hh = p.household.to_numpy()
    keyed = np.where(hh >= 0, hh, -1 - np.arange(n))
    uniq, inv = np.unique(keyed, return_inverse=True)
    hh_area = np.zeros(uniq.size, dtype=np.int64)
    hh_area[inv] = p.area.to_numpy()
    towns = areas.name.to_numpy()[hh_area]
    hh_surname = names.draw_surnames(rng, uniq.size)
    own_surname = names.draw_surnames(rng, n)
    p["surname"] = np.where(
        (kind == "parent") & (rng.random(n) < 0.2), own_surname, hh_surname[inv]
    )
    p["address"] = formats.draw_addresses(rng, uniq.size, towns)[inv]
    p["postcode"] = formats.draw_postcodes(rng, hh_area)[inv]
    landline = formats.landline_pool(rng, uniq.size)[inv]
    p["landline"] = where_or_none(rng.random(uniq.size)[inv] < 0.3, landline)
    mobile_p = np.select(
        [kind == "victim", kind == "offender", kind == "hard_negative", kind == "parent"],
        [0.75, 1.0, 0.5, 0.2],
        default=0.05,
    )
    has_mobile = rng.random(n) < mobile_p
    second = (kind == "offender") & (rng.random(n) < 0.25)
    pool = formats.mobile_pool(rng, int(has_mobile.sum() + second.sum()))
    mobiles = np.full(n, None, dtype=object)
    mobiles[has_mobile] = pool[: int(has_mobile.sum())]
    p["mobile"] = mobiles
    mobiles2 = np.full(n, None, dtype=object)
    mobiles2[second] = pool[int(has_mobile.sum()) :]
    p["mobile2"] = mobiles2
    child = kind != "offender"
    child &= kind != "parent"
    nhs = np.full(n, None, dtype=object)
    nhs[child] = formats.draw_nhs_numbers(rng, int(child.sum()))
    p["nhs_number"] = nhs
    upn = np.full(n, None, dtype=object)
    upn[child] = formats.draw_upns(rng, areas.la_number.to_numpy()[p.area.to_numpy()[child]])
    p["upn"] = upn
    p["alias"] = where_or_none(
        (kind == "offender") & (rng.random(n) < 0.45),
        np.array(names.STREET_NAMES, dtype=object)[rng.integers(0, len(names.STREET_NAMES), n)],
    )
    p["ethnicity"] = np.array(ETHNICITY_CODES, dtype=object)[
        rng.choice(len(ETHNICITY_CODES), n, p=np.array(ETHNICITY_P) / sum(ETHNICITY_P))
    ]
    return p


def build_population(cfg: WorldConfig, rng: np.random.Generator, areas: pd.DataFrame) -> Population:
    start = np.datetime64(f"{min(cfg.years)}-01-01", "D")
    end = np.datetime64(f"{max(cfg.years)}-12-31", "D")
    n_years = len(cfg.years)
    children = _children(rng, areas, end, n_years, 0)
    hh = int(children.household.max()) + 1 if len(children) else 0
    hard = _hard_negatives(rng, areas, end, n_years, hh)
    hh += len(hard)
    groups, _ = _groups(rng, areas, cfg, start, end)
    victims = _victims(rng, groups, start, end, hh)
    groups["active_from"] = _active_from(groups, victims, start).to_numpy()
    offenders = _offenders(rng, groups, start)
    kids = pd.concat([children, hard, victims], ignore_index=True)
    parents = _parents(rng, kids)
    persons = pd.concat([kids, offenders, parents], ignore_index=True)
    persons["tid"] = np.arange(len(persons))
    persons["true_person_id"] = "TP" + pd.Series(np.arange(len(persons)) + 1).astype(str).str.zfill(
        8
    )
    persons["goes_missing"] = persons["goes_missing"].astype("boolean").fillna(False).astype(bool)
    persons["visibility"] = persons["visibility"].fillna(0.0)
    persons = _attributes(rng, persons, areas)
    objects, places = build_assets(rng, groups, persons, areas)
    return Population(persons, groups, objects, places, start, end)
