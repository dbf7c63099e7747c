"""What the records' events say about them: the age guard, an alias shared within one
circle of people, and the household guard's majority rule overlooking a mistyped name."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from lantern.ingest import load_areas, load_submission
from lantern.resolve import review, stage
from lantern.resolve.ages import RecordContext, age_guard
from lantern.resolve.cluster import cluster, review_candidates
from lantern.resolve.levels import GAMMA_POSITION
from lantern.resolve.model import GAMMAS
from lantern.resolve.synthetic import write_submissions


def _persons(rows: list[dict[str, object]]) -> pd.DataFrame:
    blank = {"agency": "P01", "agency_type": "police", "forename": None, "surname": None,
             "aliases": None, "dob": None, "sex": None}
    frame = pd.DataFrame([{**blank, **row} for row in rows])
    frame["person_ref"] = "R" + frame["record_id"].astype(str)
    return frame


def _roles(rows: list[tuple[str, int, str, str, str]], persons: pd.DataFrame) -> pd.DataFrame:
    """(event_ref, record_id, role, kind, occurred_on) -> the roles frame stage reads."""
    agency = persons.set_index("record_id")["agency"]
    return pd.DataFrame([{"agency": agency[r], "event_ref": e, "ref": f"R{r}", "role": role,
                          "kind": kind, "occurred_on": when}
                         for e, r, role, kind, when in rows])


def _pairs(rows: list[tuple[int, int, float]], *, gammas: dict[tuple[int, int], str] | None = None,
           guard: set[tuple[int, int]] = frozenset()) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["unique_id_l", "unique_id_r", "match_probability"])
    default = ",".join(["-1"] * len(GAMMAS))
    frame["gammas"] = [(gammas or {}).get((a, b), default) for a, b, _ in rows]
    frame["guard"] = [(a, b) in guard for a, b, _ in rows]
    return frame


def _levels(**levels: int) -> str:
    values = [-1] * len(GAMMAS)
    for name, value in levels.items():
        values[GAMMA_POSITION[name]] = value
    return ",".join(map(str, values))


def test_gamma_positions_follow_the_model():
    assert [f"gamma_{name}" for name in GAMMA_POSITION] == GAMMAS


# ------------------------------------------------------------------- the age guard

def test_the_context_never_reads_protected_characteristics():
    persons, roles = _child_and_suspect()
    one = RecordContext.of(persons.assign(ethnicity=["W1", "A2", "B1"]), roles)
    two = RecordContext.of(persons.assign(ethnicity=["M9", "W1", None],
                                          nationality="X", religion="Y"), roles)
    pd.testing.assert_frame_equal(one.ages, two.ages)
    pd.testing.assert_frame_equal(one.together, two.together)
    pd.testing.assert_frame_equal(one.aliases, two.aliases)
    pd.testing.assert_series_equal(one.sex, two.sex)


def _child_and_suspect() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Jack Edwards, born 1999, at school and in social care; a police suspect record of
    "Jack Edwards" with no date of birth (an adult offender of that name)."""
    persons = _persons([
        dict(record_id=1, agency="E01", agency_type="education", forename="Jack",
             surname="Edwards", dob="1999-11-05", sex="M"),
        dict(record_id=2, agency="S01", agency_type="social_care", forename="Jack",
             surname="Edwards", dob="1999-11-05", sex="M"),
        dict(record_id=3, forename="Jack", surname="Edwards", sex="M"),
    ])
    roles = _roles([("E1", 1, "subject", "absence", "2012-03-01"),
                    ("S1", 2, "subject", "referral", "2012-05-01"),
                    ("P1", 3, "suspect", "intelligence_report", "2012-06-01"),
                    ("P2", 3, "associate", "stop_check", "2013-02-01")], persons)
    return persons, roles


def test_roles_speak_for_a_record_without_a_date_of_birth():
    persons, roles = _child_and_suspect()
    ages = RecordContext.of(persons, roles).ages
    assert 2012.4 < ages.loc[3, "adult_from"] < 2012.5  # the first adult role
    assert pd.isna(ages.loc[3, "dob_lo"])
    # A record with its own date of birth is aged by it, not by its events.
    assert ages.loc[[1, 2], ["adult_from", "child_until"]].isna().all().all()
    assert 1999.8 < ages.loc[1, "dob_lo"] < 1999.9


