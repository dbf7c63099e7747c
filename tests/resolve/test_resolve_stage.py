"""The resolve stage against a real store (SQLite, and PostgreSQL when available)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from lantern.ingest import load_areas, load_submission
from lantern.resolve import review, stage
from lantern.resolve.synthetic import write_submissions
from lantern.store.tables.resolve import resolve_changes, resolve_judgements, resolve_runs


def _load(engine: Engine, records: pd.DataFrame, root: Path, *, tag: str,
          extracted_at: str = "2026-01-01T00:00:00Z") -> None:
    areas, folders = write_submissions(records, root / tag, tag=tag, extracted_at=extracted_at)
    load_areas(engine, areas)
    for folder in folders:
        load_submission(engine, folder)


def _person(engine: Engine, agency: str, ref: str) -> str:
    ids = stage.person_identities(engine)
    row = ids[(ids["agency"] == agency) & (ids["person_ref"] == ref)]
    return str(row["person_id"].iloc[0])


def _ref(records: pd.DataFrame, truth: str, agency: str) -> str:
    row = records[(records["truth"] == truth) & (records["agency"] == agency)]
    return str(row["person_ref"].iloc[0])


def test_before_any_run_each_record_is_its_own_person(engine, small, tmp_path):
    _load(engine, small, tmp_path, tag="1")
    ids = stage.person_identities(engine)
    assert len(ids) == len(small)
    assert ids["person_id"].is_unique
    assert list(ids.columns) == ["agency", "person_ref", "person_id", "match_probability"]


def test_run_links_hard_cases_and_writes_outputs(engine, small, model_file, tmp_path):
    _load(engine, small, tmp_path, tag="1")
    stage.run(engine, model_path=model_file)
    danny = _person(engine, "POLICE", _ref(small, "h1", "POLICE"))
    assert danny == _person(engine, "SCHOOL", _ref(small, "h1", "SCHOOL"))
    amber = _person(engine, "SCHOOL", _ref(small, "h4", "SCHOOL"))
    jasmine = _person(engine, "SCHOOL", _ref(small, "h5", "SCHOOL"))
    assert amber != jasmine
    out = stage.outputs(engine)["persons.csv"]
    assert out["person_id"].nunique() < len(out)
    assert out["match_probability"].between(0, 1).all()


def test_stable_ids_after_a_new_submission_arrives(engine, small, model_file, tmp_path):
    crowd = small[small["case"] == "crowd"]
    first = crowd[crowd["agency"] != "HEALTH"]
    _load(engine, first, tmp_path, tag="1")
    stage.run(engine, model_path=model_file)
    before = stage.person_identities(engine).set_index(["agency", "person_ref"])["person_id"]

    later = crowd[crowd["agency"] == "HEALTH"]
    _load(engine, later, tmp_path, tag="2", extracted_at="2026-02-01T00:00:00Z")
    stage.run(engine, model_path=model_file)
    after = stage.person_identities(engine).set_index(["agency", "person_ref"])["person_id"]
    assert (after.reindex(before.index) == before).mean() > 0.98
    with engine.connect() as connection:
        modes = [r[0] for r in connection.execute(select(resolve_runs.c.mode).order_by(
            resolve_runs.c.id))]
    assert modes == ["full", "incremental"]
    # New health records joined people that existed before (not fresh ids for all).
    health = after[after.index.get_level_values("agency") == "HEALTH"]
    assert health.isin(set(before)).mean() > 0.5


def test_review_decisions_are_honoured_on_every_rerun(engine, small, model_file, tmp_path):
    _load(engine, small, tmp_path, tag="1")
    stage.run(engine, model_path=model_file)
    queue = review.pending(engine)
    assert len(queue) >= 2
    accept, reject = queue.iloc[0], queue.iloc[1]

    review.decide(engine, int(accept["id"]), decision="accept", by="alice", reason="same NHS")
    review.decide(engine, int(reject["id"]), decision="reject", by="bob", reason="twins")

    def together(row: pd.Series) -> bool:
        return _person(engine, row["agency_l"], row["ref_l"]) == _person(
            engine, row["agency_r"], row["ref_r"])

    for rerun in ({}, {"full": True}):
        stage.run(engine, model_path=model_file, **rerun)
        assert together(accept)
        assert not together(reject)
    log = review.history(engine)
    assert list(log["decided_by"]) == ["alice", "bob"]
    assert set(review.pending(engine)["id"]).isdisjoint({accept["id"], reject["id"]})
    with pytest.raises(review.ReviewError):
        review.decide(engine, int(accept["id"]), decision="reject", by="eve", reason="oops")


def test_unmerge_separates_a_record_and_logs_the_split(engine, small, model_file, tmp_path):
    _load(engine, small, tmp_path, tag="1")
    stage.run(engine, model_path=model_file)
    ids = stage.person_identities(engine)
    sizes = ids["person_id"].value_counts()
    person = sizes[sizes >= 3].index[0]
    members = ids[ids["person_id"] == person]
    target = members.iloc[-1]
    n = review.unmerge(engine, (target["agency"], target["person_ref"]), by="carol",
                       reason="different child")
    assert n == len(members) - 1
    assert _person(engine, target["agency"], target["person_ref"]) != person
    assert all(_person(engine, r.agency, r.person_ref) == person
               for r in members.iloc[:-1].itertuples())
    stage.run(engine, model_path=model_file, full=True)
    assert _person(engine, target["agency"], target["person_ref"]) != person
    with engine.connect() as connection:
        splits = connection.execute(select(resolve_changes).where(
            resolve_changes.c.kind == "split")).mappings().all()
        judgements = connection.execute(select(resolve_judgements)).mappings().all()
    assert splits and any("unmerged by carol" in s["reason"] for s in splits)
    assert {j["source"] for j in judgements} == {"unmerge"}


def test_objects_and_places(engine, tmp_path):
    root = tmp_path / "sub"
    root.mkdir()
    (tmp_path / "areas.csv").write_text("area,name,child_population\nA1,One,100\n")
    load_areas(engine, tmp_path / "areas.csv")
    for agency, kind, rows, locs in (
        ("POL", "police", "o1,vehicle,ab12 cde,\no2,phone,07700 900123,\n",
         "l1,hotel,Station Hotel,1 Station Road,S60 1AA\n"),
        ("SC", "social_care", "x9,vehicle,AB12CDE,silver Astra\no3,online_account,@Kid99,\n",
         "l7,hotel,The Station Hotel,Station Rd,s601aa\nl8,takeaway,Pizza Place,,S60 1AA\n"),
    ):
        folder = root / agency
        folder.mkdir()
        (folder / "manifest.json").write_text(json.dumps({
            "contract": "1", "submission_id": f"{agency}-1",
            "agency": {"code": agency, "type": kind}, "area": "A1",
            "extracted_at": "2026-01-01T00:00:00Z"}))
        (folder / "persons.csv").write_text("person_ref,forename\n")
        (folder / "objects.csv").write_text("object_ref,kind,value,description\n" + rows)
        (folder / "locations.csv").write_text(
            "location_ref,kind,name,address,postcode\n" + locs)
        (folder / "events.csv").write_text("event_ref,kind,occurred_on\n")
        load_submission(engine, folder)
    stage.run(engine)
    objects = stage.object_identities(engine).set_index(["agency", "object_ref"])["object_id"]
    assert objects[("POL", "o1")] == objects[("SC", "x9")] == "vehicle:AB12CDE"
    assert objects[("POL", "o2")] == "phone:+447700900123"
    assert objects[("SC", "o3")] == "online_account:kid99"
    places = stage.location_identities(engine).set_index(["agency", "location_ref"])
    assert places.loc[("POL", "l1"), "location_id"] == places.loc[("SC", "l7"), "location_id"]
    assert places.loc[("SC", "l8"), "location_id"] != places.loc[("POL", "l1"), "location_id"]
