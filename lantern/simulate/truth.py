"""The world's truth: who each record really is, the groups, every victim and missed chances.

All tables are derived in bulk from the true events, so they agree with the submissions by
construction (for instance, identified victims follow the contract's definition exactly).
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from lantern.contract import vocabulary
from lantern.simulate.config import AGENCY_TYPES
from lantern.simulate.events import BIT, DAY, where_or_none
from lantern.simulate.evidence import evidenced_areas, evidenced_members
from lantern.simulate.ordinary import child_window
from lantern.simulate.population import Population
from lantern.simulate.records import Recorded

CHILD_KINDS = ("child", "hard_negative", "victim")
RESPONSES = ("referral", "strategy_meeting", "child_protection_plan")
VARIANTS = np.array(["main", "duplicate", "alias_only"], dtype=object)


def _iso(dates: pd.Series) -> pd.Series:
    out = pd.Series(
        np.datetime_as_string(dates.to_numpy().astype("datetime64[D]"), unit="D"),
        index=dates.index,
        dtype=object,
    )
    return out.where(dates.notna(), None)


def joined_by(key: np.ndarray, value: np.ndarray) -> pd.Series:
    """The distinct values of each key, sorted and ``;``-joined, without a per-group loop."""
    codes, uniques = pd.factorize(value, sort=True)
    if len(uniques) > 52:  # bits are summed in float64, exact up to 2**53
        frame = pd.DataFrame({"key": key, "value": value}).drop_duplicates()
        return frame.sort_values(["key", "value"]).groupby("key").value.agg(";".join)
    keys, key_codes = np.unique(key, return_inverse=True)
    # Distinct (key, value) bits summed per key are their bitwise or.
    pairs = np.unique(key_codes.astype(np.int64) * 64 + codes)
    mask = np.bincount(pairs // 64, weights=np.left_shift(1, pairs % 64).astype(float),
                       minlength=keys.size).astype(np.int64)  # fmt: skip
    uniq, inv = np.unique(mask, return_inverse=True)
    text = np.array(
        [";".join(u for i, u in enumerate(uniques) if int(m) >> i & 1) for m in uniq],
        dtype=object,
    )  # one string per distinct combination
    return pd.Series(text[inv], index=keys)


def _mask(true_links: pd.DataFrame, events: pd.DataFrame) -> np.ndarray:
    """Indicator bitmask of each link's event (event ids are 0..n-1)."""
    by_ev = np.zeros(int(events.ev.max()) + 1 if len(events) else 0, dtype=np.int64)
    by_ev[events.ev.to_numpy()] = events["mask"].to_numpy()
    return by_ev[true_links.ev.to_numpy()]


def identified_links(rec: Recorded) -> pd.DataFrame:
    """Links that make a child an identified victim under the contract's definition."""
    vocab = vocabulary()
    tl = rec.true_links
    mask = _mask(tl, rec.events)
    flag = np.zeros(len(tl), dtype=np.int64)
    for code in vocab.victim_indicators:
        flag |= BIT[code]
    hit = tl.kind.isin(sorted(vocab.victim_event_kinds)).to_numpy() | ((mask & flag) != 0)
    return tl[(tl.role == "victim").to_numpy() & hit]


def _nth_date(first_dates: pd.Series, nth: int) -> pd.Series:
    """Per tid, the ``nth`` (0-based) earliest of its first dates (by agency or by code)."""
    frame = first_dates.reset_index()[["tid", "date"]].sort_values(["tid", "date"], kind="stable")
    rank = frame.groupby("tid").cumcount().to_numpy()
    pick = frame[rank == nth]
    return pd.Series(pick.date.to_numpy(), index=pick.tid.to_numpy())


