"""From scored pairs to people: guards, constrained clustering, per-record confidence.

Pure functions on DataFrames. Clusters are connected components of *strong* links only
(at or above the merge threshold), so a single weak link never joins two clusters; weaker
links go to clerical review instead. Cannot-links (review rejections, unmerges and the
household guard) are honoured even against chains of strong links: a component that
would hold a cannot-linked pair is rebuilt greedily, strongest link first, refusing any
union that would put a cannot-linked pair together.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

# Gamma values Splink gives the levels of model.comparisons() (ElseLevel = 0).
DIFFERENT = 0
IDENTIFIER_MATCH = 1
BY_OTHER_NAME = 2  # forename level: a nickname, alias or middle name in common
SHARED_MOBILE = 2
SOLE_RIVAL = 0.05  # a sole candidate has no other person linked at or above this
COHESION = 0.5  # two groups join only if their records' mean match probability reaches this

# The age guard (see age_guard). Roles only an adult plays in an event, and events whose
# subject is a child, with the ages beyond which each is implausible.
ADULT_ROLES = frozenset({"suspect", "driver", "parent_carer"})
CHILD_EVENTS = frozenset({"absence", "exclusion", "looked_after", "child_protection_plan",
                          "return_interview"})
CHILDREN_SERVICES = frozenset({"social_care", "education", "youth_justice"})  # agency types
CHILD_ROLES = frozenset({"subject", "victim"})
YOUNGEST_IN_ADULT_ROLE = 18.0  # years at the event: younger is a child (in law)
OLDEST_IN_CHILD_EVENT = 25.0  # years at the event: care leavers are supported up to 25
# Positions in the stored ``gammas`` string (``model.GAMMAS``, in that order).
GAMMA_POSITION = {"forename": 0, "surname": 1, "dob": 2, "sex": 3, "residence": 4, "area": 5,
                  "alias": 6, "phones": 7, "emails": 8, "nhs_number": 9, "upn": 10}
_PERSONAL = {"phones": SHARED_MOBILE, "emails": IDENTIFIER_MATCH,
             "nhs_number": IDENTIFIER_MATCH, "upn": IDENTIFIER_MATCH}


def level(pairs: pd.DataFrame, name: str) -> np.ndarray:
    """Each pair's level on comparison ``name`` (-1: unknown or null), from a
    ``gamma_<name>`` column or the stored ``gammas`` string."""
    if f"gamma_{name}" in pairs.columns:
        return pairs[f"gamma_{name}"].fillna(-1).astype(int).to_numpy()
    if "gammas" in pairs.columns and len(pairs):
        parts = pairs["gammas"].astype(str).str.split(",").str[GAMMA_POSITION[name]]
        return pd.to_numeric(parts, errors="coerce").fillna(-1).astype(int).to_numpy()
    return np.full(len(pairs), -1)


def with_levels(pairs: pd.DataFrame) -> pd.DataFrame:
    """``pairs`` with a ``gamma_<name>`` column per comparison, parsed once from the
    stored ``gammas`` string (when there is one and the columns are not there)."""
    if "gammas" not in pairs.columns or "gamma_forename" in pairs.columns or pairs.empty:
        return pairs
    parts = pairs["gammas"].astype(str).str.split(",", expand=True)
    out = pairs.copy()
    for name, position in GAMMA_POSITION.items():
        column = parts[position] if position in parts.columns else None
        out[f"gamma_{name}"] = -1 if column is None else pd.to_numeric(
            column, errors="coerce").fillna(-1).astype(int).to_numpy()
    return out


def household_guard(pairs: pd.DataFrame, *, features: pd.DataFrame | None = None
                    ) -> pd.Series:
    """Pairs that must not merge automatically: they look like one household (same
    surname or same residence) yet have a different forename (not a nickname, alias,
    middle name or typo of the other), a different middle name, a different recorded sex
    or a clearly different date of birth, and share no personal identifier (NHS number,
    UPN, mobile, email).
    Siblings and twins share surname, address and sometimes a birthday; a parent may share
    a child's name; forename, sex and date of birth are what tell them apart. With
    ``features``, a forename that is a mistyped nickname of the other
    (:func:`~lantern.resolve.features.forenames_compatible`) is no conflict.
    """

    def gamma(name: str) -> pd.Series:
        if name in pairs.columns:
            return pairs[name].fillna(-1).astype(int)
        return pd.Series(-1, index=pairs.index)

    household = (gamma("gamma_surname") > DIFFERENT) | (gamma("gamma_residence") > DIFFERENT)
    other_forename = gamma("gamma_forename") == DIFFERENT
    if features is not None:
        from lantern.resolve.features import forenames_compatible

        # Forenames that differ, or meet only through a middle name or an alias (twins
        # Amelia Jessica and Jessica): do the first names themselves belong together?
        check = household & ((gamma("gamma_forename") == DIFFERENT)
                             | (gamma("gamma_forename") == BY_OTHER_NAME))
        subset = pairs[check]
        close = forenames_compatible(features, subset["unique_id_l"], subset["unique_id_r"])
        other_forename = check & ~close.reindex(pairs.index, fill_value=False)
    conflict = (
        other_forename
        | (gamma("gamma_sex") == DIFFERENT)
        | (gamma("gamma_dob") == DIFFERENT)  # a parent and a child of the same name
        | (gamma("gamma_middle") == DIFFERENT)  # two Jacks: Jack Callum, Jack Thomas
    )
    personal = (
        (gamma("gamma_nhs_number") == IDENTIFIER_MATCH)
        | (gamma("gamma_upn") == IDENTIFIER_MATCH)
        | (gamma("gamma_phones") == SHARED_MOBILE)
        | (gamma("gamma_emails") == IDENTIFIER_MATCH)
    )
    return household & conflict & ~personal


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


def _age_clash(one: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Row-wise: do two records (or two groups, given :func:`_ages_merged` rows) clash?
    Columns as ``AGES``; NaN compares False."""
    def born_vs_acts(born: np.ndarray, acts: np.ndarray) -> np.ndarray:
        # The latest birth a date allows is the youngest the person can be; the earliest,
        # the oldest.
        with np.errstate(invalid="ignore"):
            young = acts[:, 2] - born[:, 0] < YOUNGEST_IN_ADULT_ROLE
            old = acts[:, 3] - born[:, 1] > OLDEST_IN_CHILD_EVENT
        return young | old

    return born_vs_acts(one, other) | born_vs_acts(other, one)


