"""Settle identities from stored pairs and judgements: cluster, keep ids stable, log
every merge and split with its reason, and refresh the review queue.

Used after every scoring run and after every review decision or unmerge (which need no
re-scoring: the pairs are stored).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, update

from lantern.resolve import persist
from lantern.resolve.ages import RecordContext, age_guard
from lantern.resolve.cluster import Constraints, cluster, record_confidence, review_candidates
from lantern.resolve.identity import assign_ids
from lantern.resolve.levels import with_levels

KEYS = ["agency_l", "ref_l", "agency_r", "ref_r"]


@dataclass
class Settled:
    n_people: int
    n_review: int
    n_merges: int
    n_splits: int


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Order each pair's two record keys so that (agency_l, ref_l) <= (agency_r, ref_r)."""
    left = frame["agency_l"].astype(str) + "\x1f" + frame["ref_l"].astype(str)
    right = frame["agency_r"].astype(str) + "\x1f" + frame["ref_r"].astype(str)
    swap = (left > right).to_numpy()
    out = frame.copy()
    for a, b in (("agency_l", "agency_r"), ("ref_l", "ref_r")):
        out.loc[swap, a], out.loc[swap, b] = frame.loc[swap, b].to_numpy(), frame.loc[
            swap, a].to_numpy()
    return out


