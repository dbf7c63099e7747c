"""From scored pairs to people: guards, constrained clustering, per-record confidence.

Pure functions on DataFrames. Clusters are connected components of *strong* links only
(at or above the merge threshold), so a single weak link never joins two clusters; weaker
links go to clerical review instead. Cannot-links (review rejections, unmerges and the
household guard) are honoured even against chains of strong links: a component that
would hold a cannot-linked pair is rebuilt greedily, strongest link first, refusing any
union that would put a cannot-linked pair together.

The age guard and what the records' events say live in ``ages``; lone records joining a
person after clustering, in ``attach``; the gamma levels the guards read, in ``levels``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from lantern.resolve.ages import AGES, RecordContext, ages_clash, ages_merged
from lantern.resolve.attach import attach_by_associates, attach_sole_candidates
from lantern.resolve.levels import (
    BY_OTHER_NAME,
    DIFFERENT,
    IDENTIFIER_MATCH,
    SHARED_MOBILE,
    level,
    personal,
    with_levels,
)

COHESION = 0.5  # two groups join only if their records' mean match probability reaches this


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
        if not ages_clash(summary[ra], summary[rb]):
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
            summary[ra] = ages_merged(summary[ra], kept) if ra in summary else kept
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
    links is at least ``sole`` (see :func:`attach_sole_candidates`). With ``context``
    (:class:`RecordContext`), no step puts records whose ages clash into one person,
    whether or not their pair was scored, and a record with only an alias may join the
    person it shares an alias and an associate with (:func:`attach_by_associates`).
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
        result = attach_sole_candidates(result, pairs, pd.concat([
            _unexcused(guarded, result, agreement), hard], ignore_index=True), low=sole,
            ages=known_ages, shared=shared)
    if context is not None and context.nameless:
        result = attach_by_associates(result, pairs, cannot, context, shared=shared)
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