def _ages_clash(one: tuple[float, ...], other: tuple[float, ...]) -> bool:
    """:func:`_age_clash` for two rows (or group summaries) as tuples."""
    def born_vs_acts(born: tuple[float, ...], acts: tuple[float, ...]) -> bool:
        return (acts[2] - born[0] < YOUNGEST_IN_ADULT_ROLE
                or acts[3] - born[1] > OLDEST_IN_CHILD_EVENT)  # NaN compares False

    return born_vs_acts(one, other) or born_vs_acts(other, one)


def _ages_merged(one: tuple[float, ...], other: tuple[float, ...]) -> tuple[float, ...]:
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
    return pd.Series(_age_clash(left, right) & ~personal(pairs), index=pairs.index)


def personal(pairs: pd.DataFrame) -> np.ndarray:
    """Pairs that share a personal identifier (NHS number, UPN, mobile, email)."""
    shared = np.zeros(len(pairs), dtype=bool)
    for name, match in _PERSONAL.items():
        shared |= level(pairs, name) == match
    return shared


@dataclass(frozen=True)
class Constraints:
    """Judgement pairs, by node id: must stay together / must stay apart."""

    must: pd.DataFrame  # columns l, r
    cannot: pd.DataFrame  # columns l, r

    @classmethod
    def none(cls) -> Constraints:
        empty = pd.DataFrame({"l": pd.Series(dtype="int64"), "r": pd.Series(dtype="int64")})
        return cls(must=empty, cannot=empty.copy())


def _ordered(frame: pd.DataFrame, left: str, right: str) -> pd.DataFrame:
    a, b = frame[left].to_numpy(), frame[right].to_numpy()
    return pd.DataFrame({"l": np.minimum(a, b), "r": np.maximum(a, b)})


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