def missed_opportunities(pop: Population, rec: Recorded) -> pd.DataFrame:
    """Children with warning signs from 2+ agencies (or 3+ distinct signs) and no referral,
    strategy meeting or protection plan from the first sign to 30 days after that point."""
    kinds = pop.persons.kind.to_numpy()
    tl = rec.true_links
    tl = tl[np.isin(kinds[tl.tid.to_numpy()], CHILD_KINDS)]
    mask = _mask(tl, rec.events)
    child_bits = [BIT[c] for c in sorted(vocabulary().child_indicators)]
    child_mask = np.bitwise_or.reduce(np.array(child_bits, dtype=np.int64))
    signs = tl[(mask & child_mask) != 0]
    first = signs.groupby("tid").date.min()
    second_agency = _nth_date(signs.groupby(["tid", "agency"]).date.min(), 1)
    sign_mask = mask[(mask & child_mask) != 0]
    rows = [
        signs.assign(code=i)[(sign_mask & b) != 0][["tid", "code", "date"]]
        for i, b in enumerate(child_bits)
    ]  # one pass per indicator code, not per row
    third_code = _nth_date(pd.concat(rows).groupby(["tid", "code"]).date.min(), 2)
    trigger = pd.concat([second_agency, third_code], axis=1).min(axis=1).dropna()
    out = pd.DataFrame({"first_sign_on": first.reindex(trigger.index), "trigger_on": trigger})
    resp = tl[tl.kind.isin(RESPONSES)][["tid", "date"]].merge(
        out[["first_sign_on"]], left_on="tid", right_index=True
    )
    first_response = resp[resp.date >= resp.first_sign_on].groupby("tid").date.min()
    out["responded_on"] = first_response.reindex(out.index)
    late = out.responded_on.isna() | (out.responded_on > out.trigger_on + 30 * DAY)
    out = out[late]
    chosen = signs[signs.tid.isin(out.index)]
    agencies = joined_by(chosen.tid.to_numpy(), chosen.agency.to_numpy())
    contacts = signs[signs.tid.isin(out.index)].groupby("tid").ev.nunique()
    p = pop.persons.set_index("tid")
    return pd.DataFrame(
        {
            "true_person_id": p.true_person_id.reindex(out.index).to_numpy(),
            "kind": p.kind.reindex(out.index).to_numpy(),
            "first_sign_on": _iso(out.first_sign_on).to_numpy(),
            "trigger_on": _iso(out.trigger_on).to_numpy(),
            "agencies": agencies.reindex(out.index).to_numpy(),
            "contacts": contacts.reindex(out.index).to_numpy(),
            "responded_on": _iso(out.responded_on).to_numpy(),
        }
    ).sort_values("true_person_id", ignore_index=True)


def victims_by_year(
    pop: Population, rec: Recorded, areas: pd.DataFrame, years: tuple[int, ...]
) -> pd.DataFrame:
    """Every true victim per area and year, seen or not, and which agencies identified them."""
    v = pop.persons[pop.persons.kind == "victim"]
    ident = identified_links(rec)
    ident = ident.assign(year=ident.date.dt.year)
    seen = rec.true_links.assign(year=rec.true_links.date.dt.year)
    frames = []
    for year in years:
        _, _, ok = child_window(
            v.dob.to_numpy(), year, v.exp_start.to_numpy(), v.exp_end.to_numpy()
        )
        f = pd.DataFrame(
            {
                "area": areas.area.to_numpy()[v.area.to_numpy()[ok]],
                "year": year,
                "tid": v.tid.to_numpy()[ok],
                "true_person_id": v.true_person_id.to_numpy()[ok],
            }
        )
        iy = ident[ident.year == year]
        sy = seen[seen.year == year]
        for agency_type in AGENCY_TYPES:
            f[f"identified_by_{agency_type}"] = f.tid.isin(iy.tid[iy.agency_type == agency_type])
        f["identified"] = f.tid.isin(iy.tid)
        f["seen"] = f.tid.isin(sy.tid)
        frames.append(f)
    out = pd.concat(frames, ignore_index=True)
    return out.drop(columns="tid").sort_values(
        ["area", "year", "true_person_id"], ignore_index=True
    )


def identified_children(pop: Population, rec: Recorded, areas: pd.DataFrame) -> pd.DataFrame:
    """Identified victims per area and year by the contract's definition (true or not)."""
    ident = identified_links(rec)
    f = pd.DataFrame(
        {
            "area": areas.area.to_numpy()[ident.area.to_numpy()],
            "year": ident.date.dt.year.to_numpy(),
            "tid": ident.tid.to_numpy(),
            "agency": ident.agency.to_numpy(),
        }
    )
    f = f.drop_duplicates().sort_values(["area", "year", "tid", "agency"])
    if f.empty:
        return pd.DataFrame(columns=["area", "year", "true_person_id", "true_victim", "agencies"])
    g = cast(pd.DataFrame, f.groupby(["area", "year", "tid"], as_index=False).agency.agg(";".join))
    p = pop.persons
    g["true_person_id"] = p.true_person_id.to_numpy()[g.tid.to_numpy()]
    g["true_victim"] = p.kind.to_numpy()[g.tid.to_numpy()] == "victim"
    return g[["area", "year", "true_person_id", "true_victim", "agency"]].rename(
        columns={"agency": "agencies"}
    )


