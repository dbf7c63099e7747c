"""Footprints of exploited children and their exploiters across the five agencies.

Each agency sees a victim in a year with probability ``sigmoid(base + slope * z)`` where
``z`` is the victim's visibility (shared by every agency, so capture is correlated and
heterogeneous); having seen them it identifies them as a victim with its own probability.
Victims seen by no agency leave no record: they are the hidden figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lantern.simulate.config import IDENTIFY_GIVEN_SEEN, SEEN_BASE, VISIBILITY_SLOPE
from lantern.simulate.events import (
    DAY,
    EventBuilder,
    Spec,
    draw_dates,
    sigmoid,
    where_or_none,
)
from lantern.simulate.ordinary import Choice, child_window, contacts
from lantern.simulate.population import Population


@dataclass
class Lookup:
    """Offsets into per-group runs of offenders, victims, vehicles and places."""

    off_tid: np.ndarray
    off_first: np.ndarray
    off_n: np.ndarray
    hierarchical: np.ndarray
    vic_tid: np.ndarray
    vic_first: np.ndarray
    vic_n: np.ndarray
    veh_oid: np.ndarray
    veh_first: np.ndarray
    veh_n: np.ndarray
    place_lid: np.ndarray
    place_first: np.ndarray
    place_n: np.ndarray
    place_area: np.ndarray
    phone_of: np.ndarray  # person tid -> first phone oid, -1 if none


def _runs(group: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    counts = np.bincount(group, minlength=n_groups)
    return np.cumsum(counts) - counts, counts


def build_lookup(pop: Population) -> Lookup:
    p, g = pop.persons, pop.groups
    ng = len(g)
    off = p[p.kind == "offender"].sort_values(["group", "tid"])
    vic = p[p.kind == "victim"].sort_values(["group", "tid"])
    veh = pop.objects[pop.objects.kind == "vehicle"].sort_values(["group", "oid"])
    pl = pop.places.sort_values(["group", "lid"])
    phones = pop.objects[pop.objects.kind == "phone"].drop_duplicates("owner")
    phone_of = np.full(len(p), -1, dtype=np.int64)
    phone_of[phones.owner.to_numpy()] = phones.oid.to_numpy()
    of, on = _runs(off.group.to_numpy(), ng)
    vf, vn = _runs(vic.group.to_numpy(), ng)
    hf, hn = _runs(veh.group.to_numpy(), ng)
    pf, pn = _runs(pl.group.to_numpy(), ng)
    return Lookup(
        off.tid.to_numpy(),
        of,
        on,
        g.hierarchical.to_numpy(),
        vic.tid.to_numpy(),
        vf,
        vn,
        veh.oid.to_numpy(),
        hf,
        hn,
        pl.lid.to_numpy(),
        pf,
        pn,
        pl.area.to_numpy(),
        phone_of,
    )


def _pick(
    rng: np.random.Generator, first: np.ndarray, n: np.ndarray, ids: np.ndarray, p: float
) -> np.ndarray:
    """One member of each run with probability ``p`` (-1 otherwise or when the run is empty)."""
    ok = (n > 0) & (rng.random(first.size) < p)
    pos = first + (rng.random(first.size) * np.maximum(n, 1)).astype(np.int64)
    return np.where(ok, ids[np.minimum(pos, max(ids.size - 1, 0))] if ids.size else -1, -1)


def gradings(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """3x5x2 gradings (some with handling ``C``), and a few older 5x5x5 ones."""
    g3 = (
        np.array(list("123"), dtype=object)[rng.choice(3, n, p=[0.2, 0.6, 0.2])]
        + np.array(list("ABCDE"), dtype=object)[rng.choice(5, n, p=[0.1, 0.4, 0.35, 0.1, 0.05])]
        + np.where(rng.random(n) < 0.15, "C", "P").astype(object)
    )
    g5 = (
        np.array(list("ABCDE"), dtype=object)[rng.integers(0, 5, n)]
        + np.array(list("12345"), dtype=object)[rng.integers(0, 5, n)]
        + np.array(list("12345"), dtype=object)[rng.choice(5, n, p=[0.6, 0.2, 0.1, 0.05, 0.05])]
    )
    old = rng.random(n) < 0.05
    return np.where(old, g5, g3), where_or_none(old, "5x5x5")


def group_events(
    eb: EventBuilder,
    lk: Lookup,
    *,
    kind: str,
    agency_type: str,
    group: np.ndarray,
    dates: np.ndarray,
    home: np.ndarray,
    spec: Spec,
    victim: np.ndarray | None = None,
    victim_role: str = "subject",
    offenders: int = 2,
    offender_role: str = "suspect",
    vehicle_p: float = 0.0,
    place_p: float = 0.0,
    peer_p: float = 0.0,
    phone_p: float = 0.0,
    graded: bool = False,
    place_sets_area: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Events involving a group: a victim (optional), 1-2 offenders, vehicle, place, peer.

    Returns the event ids and the tids of the first offender named.
    """
    rng = eb.rng
    n = group.size
    place = _pick(rng, lk.place_first[group], lk.place_n[group], lk.place_lid, place_p)
    area = np.where((place >= 0) & place_sets_area, lk.place_area[np.maximum(place, 0)], home)
    grade, scheme = gradings(rng, n) if graded else (None, None)
    ev = eb.emit(
        kind,
        dates,
        agency_type,
        area,
        indicators=eb.indicators(n, spec),
        location=place,
        grading=grade,
        scheme=scheme,
    )
    # Offenders: in hierarchical groups the key actor (rank 0) turns up more often.
    first, count = lk.off_first[group], lk.off_n[group]
    uniform = (rng.random(n) * count).astype(np.int64)
    key = lk.hierarchical[group] & (rng.random(n) < 0.6)
    a = np.where(key, 0, uniform)
    b = (a + 1 + (rng.random(n) * np.maximum(count - 1, 1)).astype(np.int64)) % np.maximum(count, 1)
    vehicle = _pick(rng, lk.veh_first[group], lk.veh_n[group], lk.veh_oid, vehicle_p)
    first_off = lk.off_tid[first + a]
    eb.link(ev, "person", first_off, np.where(vehicle >= 0, "driver", offender_role))
    if offenders > 1:
        eb.link(
            ev,
            "person",
            lk.off_tid[first + b],
            offender_role,
            mask=(count > 1) & (rng.random(n) < 0.5),
        )
    eb.link(ev, "object", vehicle, "present")
    eb.link(ev, "object", lk.phone_of[first_off], "present", mask=rng.random(n) < phone_p)
    eb.link(ev, "location", place, "present")
    if victim is not None:
        role = (
            np.where(vehicle >= 0, "passenger", victim_role)
            if victim_role == "subject"
            else victim_role
        )
        eb.link(ev, "person", victim, role)
        # A peer: another victim of the same group.
        vf, vn = lk.vic_first[group], lk.vic_n[group]
        peer = _pick(rng, vf, vn, lk.vic_tid, peer_p)
        eb.link(ev, "person", peer, "associate", mask=peer != victim)
    return ev, first_off