@dataclass(frozen=True)
class Agreement:
    """What the household guard's majority rule may overlook.

    A guarded pair that differs only in forename and/or date of birth (never in sex) is
    no sign of a sibling when one of its records already agrees on that forename and
    date of birth with another record of the other's person through a link: "Jkssica"
    (a typo of "Jessica") differs from "Jesisca" but matches "Jessica", and both are in
    the person already. Twins never meet this: Amelia has no link agreeing on her
    forename into Jessica's person unless that person already holds an Amelia.
    """

    name_ok: dict[int, set[int]]  # record -> records it links to, forename agreeing
    dob_ok: dict[int, set[int]]  # record -> records it links to, date of birth agreeing
    needs: dict[tuple[int, int], tuple[bool, bool]]  # guarded pair -> (forename, dob) differ

    @classmethod
    def of(cls, pairs: pd.DataFrame, links: pd.Series, guarded: pd.Series) -> Agreement:
        """``links``: the pairs that count as agreeing links; ``guarded``: the household
        guard's pairs (both boolean masks on ``pairs``)."""
        forename, dob, sex = (level(pairs, n) for n in ("forename", "dob", "sex"))
        lo = np.minimum(pairs["unique_id_l"].to_numpy(), pairs["unique_id_r"].to_numpy())
        hi = np.maximum(pairs["unique_id_l"].to_numpy(), pairs["unique_id_r"].to_numpy())
        name_ok: dict[int, set[int]] = {}
        dob_ok: dict[int, set[int]] = {}
        for table, agrees in ((name_ok, forename > DIFFERENT), (dob_ok, dob > DIFFERENT)):
            mask = links.to_numpy(dtype=bool) & agrees
            for a, b in zip(lo[mask].tolist(), hi[mask].tolist(), strict=True):
                table.setdefault(a, set()).add(b)
                table.setdefault(b, set()).add(a)
        mask = guarded.to_numpy(dtype=bool) & (sex != DIFFERENT)
        needs = {(a, b): (f, d) for a, b, f, d in zip(
            lo[mask].tolist(), hi[mask].tolist(),
            ((forename[mask] == DIFFERENT) | (forename[mask] == BY_OTHER_NAME)).tolist(),
            (dob[mask] == DIFFERENT).tolist(), strict=True) if f or d}
        return cls(name_ok=name_ok, dob_ok=dob_ok, needs=needs)

    def excused(self, x: int, y: int, x_side: set[int], y_side: set[int]) -> bool:
        """Whether the guarded pair (x in ``x_side``, y in ``y_side``) may be overlooked."""
        need = self.needs.get((min(x, y), max(x, y)))
        if need is None:
            return False
        for one, other in ((x, y_side - {y}), (y, x_side - {x})):
            if (not need[0] or self.name_ok.get(one, set()) & other) and (
                    not need[1] or self.dob_ok.get(one, set()) & other):
                return True
        return False


def _greedy(nodes: np.ndarray, edges: pd.DataFrame, cannot: set[tuple[int, int]],
            guarded: set[tuple[int, int]], scores: pd.DataFrame | None = None,
            cohesion: float = 0.0, agreement: Agreement | None = None,
            ages: dict[int, np.ndarray] | None = None,
            shared: set[tuple[int, int]] | None = None) -> dict[int, int]:
    """Union strongest-first, refusing unions that join a cannot-linked pair, unions of
    two groups with no more strong links between them than household-guarded pairs, and
    (with ``cohesion``) unions of two groups whose records' mean match probability, over
    every pair between them (unscored pairs count 0), is below ``cohesion``.

    A judgement's cannot-link is absolute. The household guard is a majority rule: twins
    (every pair between them guarded) stay apart, while a record whose forename is a
    typo of one record's but matches several others' still joins its person. Cohesion is
    average linkage: a sparse record (a name and a sex) that matches two people equally
    well joins one of them, but cannot chain the two into one. Must-links (``p`` above 1)
    join regardless of cohesion. With ``agreement``, a guarded pair it excuses does not
    count (:class:`Agreement`). With ``ages`` (a node's :data:`AGES` row), two groups
    whose ages clash (:func:`age_guard`, between any record of one and any of the other,
    scored or not) do not join unless a pair between them is in ``shared`` (a personal
    identifier in common) or the link is a must-link.
    """
    parent = {int(v): int(v) for v in nodes}
    members = {int(v): {int(v)} for v in nodes}
    banned: dict[int, set[int]] = {int(v): set() for v in nodes}
    for a, b in cannot:
        banned[a].add(b)
        banned[b].add(a)
    guard_of: dict[int, set[int]] = {int(v): set() for v in nodes}
    for a, b in guarded:
        guard_of[a].add(b)
        guard_of[b].add(a)
    strong_of: dict[int, set[int]] = {int(v): set() for v in nodes}
    for a, b in zip(edges["l"].to_numpy(), edges["r"].to_numpy(), strict=True):
        strong_of[int(a)].add(int(b))
        strong_of[int(b)].add(int(a))
    score_of: dict[int, dict[int, float]] = {int(v): {} for v in nodes}
    if scores is not None and cohesion > 0:
        for a, b, p in zip(scores["l"].tolist(), scores["r"].tolist(), scores["p"].tolist(),
                           strict=True):
            score_of[a][b] = score_of[b][a] = p

    def outweighed(one: set[int], other: set[int]) -> bool:
        guards = sum(1 for x in one for y in guard_of[x] & other
                     if agreement is None or not agreement.excused(x, y, one, other))
        if not guards:
            return False
        return sum(len(strong_of[x] & other) for x in one) <= guards

    def loose(one: set[int], other: set[int]) -> bool:
        if cohesion <= 0 or len(one) * len(other) == 1:
            return False
        small, large = (one, other) if len(one) <= len(other) else (other, one)
        total = sum(p for x in small for y, p in score_of[x].items() if y in large)
        return total < cohesion * len(one) * len(other)

    summary = {v: tuple(ages[v].tolist()) for v in parent if v in ages} if ages else {}
    shared_of: dict[int, set[int]] = {}
    for a, b in shared or ():
        shared_of.setdefault(a, set()).add(b)
        shared_of.setdefault(b, set()).add(a)

    def clash(ra: int, rb: int) -> bool:
        if ra not in summary or rb not in summary:
            return False
        if not _ages_clash(summary[ra], summary[rb]):
            return False
        return not any(shared_of.get(x, set()) & members[rb] for x in members[ra])

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, p in zip(edges["l"].to_numpy(), edges["r"].to_numpy(), edges["p"].to_numpy(),
                       strict=True):
        ra, rb = find(int(a)), find(int(b))
        if ra == rb:
            continue
        if banned[ra] & members[rb] or outweighed(members[ra], members[rb]):
            continue
        if p <= 1.0 and (loose(members[ra], members[rb]) or clash(ra, rb)):
            continue
        if len(members[ra]) < len(members[rb]):
            ra, rb = rb, ra
        parent[rb] = ra
        members[ra] |= members.pop(rb)
        banned[ra] |= banned.pop(rb)
        if rb in summary:
            kept = summary.pop(rb)
            summary[ra] = _ages_merged(summary[ra], kept) if ra in summary else kept
    return {v: find(v) for v in parent}


