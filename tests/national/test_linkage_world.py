"""CLK linkage at the hub, scored against a simulated world's truth."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lantern.national.hub import build_people, run_hub, write_return
from lantern.national.pprl import tokens

SECRET = {"one": b"deployment-one-secret-000000", "two": b"deployment-two-secret-000000"}
KEY = b"linkage-key-shared-by-areas-0000"
SPLIT = {"police": "one", "health": "one", "social_care": "two", "education": "two",
         "voluntary": "two"}


def read_world(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    frames = []
    for folder in sorted((root / "submissions").iterdir()):
        manifest = json.loads((folder / "manifest.json").read_text())
        persons = pd.read_csv(folder / "persons.csv", dtype=str, keep_default_na=False,
                              na_values=[""])
        persons["agency"] = manifest["agency"]["code"]
        persons["agency_type"] = manifest["agency"]["type"]
        persons["area"] = manifest["area"]
        frames.append(persons)
    persons = pd.concat(frames, ignore_index=True).drop_duplicates(["agency", "person_ref"],
                                                                    keep="last")
    persons = persons.rename(columns={"date_of_birth": "dob"})
    length = persons["dob"].str.len()
    persons["dob_precision"] = np.select([length == 10, length == 7, length == 4],
                                         ["day", "month", "year"], None)
    truth = pd.read_csv(root / "truth" / "records.csv", dtype=str)
    persons = persons.merge(truth[["agency", "person_ref", "true_person_id"]],
                            on=["agency", "person_ref"])
    return persons, pd.read_csv(root / "truth" / "identified.csv", dtype=str)


@pytest.mark.slow
def test_cross_deployment_linkage_recall_and_precision(tmp_path: Path) -> None:
    from lantern.simulate.world import generate

    generate(tmp_path / "world", scale=0.001, areas=3, seed=5, prevalence=10.0)
    persons, identified = read_world(tmp_path / "world")
    persons = persons[persons["true_person_id"].isin(identified["true_person_id"])]
    folders, rows = [], []
    for name in ("one", "two"):
        part = persons[persons["agency_type"].map(SPLIT) == name].reset_index(drop=True)
        identities = part[["agency", "person_ref"]].assign(person_id=part["true_person_id"])
        victims = part[["agency", "area"]].assign(
            person_id=part["true_person_id"], year=2013, occurred_on=pd.Timestamp("2013-06-01"))
        risk = pd.DataFrame({"person_id": [], "risk": []})
        people = build_people(part, identities, victims, risk, secret=SECRET[name],
                              linkage_key=KEY)
        folder = tmp_path / name
        write_return(folder, people=people, area_stats=pd.DataFrame(
            columns=["area", "year", "children_identified", "children_high_risk"]),
            quality=pd.DataFrame(columns=["agency", "area", "records", "rows_read"]),
            deployment=name)
        folders.append(folder)
        rows.append(part)
    result, _ = run_hub(folders, threshold=0.8)
    # truth per hub row: rows are written in build_people order (one per record, deduplicated)
    hub = result.people
    truth_ids = []
    for i, part in enumerate(rows):
        tok = tokens(part["true_person_id"], SECRET["one" if i == 0 else "two"])
        truth_ids.append(pd.DataFrame({"token": tok, "true": part["true_person_id"]})
                         .drop_duplicates("token").assign(source=i))
    truth = pd.concat(truth_ids)
    hub = hub.merge(truth, on=["source", "token"])
    people_a = hub[hub["source"] == 0].drop_duplicates("token")
    people_b = hub[hub["source"] == 1].drop_duplicates("token")
    pairs = people_a.merge(people_b, on="national_id")
    found = set(zip(pairs["token_x"], pairs["token_y"], strict=True))
    right = pairs[pairs["true_x"] == pairs["true_y"]]
    correct = set(zip(right["token_x"], right["token_y"], strict=True))
    true_pairs = people_a.merge(people_b, on="true")
    recall = len(correct) / max(len(true_pairs), 1)
    precision = len(correct) / max(len(found), 1)
    print(f"\ncross-deployment linkage: {len(true_pairs)} true pairs, {len(found)} found, "
          f"recall {recall:.3f}, precision {precision:.3f}")
    assert len(true_pairs) >= 20
    assert recall >= 0.8
    assert precision >= 0.9