VICTIM_CONTACTS: dict[str, tuple[list[Choice], float]] = {
    "social_care": (
        [
            (
                "referral",
                0.7,
                {
                    "older_associates": 0.4,
                    "unexplained_gifts": 0.3,
                    "substance_misuse": 0.3,
                    "estranged_family": 0.2,
                    "self_harm": 0.1,
                    "exploited_peers": 0.1,
                },
                "subject",
            ),
            ("assessment", 0.3, {"older_associates": 0.3}, "subject"),
        ],
        0.4,
    ),
    "health": (
        [
            ("sexual_health_attendance", 0.5, {"sexual_health": 1.0, "pregnancy": 0.08}, "subject"),
            (
                "ae_attendance",
                0.5,
                {"substance_misuse": 0.3, "unexplained_injury": 0.25, "self_harm": 0.15},
                "subject",
            ),
        ],
        0.6,
    ),
    "education": (
        [
            ("absence", 0.7, {"school_absence": 1.0}, "subject"),
            (
                "welfare_concern",
                0.3,
                {
                    "unexplained_gifts": 0.3,
                    "older_associates": 0.3,
                    "seen_in_vehicles": 0.2,
                    "multiple_phones": 0.2,
                    "online_risk": 0.2,
                },
                "subject",
            ),
        ],
        1.5,
    ),
    "voluntary": (
        [
            (
                "outreach_contact",
                1.0,
                {
                    "older_associates": 0.4,
                    "substance_misuse": 0.3,
                    "online_risk": 0.3,
                    "exploited_peers": 0.2,
                },
                "subject",
            )
        ],
        0.8,
    ),
}
IDENTIFYING: dict[str, tuple[str, Spec]] = {
    "social_care": ("strategy_meeting", {"cse_concern": 0.9, "older_associates": 0.5}),
    "health": ("sexual_health_attendance", {"cse_concern": 1.0, "sexual_health": 1.0}),
    "education": ("welfare_concern", {"cse_concern": 1.0, "older_associates": 0.4}),
    "voluntary": ("disclosure", {"disclosure": 1.0, "sexual_activity_with_child": 0.5}),
}


