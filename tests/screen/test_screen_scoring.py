"""The pure screening core on hand-made worlds (no database)."""

from __future__ import annotations

import pandas as pd
import pytest

from lantern.screen.config import load_config
from lantern.screen.core import ScreenResult, screen
from lantern.screen.inputs import parse_dob, resolve_dobs
from tests.screen.screen_world import World, three_agency_child

CONFIG = load_config()


def run(world: World, as_of: str | None = "2014-01-01") -> ScreenResult:
    return screen(world.frames(), CONFIG, as_of=pd.Timestamp(as_of) if as_of else None)


def row(result: ScreenResult, person_id: str) -> pd.Series:
    return result.risk.set_index("person_id").loc[person_id]


def test_signs_are_counted_across_agencies_after_linking(world: World) -> None:
    joined = run(three_agency_child(world, linked=True))
    kid = row(joined, "kid")
    assert kid["risk"] == "high"
    assert kid["distinct_signs"] == 3
    assert kid["risk_date"] == pd.Timestamp("2013-11-01")
    for agency in ("P01 (police)", "H01 (health)", "E01 (education)"):
        assert agency in kid["reasons"]
    assert "Children's Commissioner" in kid["reasons"]


def test_unlinked_records_of_the_same_signs_stay_below_high() -> None:
    apart = run(three_agency_child(World(), linked=False))
    assert len(apart.risk) == 3
    assert set(apart.risk["risk"]) == {"medium"}


@pytest.mark.parametrize("sign", ["disclosure", "cse_concern"])
def test_a_disclosure_or_a_cse_concern_is_high_on_its_own(world: World, sign: str) -> None:
    world.person("S01", "s1", person_id="kid")
    world.event("S01", "r1", "referral", "2013-03-01", indicators=sign,
                people=(("s1", "subject"),))
    kid = row(run(world), "kid")
    assert kid["risk"] == "high"
    assert "on its own" in kid["reasons"]
    assert "2013-03-01" in kid["reasons"] and "S01 (social care)" in kid["reasons"]


def test_significant_signs_weigh_less_when_older_than_six_months(world: World) -> None:
    world.person("P01", "p1", person_id="kid")
    world.event("P01", "e1", "stop_check", "2013-11-01", indicators="older_associates",
                people=(("p1", "subject"),))
    assert row(run(world, "2014-01-01"), "kid")["score"] == 5
    assert row(run(world, "2014-08-01"), "kid")["score"] == 3
    assert row(run(world, "2014-08-01"), "kid")["risk"] == "low"
    # Events after the screening date are not seen.
    assert run(world, "2013-10-01").risk.empty


def test_moderate_signs_add_score_but_not_distinct_high(world: World) -> None:
    world.person("P01", "p1", person_id="kid")
    world.event("P01", "e1", "missing_episode", "2013-12-01",
                indicators="missing_from_care;substance_misuse;self_harm;school_absence",
                people=(("p1", "subject"),))
    kid = row(run(world), "kid")
    assert kid["score"] == 4
    assert kid["distinct_signs"] == 0  # four moderate signs do not make three "distinct"
    assert kid["risk"] == ("medium" if CONFIG.levels.medium_score <= 4 else "low")


def test_found_with_an_adult_flagged_by_another_agency(world: World) -> None:
    world.person("P01", "kid-p", person_id="kid").person("P01", "man-p", dob="1975-01-01",
                                                         person_id="man")
    world.person("V01", "man-v", dob="1975-01-01", person_id="man")
    world.person("V01", "other", dob="2001-01-01", person_id="other")
    # The voluntary sector flags the man (with another child); the police find our child
    # with him later.
    world.event("V01", "v1", "outreach_contact", "2013-05-01",
                indicators="sexual_activity_with_child",
                people=(("man-v", "suspect"), ("other", "subject")))
    world.event("P01", "p1", "stop_check", "2013-07-01",
                people=(("kid-p", "subject"), ("man-p", "associate")))
    result = run(world)
    signs = result.occurrences.query("person_id == 'kid'")
    assert list(signs["sign"]) == ["adult_sexual_activity_with_child"]
    assert signs["date"].iloc[0] == pd.Timestamp("2013-07-01")
    assert "flagged for sexual activity with a child" in row(result, "kid")["reasons"]
    assert "man" not in set(result.risk["person_id"])  # an adult is not screened