def cluster(
    nodes: pd.Series,
    pairs: pd.DataFrame,
    *,
    threshold: float,
    constraints: Constraints | None = None,
    sole: float | None = None,
    cohesion: float = COHESION,
    context: RecordContext | None = None,
) -> pd.Series:
    """A cluster label (the smallest node id in the cluster) for every node.

    ``pairs`` has ``unique_id_l, unique_id_r, match_probability`` and optionally
    ``guard`` (the household guard: a cannot-link under its majority rule) and
    ``age_guard`` (:func:`age_guard`: never a link; ``context`` enforces it on whole
    persons, scored pairs or not). Must-links join regardless of score.
    Components of three records or more, and any holding a cannot-link, are rebuilt by
    :func:`_greedy` under ``cohesion`` (0 turns average linkage off). With ``sole``,
    records left alone join the one person all their links point to, if the best of those
    links is at least ``sole`` (see :func:`_attach_sole_candidates`). With ``context``
    (:class:`RecordContext`), no step puts records whose ages clash into one person,
    whether or not their pair was scored, and a record with only an alias may join the
    person it shares an alias and an associate with (:func:`_attach_by_associates`).
    """
    constraints = constraints or Constraints.none()
    pairs = with_levels(pairs)
    ids = np.sort(nodes.astype("int64").unique())
    position = pd.Series(np.arange(len(ids)), index=ids)
    known = set(ids.tolist())

    guard = pairs["guard"] if "guard" in pairs.columns else pd.Series(False, index=pairs.index)
    aged = pairs["age_guard"].astype(bool) if "age_guard" in pairs.columns else pd.Series(
        False, index=pairs.index)
    must = _ordered(constraints.must, "l", "r")
    must = must[must["l"].isin(known) & must["r"].isin(known)]
    guarded = _ordered(pairs[guard.astype(bool)], "unique_id_l", "unique_id_r")
    if len(must):  # a person's acceptance overrides the automatic guard
        guarded = guarded[~guarded.set_index(["l", "r"]).index.isin(
            must.set_index(["l", "r"]).index)]
    guarded = guarded[guarded["l"].isin(known) & guarded["r"].isin(known)]
    hard = _ordered(constraints.cannot, "l", "r")
    hard = hard[hard["l"].isin(known) & hard["r"].isin(known)]
    cannot = pd.concat([guarded, hard], ignore_index=True).drop_duplicates()

    guard = guard.astype(bool)
    is_strong = (pairs["match_probability"] >= threshold) & ~guard & ~aged
    strong = pairs[is_strong]
    strong = _ordered(strong, "unique_id_l", "unique_id_r").assign(
        p=strong["match_probability"].to_numpy()
    )
    edges = pd.concat([must.assign(p=2.0), strong], ignore_index=True)
    if len(hard):  # a rejection beats an acceptance on the very same pair
        key = hard.set_index(["l", "r"]).index
        edges = edges[~edges.set_index(["l", "r"]).index.isin(key)]
    # Strongest first; ties in id order, so that the result never depends on the order
    # in which the backend returned the pairs.
    edges = edges.sort_values(["p", "l", "r"], ascending=[False, True, True],
                              kind="stable").drop_duplicates(["l", "r"])

    ages = context.ages if context is not None else None
    ordered = _ordered(pairs, "unique_id_l", "unique_id_r")
    shared = set(zip(*(ordered.loc[personal(pairs), c].tolist() for c in ("l", "r")),
                     strict=True)) if ages is not None else set()
    known_ages = ages.reindex(ids)[AGES].dropna(how="all") if ages is not None else None

    def age_rows(nodes: np.ndarray) -> dict[int, np.ndarray] | None:
        if known_ages is None:
            return None
        rows = known_ages[known_ages.index.isin(nodes)]
        return dict(zip(rows.index.tolist(), rows.to_numpy(), strict=True))

    labels = _components(
        len(ids), position[edges["l"]].to_numpy(), position[edges["r"]].to_numpy()
    )
    result = pd.Series(labels.astype("int64"), index=ids)
    cl, cr = result[cannot["l"]].to_numpy(), result[cannot["r"]].to_numpy()
    bad = set(cl[cl == cr].tolist())
    # Two records joined by a strong link are cohesive by definition, and their ages were
    # compared (a clash is a cannot-link); three or more are checked as groups.
    if cohesion > 0 or known_ages is not None:
        sizes = result.value_counts()
        bad |= set(sizes.index[sizes >= 3].tolist())
    if bad:
        in_bad = result[result.isin(bad)]
        sub_nodes = in_bad.index.to_numpy()
        sub_edges = edges[edges["l"].isin(sub_nodes)]

        def inside(frame: pd.DataFrame) -> pd.DataFrame:
            return frame[frame["l"].isin(sub_nodes) & frame["r"].isin(sub_nodes)]

        def as_set(frame: pd.DataFrame) -> set[tuple[int, int]]:
            frame = inside(frame)
            return set(zip(frame["l"].tolist(), frame["r"].tolist(), strict=True))

        scores = inside(_ordered(pairs, "unique_id_l", "unique_id_r").assign(
            p=pairs["match_probability"].to_numpy())) if cohesion > 0 else None
        within = pairs["unique_id_l"].isin(sub_nodes) & pairs["unique_id_r"].isin(sub_nodes)
        agreement = Agreement.of(pairs[within], is_strong[within], guard[within])
        roots = _greedy(sub_nodes, sub_edges, as_set(hard), as_set(guarded), scores, cohesion,
                        agreement, age_rows(sub_nodes), shared)
        offset = int(labels.max()) + 1
        root_index = {r: offset + i for i, r in enumerate(sorted(set(roots.values())))}
        result.loc[list(roots)] = [root_index[roots[v]] for v in roots]
    if sole is not None:
        # A household-guarded pair is overlooked as in the greedy step, on the links a
        # lone record may join by (from ``sole``).
        alone = result.index[result.map(result.value_counts()) == 1]
        near = pairs["unique_id_l"].isin(alone) | pairs["unique_id_r"].isin(alone)
        agreement = Agreement.of(pairs[near], ((pairs["match_probability"] >= sole) & ~guard
                                               & ~aged)[near], guard[near])
        result = _attach_sole_candidates(result, pairs, pd.concat([
            _unexcused(guarded, result, agreement), hard], ignore_index=True), low=sole,
            ages=known_ages, shared=shared)
    if context is not None and context.nameless:
        result = _attach_by_associates(result, pairs, cannot, context, shared=shared)
    # Label each cluster by its smallest node id: deterministic across backends.
    smallest = pd.Series(result.index, index=result.index).groupby(result).transform("min")
    return smallest.rename("cluster")


