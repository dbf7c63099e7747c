"""From scored pairs to people: guards, constrained clustering, per-record confidence.

Pure functions on DataFrames. Clusters are connected components of *strong* links only
(at or above the merge threshold), so a single weak link never joins two clusters; weaker
links go to clerical review instead. Cannot-links (review rejections, unmerges and the
household guard) are honoured even against chains of strong links: a component that
would hold a cannot-linked pair is rebuilt greedily, strongest link first, refusing any
union that would put a cannot-linked pair together.
"""

from __future__ import annotations

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


def _greedy(nodes: np.ndarray, edges: pd.DataFrame, cannot: set[tuple[int, int]],
            guarded: set[tuple[int, int]], scores: pd.DataFrame | None = None,
            cohesion: float = 0.0) -> dict[int, int]:
    """Union strongest-first, refusing unions that join a cannot-linked pair, unions of
    two groups with no more strong links between them than household-guarded pairs, and
    (with ``cohesion``) unions of two groups whose records' mean match probability, over
    every pair between them (unscored pairs count 0), is below ``cohesion``.

    A judgement's cannot-link is absolute. The household guard is a majority rule: twins
    (every pair between them guarded) stay apart, while a record whose forename is a
    typo of one record's but matches several others' still joins its person. Cohesion is
    average linkage: a sparse record (a name and a sex) that matches two people equally
    well joins one of them, but cannot chain the two into one. Must-links (``p`` above 1)
    join regardless of cohesion.
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
        guards = sum(len(guard_of[x] & other) for x in one)
        if not guards:
            return False
        return sum(len(strong_of[x] & other) for x in one) <= guards

    def loose(one: set[int], other: set[int]) -> bool:
        if cohesion <= 0 or len(one) * len(other) == 1:
            return False
        small, large = (one, other) if len(one) <= len(other) else (other, one)
        total = sum(p for x in small for y, p in score_of[x].items() if y in large)
        return total < cohesion * len(one) * len(other)

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
        if p <= 1.0 and loose(members[ra], members[rb]):
            continue
        if len(members[ra]) < len(members[rb]):
            ra, rb = rb, ra
        parent[rb] = ra
        members[ra] |= members.pop(rb)
        banned[ra] |= banned.pop(rb)
    return {v: find(v) for v in parent}


def cluster(
    nodes: pd.Series,
    pairs: pd.DataFrame,
    *,
    threshold: float,
    constraints: Constraints | None = None,
    sole: float | None = None,
    cohesion: float = COHESION,
) -> pd.Series:
    """A cluster label (the smallest node id in the cluster) for every node.

    ``pairs`` has ``unique_id_l, unique_id_r, match_probability`` and optionally
    ``guard`` (True = cannot-link). Must-links join regardless of score. Components of
    three records or more, and any holding a cannot-link, are rebuilt by :func:`_greedy`
    under ``cohesion`` (0 turns average linkage off). With ``sole``, records left alone
    join the one person all their links point to, if the best of those links is at least
    ``sole`` (see :func:`_attach_sole_candidates`).
    """
    constraints = constraints or Constraints.none()
    ids = np.sort(nodes.astype("int64").unique())
    position = pd.Series(np.arange(len(ids)), index=ids)
    known = set(ids.tolist())

    guard = pairs["guard"] if "guard" in pairs.columns else pd.Series(False, index=pairs.index)
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

    strong = pairs[(pairs["match_probability"] >= threshold) & ~guard.astype(bool)]
    strong = _ordered(strong, "unique_id_l", "unique_id_r").assign(
        p=strong["match_probability"].to_numpy()
    )
    edges = pd.concat([must.assign(p=2.0), strong], ignore_index=True)
    if len(hard):  # a cannot-link beats a must-link on the very same pair
        key = hard.set_index(["l", "r"]).index
        edges = edges[~edges.set_index(["l", "r"]).index.isin(key)]
    # Strongest first; ties in id order, so that the result never depends on the order
    # in which the backend returned the pairs.
    edges = edges.sort_values(["p", "l", "r"], ascending=[False, True, True],
                              kind="stable").drop_duplicates(["l", "r"])

    labels = _components(
        len(ids), position[edges["l"]].to_numpy(), position[edges["r"]].to_numpy()
    )
    result = pd.Series(labels.astype("int64"), index=ids)
    cl, cr = result[cannot["l"]].to_numpy(), result[cannot["r"]].to_numpy()
    bad = set(cl[cl == cr].tolist())
    if cohesion > 0:  # two records joined by a strong link are cohesive by definition
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
        roots = _greedy(sub_nodes, sub_edges, as_set(hard), as_set(guarded), scores, cohesion)
        offset = int(labels.max()) + 1
        root_index = {r: offset + i for i, r in enumerate(sorted(set(roots.values())))}
        result.loc[list(roots)] = [root_index[roots[v]] for v in roots]
    if sole is not None:
        result = _attach_sole_candidates(result, pairs, cannot, low=sole)
    # Label each cluster by its smallest node id: deterministic across backends.
    smallest = pd.Series(result.index, index=result.index).groupby(result).transform("min")
    return smallest.rename("cluster")


def _attach_sole_candidates(labels: pd.Series, pairs: pd.DataFrame, cannot: pd.DataFrame, *,
                            low: float, rival: float = SOLE_RIVAL) -> pd.Series:
    """A record left alone whose every scored link (any probability kept) points into one
    and the same person of two or more records, at ``low`` or above, joins that person;
    two lone records that are each other's only candidate, at ``low`` or above, join; and
    a record alone whose best person (``low`` or above) is more likely than all the other
    candidates and "nobody" together joins that person.

    Sparse records (a name and little else) rarely reach the merge threshold pair by pair,
    yet when nobody else in the data could be them, they are that person. Only records
    alone are attached, and only to one person, so this cannot chain two people together;
    a cannot-link or a household guard on any of the links stops it.
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
    chosen = first[(first["p"] >= low) & ~first["blocked"] & (
        ((second < rival) & ((first["size"] >= 2) | mutual))
        | (dominant & (first["size"] >= 2)))]
    if len(cannot) and len(chosen):  # a cannot-link to anyone in that person, scored or not
        both = pd.DataFrame({"node": np.concatenate([cannot["l"], cannot["r"]]),
                             "partner": np.concatenate([cannot["r"], cannot["l"]])})
        both = both[both["node"].isin(chosen.index)]
        clash = both["partner"].map(labels).to_numpy() == chosen["target"].reindex(
            both["node"]).to_numpy()
        chosen = chosen[~chosen.index.isin(both.loc[clash, "node"])]
    out = labels.copy()
    out.loc[chosen.index] = chosen["target"].astype(labels.dtype).to_numpy()
    return out


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
    uncertain = (prob >= low) & (prob < threshold)
    held = guard.astype(bool) & (prob >= threshold)
    chosen = pairs[apart & (uncertain | held).to_numpy()].copy()
    chosen["reason"] = np.where(
        chosen["guard"].astype(bool) if "guard" in chosen.columns else False,
        "household guard: different forename, sex or date of birth",
        "uncertain match probability",
    )
    return chosen
