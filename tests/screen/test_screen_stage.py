"""The screening stage on a store: contract outputs, risk frame, alerts, child view, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from lantern.cli.common import CliError
from lantern.contract import vocabulary
from lantern.resolve import stage as resolve_stage
from lantern.screen import stage
from lantern.screen.alerts import AlertNotFound, acknowledge, list_alerts
from lantern.screen.timeline import ChildNotFound, child_view
from lantern.store.tables.screen import screen_alert_acks
from tests.screen.screen_world import World, store_world


def sample_world() -> World:
    """One child seen by police, health and education, never referred; an adult; a car."""
    w = World()
    w.person("P01", "kid-p", person_id="kid").person("H01", "kid-h", person_id="kid")
    w.person("E01", "kid-e", person_id="kid", forename="Samantha")
    w.person("P01", "man", dob="1975-02-02", person_id="man", forename="Mark")
    w.person("S01", "calm", person_id="calm")
    w.vehicle("P01", "car", "AB12CDE").place("P01", "hotel", "hotel", "Station Hotel")
    w.event("P01", "m1", "missing_episode", "2013-03-01", indicators="missing_from_home",
            people=(("kid-p", "subject"),))
    w.event("P01", "s1", "stop_check", "2013-04-01",
            indicators="seen_in_vehicles;supplies_alcohol_drugs",
            people=(("kid-p", "passenger"), ("man", "driver")), objects=(("car", "present"),),
            places=(("hotel", "present"),))
    w.event("P01", "i1", "intelligence_report", "2013-04-10", grading="2BP",
            indicators="older_associates", people=(("kid-p", "subject"), ("man", "suspect")))
    w.event("H01", "h1", "sexual_health_attendance", "2013-05-01", indicators="sexual_health",
            people=(("kid-h", "subject"),))
    w.event("E01", "a1", "absence", "2013-05-20", indicators="school_absence",
            people=(("kid-e", "subject"),))
    w.event("S01", "r1", "referral", "2013-06-01", people=(("calm", "subject"),))
    return w


@pytest.fixture
def screened(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Engine:
    world = sample_world()
    store_world(engine, world, tmp_path / "submissions")
    ids = world.frames().person_ids
    monkeypatch.setattr(resolve_stage, "person_identities", lambda _engine: ids)
    stage.run(engine)
    return engine


def test_outputs_follow_the_contract(screened: Engine) -> None:
    out = stage.outputs(screened)
    contract = vocabulary().outputs
    for name in ("risk.csv", "missed_opportunities.csv"):
        columns = list(contract[name])
        assert list(out[name].columns[: len(columns)]) == columns
    risk = out["risk.csv"].set_index("person_id")
    assert set(risk.index) == {"kid", "calm"}  # the adult is not screened
    assert risk.loc["kid", "risk"] == "high"
    assert risk.loc["calm", "risk"] == "none"
    assert set(risk["identified_victim"]) == {"false"}
    missed = out["missed_opportunities.csv"].set_index("person_id")
    assert list(missed.index) == ["kid"]
    # High on police records alone on 10 April; health and education held pieces too.
    assert missed.loc["kid", "first_sign_on"] == "2013-04-10"
    assert missed.loc["kid", "agencies"] == "E01;H01;P01"
    assert pd.isna(missed.loc["kid", "responded_on"])
    assert missed.loc["kid", "contacts"] == 5
    assert "no referral, strategy meeting or child protection plan within 30 days" in (
        missed.loc["kid", "reason"])


def test_risk_frame_gives_the_date_the_level_was_first_reached(screened: Engine) -> None:
    frame = stage.risk_frame(screened).set_index("person_id")
    assert list(frame.columns) == ["area", "risk", "score", "identified_victim", "reasons",
                                   "risk_date"]
    # High once three significant signs were known (vehicle, adult flag, older associates).
    assert frame.loc["kid", "risk_date"] == pd.Timestamp("2013-04-10")
    assert frame.loc["kid", "area"] == "A1"


def test_alerts_are_a_work_queue_with_kept_acknowledgements(screened: Engine) -> None:
    queue = list_alerts(screened, area="A1")
    assert [a.person_id for a in queue] == ["kid"]
    assert queue[0].kind == "missed_opportunity"
    assert list_alerts(screened, area="ZZ") == []
    alert_id = queue[0].alert_id
    acknowledge(screened, alert_id, note="Referred to the CSE team", by="J Bloggs")
    acknowledge(screened, alert_id, note="Strategy meeting booked", by="A Khan")
    assert list_alerts(screened, area="A1") == []
    seen = list_alerts(screened, area="A1", include_acknowledged=True)
    assert [a.note for a in seen[0].acknowledgements] == [
        "Referred to the CSE team", "Strategy meeting booked"]
    # A new run keeps the alert's id and its acknowledgements.
    stage.run(screened)
    again = list_alerts(screened, include_acknowledged=True)
    assert [a.alert_id for a in again] == [alert_id]
    assert len(again[0].acknowledgements) == 2
    with pytest.raises(AlertNotFound):
        acknowledge(screened, "Anope", note="x", by="y")
    with pytest.raises(ValueError, match="needs a note"):
        acknowledge(screened, alert_id, note="  ", by="y")
    with screened.connect() as connection:
        assert connection.execute(select(func.count()).select_from(screen_alert_acks)
                                  ).scalar_one() == 2


def test_child_view_joins_every_agency_in_date_order(screened: Engine) -> None:
    view = child_view(screened, "kid")
    assert [e.event_ref for e in view.events] == ["m1", "s1", "i1", "h1", "a1"]
    assert set(view.names_by_agency) == {"P01", "H01", "E01"}
    assert view.names_by_agency["E01"] == ["Samantha Smith"]
    stop = view.events[1]
    assert stop.child_roles == ["passenger"]
    assert stop.indicators == ["seen_in_vehicles", "supplies_alcohol_drugs"]
    labels = {(x.entity, x.role): x for x in stop.linked}
    assert labels[("person", "driver")].resolved_id == "man"
    assert "Mark" in labels[("person", "driver")].label
    assert "AB12CDE" in labels[("object", "present")].label
    assert "Station Hotel" in labels[("location", "present")].label
    assert view.events[2].grading == "2BP"
    assert view.risk is not None and view.risk.risk == "high"
    assert view.missed is not None and view.missed.status == "missed"
    with pytest.raises(ChildNotFound):
        child_view(screened, "nobody")


def test_cli_child_screen_and_alerts(screened: Engine, store_url: str,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from lantern.cli.main import app

    runner = CliRunner()
    monkeypatch.setenv("LANTERN_DB", store_url)
    result = runner.invoke(app, ["screen"])
    assert result.exit_code == 0, result.output
    assert "screened 2 children: high 1" in result.output
    result = runner.invoke(app, ["child", "kid", "--json"])
    assert result.exit_code == 0, result.output
    assert [e["event_ref"] for e in json.loads(result.output)["events"]][0] == "m1"
    result = runner.invoke(app, ["alerts", "--area", "A1", "--json"])
    assert result.exit_code == 0, result.output
    alert_id = json.loads(result.output)[0]["alert_id"]
    result = runner.invoke(app, ["alerts", "ack", alert_id, "--note", "seen", "--by", "JB"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["alerts", "--area", "A1"])
    assert "no open alerts" in result.output
    # Errors are one clear line (the entry point prints CliError without a traceback).
    result = runner.invoke(app, ["child", "nobody"])
    assert isinstance(result.exception, CliError) and "no person 'nobody'" in str(
        result.exception)
    result = runner.invoke(app, ["alerts", "ack", "Anope", "--note", "n", "--by", "b"])
    assert isinstance(result.exception, CliError)
    result = runner.invoke(app, ["screen", "--as-of", "31/01/2014"])
    assert isinstance(result.exception, CliError) and "--as-of" in str(result.exception)


def test_an_empty_store_screens_to_empty_outputs(engine: Engine) -> None:
    stage.run(engine)
    out = stage.outputs(engine)
    assert out["risk.csv"].empty and out["missed_opportunities.csv"].empty
    assert list(stage.risk_frame(engine).columns)[-1] == "risk_date"
    assert list_alerts(engine) == []


def test_unknown_options_and_bad_config_are_refused(engine: Engine, tmp_path: Path) -> None:
    from lantern.screen.config import ConfigError

    with pytest.raises(ValueError, match="unknown option"):
        stage.run(engine, threshold=3)
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: '9'\n")
    with pytest.raises(ConfigError, match="bad.yaml"):
        stage.run(engine, config=bad)
