"""After clustering: records left alone join a person on evidence too weak pair by pair
(the only or dominant candidate; an alias shared within one circle of people), unless an
age clash or a cannot-link forbids it."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from lantern.resolve.ages import AGES, RecordContext, age_clash

SOLE_RIVAL = 0.05  # a sole candidate has no other person linked at or above this


def attach_sole_candidates(labels: pd.Series, pairs: pd.DataFrame, cannot: pd.DataFrame, *,
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


def attach_by_associates(labels: pd.Series, pairs: pd.DataFrame, cannot: pd.DataFrame,
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
    clash = age_clash(mine, theirs) | _born_apart(chosen, labels, values, rows)
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

