"""Fixtures for resolution tests: a crowd of synthetic people plus hand-made hard cases.

The model is trained once per session (a few seconds on DuckDB) and reused, as the
product reuses its saved model.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from lantern.resolve.features import person_features
from lantern.resolve.model import TrainedModel, train
from lantern.resolve.synthetic import world

BLANK = {
    "middle_names": None, "aliases": None, "dob": None, "dob_precision": None, "sex": None,
    "address": None, "postcode": None, "phones": None, "emails": None, "nhs_number": None,
    "upn": None, "ethnicity": None, "forename": None, "surname": None,
}


def hard_cases() -> pd.DataFrame:
    """Records (``read_persons`` shape plus ``truth`` and ``case``) that test the guards."""
    rows = [
        # A nickname: Daniel at school, "Danny" to the police.
        dict(case="nickname", truth="h1", agency="SCHOOL", forename="Daniel",
             surname="Okonkwo-Reid", dob="2008-04-19", sex="M", postcode="S61 2QX",
             address="14 Brinsworth Road"),
        dict(case="nickname", truth="h1", agency="POLICE", forename="Danny",
             surname="Okonkwo-Reid", dob="2008-04-19", sex="M", postcode="S61 2QX"),
        # A transposed date of birth (day and month swapped).
        dict(case="transposed", truth="h2", agency="HEALTH", forename="Kayleigh",
             surname="Barraclough", dob="2007-03-11", sex="F", postcode="S65 1AB",
             nhs_number="9434765919"),
        dict(case="transposed", truth="h2", agency="SOCIAL", forename="Kayleigh",
             surname="Barraclough", dob="2007-11-03", sex="F", postcode="S65 1AB"),
        # An alias-only suspect: police know him by name with his street name as alias;
        # a victim's disclosure to social care gives only the street name and his phone.
        dict(case="alias", truth="h3", agency="POLICE", forename="Tariq", surname="Mahmood",
             aliases="Taz;Tazzy", dob="1988-09-02", sex="M", postcode="S60 3HH",
             phones="+447700900555"),
        dict(case="alias", truth="h3", agency="SOCIAL", forename="Taz", sex="M",
             phones="+447700900555"),
        # Twins: same surname, date of birth, address, postcode; different forenames.
        dict(case="twins", truth="h4", agency="SCHOOL", forename="Amber", surname="Whitworth",
             dob="2009-06-30", sex="F", postcode="S63 7DN", address="3 Quarry Close"),
        dict(case="twins", truth="h4", agency="HEALTH", forename="Amber", surname="Whitworth",
             dob="2009-06-30", sex="F", postcode="S63 7DN", address="3 Quarry Close"),
        dict(case="twins", truth="h5", agency="SCHOOL", forename="Jasmine", surname="Whitworth",
             dob="2009-06-30", sex="F", postcode="S63 7DN", address="3 Quarry Close"),
        dict(case="twins", truth="h5", agency="SOCIAL", forename="Jasmine", surname="Whitworth",
             dob="2009-06-30", sex="F", postcode="S63 7DN", address="3 Quarry Close"),
        # A common name in two areas: two different men, same name and year of birth.
        dict(case="common", truth="h6", agency="POLICE", area="AREA01", forename="James",
             surname="Smith", dob="1990-02-14", sex="M", postcode="S2 4QT"),
        dict(case="common", truth="h7", agency="POLICE", area="AREA04", forename="James",
             surname="Smith", dob="1990-10-05", sex="M", postcode="S44 9JP"),
    ]
    frame = pd.DataFrame([{**BLANK, "area": "AREA02", **row} for row in rows])
    precision = frame["dob"].str.len().map({10: "day", 7: "month", 4: "year"})
    frame["dob_precision"] = precision.where(frame["dob"].notna(), None)
    frame["dob_raw"] = frame["dob"]
    frame["agency_type"] = frame["agency"].str.lower()
    frame["extracted_at"] = pd.Timestamp("2026-01-01")
    return frame


def with_crowd(hard: pd.DataFrame, *, n_people: int = 250, seed: int = 11) -> pd.DataFrame:
    """Hard cases inside a crowd of synthetic people (record ids unique, refs unique)."""
    _, crowd = world(n_people, seed=seed)
    crowd = crowd.assign(truth=crowd["truth"].astype(str), case="crowd")
    start = int(crowd["record_id"].max()) + 1
    hard = hard.copy()
    hard["record_id"] = range(start, start + len(hard))
    hard["person_ref"] = "H" + hard["record_id"].astype(str)
    return pd.concat([crowd, hard[crowd.columns]], ignore_index=True)


@pytest.fixture(scope="session")
def records() -> pd.DataFrame:
    return with_crowd(hard_cases())


@pytest.fixture(scope="session")
def small() -> pd.DataFrame:
    """A small store-sized set: the hard cases among 60 synthetic people."""
    return with_crowd(hard_cases(), n_people=60, seed=5)


@pytest.fixture(scope="session")
def model(records: pd.DataFrame) -> TrainedModel:
    return train(person_features(records), max_pairs_u=3e5)


@pytest.fixture(scope="session")
def model_file(model: TrainedModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "model.json"
    path.write_text(model.to_json(), encoding="utf-8")
    return path


@pytest.fixture
def same_person(records: pd.DataFrame) -> Callable[[pd.Series, str], bool]:
    """Whether every record of one hard-case truth label ended up under one id."""

    def check(labels: pd.Series, truth: str) -> bool:
        ids = records.loc[records["truth"] == truth, "record_id"]
        return labels.reindex(ids).nunique() == 1

    return check
