"""Area statistics from hand-made frames (no database)."""

import numpy as np
import pandas as pd
import pytest

from lantern.national.quality import data_quality
from lantern.national.stage import Inputs, compute
from lantern.national.stats import (
    AREA_STATS_COLUMNS,
    area_stats,
    capture_tables,
    hidden_estimates,
    high_risk_counts,
    identified_victims,
)


def frames() -> dict[str, pd.DataFrame]:
    persons = pd.DataFrame({
        "agency": ["POL", "POL", "POL", "SC", "SC", "POL", "SC"],
        "area": ["A", "A", "A", "A", "A", "B", "B"],
        "person_ref": ["p1", "p2", "p3", "s1", "s2", "p9", "s9"],
        "dob": ["2000-06-01", "1980-01-01", None, "2000-06", "2001-02-03", "2004", None],
        "dob_precision": ["day", "day", None, "month", "day", "year", None],
        "extracted_at": pd.Timestamp("2014-01-01"),
        "nhs_number": [None, "9434765919", None, None, None, None, None],
        "postcode": ["S60 1AA", None, None, "S60 1AA", None, None, None],
        "ethnicity": ["W1", "NS", None, "A2", None, None, "O9"],
    })
    identities = pd.DataFrame({
        "agency": persons["agency"], "person_ref": persons["person_ref"],
        "person_id": ["K1", "ADULT", "K3", "K1", "K2", "K9", "K9"],
    })
    events = pd.DataFrame({
        "agency": ["POL", "POL", "POL", "SC", "SC", "POL", "SC", "SC"],
        "area": ["A", "A", "A", "A", "A", "B", "B", "A"],
        "event_ref": ["e1", "e2", "e3", "f1", "f2", "e9", "f9", "f3"],
        "kind": ["crime_report", "crime_report", "welfare_concern", "assessment",
                 "strategy_meeting", "stop_check", "disclosure", "assessment"],
        "occurred_on": pd.to_datetime(["2013-03-01", "2013-03-01", "2013-05-01", "2013-04-01",
                                       "2019-07-01", "2012-02-01", "2013-09-09", "2013-04-01"]),
        "indicators": [None, None, "cse_concern", "cse_concern", None, "missing_from_home",
                       None, "missing_from_home"],
        "extracted_at": pd.Timestamp("2014-01-01"),
    })
    links = pd.DataFrame({
        "agency": ["POL", "POL", "POL", "SC", "SC", "POL", "SC", "SC"],
        "area": ["A", "A", "A", "A", "A", "B", "B", "A"],
        "event_ref": ["e1", "e2", "e3", "f1", "f2", "e9", "f9", "f3"],
        "entity": "person",
        "ref": ["p1", "p2", "p3", "s1", "s2", "p9", "s9", "s2"],
        "role": ["victim", "victim", "victim", "victim", "victim", "victim", "victim", "victim"],
    })
    risk = pd.DataFrame({
        "person_id": ["K1", "K2", "K3", "K9"], "area": ["A", "A", "A", "B"],
        "risk": ["high", "high", "medium", "high"], "score": [9, 8, 3, 7],
        "identified_victim": [True, False, True, True], "reasons": "",
        "risk_date": pd.to_datetime(["2013-02-01", "2012-08-01", "2013-01-01", None]),
    })
    areas = pd.DataFrame({"area": ["A", "B", "C"], "name": ["a", "b", "c"],
                          "child_population": [10_000, 20_000, 5_000]})
    submissions = pd.DataFrame({"agency": ["POL", "SC", "POL", "SC"],
                                "area": ["A", "A", "B", "B"], "rows_read": [100, 50, 10, 10],
                                "rows_quarantined": [5, 0, 1, 0]})
    return {"persons": persons, "identities": identities, "events": events, "links": links,
            "risk": risk, "areas": areas, "submissions": submissions}


def test_identified_victims_follow_the_contract() -> None:
    f = frames()
    v = identified_victims(f["events"], f["links"], f["persons"], f["identities"])
    got = set(zip(v["agency"], v["area"], v["year"], v["person_id"], strict=True))
    assert got == {
        ("POL", "A", 2013, "K1"),  # crime report, aged 12
        ("SC", "A", 2013, "K1"),  # cse_concern event; partial dob (month)
        ("POL", "A", 2013, "K3"),  # no dob, but a cse_concern: a child by definition
        ("SC", "B", 2013, "K9"),  # disclosure; dob 2004 (year)
    }
    # ADULT: crime report victim aged 33; K2's strategy meeting was at 18; K9's 2012
    # stop_check carries no qualifying indicator; f3 (assessment, no indicator) does not count.


