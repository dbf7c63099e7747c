"""The pseudonymised national return and the hub's cross-area linkage."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lantern.national.hub import (
    PEOPLE_COLUMNS,
    ReturnError,
    build_people,
    read_return,
    run_hub,
    write_hub,
    write_return,
)
from lantern.national.pprl import ClkSpec, SecretMissing, dice, encode, load_secret, tokens
from lantern.national.sdc import check_no_small_counts

FIRST = ["Amelia", "Olivia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Grace", "Sophia", "Freya",
         "Ella", "Evie", "Poppy", "Chloe", "Jessica", "Ruby", "Daisy", "Holly", "Megan", "Leah"]
LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
        "Patel", "Wright", "Walker", "Hughes", "Green", "Lewis", "Hall", "Clarke"]
SECRET_A = b"deployment-A-secret-0123456789"
SECRET_B = b"deployment-B-secret-9876543210"
KEY = b"shared-linkage-key-abcdefghijkl"


def people_frame(rng: np.random.Generator, n: int) -> pd.DataFrame:
    return pd.DataFrame({
        "truth": [f"T{i}" for i in range(n)],
        "forename": rng.choice(FIRST, n),
        "surname": rng.choice(LAST, n),
        "dob": [f"{y}-{m:02d}-{d:02d}" for y, m, d in zip(
            rng.integers(2003, 2011, n), rng.integers(1, 13, n), rng.integers(1, 29, n),
            strict=True)],
        "postcode": [f"S{a} {b}A{c}" for a, b, c in zip(
            rng.integers(1, 99, n), rng.integers(1, 9, n), rng.choice(list("BDEFGH"), n),
            strict=True)],
    })


def typo(text: str, rng: np.random.Generator) -> str:
    i = int(rng.integers(1, len(text) - 1))
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def deployment(truth: pd.DataFrame, area: str, agency: str) -> dict[str, pd.DataFrame]:
    persons = pd.DataFrame({
        "agency": agency, "area": area, "agency_type": "police",
        "person_ref": truth["truth"] + f"-{agency}",
        "forename": truth["forename"], "surname": truth["surname"],
        "dob": truth["dob"], "dob_precision": "day", "sex": "F",
        "postcode": truth["postcode"], "address": "1 High Street", "ethnicity": "W1",
        "phones": "+447700900000", "nhs_number": None,
    })
    identities = pd.DataFrame({"agency": agency, "person_ref": persons["person_ref"],
                               "person_id": "P-" + truth["truth"]})
    victims = pd.DataFrame({"agency": agency, "area": area, "year": 2013,
                            "person_id": identities["person_id"],
                            "occurred_on": pd.Timestamp("2013-05-02")})
    risk = pd.DataFrame({"person_id": identities["person_id"], "risk": "high"})
    return {"persons": persons, "identities": identities, "victims": victims, "risk": risk}


def area_stats(area: str) -> pd.DataFrame:
    return pd.DataFrame({
        "area": [area, area, "ZZ9"], "year": [2012, 2013, 2013],
        "children_identified": [3, 40, 12], "children_high_risk": [8, 2, 30],
        "rate_per_10k": [1.5, 20.0, 6.0], "rate_low": [0.3, 14.0, 3.0],
        "rate_high": [4.4, 27.0, 10.0], "rate_change": [np.nan, 18.5, np.nan],
        "identified_change": [np.nan, 37, np.nan], "funnel": ["within"] * 3,
        "estimated_total": [9.0, 80.0, 20.0], "estimated_low": [4.0, 50.0, 13.0],
        "estimated_high": [30.0, 160.0, 60.0],
    })


def quality() -> pd.DataFrame:
    return pd.DataFrame({
        "agency": ["A1", "A2"], "area": ["ZZ1", "ZZ1"], "records": [3, 400],
        "dob_complete": [1.0, 0.9], "nhs_number_complete": [0.0, 0.5],
        "postcode_complete": [1.0, 0.8], "ethnicity_complete": [0.3, 0.4],
        "ethnicity_not_stated": [0.1, 0.2], "rows_read": [10, 900],
        "quarantined_share": [0.0, 0.01], "duplicate_rate": [0.0, 0.02],
        "lag_days_median": [30.0, 40.0], "lag_days_p90": [90.0, 100.0],
    })


@pytest.fixture()
def two_returns(tmp_path: Path) -> tuple[list[Path], pd.DataFrame]:
    rng = np.random.default_rng(3)
    everyone = people_frame(rng, 120)
    shared = everyone.iloc[:30]
    only_a, only_b = everyone.iloc[30:75], everyone.iloc[75:]
    in_a = pd.concat([shared, only_a], ignore_index=True)
    in_b = pd.concat([shared, only_b], ignore_index=True).copy()
    # the other area records some shared children with a typo or a missing postcode
    in_b.loc[:9, "surname"] = [typo(s, rng) for s in in_b.loc[:9, "surname"]]
    in_b.loc[10:14, "postcode"] = None
    folders = []
    for name, frame, area, secret in (("a", in_a, "ZZ1", SECRET_A), ("b", in_b, "ZZ2", SECRET_B)):
        dep = deployment(frame, area, f"AG{name.upper()}")
        people = build_people(dep["persons"], dep["identities"], dep["victims"], dep["risk"],
                              secret=secret, linkage_key=KEY)
        out = tmp_path / name
        write_return(out, people=people, area_stats=area_stats(area), quality=quality(),
                     deployment=name)
        folders.append(out)
    return folders, shared


def test_return_holds_no_identifying_data(two_returns: tuple[list[Path], pd.DataFrame]) -> None:
    folders, shared = two_returns
    text = "\n".join(p.read_text() for f in folders for p in f.iterdir())
    for name in ("Amelia", "Olivia", "Smith", "Jones", "High Street", "+4477"):
        assert name.lower() not in text.lower()
    assert not re.search(r"\b(19|20)\d\d-\d\d-\d\d\b", text), "a full date left the deployment"
    assert not re.search(r"\bS\d{1,2} \d[A-Z]{2}\b", text), "a postcode left the deployment"
    people = pd.read_csv(folders[0] / "people.csv", dtype=str)
    assert list(people.columns) == PEOPLE_COLUMNS
    assert "ethnicity" not in people.columns
    assert people["birth_month"].str.fullmatch(r"\d{4}-\d{2}").all()
    assert not set(people["token"]) & {f"P-T{i}" for i in range(120)}


def test_every_exported_table_passes_disclosure_control(
    two_returns: tuple[list[Path], pd.DataFrame], tmp_path: Path
) -> None:
    folders, _ = two_returns
    result, returns = run_hub(folders)
    write_hub(tmp_path / "hub", result, returns)
    for path in [*folders[0].glob("*.csv"), *(tmp_path / "hub").glob("*.csv")]:
        frame = pd.read_csv(path)
        if path.name == "people.csv":
            numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])
                       and not pd.api.types.is_bool_dtype(frame[c])]
            assert numeric == [], f"{path.name} carries numbers: {numeric}"
            continue
        assert check_no_small_counts(frame) == [], path


def test_hub_links_across_areas(two_returns: tuple[list[Path], pd.DataFrame]) -> None:
    folders, shared = two_returns
    result, _ = run_hub(folders, threshold=0.8)
    people = result.people
    by_source = people.groupby("national_id")["source"].nunique()
    linked = int((by_source == 2).sum())
    print(f"\nlinked {linked} of 30 shared children; {len(result.links)} CLK links")
    # 30 children are in both areas: recall >= 0.9 and no false links
    assert linked >= 27
    assert linked <= 30
    national = result.national.set_index("year")
    assert national.loc[2013, "children_identified"] == 120 + 30 - linked
    assert national.loc[2013, "children_in_several_areas"] == linked


def test_clk_similarity_behaves() -> None:
    frame = pd.DataFrame({
        "forename": ["Amelia", "Amelia", "Grace"], "surname": ["Smith", "Smtih", "Hughes"],
        "dob": ["2005-03-01", "2005-03-01", "2006-07-12"],
        "postcode": ["S60 1AA", "S60 1AA", "S1 2BB"],
    })
    clks = encode(frame, KEY, ClkSpec())
    sims = dice(clks, clks)
    assert sims[0, 1] > 0.8 > sims[0, 2]
    other_key = encode(frame, b"another-linkage-key-000000000", ClkSpec())
    assert dice(clks[:1], other_key[:1])[0, 0] < 0.7


def test_tokens_are_keyed() -> None:
    ids = pd.Series(["P1", "P2", "P1"])
    a, b = tokens(ids, SECRET_A), tokens(ids, SECRET_B)
    assert a[0] == a[2] and a[0] != a[1]
    assert a[0] != b[0]


def test_secrets_are_required(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("LANTERN_SECRET", raising=False)
    with pytest.raises(SecretMissing):
        load_secret("LANTERN_SECRET")
    path = tmp_path / "secret"
    path.write_text("x" * 20)
    assert load_secret("LANTERN_SECRET", path) == b"x" * 20


def test_bad_return_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReturnError):
        read_return(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "other"}))
    with pytest.raises(ReturnError):
        read_return(tmp_path)
