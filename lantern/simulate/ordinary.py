"""Footprints of children who are not exploited: ordinary contacts and hard negatives."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lantern.simulate.config import FALSE_CONCERN_RATE, ORDINARY_CONTACT
from lantern.simulate.events import DAY, EventBuilder, Spec, draw_dates

Choice = tuple[str, float, Spec, str]  # kind, weight, indicator probabilities, role

ORDINARY: dict[str, list[Choice]] = {
    "police": [
        ("missing_episode", 0.25, {"missing_from_home": 1.0}, "subject"),
        ("crime_report", 0.3, {}, "witness"),
        ("crime_report", 0.15, {"offending": 0.5}, "subject"),
        ("stop_check", 0.15, {}, "subject"),
        ("arrest", 0.15, {"offending": 1.0}, "subject"),
    ],
    "social_care": [
        ("referral", 0.55, {"estranged_family": 0.1, "substance_misuse": 0.03}, "subject"),
        ("assessment", 0.3, {"estranged_family": 0.05}, "subject"),
        ("child_protection_plan", 0.1, {}, "subject"),
        ("looked_after", 0.05, {"looked_after_child": 1.0}, "subject"),
    ],
    "health": [
        (
            "ae_attendance",
            0.7,
            {"unexplained_injury": 0.03, "self_harm": 0.03, "substance_misuse": 0.02},
            "subject",
        ),
        ("mental_health_contact", 0.2, {"self_harm": 0.2}, "subject"),
        ("sexual_health_attendance", 0.1, {"sexual_health": 0.5}, "subject"),
    ],
    "education": [
        ("absence", 0.6, {"school_absence": 0.5}, "subject"),
        ("exclusion", 0.2, {}, "subject"),
        ("welfare_concern", 0.2, {"estranged_family": 0.2, "online_risk": 0.1}, "subject"),
    ],
    "voluntary": [
        ("outreach_contact", 1.0, {"online_risk": 0.05, "substance_misuse": 0.05}, "subject"),
    ],
}

LOOKED_AFTER_MISSING: dict[str, tuple[float, float, list[Choice]]] = {
    # agency: (chance per year, mean extra events, choices)
    "police": (
        0.9,
        2.0,
        [
            (
                "missing_episode",
                1.0,
                {
                    "missing_from_care": 1.0,
                    "looked_after_child": 0.5,
                    "substance_misuse": 0.1,
                    "older_associates": 0.1,
                    "found_at_unknown_address": 0.05,
                },
                "subject",
            )
        ],
    ),
    "social_care": (
        0.95,
        1.5,
        [
            ("looked_after", 0.3, {"looked_after_child": 1.0}, "subject"),
            (
                "return_interview",
                0.6,
                {"missing_from_care": 0.7, "substance_misuse": 0.1},
                "subject",
            ),
            ("referral", 0.1, {"looked_after_child": 1.0}, "subject"),
        ],
    ),
    "health": (
        0.4,
        0.3,
        [("ae_attendance", 1.0, {"substance_misuse": 0.2, "self_harm": 0.1}, "subject")],
    ),
    "education": (0.5, 1.0, [("absence", 1.0, {"school_absence": 1.0}, "subject")]),
}
ABSENTEE: dict[str, tuple[float, float, list[Choice]]] = {
    "education": (
        0.98,
        2.5,
        [
            ("absence", 0.8, {"school_absence": 1.0}, "subject"),
            ("welfare_concern", 0.2, {"estranged_family": 0.3, "online_risk": 0.2}, "subject"),
        ],
    ),
    "social_care": (0.35, 0.2, [("referral", 1.0, {"estranged_family": 0.4}, "subject")]),
    "police": (0.15, 0.3, [("missing_episode", 1.0, {"missing_from_home": 1.0}, "subject")]),
    "health": (0.2, 0.2, [("mental_health_contact", 1.0, {"self_harm": 0.3}, "subject")]),
}


def child_window(
    dob: np.ndarray, year: int, lo: np.ndarray | None = None, hi: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The days of ``year`` on which a person is a child (and inside ``[lo, hi]`` if given)."""
    first = np.datetime64(f"{year}-01-01", "D")
    last = np.datetime64(f"{year}-12-31", "D")
    # 6,570 days is a few days short of 18 years: every event falls safely in childhood.
    start = np.maximum(first, dob.astype("datetime64[D]") + DAY)
    stop = np.minimum(last, dob.astype("datetime64[D]") + 6570 * DAY)
    if lo is not None:
        start = np.maximum(start, lo.astype("datetime64[D]"))
    if hi is not None:
        stop = np.minimum(stop, hi.astype("datetime64[D]"))
    return start, stop, stop >= start