def test_area_stats_columns_rates_and_zeros() -> None:
    f = frames()
    v = identified_victims(f["events"], f["links"], f["persons"], f["identities"])
    stats = area_stats(v, high_risk_counts(f["risk"]), f["areas"])
    assert list(stats.columns[: len(AREA_STATS_COLUMNS)]) == AREA_STATS_COLUMNS
    row = stats.set_index(["area", "year"])
    assert row.loc[("A", 2013), "children_identified"] == 2
    assert row.loc[("A", 2013), "rate_per_10k"] == pytest.approx(2.0)
    assert row.loc[("C", 2013), "children_identified"] == 0  # every area, every year
    assert row.loc[("A", 2012), "children_high_risk"] == 1  # K2, risk date 2012
    assert row.loc[("A", 2013), "children_high_risk"] == 1  # K1
    assert row.loc[("B", 2013), "children_high_risk"] == 0  # K9 has no risk date
    assert row.loc[("A", 2013), "rate_change"] == pytest.approx(2.0)
    assert set(stats["funnel"]) <= {"within", "above", "below"}
    lows, highs = stats["rate_low"], stats["rate_high"]
    assert (lows <= stats["rate_per_10k"]).all() and (stats["rate_per_10k"] <= highs).all()
    # two lists but with one child seen by both only: no estimate, a note instead
    assert row.loc[("A", 2013), "mse_note"] != ""


def test_capture_tables_and_estimates() -> None:
    rng = np.random.default_rng(4)
    n = 400
    z = rng.normal(size=n)
    seen = rng.random((n, 3)) < 1 / (1 + np.exp(-(np.array([-1.0, -1.2, -1.5]) + 0.8 * z[:, None])))
    rows = []
    for i in np.flatnonzero(seen.any(axis=1)):
        for j, agency in enumerate(["POL", "SC", "HEA"]):
            if seen[i, j]:
                rows.append({"agency": agency, "area": "A", "year": 2013, "person_id": f"K{i}"})
    victims = pd.DataFrame(rows)
    tables = capture_tables(victims)
    table = tables[("A", 2013)]
    assert table["count"].sum() == seen.any(axis=1).sum()
    est = hidden_estimates(victims).iloc[0]
    assert est["estimated_low"] <= est["estimated_total"] <= est["estimated_high"]
    assert est["estimated_low"] <= n <= est["estimated_high"]


def test_compute_runs_on_frames_and_quality() -> None:
    f = frames()
    inputs = Inputs(persons=f["persons"], events=f["events"], links=f["links"],
                    identities=f["identities"], risk=f["risk"], areas=f["areas"],
                    submissions=f["submissions"])
    stats, quality = compute(inputs)
    assert len(stats) == 3 * 2
    q = quality.set_index(["agency", "area"])
    assert q.loc[("POL", "A"), "records"] == 3
    assert q.loc[("POL", "A"), "dob_complete"] == pytest.approx(2 / 3)
    assert q.loc[("POL", "A"), "nhs_number_complete"] == pytest.approx(1 / 3)
    assert q.loc[("POL", "A"), "ethnicity_complete"] == pytest.approx(1 / 3)  # NS is not
    assert q.loc[("POL", "A"), "ethnicity_not_stated"] == pytest.approx(1 / 3)
    assert q.loc[("POL", "A"), "quarantined_share"] == pytest.approx(0.05)
    assert q.loc[("SC", "A"), "duplicate_rate"] == pytest.approx(0.0)
    assert q.loc[("POL", "A"), "lag_days_median"] > 200


def test_duplicates_inside_an_agency() -> None:
    f = frames()
    ids = f["identities"].copy()
    ids.loc[ids["person_ref"] == "p3", "person_id"] = "K1"  # POL holds K1 twice
    q = data_quality(f["persons"], ids, f["submissions"], f["events"]).set_index(
        ["agency", "area"])
    assert q.loc[("POL", "A"), "duplicate_rate"] == pytest.approx(1 / 3)
