"""Linkage features: what one record derives, and that it derives the same among others.

``person_features`` runs each derivation once per distinct value (or combination of
values) and gathers the results back to the records; these tests pin that a record's
features never depend on which other records came with it.
"""

from __future__ import annotations

import math

import pandas as pd

from lantern.resolve.features import FEATURE_COLUMNS, forenames_compatible, person_features
from tests.resolve.conftest import hard_cases, with_crowd

ROWS = [
    dict(record_id=1, agency="POLICE", area="AREA01", forename="Danny",
         middle_names="James Paul", surname="Okonkwo-Reid", aliases="Taz;Big Mike",
         dob="2007-03-11", dob_precision="day", sex="M",
         address="14 Brinsworth Rd, Rotherham S60 3HH", postcode=None,
         phones="+447700900555;01709 123456", emails="Catherine.Smith4@example.org",
         nhs_number="9434765919", upn=None, ethnicity="A1"),
    dict(record_id=2, agency="SCHOOL", area="", forename="Zoe-Ann", middle_names=None,
         surname=None, aliases=None, dob="1990-05", dob_precision="month", sex="U",
         address=None, postcode="S2 4QT", phones=None, emails=None, nhs_number=None,
         upn="A123", ethnicity="B2"),
]


def _value(v: object) -> object:
    return None if isinstance(v, float) and math.isnan(v) else v


def test_one_record_features() -> None:
    f = person_features(pd.DataFrame(ROWS)).set_index("unique_id")
    assert list(f.reset_index().columns) == list(FEATURE_COLUMNS)
    one, two = f.loc[1], f.loc[2]
    assert (one["forename"], one["middle"], one["surname"]) == ("danny", "james",
                                                                "okonkworeid")
    assert one["name_key"] == "daniel"
    # The nickname's formal name, middle names, the email's forename; alias words.
    assert {"danny", "daniel", "james", "paul", "catherine", "big"} <= set(one["forename_keys"])
    assert one["forename_keys"] == sorted(one["forename_keys"])
    assert one["surname_keys"] == ["mike", "okonkwo", "okonkworeid", "reid", "smith"]
    assert (one["alias1"], one["alias_keys"]) == ("bigmike", ["bigmike", "taz"])
    assert (one["dob"], one["dob_swapped"], one["dob_year"]) == ("2007-03-11", "2007-11-03",
                                                                 "2007")
    # No postcode given: the one inside the address text.
    assert (one["postcode"], one["pc_sector"], one["pc_district"]) == ("S60 3HH", "S60 3",
                                                                       "S60")
    assert one["address"] == "14 brinsworth road rotherham s60 3hh"
    assert (one["addr_key"], one["addr_first"]) == ("14", "14")
    assert one["mobiles"] == ["+447700900555"]
    assert one["phone1"] == "+447700900555"
    assert one["email1"] == "catherine.smith4@example.org"
    # Missing is None (SQL NULL), never NaN or an empty list.
    assert two["forename"] == "zoeann"
    assert (two["dob"], two["dob_partial"], two["dob_year"]) == (None, "1990-05", "1990")
    for column in ("area", "surname", "surname_keys", "sex", "address_tokens", "phones",
                   "emails", "alias_keys", "nhs_number"):
        assert two[column] is None, column
    assert "ethnicity" not in f.columns


def test_a_record_derives_the_same_whoever_else_is_there() -> None:
    crowd = with_crowd(hard_cases(), n_people=40, seed=3)
    extra = pd.DataFrame(ROWS + [{**ROWS[0], "record_id": 3, "forename": "daniel"},
                                 {**ROWS[1], "record_id": 4, "aliases": "Danny Boy;;Dan"}])
    frame = pd.concat([crowd, extra], ignore_index=True)
    frame = frame.sample(frac=1.0, random_state=1).reset_index(drop=True)
    together = person_features(frame)
    for i in range(len(frame)):
        alone = person_features(frame.iloc[[i]])
        for column in FEATURE_COLUMNS:
            assert _value(together[column].iloc[i]) == _value(alone[column].iloc[0]), (
                i, column)


def test_forenames_compatible_per_pair() -> None:
    f = person_features(pd.DataFrame([
        {**ROWS[1], "record_id": i, "forename": name}
        for i, name in enumerate(["Nathan", "Naxhan", "Nat", "Jessica", "Nathan"], start=1)
    ]))
    left, right = pd.Series([1, 2, 1, 1, 2, 1]), pd.Series([2, 3, 4, 5, 1, 2])
    assert forenames_compatible(f, left, right).tolist() == [True, True, False, True, True,
                                                             True]