def contacts(
    eb: EventBuilder,
    who: np.ndarray,
    area: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    agency_type: str,
    counts: np.ndarray,
    choices: list[Choice],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``counts[i]`` events for ``who[i]`` drawn from ``choices``; returns ids, rows, kinds."""
    rng = eb.rng
    rows = np.repeat(np.arange(who.size), counts)
    n = rows.size
    dates = draw_dates(rng, lo[rows], hi[rows])
    weights = np.array([c[1] for c in choices])
    pick = rng.choice(len(choices), n, p=weights / weights.sum())
    kinds = np.array([c[0] for c in choices], dtype=object)[pick]
    masks = np.zeros(n, dtype=np.int64)
    for j, choice in enumerate(choices):
        sel = pick == j
        masks[sel] = eb.indicators(int(sel.sum()), choice[2])
    ev = eb.emit(kinds, dates, agency_type, area[rows], indicators=masks)
    roles = np.array([c[3] for c in choices], dtype=object)[pick]
    eb.link(ev, "person", who[rows], roles)
    return ev, rows, kinds


def _parent_links(eb: EventBuilder, ev: np.ndarray, kinds: np.ndarray, parent: np.ndarray) -> None:
    social = np.isin(kinds, ["referral", "assessment", "child_protection_plan", "return_interview"])
    eb.link(ev, "person", parent, "parent_carer", mask=social & (eb.rng.random(ev.size) < 0.5))


def ordinary_footprints(
    eb: EventBuilder, persons: pd.DataFrame, parent_of: np.ndarray, years: tuple[int, ...]
) -> None:
    """Children known to services: a few ordinary contacts a year, rare warning signs."""
    kids = persons[persons.kind == "child"]
    who, area, dob = kids.tid.to_numpy(), kids.area.to_numpy(), kids.dob.to_numpy()
    for year in years:
        lo, hi, ok = child_window(dob, year)
        for agency_type, chance in ORDINARY_CONTACT.items():
            present = ok & (eb.rng.random(who.size) < chance)
            counts = np.where(present, 1 + eb.rng.poisson(0.3, who.size), 0)
            ev, rows, kinds = contacts(
                eb, who, area, lo, hi, agency_type, counts, ORDINARY[agency_type]
            )
            _parent_links(eb, ev, kinds, parent_of[who[rows]])


def hard_negative_footprints(
    eb: EventBuilder, persons: pd.DataFrame, parent_of: np.ndarray, years: tuple[int, ...]
) -> None:
    """Looked-after children who go missing and persistent absentees: signs, no exploitation."""
    for subkind, table in (
        ("looked_after_missing", LOOKED_AFTER_MISSING),
        ("persistent_absentee", ABSENTEE),
    ):
        hn = persons[(persons.kind == "hard_negative") & (persons.subkind == subkind)]
        who, area, dob = hn.tid.to_numpy(), hn.area.to_numpy(), hn.dob.to_numpy()
        for year in years:
            lo, hi, ok = child_window(dob, year)
            for agency_type, (chance, extra, choices) in table.items():
                present = ok & (eb.rng.random(who.size) < chance)
                counts = np.where(present, 1 + eb.rng.poisson(extra, who.size), 0)
                ev, rows, kinds = contacts(eb, who, area, lo, hi, agency_type, counts, choices)
                _parent_links(eb, ev, kinds, parent_of[who[rows]])
            # A professional wrongly records a concern of exploitation, naming a victim.
            false = ok & (eb.rng.random(who.size) < FALSE_CONCERN_RATE)
            ids = np.flatnonzero(false)
            ev = eb.emit(
                "referral",
                draw_dates(eb.rng, lo[ids], hi[ids]),
                "social_care",
                area[ids],
                indicators=eb.indicators(ids.size, {"cse_concern": 1.0, "older_associates": 0.5}),
            )
            eb.link(ev, "person", who[ids], "victim")
