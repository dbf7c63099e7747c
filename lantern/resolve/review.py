"""Clerical review: the queue of uncertain pairs, decisions and unmerges.

One service for the CLI and the web. Every decision is appended to
``resolve_judgements`` (who, when, why) and takes effect at once by re-settling the
identities from the stored pairs; every later run honours it (accept = must-link,
reject = cannot-link). An unmerge rejects a record's links to the rest of its person.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, insert, select, update

from lantern.resolve import persist
from lantern.resolve.settle import canonical
from lantern.store.frames import read_frame, read_persons

SHOWN = ["forename", "middle_names", "surname", "aliases", "dob", "sex", "address",
         "postcode", "phones", "emails", "nhs_number", "upn", "area"]


class ReviewError(ValueError):
    """A review request that cannot be carried out (unknown pair, already decided...)."""


@dataclass(frozen=True)
class Decision:
    judgement_id: int
    review_id: int | None
    decision: str


def pending(engine: Engine, *, limit: int | None = None) -> pd.DataFrame:
    """Pending pairs, most probable first, with both records' fields side by side
    (``<field>_l`` and ``<field>_r``). Ethnicity is not shown: it plays no part."""
    queue = persist.review_queue(engine, status="pending")
    queue = queue.sort_values(["match_probability", "id"], ascending=[False, True])
    if limit is not None:
        queue = queue.head(limit)
    persons = read_persons(engine)[["agency", "person_ref", *SHOWN]]
    out = queue[["id", "match_probability", "reason", "agency_l", "ref_l", "agency_r",
                 "ref_r"]]
    for side in ("l", "r"):
        renamed = persons.rename(columns={c: f"{c}_{side}" for c in persons.columns})
        out = out.merge(renamed, left_on=[f"agency_{side}", f"ref_{side}"],
                        right_on=[f"agency_{side}", f"person_ref_{side}"], how="left")
        out = out.drop(columns=[f"person_ref_{side}"])
    return out.reset_index(drop=True)


def _judge(engine: Engine, *, keys: tuple[str, str, str, str], decision: str, by: str,
           reason: str, source: str, review_id: int | None) -> int:
    if decision not in ("accept", "reject"):
        raise ReviewError(f"decision must be accept or reject, not {decision!r}")
    if not by.strip() or not reason.strip():
        raise ReviewError("a decision needs who made it and why")
    frame = canonical(pd.DataFrame([dict(zip(
        ["agency_l", "ref_l", "agency_r", "ref_r"], keys, strict=True))]))
    row = {str(k): v for k, v in frame.iloc[0].to_dict().items()}
    with engine.begin() as connection:
        result = connection.execute(insert(persist.resolve_judgements).values(
            **row, decision=decision, source=source, review_id=review_id, decided_by=by,
            decided_at=persist.now(), reason=reason))
        judgement_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        if review_id is not None:
            status = "accepted" if decision == "accept" else "rejected"
            connection.execute(update(persist.resolve_review).where(
                persist.resolve_review.c.id == review_id).values(
                status=status, judgement_id=judgement_id))
    return judgement_id


def _apply(engine: Engine) -> None:
    from lantern.resolve.stage import recluster

    recluster(engine)


def decide(engine: Engine, review_id: int, *, decision: str, by: str, reason: str) -> Decision:
    """Accept (same person) or reject (different people) a queued pair."""
    table = persist.resolve_review
    with engine.connect() as connection:
        row = connection.execute(select(table).where(table.c.id == review_id)).mappings().first()
    if row is None:
        raise ReviewError(f"no review pair {review_id}")
    if row["status"] in ("accepted", "rejected"):
        raise ReviewError(f"pair {review_id} was already {row['status']}")
    keys = (row["agency_l"], row["ref_l"], row["agency_r"], row["ref_r"])
    judgement_id = _judge(engine, keys=keys, decision=decision, by=by, reason=reason,
                          source="review", review_id=review_id)
    _apply(engine)
    return Decision(judgement_id=judgement_id, review_id=review_id, decision=decision)


def judge_pair(engine: Engine, left: tuple[str, str], right: tuple[str, str], *,
               decision: str, by: str, reason: str) -> Decision:
    """Decide any two records (``(agency, ref)`` each), queued or not."""
    known = _current_keys(engine)
    for key in (left, right):
        if key not in known:
            raise ReviewError(f"no current person record {key[0]}:{key[1]}")
    judgement_id = _judge(engine, keys=(*left, *right), decision=decision, by=by,
                          reason=reason, source="review", review_id=None)
    _apply(engine)
    return Decision(judgement_id=judgement_id, review_id=None, decision=decision)


def _current_keys(engine: Engine) -> set[tuple[str, str]]:
    persons = read_persons(engine)
    return set(zip(persons["agency"], persons["person_ref"], strict=True))


def unmerge(engine: Engine, record: tuple[str, str], *, by: str, reason: str) -> int:
    """Take one record out of its person: reject its link to every other record there.

    Returns how many records it was separated from.
    """
    identities = persist.identities(engine)
    mine = identities[(identities["agency"] == record[0])
                      & (identities["person_ref"] == record[1])]
    if mine.empty:
        raise ReviewError(f"no resolved person record {record[0]}:{record[1]}")
    person_id = mine["person_id"].iloc[0]
    others = identities[(identities["person_id"] == person_id) & ~identities.index.isin(
        mine.index)]
    if others.empty:
        raise ReviewError(f"{record[0]}:{record[1]} is already alone in {person_id}")
    for other in others.itertuples():
        _judge(engine, keys=(*record, other.agency, other.person_ref), decision="reject",
               by=by, reason=reason, source="unmerge", review_id=None)
    _apply(engine)
    return len(others)


def history(engine: Engine) -> pd.DataFrame:
    """The judgement log, oldest first."""
    return persist.judgements(engine)


def changes(engine: Engine, *, person_id: str | None = None) -> pd.DataFrame:
    """Merges and splits with their reasons, newest first."""
    query = select(persist.resolve_changes).order_by(persist.resolve_changes.c.id.desc())
    if person_id:
        table = persist.resolve_changes
        query = query.where((table.c.person_id == person_id)
                            | (table.c.other_person_id == person_id))
    return read_frame(engine, query)