def _unexcused(guarded: pd.DataFrame, labels: pd.Series, agreement: Agreement
               ) -> pd.DataFrame:
    """Guarded pairs (``l, r``) of a record alone that ``agreement`` does not excuse
    against the other record's person under ``labels``."""
    if guarded.empty or not agreement.needs:
        return guarded
    sizes = labels.map(labels.value_counts())
    alone = sizes[sizes == 1].index
    lone_end = (guarded["l"].isin(alone) | guarded["r"].isin(alone)).to_numpy()
    if not lone_end.any():
        return guarded
    ends = guarded[lone_end]
    wanted = labels.reindex(pd.concat([ends["l"], ends["r"]])).unique()
    inside = labels[labels.isin(wanted)]
    members = pd.Series(inside.index, index=inside.index).groupby(inside).agg(set).to_dict()
    label_of = inside.to_dict()
    lone = set(alone.tolist())
    keep = np.ones(len(guarded), dtype=bool)
    for i, a, b in zip(np.flatnonzero(lone_end).tolist(), ends["l"].tolist(),
                       ends["r"].tolist(), strict=True):
        for x, y in ((a, b), (b, a)):
            if x in lone and agreement.excused(x, y, {x}, members[label_of[y]]):
                keep[i] = False
    return guarded[keep]