def test_an_adult_suspect_without_a_date_of_birth_is_not_attached_to_a_child_of_his_name():
    persons, roles = _child_and_suspect()
    context = RecordContext.of(persons, roles)
    # The suspect's only evidence is the name: a lone-record link to the child.
    pairs = _pairs([(1, 2, 0.999), (2, 3, 0.7)])
    nodes = persons["record_id"]
    without = cluster(nodes, pairs, threshold=0.8, sole=0.4)
    assert without[3] == without[1]  # the lone-record rule alone would attach him
    labels = cluster(nodes, pairs, threshold=0.8, sole=0.4, context=context)
    assert labels[1] == labels[2]
    assert labels[3] != labels[1]


def test_the_age_guard_holds_against_a_strong_link_and_sends_it_for_review():
    persons, roles = _child_and_suspect()
    context = RecordContext.of(persons, roles)
    pairs = _pairs([(1, 2, 0.999), (1, 3, 0.95), (2, 3, 0.95)])
    pairs["age_guard"] = age_guard(pairs, context.ages)
    assert pairs["age_guard"].tolist() == [False, True, True]
    labels = cluster(persons["record_id"], pairs, threshold=0.8, sole=0.4, context=context)
    assert labels[3] != labels[1]
    queued = review_candidates(labels, pairs, low=0.5, threshold=0.8)
    assert set(queued["reason"].str.split(":").str[0]) == {"age guard"}


def test_the_age_guard_looks_at_every_record_of_the_person_scored_or_not():
    """The suspect links only to a record of the child without a date of birth; the
    child's dated record was never scored against him."""
    persons, roles = _child_and_suspect()
    persons.loc[persons["record_id"] == 2, "dob"] = None
    context = RecordContext.of(persons, roles)
    pairs = _pairs([(1, 2, 0.99), (2, 3, 0.9)])
    nodes = persons["record_id"]
    assert cluster(nodes, pairs, threshold=0.8, cohesion=0)[3] == 1
    labels = cluster(nodes, pairs, threshold=0.8, cohesion=0, sole=0.4, context=context)
    assert labels[1] == labels[2] and labels[3] != labels[1]


def test_a_shared_personal_identifier_outweighs_the_age_guard():
    """The suspect record shares the child's NHS number with one of the child's records:
    he is the child (a child suspect), whatever his role says of his age."""
    persons, roles = _child_and_suspect()
    context = RecordContext.of(persons, roles)
    pairs = _pairs([(1, 2, 0.999), (1, 3, 0.9), (2, 3, 0.99)],
                   gammas={(2, 3): _levels(forename=4, surname=4, nhs_number=1)})
    pairs["age_guard"] = age_guard(pairs, context.ages)
    assert pairs["age_guard"].tolist() == [False, True, False]
    labels = cluster(persons["record_id"], pairs, threshold=0.8, context=context)
    assert labels.nunique() == 1


def test_a_seventeen_year_old_suspect_with_his_date_of_birth_stays_with_his_school_record():
    persons, roles = _child_and_suspect()
    persons.loc[persons["record_id"] == 3, "dob"] = "1995-01-10"
    persons.loc[persons["record_id"].isin([1, 2]), "dob"] = "1995-01-10"
    context = RecordContext.of(persons, roles)
    pairs = _pairs([(1, 2, 0.999), (1, 3, 0.99), (2, 3, 0.99)])
    pairs["age_guard"] = age_guard(pairs, context.ages)
    assert not pairs["age_guard"].any()
    assert cluster(persons["record_id"], pairs, threshold=0.8, context=context).nunique() == 1


def test_a_parent_is_not_attached_to_her_daughter_of_the_same_name():
    """A mother (born 1978) links on her name to a record of her daughter with no date of
    birth; the daughter's other records say 2002."""
    persons = _persons([
        dict(record_id=1, agency="H01", agency_type="health", forename="Chloe",
             surname="Carter", dob="2002-12-22", sex="F"),
        dict(record_id=2, agency="E01", agency_type="education", forename="Chloe",
             surname="Carter", dob="2002-12-22", sex="F"),
        dict(record_id=3, agency="V01", agency_type="voluntary", forename="Chloe",
             surname="Carter", sex="F"),
        dict(record_id=4, agency="S01", agency_type="social_care", forename="Chloe",
             surname="Carter", dob="1978-05-08", sex="F"),
    ])
    roles = _roles([("S1", 4, "parent_carer", "referral", "2012-04-01")], persons)
    pairs = _pairs(_clique_rows([1, 2, 3], 0.95) + [(3, 4, 0.8)])
    nodes = persons["record_id"]
    assert cluster(nodes, pairs, threshold=0.9, sole=0.4)[4] == 1
    labels = cluster(nodes, pairs, threshold=0.9, sole=0.4,
                     context=RecordContext.of(persons, roles))
    assert labels[[1, 2, 3]].nunique() == 1 and labels[4] != labels[1]


