"""Missed opportunities: the joined-up picture showed risk and no response came in time."""

from __future__ import annotations

import pandas as pd
import pytest

from lantern.screen.config import load_config
from lantern.screen.core import screen
from tests.screen.screen_world import World

CONFIG = load_config()


def two_agency_child(response: tuple[str, str] | None = None) -> World:
    """Police then education record signs; optionally a response (kind, date) follows."""
    w = World()
    w.person("P01", "p", person_id="kid").person("E01", "e", person_id="kid")
    w.person("S01", "s", person_id="kid")
    w.event("P01", "m1", "missing_episode", "2013-02-01", indicators="missing_from_home",
            people=(("p", "subject"),))
    w.event("P01", "m2", "missing_episode", "2013-02-20", indicators="missing_from_home",
            people=(("p", "subject"),))
    w.event("E01", "a1", "absence", "2013-03-01", indicators="school_absence",
            people=(("e", "subject"),))
    if response:
        w.event("S01", "r1", response[0], response[1], people=(("s", "subject"),))
    return w


def missed(world: World, as_of: str = "2014-01-01") -> pd.DataFrame:
    return screen(world.frames(), CONFIG, as_of=pd.Timestamp(as_of)).missed


def test_two_agencies_and_no_response_is_a_missed_opportunity() -> None:
    found = missed(two_agency_child()).set_index("person_id").loc["kid"]
    assert found["status"] == "missed"
    assert found["first_sign_on"] == pd.Timestamp("2013-03-01")
    assert found["first_recorded_on"] == pd.Timestamp("2013-02-01")
    assert found["agencies"] == "E01;P01"
    assert found["contacts"] == 3
    assert pd.isna(found["responded_on"])
    assert "P01 (police): missing from home 2013-02-01" in found["reason"]
    assert "E01 (education): absence from school 2013-03-01" in found["reason"]
    assert found["reason"].endswith("For professional review.")
    reasons = screen(two_agency_child().frames(), CONFIG).risk.set_index("person_id").loc[
        "kid", "reasons"]
    assert ("missing from home, recorded by P01 (police) 2 times between 2013-02-01 and "
            "2013-02-20") in reasons


@pytest.mark.parametrize("kind", ["referral", "strategy_meeting", "child_protection_plan"])
def test_a_response_within_the_window_is_not_missed(kind: str) -> None:
    assert missed(two_agency_child((kind, "2013-03-25"))).empty


def test_a_response_already_under_way_counts() -> None:
    # A referral after the first sign but before the picture joined up.
    assert missed(two_agency_child(("referral", "2013-02-10"))).empty
    # A referral before any sign is not a response to them.
    assert len(missed(two_agency_child(("referral", "2012-12-01")))) == 1


def test_a_late_response_is_missed_with_the_delay() -> None:
    found = missed(two_agency_child(("strategy_meeting", "2013-05-30"))).iloc[0]
    assert found["status"] == "missed"
    assert found["responded_on"] == pd.Timestamp("2013-05-30")
    assert "90 days later" in found["reason"]
    # Contacts count the signs seen until somebody responded.
    assert found["contacts"] == 3


def test_while_the_window_is_open_a_response_is_due() -> None:
    found = missed(two_agency_child(), as_of="2013-03-15").iloc[0]
    assert found["status"] == "due"
    assert "a response is due by 2013-03-31" in found["reason"]


def test_one_agency_below_high_is_not_flagged() -> None:
    w = World()
    w.person("P01", "p", person_id="kid")
    w.event("P01", "m1", "missing_episode", "2013-02-01", indicators="missing_from_home",
            people=(("p", "subject"),))
    assert missed(w).empty


def test_high_risk_from_one_agency_is_flagged_from_the_day_it_was_high() -> None:
    w = World()
    w.person("S01", "s", person_id="kid")
    w.event("S01", "c1", "assessment", "2013-04-02", indicators="cse_concern",
            people=(("s", "subject"),))
    found = missed(w).iloc[0]
    assert found["first_sign_on"] == pd.Timestamp("2013-04-02")
    assert found["reason"].startswith("The joined-up records indicated high risk on 2013-04-02")