def _attach_sole_candidates(labels: pd.Series, pairs: pd.DataFrame, cannot: pd.DataFrame, *,
                            low: float, rival: float = SOLE_RIVAL,
                            ages: pd.DataFrame | None = None,
                            shared: set[tuple[int, int]] | None = None) -> pd.Series:
    """A record left alone whose every scored link (any probability kept) points into one
    and the same person of two or more records, at ``low`` or above, joins that person;
    two lone records that are each other's only candidate, or each other's dominant one,
    at ``low`` or above, join; and a record alone whose best person (``low`` or above) is
    more likely than all the other candidates and "nobody" together joins that person.

    Sparse records (a name and little else) rarely reach the merge threshold pair by pair,
    yet when nobody else in the data could be them, they are that person. Only records
    alone are attached, and only to one person, so this cannot chain two people together;
    a cannot-link or a household guard on any of the links stops it. With ``ages``, so
    does an age clash with any record of that person (:func:`age_guard`; unless a pair
    between them is in ``shared``, a personal identifier in common), or a date of birth
    further than a keying error from every date of birth of that person: the weak link
    is usually to a record of the person without one.
    """
    sizes = labels.map(labels.value_counts())
    left = pairs["unique_id_l"].to_numpy()
    right = pairs["unique_id_r"].to_numpy()
    ends = pd.DataFrame({
        "node": np.concatenate([left, right]),
        "other": np.concatenate([right, left]),
        "p": np.concatenate([pairs["match_probability"].to_numpy()] * 2),
    })
    ends = ends[ends["node"].isin(sizes.index[sizes == 1])]
    ends["target"] = labels.reindex(ends["other"]).to_numpy()
    blocked = set(zip(cannot["l"], cannot["r"], strict=True)) if len(cannot) else set()
    if blocked:
        lo = np.minimum(ends["node"], ends["other"])
        hi = np.maximum(ends["node"], ends["other"])
        ends["blocked"] = [(a, b) in blocked for a, b in zip(lo, hi, strict=True)]
    else:
        ends["blocked"] = False
    ends["target_size"] = sizes.reindex(ends["other"]).to_numpy()
    # Per record and candidate person: the best link into that person.
    per_target = ends.groupby(["node", "target"]).agg(
        p=("p", "max"), blocked=("blocked", "any"), size=("target_size", "min")).reset_index()
    per_target = per_target.sort_values(["node", "p", "target"], ascending=[True, False, True],
                                        kind="stable")
    first = per_target.drop_duplicates("node").set_index("node")
    second = per_target[per_target.duplicated("node")].drop_duplicates("node").set_index(
        "node")["p"].reindex(first.index).fillna(0.0)
    # Two lone records that are each other's only candidate join each other (once: the
    # record with the larger id moves to the other's label).
    n_candidates = per_target[per_target["p"] >= rival].groupby("node").size()
    singles = labels[sizes == 1]
    node_of = pd.Series(singles.index, index=singles.to_numpy())
    partner = node_of.reindex(first["target"]).to_numpy()
    mutual = (first["size"] == 1) & (n_candidates.reindex(partner).fillna(0).to_numpy() == 1) \
        & (first.index.to_numpy() > np.nan_to_num(partner, nan=np.inf))
    # Or the person is more likely than every alternative together, nobody included: its
    # odds reach one plus the odds of all other candidates (a record is one person at most).
    odds = per_target["p"].clip(upper=1 - 1e-9)
    odds = odds / (1 - odds)
    best_odds = odds.groupby(per_target["node"]).max().reindex(first.index)
    others = odds.groupby(per_target["node"]).sum().reindex(first.index) - best_odds
    dominant = best_odds >= 1 + others
    # Two lone records that are each other's dominant candidate join likewise.
    partner_ok = pd.Series(partner, index=first.index).map(
        (first["p"] >= low) & ~first["blocked"] & dominant).eq(True)
    partner_target = pd.Series(partner, index=first.index).map(first["target"])
    each_other = (first["size"] == 1) & dominant & partner_ok \
        & (partner_target.to_numpy() == labels.reindex(first.index).to_numpy()) \
        & (first.index.to_numpy() > np.nan_to_num(partner, nan=np.inf))
    chosen = first[(first["p"] >= low) & ~first["blocked"] & (
        ((second < rival) & ((first["size"] >= 2) | mutual))
        | (dominant & ((first["size"] >= 2) | each_other)))]
    if len(cannot) and len(chosen):  # a cannot-link to anyone in that person, scored or not
        both = pd.DataFrame({"node": np.concatenate([cannot["l"], cannot["r"]]),
                             "partner": np.concatenate([cannot["r"], cannot["l"]])})
        both = both[both["node"].isin(chosen.index)]
        clash = both["partner"].map(labels).to_numpy() == chosen["target"].reindex(
            both["node"]).to_numpy()
        chosen = chosen[~chosen.index.isin(both.loc[clash, "node"])]
    if ages is not None and len(chosen) and len(ages):
        chosen = chosen[~_clashes_with_target(chosen, labels, ages, shared or set())]
    out = labels.copy()
    out.loc[chosen.index] = chosen["target"].astype(labels.dtype).to_numpy()
    return out