def _with_keys(pairs: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    keys = records.set_index("record_id")[["agency", "person_ref"]]
    out = pairs.copy()
    out["agency_l"] = keys["agency"].reindex(out["record_id_l"]).to_numpy()
    out["ref_l"] = keys["person_ref"].reindex(out["record_id_l"]).to_numpy()
    out["agency_r"] = keys["agency"].reindex(out["record_id_r"]).to_numpy()
    out["ref_r"] = keys["person_ref"].reindex(out["record_id_r"]).to_numpy()
    return canonical(out)


def effective_judgements(judgements: pd.DataFrame) -> pd.DataFrame:
    """The latest decision on each pair (an unmerge after an accept wins, and so on)."""
    if judgements.empty:
        return judgements
    return canonical(judgements).sort_values("id").drop_duplicates(KEYS, keep="last")


def constraints_for(judgements: pd.DataFrame, records: pd.DataFrame) -> Constraints:
    latest = effective_judgements(judgements)
    if latest.empty:
        return Constraints.none()
    ids = records.set_index(["agency", "person_ref"])["record_id"]
    left = ids.reindex(pd.MultiIndex.from_frame(latest[["agency_l", "ref_l"]])).to_numpy()
    right = ids.reindex(pd.MultiIndex.from_frame(latest[["agency_r", "ref_r"]])).to_numpy()
    frame = pd.DataFrame({"l": left, "r": right, "decision": latest["decision"].to_numpy()})
    frame = frame.dropna(subset=["l", "r"])
    frame[["l", "r"]] = frame[["l", "r"]].astype("int64")
    must = frame.loc[frame["decision"] == "accept", ["l", "r"]]
    cannot = frame.loc[frame["decision"] == "reject", ["l", "r"]]
    return Constraints(must=must.reset_index(drop=True), cannot=cannot.reset_index(drop=True))


def _reason(change: pd.Series, members: pd.DataFrame, pairs: pd.DataFrame,
            judgements: pd.DataFrame, threshold: float) -> str:
    """Why records moved between two ids: a judgement, the guard, or the scores."""
    moved = set(members.loc[(members["cluster"] == change["cluster"])
                            & (members["old_id"] == change["other_person_id"]), "record_id"])
    if change["kind"] == "merge":
        other = set(members.loc[(members["cluster"] == change["cluster"]), "record_id"]) - moved
    else:
        other = set(members.loc[members["person_id"] == change["other_person_id"], "record_id"])
    between = pairs[(pairs["record_id_l"].isin(moved) & pairs["record_id_r"].isin(other))
                    | (pairs["record_id_r"].isin(moved) & pairs["record_id_l"].isin(other))]
    keys = members.set_index("record_id")[["agency", "person_ref"]]
    moved_keys = {tuple(k) for k in keys.reindex(list(moved)).to_numpy()}
    other_keys = {tuple(k) for k in keys.reindex(list(other)).to_numpy()}
    wanted = "accept" if change["kind"] == "merge" else "reject"
    found = _judgement_between(judgements, wanted, moved_keys, other_keys)
    if found:
        return found
    if change["kind"] == "merge":
        best = between["match_probability"].max() if len(between) else float("nan")
        return f"linked at match probability {best:.4f} (threshold {threshold})"
    if len(between) and between["guard"].astype(bool).any():
        return "household guard: different forename, sex or date of birth with no shared identifier"
    if len(between) and "age_guard" in between.columns and between["age_guard"].any():
        return "age guard: one record's date of birth and the other's role or event " \
               "(a child as suspect, driver or carer, or an adult at school or in care)"
    mates = set(members.loc[members["cluster"] == change["cluster"], "record_id"]) - moved
    mate_keys = {tuple(k) for k in keys.reindex(list(mates)).to_numpy()}
    pulled = _judgement_between(judgements, "accept", moved_keys, mate_keys)
    if pulled:
        return f"moved with an accepted pair ({pulled}); a guard or rejection parts it " \
               "from the rest"
    best = between["match_probability"].max() if len(between) else 0.0
    return f"no link at or above {threshold} between the parts now (best {best:.4f})"


def _judgement_between(judgements: pd.DataFrame, decision: str, one: set[tuple[str, str]],
                       other: set[tuple[str, str]]) -> str | None:
    """The latest ``decision`` judgement joining a record of ``one`` to one of ``other``."""
    if judgements.empty:
        return None
    latest = effective_judgements(judgements)
    for row in latest[latest["decision"] == decision].itertuples():
        a, b = (row.agency_l, row.ref_l), (row.agency_r, row.ref_r)
        if (a in one and b in other) or (b in one and a in other):
            verb = {"accept": "accepted", "reject": "rejected"}[decision]
            what = "unmerged" if row.source == "unmerge" else f"review {verb}"
            return f"{what} by {row.decided_by} on {row.decided_at:%Y-%m-%d}: {row.reason}"
    return None


def settle(connection: Connection, *, records: pd.DataFrame, pairs: pd.DataFrame,
           run_id: int, threshold: float, review_low: float,
           sole: float | None = None, context: RecordContext | None = None) -> Settled:
    """Cluster ``records`` (``record_id, agency, person_ref``) on ``pairs`` (as stored in
    ``resolve_pairs``) under every judgement, and write identities, changes, queue.
    ``context`` (:class:`~lantern.resolve.ages.RecordContext`) turns the age guard and
    the alias-and-associate rule on."""
    judgements = persist.judgements(connection)
    constraints = constraints_for(judgements, records)
    pairs = with_levels(pairs)
    pairs = pairs.assign(age_guard=age_guard(
        pairs, context.ages if context is not None else None).to_numpy())
    scored = pairs.rename(columns={"record_id_l": "unique_id_l", "record_id_r": "unique_id_r"})
    labels = cluster(records["record_id"], scored, threshold=threshold, constraints=constraints,
                     sole=sole, context=context)
    confidence = record_confidence(labels, scored)

    current = records[["record_id", "agency", "person_ref"]].copy()
    current["cluster"] = labels.reindex(current["record_id"]).to_numpy()
    previous = persist.identities(connection)
    assignment = assign_ids(current, previous, next_seq=persist.next_person_seq(connection))
    current["person_id"] = assignment.person_id.to_numpy()
    current["match_probability"] = confidence.reindex(current["record_id"]).to_numpy()
    current["run_id"] = run_id

    members = current.merge(
        previous[["agency", "person_ref", "person_id"]].rename(columns={"person_id": "old_id"}),
        on=["agency", "person_ref"], how="left")
    changes = assignment.changes.copy()
    if len(changes):
        changes["reason"] = [
            _reason(row, members, pairs, judgements, threshold) for _, row in changes.iterrows()
        ]
        changes["run_id"], changes["at"] = run_id, persist.now()
    new_ids = assignment.new_ids.assign(created_run=run_id)

    persist.replace(connection, persist.resolve_identities, current)
    persist.bulk_insert(connection, persist.resolve_person_ids, new_ids)
    persist.bulk_insert(connection, persist.resolve_changes, changes)
    n_review = _refresh_queue(connection, labels, scored, records, judgements, run_id,
                              threshold=threshold, review_low=review_low)
    kinds = changes["kind"].value_counts() if len(changes) else pd.Series(dtype=int)
    return Settled(n_people=int(current["person_id"].nunique()), n_review=n_review,
                   n_merges=int(kinds.get("merge", 0)), n_splits=int(kinds.get("split", 0)))


def _mask(frame: pd.DataFrame, keep: Callable[[tuple[object, ...]], bool]) -> np.ndarray:
    """A boolean row mask from a test on each pair's keys (safe on empty frames)."""
    return np.array([keep(tuple(k)) for k in frame[KEYS].to_numpy()], dtype=bool)


def _refresh_queue(connection: Connection, labels: pd.Series, scored: pd.DataFrame,
                   records: pd.DataFrame, judgements: pd.DataFrame, run_id: int, *,
                   threshold: float, review_low: float) -> int:
    candidates = review_candidates(labels, scored, low=review_low, threshold=threshold)
    candidates = _with_keys(candidates.rename(columns={
        "unique_id_l": "record_id_l", "unique_id_r": "record_id_r"}), records)
    judged = set(map(tuple, canonical(judgements)[KEYS].to_numpy())) if len(judgements) else set()
    wanted = candidates[_mask(candidates, lambda k: k not in judged)]
    queue = persist.review_queue(connection)
    existing = {tuple(k): (i, s) for k, i, s in zip(
        queue[KEYS].to_numpy(), queue["id"], queue["status"], strict=True)}
    wanted_keys = {tuple(k) for k in wanted[KEYS].to_numpy()}
    table = persist.resolve_review
    stale = [i for k, (i, s) in existing.items() if s == "pending" and k not in wanted_keys]
    if stale:
        connection.execute(update(table).where(table.c.id.in_(stale)).values(status="stale"))
    fresh = wanted[_mask(wanted, lambda k: k not in existing)]
    revived = wanted[_mask(wanted, lambda k: k in existing and existing[k][1] == "stale")]
    for row in revived.itertuples():
        connection.execute(update(table).where(table.c.id == existing[
            (row.agency_l, row.ref_l, row.agency_r, row.ref_r)][0]).values(
            status="pending", match_probability=float(row.match_probability)))  # type: ignore[arg-type]
    persist.bulk_insert(connection, table, fresh.assign(
        status="pending", created_run=run_id,
        match_probability=fresh["match_probability"].astype(float)))
    return int(len(wanted))


__all__ = ["Settled", "canonical", "constraints_for", "effective_judgements", "settle",
           "np"]