def _clique_rows(nodes: list[int], p: float) -> list[tuple[int, int, float]]:
    return [(a, b, p) for i, a in enumerate(nodes) for b in nodes[i + 1:]]


# ---------------------------------------------------- an alias within one circle

def test_an_alias_only_record_joins_the_one_person_of_that_alias_who_shares_an_associate():
    persons = _persons([
        dict(record_id=10, forename="Jake", surname="Thomas", aliases="Smokey", sex="M"),
        dict(record_id=11, forename="Jake", surname="Thomas", dob="1989-09-01", sex="M"),
        dict(record_id=20, forename="Ryan", surname="Walsh", aliases="Smokey", sex="M"),
        dict(record_id=30, forename="Ellie", surname="Hart", dob="2000-01-02", sex="F"),
        dict(record_id=31, forename="Ellie", surname="Hart", dob="2000-01-02", sex="F"),
        dict(record_id=32, forename="Mia", surname="Cole", dob="2001-03-04", sex="F"),
        dict(record_id=40, aliases="SMOKEY", sex="M"),
        dict(record_id=41, aliases="Smokey", sex="F"),
    ])
    roles = _roles([
        ("E1", 40, "suspect", "intelligence_report", "2013-01-01"),
        ("E1", 30, "subject", "intelligence_report", "2013-01-01"),
        ("E2", 10, "suspect", "crime_report", "2012-01-01"),
        ("E2", 31, "victim", "crime_report", "2012-01-01"),
        ("E3", 20, "suspect", "crime_report", "2012-01-01"),
        ("E3", 32, "victim", "crime_report", "2012-01-01"),
        ("E4", 41, "suspect", "intelligence_report", "2013-01-01"),
        ("E4", 31, "subject", "intelligence_report", "2013-01-01"),
    ], persons)
    context = RecordContext.of(persons, roles)
    assert context.nameless == {40, 41}
    pairs = _pairs([(10, 11, 0.99), (30, 31, 0.99)])
    nodes = persons["record_id"]
    assert cluster(nodes, pairs, threshold=0.8, sole=0.4)[40] == 40
    labels = cluster(nodes, pairs, threshold=0.8, sole=0.4, context=context)
    # Smokey met Ellie, and so did Jake Thomas aka Smokey; Ryan Walsh aka Smokey did not.
    assert labels[40] == labels[10] == labels[11]
    assert labels[20] != labels[10]
    assert labels[41] == 41  # a woman: not Jake Thomas, whoever she met


def test_an_alias_shared_with_two_people_of_one_circle_decides_nothing():
    persons = _persons([
        dict(record_id=10, forename="Jake", surname="Thomas", aliases="Smokey", sex="M"),
        dict(record_id=20, forename="Ryan", surname="Walsh", aliases="Smokey", sex="M"),
        dict(record_id=30, forename="Ellie", surname="Hart", sex="F"),
        dict(record_id=40, aliases="Smokey", sex="M"),
    ])
    roles = _roles([("E1", 40, "suspect", "intelligence_report", "2013-01-01"),
                    ("E1", 30, "subject", "intelligence_report", "2013-01-01"),
                    ("E2", 10, "suspect", "crime_report", "2012-01-01"),
                    ("E2", 30, "victim", "crime_report", "2012-01-01"),
                    ("E3", 20, "driver", "stop_check", "2012-01-01"),
                    ("E3", 30, "passenger", "stop_check", "2012-01-01")], persons)
    labels = cluster(persons["record_id"], _pairs([]), threshold=0.8, sole=0.4,
                     context=RecordContext.of(persons, roles))
    assert labels.nunique() == len(persons)


# ------------------------------------ the household guard and a mistyped forename

def test_a_typo_of_a_name_the_person_already_holds_is_no_sibling():
    """"Jkssica" matches "Jessica" but differs from "Jesisca" and "Jessie", all one girl's
    records; a twin "Amelia" of the same birthday agrees with none of them."""
    same = _levels(forename=4, surname=4, dob=6, sex=1)
    typo = _levels(forename=1, surname=4, dob=6, sex=1)
    differ = _levels(forename=0, surname=4, dob=6, sex=1)
    girl, jkssica, twin = [1, 2, 3], 4, 5
    rows = [(1, 2, 0.99), (1, 3, 0.99), (2, 3, 0.99), (1, 4, 0.99), (2, 4, 0.95),
            (3, 4, 0.95), (1, 5, 0.9), (2, 5, 0.9), (3, 5, 0.9)]
    gammas = {(1, 2): same, (1, 3): same, (2, 3): same, (1, 4): typo, (2, 4): differ,
              (3, 4): differ, (1, 5): differ, (2, 5): differ, (3, 5): differ}
    guarded = {(2, 4), (3, 4), (1, 5), (2, 5), (3, 5)}
    pairs = _pairs(rows, gammas=gammas, guard=guarded)
    labels = cluster(pd.Series([*girl, jkssica, twin]), pairs, threshold=0.8, sole=0.4)
    assert labels[[*girl, jkssica]].nunique() == 1
    assert labels[twin] != labels[1]