def _attach_by_associates(labels: pd.Series, pairs: pd.DataFrame, cannot: pd.DataFrame,
                          context: RecordContext, *, shared: set[tuple[int, int]]
                          ) -> pd.Series:
    """A record alone that holds an alias and no name (a suspect an intelligence report
    knows only as "Smokey") joins the one person who is known by that alias (a record of
    theirs carries it; sex not different) *and* shares an associate with it: someone
    named in one of the record's events (as resolved: their person) is also named in an
    event of that person's records.

    A street name alone identifies nobody: they are few and widely shared (on three
    simulated worlds the rule "the one person known by that alias" was right 17 times and
    wrong 16); a street name used within one circle of people does. The aliases are
    matched on the records themselves: such a pair's score is often too low to be kept.
    Only records alone are attached, each to one person (two lone records that choose
    each other join once); a cannot-link, a household guard or an age clash with that
    person stops it.
    """
    sizes = labels.map(labels.value_counts())
    lone = [n for n in context.nameless if sizes.get(n) == 1]
    if not lone or context.together.empty:
        return labels
    known = context.aliases[context.aliases["record_id"].isin(labels.index)]
    mine_alias = known[known["record_id"].isin(lone)]
    ends = mine_alias.merge(known, on="alias", suffixes=("_node", "_other"))
    ends = ends[ends["record_id_node"] != ends["record_id_other"]]
    ends = pd.DataFrame({"node": ends["record_id_node"].to_numpy(),
                         "other": ends["record_id_other"].to_numpy()}).drop_duplicates()
    sex_node = context.sex.reindex(ends["node"]).to_numpy()
    sex_other = context.sex.reindex(ends["other"]).to_numpy()
    ends = ends[~(pd.notna(sex_node) & pd.notna(sex_other) & (sex_node != sex_other))]
    if ends.empty:
        return labels
    blocked = set(zip(cannot["l"].tolist(), cannot["r"].tolist(), strict=True))
    ends = ends[[(min(a, b), max(a, b)) not in blocked
                 for a, b in zip(ends["node"].tolist(), ends["other"].tolist(), strict=True)]]
    ends = ends.assign(target=labels.reindex(ends["other"]).to_numpy())
    # Who each person was named alongside, as persons.
    t = context.together
    t = t[t["l"].isin(labels.index) & t["r"].isin(labels.index)]
    a, b = labels.reindex(t["l"]).to_numpy(), labels.reindex(t["r"]).to_numpy()
    met = pd.DataFrame({"person": np.concatenate([a, b]), "associate": np.concatenate([b, a])})
    met = met[met["person"] != met["associate"]].drop_duplicates()
    circle = met.groupby("person")["associate"].agg(set)
    chosen: dict[int, int] = {}
    label_of: dict[int, int] = dict(zip(labels.index.astype("int64").tolist(),
                                        labels.astype("int64").tolist(), strict=True))
    targets_of: dict[int, set[int]] = {}
    for node, target in zip(ends["node"].tolist(), ends["target"].tolist(), strict=True):
        targets_of.setdefault(int(node), set()).add(int(target))
    for node, targets in targets_of.items():
        own = label_of[node]
        mine = circle.get(own, set())
        fits = {k for k in targets if (mine - {k}) & (circle.get(k, set()) - {own})}
        if len(fits) == 1:
            chosen[node] = fits.pop()
    # A record moving to a record alone that itself moves: two lone records that chose
    # each other join once (the larger id moves); any other chain is left alone.
    moving = {label_of[n]: n for n in chosen}
    for node, target in list(chosen.items()):
        other = moving.get(target)
        if other is not None and other != node and (
                chosen.get(other) != label_of[node] or node < other):
            del chosen[node]
    if not chosen:
        return labels
    pick = pd.DataFrame({"target": list(chosen.values())}, index=list(chosen.keys()))
    for x, y in blocked:  # a cannot-link to anyone in that person, scored or not
        for node, other in ((x, y), (y, x)):
            if node in chosen and labels.get(other) == chosen[node]:
                pick = pick.drop(index=node, errors="ignore")
    if len(pick) and len(context.ages):
        pick = pick[~_clashes_with_target(pick, labels, context.ages, shared)]
    out = labels.copy()
    out.loc[pick.index] = pick["target"].astype(labels.dtype).to_numpy()
    return out


