"""What the records' events say about them: the age guard (an adult's role against a child's
date of birth, or the reverse), and the record context (ages, aliases, who was named
together) that the clustering and the attachment rules read."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lantern.resolve.levels import personal

# The age guard (see age_guard). Roles only an adult plays in an event, and events whose
# subject is a child, with the ages beyond which each is implausible.
ADULT_ROLES = frozenset({"suspect", "driver", "parent_carer"})
CHILD_EVENTS = frozenset({"absence", "exclusion", "looked_after", "child_protection_plan",
                          "return_interview"})
CHILDREN_SERVICES = frozenset({"social_care", "education", "youth_justice"})  # agency types
CHILD_ROLES = frozenset({"subject", "victim"})
YOUNGEST_IN_ADULT_ROLE = 18.0  # years at the event: younger is a child (in law)
OLDEST_IN_CHILD_EVENT = 25.0  # years at the event: care leavers are supported up to 25


def age_context(persons: pd.DataFrame, roles: pd.DataFrame) -> pd.DataFrame:
    """Per person record (indexed by ``record_id``): the range its recorded date of birth
    allows (``dob_lo``, ``dob_hi``: a year or a month widens it) and what its events say
    of its age when it has no date of birth: ``adult_from``, the first date it plays an
    adult's role (suspect, driver, parent or carer), and ``child_until``, the last date it
    is the subject (or victim) of a child's event: one recorded by children's services
    (children's social care, a school, youth justice) or a child's kind of event (care, a
    child protection plan, a return interview). A record's own date of birth says its age
    better than its roles: a 17-year-old recorded as a suspect with his date of birth is
    no clash with his school records.

    ``persons``: ``record_id, agency, agency_type, person_ref, dob`` (``YYYY``,
    ``YYYY-MM`` or ``YYYY-MM-DD``); ``roles``: ``agency, ref, role, kind, occurred_on``, one
    row per link of a person record to an event.
    """
    dob = persons["dob"].astype("string").fillna("")
    length = dob.str.len().to_numpy()
    padded = dob.where(length != 4, dob + "-01-01").where(length != 7, dob + "-01")
    lo = pd.Series(pd.to_datetime(padded, format="%Y-%m-%d", errors="coerce").to_numpy())
    hi = lo.copy()
    hi[length == 4] = lo[length == 4] + pd.offsets.YearEnd(0)
    hi[length == 7] = lo[length == 7] + pd.offsets.MonthEnd(0)
    out = pd.DataFrame({"dob_lo": _years(lo), "dob_hi": _years(hi)},
                       index=persons["record_id"].astype("int64").to_numpy())
    keys = pd.MultiIndex.from_frame(persons[["agency", "person_ref"]].astype(str))
    when = pd.to_datetime(roles["occurred_on"], errors="coerce")
    kind_of_agency = persons.drop_duplicates("agency").set_index("agency")[
        "agency_type"] if "agency_type" in persons.columns else pd.Series(dtype=object)
    by_children_services = roles["agency"].map(kind_of_agency).isin(CHILDREN_SERVICES)
    for column, mask, pick in (
        ("adult_from", roles["role"].isin(ADULT_ROLES), "min"),
        ("child_until", (roles["kind"].isin(CHILD_EVENTS) | by_children_services)
         & roles["role"].isin(CHILD_ROLES), "max"),
    ):
        dated = when[mask.to_numpy()].groupby(
            [roles.loc[mask, "agency"].astype(str), roles.loc[mask, "ref"].astype(str)]).agg(pick)
        out[column] = _years(pd.Series(dated.reindex(keys).to_numpy())) if len(dated) \
            else np.nan
    # Roles speak only for records without a date of birth of their own.
    out.loc[out["dob_lo"].notna().to_numpy(), ["adult_from", "child_until"]] = np.nan
    out.index.name = "record_id"
    return out


@dataclass(frozen=True)
class RecordContext:
    """What the records' events say about them, beyond the linkage columns.

    ``ages``: :func:`age_context`; ``nameless``: records with an alias (a street name) but
    no forename and no surname; ``together``: pairs of records (``l, r``) named in one
    event (a victim and a suspect in one intelligence report); ``aliases``: ``record_id,
    alias`` (folded like names), one row per alias; ``sex``: per record, where recorded.
    """

    ages: pd.DataFrame
    nameless: frozenset[int]
    together: pd.DataFrame
    aliases: pd.DataFrame
    sex: pd.Series

    @classmethod
    def of(cls, persons: pd.DataFrame, roles: pd.DataFrame) -> RecordContext:
        """``persons`` as read for resolution (``record_id, agency, person_ref, forename,
        surname, aliases, dob``); ``roles``: ``agency, event_ref, ref, role, kind,
        occurred_on``, one row per link of a person record to an event."""
        def blank(column: str) -> pd.Series:
            if column not in persons.columns:
                return pd.Series(True, index=persons.index)
            return persons[column].fillna("").astype(str).str.strip() == ""

        ids = persons["record_id"].astype("int64")
        nameless = frozenset(ids[blank("forename") & blank("surname") & ~blank("aliases")]
                             .tolist())
        key = pd.Series(ids.to_numpy(), index=pd.MultiIndex.from_frame(
            persons[["agency", "person_ref"]].astype(str)))
        named = pd.DataFrame({
            "event": roles["agency"].astype(str) + "\x1f" + roles["event_ref"].astype(str),
            "record": key.reindex(pd.MultiIndex.from_frame(
                roles[["agency", "ref"]].astype(str))).to_numpy(),
        }).dropna().drop_duplicates()
        both = named.merge(named, on="event")
        both = both[both["record_x"] < both["record_y"]]
        together = pd.DataFrame({"l": both["record_x"].astype("int64").to_numpy(),
                                 "r": both["record_y"].astype("int64").to_numpy()}
                                ).drop_duplicates().reset_index(drop=True)
        from lantern.resolve.features import clean_name

        raw = persons["aliases"] if "aliases" in persons.columns else pd.Series(
            None, index=persons.index, dtype=object)
        split = pd.Series(raw.fillna("").astype(str).to_numpy(), index=ids.to_numpy()
                          ).str.split(";").explode()
        aliases = pd.DataFrame({"record_id": split.index.astype("int64"),
                                "alias": clean_name(split).to_numpy()})
        aliases = aliases[aliases["alias"].fillna("").astype(str).str.len() > 0]
        sex = pd.Series(persons["sex"].to_numpy() if "sex" in persons.columns else None,
                        index=ids.to_numpy())
        sex = sex[sex.isin(["M", "F"])]
        return cls(ages=age_context(persons, roles), nameless=nameless, together=together,
                   aliases=aliases.drop_duplicates().reset_index(drop=True), sex=sex)


def _years(dates: pd.Series) -> np.ndarray:
    """Dates as years (2012.5 is mid-2012); NaN where unknown."""
    stamps = pd.Series(pd.to_datetime(dates, errors="coerce"))
    days = stamps.to_numpy(dtype="datetime64[D]").astype("int64").astype("float64")
    return np.where(stamps.isna().to_numpy(), np.nan, days / 365.2425 + 1970.0)


AGES = ["dob_lo", "dob_hi", "adult_from", "child_until"]


def age_clash(one: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Row-wise: do two records (or two groups, given :func:`ages_merged` rows) clash?
    Columns as ``AGES``; NaN compares False."""
    def born_vs_acts(born: np.ndarray, acts: np.ndarray) -> np.ndarray:
        # The latest birth a date allows is the youngest the person can be; the earliest,
        # the oldest.
        with np.errstate(invalid="ignore"):
            young = acts[:, 2] - born[:, 0] < YOUNGEST_IN_ADULT_ROLE
            old = acts[:, 3] - born[:, 1] > OLDEST_IN_CHILD_EVENT
        return young | old

    return born_vs_acts(one, other) | born_vs_acts(other, one)


def ages_clash(one: tuple[float, ...], other: tuple[float, ...]) -> bool:
    """:func:`age_clash` for two rows (or group summaries) as tuples."""
    def born_vs_acts(born: tuple[float, ...], acts: tuple[float, ...]) -> bool:
        return (acts[2] - born[0] < YOUNGEST_IN_ADULT_ROLE
                or acts[3] - born[1] > OLDEST_IN_CHILD_EVENT)  # NaN compares False

    return born_vs_acts(one, other) or born_vs_acts(other, one)


def ages_merged(one: tuple[float, ...], other: tuple[float, ...]) -> tuple[float, ...]:
    """Two groups' ages as one row that clashes with whatever a record of either clashes
    with: the latest "earliest birth", the earliest "latest birth", the first adult role,
    the last child's event."""
    def pick(a: float, b: float, larger: bool) -> float:
        if math.isnan(a):
            return b
        if math.isnan(b):
            return a
        return max(a, b) if larger else min(a, b)

    return (pick(one[0], other[0], True), pick(one[1], other[1], False),
            pick(one[2], other[2], False), pick(one[3], other[3], True))


def age_guard(pairs: pd.DataFrame, context: pd.DataFrame | None) -> pd.Series:
    """Pairs that must not be one person: the other record has no date of birth, and
    this one's makes the person a child (under 18) when the other has them as a suspect,
    a driver or a parent or carer, or an adult (over 25) when the other is the subject of
    children's services (a school, children's social care, care, a child protection plan);
    unless the two share a personal identifier (NHS number, UPN, mobile, email).

    A record with no date of birth (an offender known to the police by name only) is
    otherwise linked on its name alone: if a child of that name is on file, the lone-record
    rule makes the suspect the child, and the network then joins the child's exploiters to
    the suspect's. Its role is the only thing it says of its age, and an adult's role
    against a child's date of birth is not for a machine to settle on a name: the pair
    waits for review. The guard uses only what the records say of their age (date of
    birth, role, kind and date of event); ``pairs`` as stored (``record_id_l``,
    ``record_id_r``, ``gammas``), ``context`` from :func:`age_context`.
    """
    if context is None or pairs.empty:
        return pd.Series(False, index=pairs.index)
    ids = ("record_id_l", "record_id_r") if "record_id_l" in pairs.columns else (
        "unique_id_l", "unique_id_r")
    left = context.reindex(pairs[ids[0]].astype("int64").to_numpy())[AGES].to_numpy()
    right = context.reindex(pairs[ids[1]].astype("int64").to_numpy())[AGES].to_numpy()
    return pd.Series(age_clash(left, right) & ~personal(pairs), index=pairs.index)