def victim_footprints(
    eb: EventBuilder, pop: Population, lk: Lookup, parent_of: np.ndarray, years: tuple[int, ...]
) -> None:
    rng = eb.rng
    v = pop.persons[pop.persons.kind == "victim"]
    who, area, group = v.tid.to_numpy(), v.area.to_numpy(), v.group.to_numpy()
    z, missing = v.visibility.to_numpy(), v.goes_missing.to_numpy()
    in_care = (v.subkind == "looked_after").to_numpy()
    for year in years:
        lo, hi, ok = child_window(
            v.dob.to_numpy(), year, v.exp_start.to_numpy(), v.exp_end.to_numpy()
        )
        for agency_type, base in SEEN_BASE.items():
            seen = ok & (rng.random(who.size) < sigmoid(base + VISIBILITY_SLOPE * z))
            q = IDENTIFY_GIVEN_SEEN[agency_type]
            ident = seen & (rng.random(who.size) < sigmoid(np.log(q / (1 - q)) + 0.5 * z))
            if agency_type == "police":
                _police(eb, lk, who, area, group, lo, hi, seen, ident, missing, in_care, year)
                continue
            choices, extra = VICTIM_CONTACTS[agency_type]
            counts = np.where(seen, 1 + rng.poisson(extra, who.size), 0)
            ev, rows, kinds = contacts(eb, who, area, lo, hi, agency_type, counts, choices)
            social = np.isin(kinds, ["referral", "assessment"]) & (rng.random(ev.size) < 0.5)
            eb.link(ev, "person", parent_of[who[rows]], "parent_carer", mask=social)
            if agency_type == "social_care":
                back = seen & missing
                n_ri = np.where(back, rng.poisson(1.0, who.size), 0)
                contacts(
                    eb,
                    who,
                    area,
                    lo,
                    hi,
                    agency_type,
                    n_ri,
                    [
                        (
                            "return_interview",
                            1.0,
                            {
                                "older_associates": 0.3,
                                "found_at_unknown_address": 0.3,
                                "unexplained_gifts": 0.2,
                            },
                            "subject",
                        )
                    ],
                )
            idx = np.flatnonzero(ident)
            kind, spec = IDENTIFYING[agency_type]
            dates = draw_dates(rng, lo[idx], hi[idx])
            if agency_type == "voluntary":
                ev, _ = group_events(
                    eb,
                    lk,
                    kind=kind,
                    agency_type=agency_type,
                    group=group[idx],
                    dates=dates,
                    home=area[idx],
                    spec=spec,
                    victim=who[idx],
                    victim_role="victim",
                    offenders=1,
                    place_p=0.3,
                    place_sets_area=False,
                )
            else:
                ev = eb.emit(
                    kind, dates, agency_type, area[idx], indicators=eb.indicators(idx.size, spec)
                )
                eb.link(ev, "person", who[idx], "victim")
            if agency_type == "social_care":
                plan = rng.random(idx.size) < 0.4
                later = np.minimum(
                    dates + (rng.random(idx.size) * 30).astype(np.int64) * DAY, hi[idx]
                )
                ev2 = eb.emit(
                    "child_protection_plan",
                    later[plan],
                    agency_type,
                    area[idx][plan],
                    indicators=eb.indicators(int(plan.sum()), {"cse_concern": 1.0}),
                )
                eb.link(ev2, "person", who[idx][plan], "subject")