def _clashes_with_target(chosen: pd.DataFrame, labels: pd.Series, ages: pd.DataFrame,
                         shared: set[tuple[int, int]]) -> np.ndarray:
    """Per chosen record: do its ages clash with its target person's (any record of it,
    scored or not), with no personal identifier shared between them?"""
    values = ages[AGES]
    in_targets = labels[labels.isin(chosen["target"])]
    rows = values.reindex(in_targets.index).dropna(how="all")
    if rows.empty:
        return np.zeros(len(chosen), dtype=bool)
    group = in_targets.reindex(rows.index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        summary = pd.DataFrame({
            "dob_lo": rows["dob_lo"].groupby(group).max(),
            "dob_hi": rows["dob_hi"].groupby(group).min(),
            "adult_from": rows["adult_from"].groupby(group).min(),
            "child_until": rows["child_until"].groupby(group).max(),
        })
    mine = values.reindex(chosen.index).to_numpy()
    theirs = summary.reindex(chosen["target"].to_numpy())[AGES].to_numpy()
    clash = _age_clash(mine, theirs) | _born_apart(chosen, labels, values, rows)
    nodes, targets = chosen.index.tolist(), chosen["target"].tolist()
    if shared and clash.any():
        wanted = {targets[i] for i in np.flatnonzero(clash).tolist()}
        inside = labels[labels.isin(wanted)]
        mates = pd.Series(inside.index, index=inside.index).groupby(inside).agg(list).to_dict()
        for i in np.flatnonzero(clash).tolist():
            if any((min(nodes[i], m), max(nodes[i], m)) in shared for m in mates[targets[i]]):
                clash[i] = False
    return clash


def _born_apart(chosen: pd.DataFrame, labels: pd.Series, values: pd.DataFrame,
                rows: pd.DataFrame) -> np.ndarray:
    """Per chosen record with a date of birth (``values``): does every date of birth of
    its target person (``rows``: the targets' records) lie further from it than a keying
    error (a year out, a day or two)?

    A record alone joins on weak evidence (a name shared with a record of the person that
    has no date of birth); the person's other records, never scored against it, may say
    it was born twenty years apart.
    """
    slack = 1.0 + 3 / 365.25
    mine = values.reindex(chosen.index)[["dob_lo", "dob_hi"]]
    mine = mine.assign(target=chosen["target"].to_numpy()).dropna(subset=["dob_lo"])
    if mine.empty:
        return np.zeros(len(chosen), dtype=bool)
    theirs = rows[["dob_lo", "dob_hi"]].dropna(subset=["dob_lo"]).assign(
        target=labels.reindex(rows.dropna(subset=["dob_lo"]).index).to_numpy())
    both = mine.reset_index(names="node").merge(theirs, on="target", suffixes=("", "_t"))
    near = (both["dob_lo"] - slack <= both["dob_hi_t"]) & (both["dob_lo_t"] <= both["dob_hi"]
                                                          + slack)
    verdict = (~near).groupby(both["node"]).all()
    return verdict.reindex(chosen.index, fill_value=False).to_numpy(dtype=bool)


def record_confidence(labels: pd.Series, pairs: pd.DataFrame) -> pd.Series:
    """Per record: the best link probability inside its cluster; for a record alone, one
    minus the best probability of any link it has (how sure we are it stands alone)."""
    left = labels.reindex(pairs["unique_id_l"]).to_numpy()
    right = labels.reindex(pairs["unique_id_r"]).to_numpy()
    inside = left == right
    prob = pairs["match_probability"].to_numpy()
    ends = pd.DataFrame({
        "node": np.concatenate([pairs["unique_id_l"], pairs["unique_id_r"]]),
        "p": np.concatenate([prob, prob]),
        "inside": np.concatenate([inside, inside]),
    })
    best_inside = ends[ends["inside"]].groupby("node")["p"].max()
    best_any = ends.groupby("node")["p"].max()
    sizes = labels.map(labels.value_counts())
    alone = 1.0 - best_any.reindex(labels.index).fillna(0.0)
    together = best_inside.reindex(labels.index).clip(upper=1.0).fillna(1.0)
    return pd.Series(np.where(sizes > 1, together, alone), index=labels.index).clip(0.0, 1.0)


def review_candidates(
    labels: pd.Series, pairs: pd.DataFrame, *, low: float, threshold: float
) -> pd.DataFrame:
    """Pairs a person should look at: uncertain scores, and strong scores the household
    guard held back, whose records ended in different clusters."""
    left = labels.reindex(pairs["unique_id_l"]).to_numpy()
    right = labels.reindex(pairs["unique_id_r"]).to_numpy()
    apart = left != right
    prob = pairs["match_probability"]
    guard = pairs["guard"] if "guard" in pairs.columns else pd.Series(False, index=pairs.index)
    aged = pairs["age_guard"] if "age_guard" in pairs.columns else pd.Series(
        False, index=pairs.index)
    uncertain = (prob >= low) & (prob < threshold)
    held = (guard.astype(bool) | aged.astype(bool)) & (prob >= threshold)
    chosen = pairs[apart & (uncertain | held).to_numpy()].copy()
    chosen["reason"] = np.select(
        [aged.astype(bool)[chosen.index].to_numpy(), guard.astype(bool)[chosen.index].to_numpy()],
        ["age guard: an adult's role against a child's date of birth, or the reverse",
         "household guard: different forename, sex or date of birth"],
        "uncertain match probability",
    )
    return chosen
