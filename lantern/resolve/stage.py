"""The resolve stage: who is who across agencies, persisted in the store.

``run`` scores person records with the Splink model (trained once without labels, saved,
and reused), incrementally when it can (only pairs that involve new or changed records
are scored; stored pairs of unchanged records are kept), then settles identities under
the review judgements. Objects and places are resolved by key and similarity.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from lantern.resolve import persist
from lantern.resolve.ages import RecordContext
from lantern.resolve.cluster import household_guard
from lantern.resolve.features import person_features
from lantern.resolve.model import GAMMAS, MODEL_VERSION, TrainedModel, score, train_and_score
from lantern.resolve.places import location_ids, object_ids
from lantern.resolve.settle import settle
from lantern.store.frames import read_frame, read_locations, read_objects, read_persons
from lantern.store.tables.core import event_records, links
from lantern.store.tables.resolve import resolve_locations

log = logging.getLogger(__name__)

THRESHOLD = 0.8  # merge on links at or above this match probability
REVIEW_LOW = 0.5  # links in [REVIEW_LOW, THRESHOLD) go to clerical review
SOLE = 0.4  # a record alone joins the only or the dominant person it links to, from this p
FLOOR = 0.05  # scored pairs below this are not kept
MIN_TRAINING_RECORDS = 50


def _say(progress: bool, message: str) -> None:
    if progress:
        print(f"resolve: {message}", flush=True)
    log.info(message)


def existing_model(engine: Engine, *, n_records: int, retrain: bool,
                   model_path: str | Path | None) -> tuple[int, TrainedModel] | None:
    """The model to reuse: a given model file, else the latest one kept in the store."""
    if retrain:
        return None
    path = Path(model_path) if model_path else None
    stored = persist.latest_model(engine)
    if path is not None and path.exists():
        text = path.read_text(encoding="utf-8")
        model = TrainedModel.from_json(text)
        if stored and stored[1] == text:
            return stored[0], model
        return persist.save_model(engine, text, version=model.version, backend="file",
                                  n_records=n_records), model
    if stored:
        model = TrainedModel.from_json(stored[1])
        if model.version == MODEL_VERSION:
            return stored[0], model
    return None


def keep_model(engine: Engine, model: TrainedModel, *, backend: str, n_records: int,
               model_path: str | Path | None) -> int:
    """Save a newly trained model in the store (and to ``model_path`` if given)."""
    text = model.to_json()
    if model_path:
        path = Path(model_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return persist.save_model(engine, text, version=model.version, backend=backend,
                              n_records=n_records)


def read_roles(engine: Engine) -> pd.DataFrame:
    """``agency, event_ref, ref, role, kind, occurred_on``: every person's part in a
    current event."""
    e = event_records
    query = (
        select(links.c.agency, links.c.event_ref, links.c.ref, links.c.role, e.c.kind,
               e.c.occurred_on)
        .join(e, e.c.id == links.c.event_record_id)
        .where(links.c.entity == "person", e.c.is_current.is_(True), e.c.withdrawn.is_(False))
    )
    return read_frame(engine, query)


def context_of(engine: Engine, persons: pd.DataFrame, *, on: bool = True
               ) -> RecordContext | None:
    """What the records' events say (:class:`~lantern.resolve.ages.RecordContext`), or
    None (``on`` False, or no records)."""
    return RecordContext.of(persons, read_roles(engine)) if on and len(persons) else None


def _stored_pairs(scored: pd.DataFrame, model_id: int, *, guard: bool = True,
                  features: pd.DataFrame | None = None) -> pd.DataFrame:
    out = pd.DataFrame({
        "record_id_l": scored["unique_id_l"].astype("int64"),
        "record_id_r": scored["unique_id_r"].astype("int64"),
        "match_probability": scored["match_probability"].astype(float),
        "match_weight": scored["match_weight"].astype(float),
        "guard": household_guard(scored, features=features).astype(bool) & guard,
    })
    gammas = scored[GAMMAS].fillna(-1).astype(int).astype(str)  # -1: Splink's null level
    out["gammas"] = gammas.agg(",".join, axis=1) if len(scored) else pd.Series(dtype=str)
    out["model_id"] = model_id
    return out


def run(engine: Engine, *, backend: str = "duckdb", progress: bool = False,
        **options: Any) -> None:
    """Link the current person records; resolve objects and places.

    Options: ``threshold`` (0.8), ``review_low`` (0.5), ``floor`` (0.05), ``sole`` (0.4,
    or False to turn sole-candidate attachment off), ``full``
    (re-score everything), ``retrain`` (train a new model), ``model_path`` (a model file
    to reuse, or where to save a newly trained one), ``threads`` (DuckDB threads),
    ``household_guard`` (default: on when the model found families in the data),
    ``context`` (default on; False leaves out what the events say of the records: the
    age guard, :func:`~lantern.resolve.ages.age_guard`, and the alias-and-associate
    rule).
    """
    threshold = float(options.get("threshold", THRESHOLD))
    review_low = float(options.get("review_low", REVIEW_LOW))
    floor = float(options.get("floor", FLOOR))
    sole = None if options.get("sole") is False else float(options.get("sole", SOLE))
    persons = read_persons(engine)
    records = persons[["record_id", "agency", "person_ref"]].copy()
    records["record_id"] = records["record_id"].astype("int64")
    if persons.empty:
        _say(progress, "no person records")
        resolve_places(engine)
        return
    features = person_features(persons)
    backend_options = {k: options[k] for k in ("threads",) if k in options}
    found = existing_model(engine, n_records=len(features), retrain=bool(options.get("retrain")),
                           model_path=options.get("model_path"))
    trained: pd.DataFrame | None = None
    if found is None:
        if len(features) < MIN_TRAINING_RECORDS:
            raise ValueError(
                f"too few person records to train the linkage model ({len(features)}); "
                "load more submissions or pass a trained model file")
        _say(progress, f"training the linkage model on {len(features):,} records (no labels)"
                       f" and scoring every candidate pair on {backend}")
        model, trained = train_and_score(features, floor=floor, backend=backend,
                                         **backend_options)
        model_id = keep_model(engine, model, backend=backend, n_records=len(features),
                              model_path=options.get("model_path"))
    else:
        model_id, model = found

    previous = persist.last_run(engine)
    kept = pd.DataFrame()
    new_ids: pd.Series | None = None
    if previous and not options.get("full") and previous.get("model_id") == model_id:
        before = persist.identities(engine)
        unchanged = set(before["record_id"].astype("int64")) & set(records["record_id"])
        stored = persist.pairs(engine, model_id=model_id)
        kept = stored[stored["record_id_l"].isin(unchanged) & stored["record_id_r"].isin(
            unchanged)].drop(columns=["id", "run_id"])
        new_ids = records.loc[~records["record_id"].isin(unchanged), "record_id"]
    mode = "full" if new_ids is None else "incremental"
    to_score = len(records) if new_ids is None else len(new_ids)
    if trained is None:
        _say(progress, f"{mode} run: scoring pairs of {to_score:,} of {len(records):,} "
                       f"records on {backend}")
    if trained is not None:
        scored = trained
    elif new_ids is not None and new_ids.empty:
        scored = pd.DataFrame()
    else:
        scored = score(features, model, new_ids=new_ids, floor=floor, backend=backend,
                       **backend_options)
    guard = bool(options.get("household_guard", model.households))
    fresh = _stored_pairs(scored, model_id, guard=guard, features=features) if len(
        scored) else pd.DataFrame()
    pairs = pd.concat([kept, fresh], ignore_index=True) if len(kept) or len(fresh) else \
        _stored_pairs(pd.DataFrame(columns=["unique_id_l", "unique_id_r", "match_probability",
                                            "match_weight", *GAMMAS]), model_id)
    pairs = pairs.drop_duplicates(["record_id_l", "record_id_r"], keep="last")
    context = context_of(engine, persons, on=bool(options.get("context", True)))

    with engine.begin() as connection:
        run_id = persist.start_run(connection, backend=backend, mode=mode, model_id=model_id,
                                   threshold=threshold, review_low=review_low,
                                   n_records=len(records), n_scored=len(scored))
        persist.replace(connection, persist.resolve_pairs, pairs.assign(run_id=run_id))
        result = settle(connection, records=records, pairs=pairs, run_id=run_id,
                        threshold=threshold, review_low=review_low, sole=sole, context=context)
        persist.finish_run(connection, run_id, n_pairs=len(pairs), n_people=result.n_people,
                           n_review=result.n_review)
    _say(progress, f"{len(records):,} records -> {result.n_people:,} people; "
                   f"{result.n_merges} merges, {result.n_splits} splits; "
                   f"{result.n_review} pairs for review")
    resolve_places(engine, run_id=run_id)


def recluster(engine: Engine, *, threshold: float | None = None,
              review_low: float | None = None) -> None:
    """Re-settle identities from the stored pairs (after a judgement): no re-scoring."""
    previous = persist.last_run(engine)
    if previous is None:
        return
    persons = read_persons(engine)
    records = persons[["record_id", "agency", "person_ref"]].copy()
    records["record_id"] = records["record_id"].astype("int64")
    pairs = persist.pairs(engine).drop(columns=["id", "run_id"])
    known = set(records["record_id"])
    pairs = pairs[pairs["record_id_l"].isin(known) & pairs["record_id_r"].isin(known)]
    t = float(threshold if threshold is not None else previous["threshold"])
    low = float(review_low if review_low is not None else previous["review_low"])
    context = context_of(engine, persons)
    with engine.begin() as connection:
        run_id = persist.start_run(connection, backend="none", mode="recluster",
                                   model_id=previous["model_id"], threshold=t, review_low=low,
                                   n_records=len(records), n_scored=0)
        result = settle(connection, records=records, pairs=pairs, run_id=run_id,
                        threshold=t, review_low=low, sole=SOLE, context=context)
        persist.finish_run(connection, run_id, n_pairs=len(pairs), n_people=result.n_people,
                           n_review=result.n_review)


def resolve_places(engine: Engine, *, run_id: int = 0) -> None:
    locations = read_locations(engine)
    frame = pd.DataFrame({
        "agency": locations["agency"], "location_ref": locations["location_ref"],
        "location_id": location_ids(locations) if len(locations) else pd.Series(dtype=str),
        "run_id": run_id,
    })
    with engine.begin() as connection:
        persist.replace(connection, resolve_locations, frame)


def provisional_id(agency: str, ref: str) -> str:
    """An id for a record no run has seen yet: its own, until it is linked."""
    return "U" + hashlib.sha256(f"{agency}\x1f{ref}".encode()).hexdigest()[:12]


def _provisional(agency: pd.Series, ref: pd.Series) -> pd.Series:
    return pd.Series([provisional_id(str(a), str(r)) for a, r in zip(agency, ref, strict=True)],
                     index=agency.index, dtype=object)


def person_identities(engine: Engine) -> pd.DataFrame:
    """``agency, person_ref, person_id, match_probability`` per current person record."""
    persons = read_persons(engine)[["agency", "person_ref"]]
    stored = persist.identities(engine)[["agency", "person_ref", "person_id",
                                         "match_probability"]]
    out = persons.merge(stored, on=["agency", "person_ref"], how="left")
    missing = out["person_id"].isna()
    if missing.any():
        out.loc[missing, "person_id"] = _provisional(out.loc[missing, "agency"],
                                                     out.loc[missing, "person_ref"])
        out.loc[missing, "match_probability"] = 1.0
    out["match_probability"] = out["match_probability"].astype(float).round(6)
    return out.reset_index(drop=True)


IDENTITY_COLUMNS = ["agency", "person_ref", "person_id", "match_probability"]


def identities_for(engine: Engine, *, person_id: str | None = None,
                   refs: Sequence[tuple[str, str]] = ()) -> pd.DataFrame:
    """Identities of one person, or of the given ``(agency, person_ref)`` records, by index
    lookups: single views need a handful of rows, not every identity in the store (and are
    read as plain rows, since a DataFrame read and merge cost more than the queries)."""
    t = persist.resolve_identities
    query = select(t.c.agency, t.c.person_ref, t.c.person_id, t.c.match_probability)
    if person_id is not None:
        query = query.where(t.c.person_id == person_id)
    else:
        # Two plain INs use the (agency, person_ref) key on SQLite, where a row-value IN
        # scans the table; the exact pairs are picked out below.
        query = query.where(t.c.agency.in_(sorted({a for a, _ in refs})),
                            t.c.person_ref.in_(sorted({r for _, r in refs})))
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(query)]
    if person_id is not None or not refs:
        return pd.DataFrame(rows, columns=IDENTITY_COLUMNS)
    found = {(row[0], row[1]): row for row in rows}
    # records no run has seen yet stand alone
    out = [found.get(key) or (*key, provisional_id(*key), 1.0) for key in dict.fromkeys(refs)]
    return pd.DataFrame(out, columns=IDENTITY_COLUMNS)


def object_identities(engine: Engine) -> pd.DataFrame:
    """``agency, object_ref, object_id`` (``vehicle:AB12CDE``, ``phone:+447700900123``)."""
    objects = read_objects(engine)
    out = objects[["agency", "object_ref"]].copy()
    out["object_id"] = object_ids(objects) if len(objects) else pd.Series(dtype=str)
    return out.reset_index(drop=True)


def location_identities(engine: Engine) -> pd.DataFrame:
    """``agency, location_ref, location_id``; places not yet resolved stand alone."""
    locations = read_locations(engine)[["agency", "location_ref"]]
    stored = read_frame(engine, select(resolve_locations.c.agency,
                                         resolve_locations.c.location_ref,
                                         resolve_locations.c.location_id))
    out = locations.merge(stored, on=["agency", "location_ref"], how="left")
    missing = out["location_id"].isna()
    out.loc[missing, "location_id"] = "location:" + out.loc[missing, "agency"] + "/" + \
        out.loc[missing, "location_ref"]
    return out.reset_index(drop=True)


def outputs(engine: Engine) -> dict[str, pd.DataFrame]:
    return {"persons.csv": person_identities(engine)}