def test_a_vehicle_or_place_shared_with_other_children(world: World) -> None:
    world.person("P01", "a", person_id="a").person("P01", "b", person_id="b")
    world.person("P01", "c", person_id="c")
    world.vehicle("P01", "car", "AB12CDE").place("P01", "flat", "flat", "Flat 2")
    world.place("P01", "sch", "school", "High School")
    world.event("P01", "e1", "stop_check", "2013-02-01", people=(("a", "passenger"),),
                objects=(("car", "present"),), places=(("sch", "present"),))
    world.event("P01", "e2", "stop_check", "2013-04-01", people=(("b", "passenger"),),
                objects=(("car", "present"),), places=(("sch", "present"),))
    world.event("P01", "e3", "intelligence_report", "2013-06-01", grading="2BP",
                people=(("c", "subject"),), location_ref="flat")
    world.event("P01", "e4", "intelligence_report", "2013-08-01", grading="2BP",
                people=(("a", "subject"),), places=(("flat", "present"),))
    occ = run(world).occurrences
    vehicle = occ[occ["sign"] == "shared_vehicle"].set_index("person_id")["date"]
    # Both children show the signal from the day the second child was seen in the car.
    assert vehicle.to_dict() == {"a": pd.Timestamp("2013-04-01"),
                                 "b": pd.Timestamp("2013-04-01")}
    place = occ[occ["sign"] == "shared_place"].set_index("person_id")["date"]
    assert place.to_dict() == {"a": pd.Timestamp("2013-08-01"),
                               "c": pd.Timestamp("2013-08-01")}
    # A school is shared innocently: no place signal for b, who only shares the school.
    assert "b" not in place.index


def test_a_child_is_under_18_on_the_date_of_a_linked_event(world: World) -> None:
    world.person("P01", "young", dob="1996-06-01", person_id="young")
    world.person("P01", "old", dob="1990-01-01", person_id="old")
    world.event("P01", "e1", "missing_episode", "2013-12-01", indicators="missing_from_home",
                people=(("young", "subject"), ("old", "subject")))
    # After 18 the same sign is not a child's warning sign.
    world.event("P01", "e2", "ae_attendance", "2014-07-01", indicators="substance_misuse",
                people=(("young", "subject"),))
    result = run(world, "2014-08-01")
    assert list(result.risk["person_id"]) == ["young"]
    assert set(result.occurrences["sign"]) == {"missing_from_home"}


def test_unknown_dob_is_screened_only_with_child_signs_in_a_child_role(world: World) -> None:
    world.person("P01", "kid", dob=None, person_id="kid")
    world.person("P01", "adult", dob=None, person_id="adult")
    world.event("P01", "e1", "stop_check", "2013-12-01", indicators="seen_in_vehicles",
                people=(("kid", "passenger"), ("adult", "driver")))
    result = run(world)
    assert list(result.risk["person_id"]) == ["kid"]
    assert "Date of birth unknown" in row(result, "kid")["reasons"]


def test_conflicting_dobs_resolve_to_the_most_precise_most_frequent() -> None:
    persons = pd.DataFrame({
        "person_id": ["x", "x", "x", "x", "y"],
        "dob": ["2001-02-03", "2001-02-03", "2001-03-02", "2001", "2002-05"],
        "dob_precision": ["day", "day", "day", "year", "month"],
        "extracted_at": ["2013-01-01", "2012-01-01", "2014-01-01", "2014-01-01", "2014-01-01"],
    })
    dobs = resolve_dobs(persons).set_index("person_id")["dob"]
    assert dobs["x"] == pd.Timestamp("2001-02-03")
    assert dobs["y"] == pd.Timestamp("2002-05-15")
    parsed = parse_dob(pd.Series(["2001"]), pd.Series(["year"]))
    assert parsed.iloc[0] == pd.Timestamp("2001-07-01")


def test_identified_victim_follows_the_contract(world: World) -> None:
    for ref in ("crime", "sexual", "subject_only", "ordinary"):
        world.person("P01", ref, person_id=ref)
    world.person("P01", "man", dob="1970-01-01", person_id="man")
    world.event("P01", "e1", "crime_report", "2013-01-01", people=(("crime", "victim"),))
    world.event("P01", "e2", "intelligence_report", "2013-01-01", grading="2BP",
                indicators="sexual_activity_with_child",
                people=(("sexual", "victim"), ("man", "suspect")))
    world.event("P01", "e3", "referral", "2013-01-01", indicators="cse_concern",
                people=(("subject_only", "subject"),))
    world.event("P01", "e4", "missing_episode", "2013-01-01", indicators="missing_from_home",
                people=(("ordinary", "subject"),))
    victims = run(world).risk.set_index("person_id")["identified_victim"].to_dict()
    assert victims == {"crime": True, "sexual": True, "subject_only": False,
                       "ordinary": False}


def test_every_flag_has_a_reason_and_the_wording_never_decides() -> None:
    world = three_agency_child(World(), linked=True)
    world.person("E01", "quiet", person_id="quiet")
    world.event("E01", "x", "exclusion", "2013-05-01", people=(("quiet", "subject"),))
    world.person("S01", "lac", person_id="lac")
    world.event("S01", "y", "looked_after", "2013-05-01", indicators="looked_after_child",
                people=(("lac", "subject"),))
    result = run(world)
    assert set(result.risk["risk"]) == {"high", "low", "none"}
    assert result.risk["reasons"].str.len().min() > 0
    flagged = result.risk[result.risk["risk"] != "none"]
    assert flagged["reasons"].str.contains("for professional review").all()
    assert flagged["reasons"].str.startswith("Indicates").all()
    text = " ".join(result.risk["reasons"]) + " ".join(result.missed["reason"])
    assert "is a victim" not in text.lower()