def truth_tables(
    pop: Population, rec: Recorded, areas: pd.DataFrame, years: tuple[int, ...]
) -> dict[str, pd.DataFrame]:
    p = pop.persons
    pt = rec.person_truth
    tid = pt.tid.to_numpy()
    records = pd.DataFrame(
        {
            "agency": pt.agency,
            "agency_type": pt.agency_type,
            "person_ref": pt.person_ref,
            "true_person_id": p.true_person_id.to_numpy()[tid],
            "kind": p.kind.to_numpy()[tid],
            "is_child": np.isin(p.kind.to_numpy()[tid], CHILD_KINDS),
            "record_variant": VARIANTS[pt.variant.to_numpy()],
        }
    ).sort_values(["agency", "person_ref"], ignore_index=True)
    area_code = areas.area.to_numpy()
    by_type = joined_by(pt.tid.to_numpy(), pt.agency_type.to_numpy())
    keep = p.tid.isin(by_type.index) | p.kind.isin(["victim", "offender"])
    g = pop.groups
    group_id = "TG" + pd.Series(np.arange(max(len(g), 1)) + 1).astype(str).str.zfill(6)
    pk = p[keep]
    persons = pd.DataFrame(
        {
            "true_person_id": pk.true_person_id,
            "kind": pk.kind,
            "subkind": pk.subkind,
            "area": area_code[pk.area.to_numpy()],
            "sex": pk.sex,
            "dob": _iso(pk.dob),
            "household_id": where_or_none(
                pk.household >= 0, "TH" + pk.household.astype(str).str.zfill(8)
            ),
            "twin": pk.twin,
            "group_id": where_or_none(pk.group >= 0, group_id.to_numpy()[pk.group.clip(0)]),
            "key_actor": pk.key_actor,
            "goes_missing": pk.goes_missing,
            "exploitation_start": _iso(pk.exp_start),
            "exploitation_end": _iso(pk.exp_end),
            "in_records": pk.tid.isin(by_type.index),
            "agency_types": by_type.reindex(pk.tid).to_numpy(),
            "ethnicity": pk.ethnicity,
        }
    ).sort_values("true_person_id", ignore_index=True)
    members = p[p.group >= 0]
    second = g.second_area.to_numpy()[members.group.to_numpy()]
    first = area_code[g.area.to_numpy()[members.group.to_numpy()]]
    other = area_code[np.maximum(second, 0)]
    low, high = np.where(first <= other, first, other), np.where(first <= other, other, first)
    a_sorted = pd.Series(np.where(second >= 0, low + ";" + high, first))
    evidenced = evidenced_members(pop, rec).reindex(members.tid.to_numpy()).to_numpy()
    seen_areas = evidenced_areas(pop, rec, pd.Series(evidenced, index=members.tid.to_numpy()))
    both = [
        frozenset((int(a), int(b))) <= seen_areas.get(i, frozenset())
        for i, a, b in zip(range(len(g)), g.area.to_numpy(), g.second_area.to_numpy(), strict=True)
    ]
    groups = pd.DataFrame(
        {
            "group_id": group_id.to_numpy()[members.group.to_numpy()],
            "true_person_id": members.true_person_id.to_numpy(),
            "role": np.where(members.kind == "offender", "suspect", "victim"),
            "areas": a_sorted.to_numpy(),
            "cross_area": second >= 0,
            "key_actor": members.key_actor.to_numpy(),
            "in_records": members.tid.isin(by_type.index).to_numpy(),
            "evidenced": evidenced,
            "cross_area_evidenced": (second >= 0) & np.asarray(both)[members.group.to_numpy()],
        }
    ).sort_values(["group_id", "true_person_id"], ignore_index=True)
    victims = victims_by_year(pop, rec, areas, years)
    identified = identified_children(pop, rec, areas)
    area_year = _area_year(areas, years, victims, identified)
    o, lt = rec.object_truth, rec.location_truth
    objects = pd.DataFrame(
        {
            "agency": o.agency,
            "object_ref": o.object_ref,
            "kind": o.kind,
            "true_object_id": pop.objects.true_object_id.to_numpy()[o.oid],
        }
    )
    locations = pd.DataFrame(
        {
            "agency": lt.agency,
            "location_ref": lt.location_ref,
            "kind": lt.kind,
            "true_location_id": pop.places.true_location_id.to_numpy()[lt.lid],
        }
    )
    return {
        "records.csv": records,
        "persons.csv": persons,
        "groups.csv": groups,
        "victims.csv": victims,
        "identified.csv": identified,
        "area_year.csv": area_year,
        "missed.csv": missed_opportunities(pop, rec),
        "objects.csv": objects.sort_values(["agency", "object_ref"], ignore_index=True),
        "locations.csv": locations.sort_values(["agency", "location_ref"], ignore_index=True),
    }


def _area_year(
    areas: pd.DataFrame, years: tuple[int, ...], victims: pd.DataFrame, identified: pd.DataFrame
) -> pd.DataFrame:
    idx = pd.MultiIndex.from_product([areas.area, list(years)], names=["area", "year"])
    out = pd.DataFrame(index=idx)
    out["child_population"] = (
        areas.set_index("area").child_population.reindex(idx.get_level_values("area")).to_numpy()
    )
    v = victims.groupby(["area", "year"])
    out["true_victims"] = v.size().reindex(idx, fill_value=0)
    out["seen_victims"] = v.seen.sum().reindex(idx, fill_value=0)
    out["identified_true_victims"] = v.identified.sum().reindex(idx, fill_value=0)
    out["identified_children"] = (
        identified.groupby(["area", "year"]).size().reindex(idx, fill_value=0)
    )
    out["hidden_victims"] = out.true_victims - out.identified_true_victims
    return out.reset_index()