def test_two_lone_records_that_are_each_others_dominant_candidate_join():
    """Aaron Matthew Wilson at school and, with no date of birth, to the police: each is
    the other's most likely person by far, though a third record is a faint rival."""
    pairs = _pairs([(1, 2, 0.79), (2, 3, 0.06)])
    labels = cluster(pd.Series([1, 2, 3]), pairs, threshold=0.8, sole=0.4)
    assert labels[1] == labels[2] and labels[3] != labels[1]
    rivals = _pairs([(1, 2, 0.79), (2, 3, 0.78)])  # a real rival: 2 has no dominant one
    assert cluster(pd.Series([1, 2, 3]), rivals, threshold=0.8, sole=0.4).nunique() == 3


# ------------------------------------------------------------------ the stage

def _police_submission(root: Path, *, area: str, person: dict[str, str],
                       events: list[tuple[str, str, str, str]]) -> Path:
    """A police submission of one person record and its events (kind, date, role)."""
    folder = root / f"POLB-{area}-x"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({
        "contract": "1", "submission_id": f"POLB-{area}-x",
        "agency": {"code": "POLB", "type": "police", "name": "Police B"},
        "area": area, "extracted_at": "2026-02-01T00:00:00Z"}), encoding="utf-8")
    pd.DataFrame([person]).to_csv(folder / "persons.csv", index=False)
    pd.DataFrame([{"event_ref": ref, "kind": kind, "occurred_on": when}
                  for ref, kind, when, _ in events]).to_csv(folder / "events.csv", index=False)
    pd.DataFrame([{"event_ref": ref, "entity": "person", "ref": person["person_ref"],
                   "role": role} for ref, _, _, role in events]).to_csv(
        folder / "links.csv", index=False)
    return folder


def test_the_stage_keeps_a_suspect_without_a_date_of_birth_off_a_child_of_his_name(
        engine: Engine, small: pd.DataFrame, model_file: Path, tmp_path: Path):
    """Daniel Okonkwo-Reid, born 2008, is known to a school and (as Danny) to the police;
    another force names a suspect and driver "Daniel Okonkwo-Reid" with no date of birth,
    in 2025, when Daniel was 17."""
    areas, folders = write_submissions(small, tmp_path / "base", tag="1")
    load_areas(engine, areas)
    for folder in folders:
        load_submission(engine, folder)
    daniel = small[(small["truth"] == "h1") & (small["agency"] == "SCHOOL")].iloc[0]
    suspect = {"person_ref": "SUSPECT1", "forename": "Daniel", "surname": "Okonkwo-Reid",
               "sex": "M", "postcode": str(daniel["postcode"])}
    load_submission(engine, _police_submission(
        tmp_path, area=str(daniel["area"]), person=suspect,
        events=[("CR1", "crime_report", "2025-06-01", "suspect"),
                ("SC1", "stop_check", "2025-09-01", "driver")]))

    def person(ref: str, agency: str) -> str:
        ids = stage.person_identities(engine)
        return str(ids.loc[(ids["agency"] == agency) & (ids["person_ref"] == ref),
                           "person_id"].iloc[0])

    stage.run(engine, model_path=model_file, context=False)
    assert person("SUSPECT1", "POLB") == person(daniel["person_ref"], "SCHOOL")
    stage.run(engine, model_path=model_file, full=True)
    assert person("SUSPECT1", "POLB") != person(daniel["person_ref"], "SCHOOL")
    # A person decides: the strong pair waits in the review queue, saying why.
    queue = review.pending(engine)
    held = queue[(queue["ref_l"] == "SUSPECT1") | (queue["ref_r"] == "SUSPECT1")]
    assert len(held) and held["reason"].str.startswith("age guard").all()
    danny = small[(small["truth"] == "h1") & (small["agency"] == "POLICE")].iloc[0]
    assert person(danny["person_ref"], "POLICE") == person(daniel["person_ref"], "SCHOOL")