def _police(
    eb: EventBuilder,
    lk: Lookup,
    who: np.ndarray,
    area: np.ndarray,
    group: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    seen: np.ndarray,
    ident: np.ndarray,
    missing: np.ndarray,
    in_care: np.ndarray,
    year: int,
) -> None:
    rng = eb.rng
    n = who.size
    n_missing = np.where(seen & missing, 1 + rng.poisson(1.5, n), 0)
    n_stop = np.where(seen, rng.poisson(0.8, n), 0)
    n_intel = np.where(seen, rng.poisson(0.8, n), 0)
    n_intel = np.where(seen & (n_missing + n_stop + n_intel == 0), 1, n_intel)
    signs = {"found_at_unknown_address": 0.35, "older_associates": 0.25, "substance_misuse": 0.15}
    for care in (False, True):
        code = "missing_from_care" if care else "missing_from_home"
        counts = np.where(in_care == care, n_missing, 0)
        contacts(
            eb,
            who,
            area,
            lo,
            hi,
            "police",
            counts,
            [("missing_episode", 1.0, {code: 1.0, **signs}, "subject")],
        )
    rows = np.repeat(np.arange(n), n_stop)
    group_events(
        eb,
        lk,
        kind="stop_check",
        agency_type="police",
        group=group[rows],
        dates=draw_dates(rng, lo[rows], hi[rows]),
        home=area[rows],
        spec={
            "seen_in_vehicles": 0.6,
            "older_associates": 0.7,
            "substance_misuse": 0.2,
            "supplies_alcohol_drugs": 0.2,
            "vehicle_linked": 0.4,
        },
        victim=who[rows],
        offender_role="associate",
        vehicle_p=0.7,
        place_p=0.5,
        peer_p=0.3,
    )
    rows = np.repeat(np.arange(n), n_intel)
    group_events(
        eb,
        lk,
        kind="intelligence_report",
        agency_type="police",
        group=group[rows],
        dates=draw_dates(rng, lo[rows], hi[rows]),
        home=area[rows],
        spec={
            "older_associates": 0.6,
            "multiple_children": 0.4,
            "harbouring": 0.3,
            "supplies_alcohol_drugs": 0.3,
            "exploited_peers": 0.3,
            "unexplained_gifts": 0.2,
        },
        victim=who[rows],
        place_p=0.7,
        peer_p=0.3,
        phone_p=0.6,
        vehicle_p=0.15,
        graded=True,
    )
    idx = np.flatnonzero(ident)
    dates = draw_dates(rng, lo[idx], hi[idx])
    _, suspect = group_events(
        eb,
        lk,
        kind="crime_report",
        agency_type="police",
        group=group[idx],
        dates=dates,
        home=area[idx],
        spec={"sexual_activity_with_child": 0.6, "older_associates": 0.4},
        victim=who[idx],
        victim_role="victim",
        place_p=0.5,
        place_sets_area=False,
    )
    # Arrests (and some charges) of the first suspect named in a crime report.
    arrest = rng.random(idx.size) < 0.5
    when = dates + (rng.random(idx.size) * 60).astype(np.int64) * DAY
    when = np.minimum(when, np.datetime64(f"{year}-12-31", "D"))
    ev = eb.emit("arrest", when[arrest], "police", area[idx][arrest])
    eb.link(ev, "person", suspect[arrest], "subject")
    charge = arrest & (rng.random(idx.size) < 0.4)
    ev = eb.emit("charge", when[charge], "police", area[idx][charge])
    eb.link(ev, "person", suspect[charge], "subject")


def offender_footprints(
    eb: EventBuilder, pop: Population, lk: Lookup, years: tuple[int, ...]
) -> None:
    """Intelligence about the adults alone (with phones, places, vehicles), graded."""
    g = pop.groups
    for year in years:
        first = np.datetime64(f"{year}-01-01", "D")
        last = np.datetime64(f"{year}-12-31", "D")
        lo = np.maximum(first, g.active_from.to_numpy().astype("datetime64[D]"))
        active = lo <= last
        counts = np.where(active, eb.rng.poisson(np.sqrt(g.n_offenders.to_numpy())), 0)
        rows = np.repeat(np.arange(len(g)), counts)
        group_events(
            eb,
            lk,
            kind="intelligence_report",
            agency_type="police",
            group=g.group.to_numpy()[rows],
            dates=draw_dates(eb.rng, lo[rows], np.full(rows.size, last)),
            home=g.area.to_numpy()[rows],
            spec={
                "multiple_children": 0.3,
                "harbouring": 0.3,
                "vehicle_linked": 0.3,
                "supplies_alcohol_drugs": 0.3,
            },
            place_p=0.7,
            phone_p=0.6,
            vehicle_p=0.3,
            graded=True,
        )


def parent_lookup(persons: pd.DataFrame) -> np.ndarray:
    """Person tid -> tid of the parent or carer of their household (-1 if none)."""
    parents = persons[persons.kind == "parent"]
    by_household = pd.Series(parents.tid.to_numpy(), index=parents.household.to_numpy())
    hh = persons.household.to_numpy()
    out = by_household.reindex(hh).fillna(-1).to_numpy().astype(np.int64)
    return np.where(persons.kind.to_numpy() == "parent", -1, out)
