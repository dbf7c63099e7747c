"""The truth agrees with the submissions, checked by re-deriving it from the files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lantern.contract import vocabulary
from lantern.simulate.world import WorldSummary


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def world(tiny: tuple[Path, WorldSummary]) -> dict[str, pd.DataFrame]:
    root = tiny[0]
    parts: dict[str, list[pd.DataFrame]] = {"persons": [], "events": [], "links": []}
    for folder in sorted((root / "submissions").iterdir()):
        manifest = json.loads((folder / "manifest.json").read_text())
        for name in parts:
            frame = read(folder / f"{name}.csv")
            parts[name].append(
                frame.assign(
                    agency=manifest["agency"]["code"],
                    agency_type=manifest["agency"]["type"],
                    area=manifest["area"],
                )
            )
    out = {k: pd.concat(v, ignore_index=True) for k, v in parts.items()}
    for name in ("records", "persons", "groups", "victims", "identified", "missed", "area_year"):
        out[f"truth_{name}"] = read(root / "truth" / f"{name}.csv")
    return out


def person_links(w: dict[str, pd.DataFrame]) -> pd.DataFrame:
    links = w["links"][w["links"].entity == "person"]
    ev = w["events"][["agency", "event_ref", "kind", "occurred_on", "indicators", "area"]]
    out = links.drop(columns="area").merge(ev, on=["agency", "event_ref"])
    ids = w["truth_records"][["agency", "person_ref", "true_person_id"]]
    return out.merge(ids, left_on=["agency", "ref"], right_on=["agency", "person_ref"])


def test_every_record_has_a_true_identity(world: dict[str, pd.DataFrame]) -> None:
    sent = set(zip(world["persons"].agency, world["persons"].person_ref, strict=True))
    truth = set(zip(world["truth_records"].agency, world["truth_records"].person_ref, strict=True))
    assert sent == truth
    variants = set(world["truth_records"].record_variant)
    assert variants == {"main", "duplicate", "alias_only"}


def test_identified_victims_follow_the_contract_definition(world: dict[str, pd.DataFrame]) -> None:
    vocab = vocabulary()
    pl = person_links(world)
    codes = pl.indicators.str.split(";")
    flagged = codes.map(lambda cs: bool(set(cs) & vocab.victim_indicators))
    hit = (pl.role == "victim") & (pl.kind.isin(vocab.victim_event_kinds) | flagged)
    mine = set(
        zip(
            pl.area[hit],
            pl.occurred_on[hit].str[:4].astype(int),
            pl.true_person_id[hit],
            strict=True,
        )
    )
    t = world["truth_identified"]
    assert mine == set(zip(t.area, t.year.astype(int), t.true_person_id, strict=True))
    assert len(mine) > 10


def test_hidden_victims_are_in_the_truth(world: dict[str, pd.DataFrame]) -> None:
    v = world["truth_victims"]
    assert (v.identified == "false").any()  # victims no agency listed
    assert (v.seen == "false").any()  # victims no agency saw at all
    listed = v[v.identified == "true"]
    ident = world["truth_identified"]
    assert set(zip(listed.area, listed.year, listed.true_person_id, strict=True)) <= set(
        zip(ident.area, ident.year, ident.true_person_id, strict=True)
    )
    ay = world["truth_area_year"].astype({"true_victims": int, "hidden_victims": int})
    assert (ay.hidden_victims > 0).all() and (ay.true_victims > ay.hidden_victims).all()


def test_groups_have_the_documented_shape(world: dict[str, pd.DataFrame]) -> None:
    g = world["truth_groups"]
    sizes = g.groupby(["group_id", "role"]).size().unstack(fill_value=0)
    assert sizes.suspect.between(2, 25).all()
    assert sizes.victim.between(0, 15).all()
    assert 2 <= sizes.victim.median() <= 4
    assert (g.cross_area == "true").any()
    assert (g[g.cross_area == "true"].areas.str.count(";") == 1).all()


def test_victim_profile(world: dict[str, pd.DataFrame]) -> None:
    p = world["truth_persons"]
    v = p[p.kind == "victim"]
    girls = (v.sex == "F").mean()
    assert 0.5 < girls < 0.85
    age = (pd.to_datetime(v.exploitation_start) - pd.to_datetime(v.dob)).dt.days / 365.25
    assert age.between(11, 18).all()
    assert 0.3 < (v.goes_missing == "true").mean() < 0.7
    assert (p.kind == "hard_negative").any()
    twins = p[p.twin == "true"]
    assert len(twins) >= 2
    assert (twins.groupby("household_id").dob.nunique() == 1).all()


def test_missed_opportunities_had_no_timely_response(world: dict[str, pd.DataFrame]) -> None:
    missed = world["truth_missed"]
    assert len(missed) > 5
    pl = person_links(world)
    pl["day"] = pd.to_datetime(pl.occurred_on.str[:10])
    resp = pl[pl.kind.isin(["referral", "strategy_meeting", "child_protection_plan"])]
    m = missed.assign(
        first=pd.to_datetime(missed.first_sign_on),
        due=pd.to_datetime(missed.trigger_on) + pd.Timedelta(days=30),
    )
    both = m.merge(resp, on="true_person_id")
    timely = both[(both.day >= both["first"]) & (both.day <= both.due)]
    assert timely.empty
    assert (m.agencies.str.count(";") >= 0).all()
    assert (pd.to_datetime(missed.trigger_on) >= pd.to_datetime(missed.first_sign_on)).all()
    assert np.isin(missed.kind, ["child", "hard_negative", "victim"]).all()


def test_evidenced_members_are_those_the_records_tie_to_their_group(
    world: dict[str, pd.DataFrame],
) -> None:
    """Sharing an event with a fellow member makes a member evidenced; a member whose events
    link nobody and nothing else cannot be."""
    records = world["truth_records"][["agency", "person_ref", "true_person_id"]]
    links = world["links"].merge(
        world["events"][["agency", "event_ref", "location_ref"]], on=["agency", "event_ref"]
    )
    people = links[links.entity == "person"].merge(
        records.rename(columns={"person_ref": "ref"}), on=["agency", "ref"]
    )
    groups = world["truth_groups"]
    group_of = groups.drop_duplicates("true_person_id").set_index("true_person_id").group_id
    people["group_id"] = people.true_person_id.map(group_of)
    members = people.dropna(subset=["group_id"])
    pairs = members.merge(members, on=["agency", "event_ref", "group_id"])
    together = set(pairs[pairs.true_person_id_x != pairs.true_person_id_y].true_person_id_x)
    evidenced = set(groups[groups.evidenced == "true"].true_person_id)
    assert together and together <= evidenced
    per_event = links.groupby(["agency", "event_ref"]).size().rename("n").reset_index()
    per_event = per_event.merge(
        links[["agency", "event_ref", "location_ref"]].drop_duplicates(), on=["agency", "event_ref"]
    )
    shared = per_event[(per_event.n > 1) | (per_event.location_ref != "")]
    alone = set(members.true_person_id) - set(
        members.merge(shared, on=["agency", "event_ref"]).true_person_id
    )
    assert not (alone & evidenced)
    in_records = groups[groups.in_records == "true"]
    assert (in_records.evidenced == "false").any()  # children known only from solitary records
    assert set(groups[groups.cross_area_evidenced == "true"].group_id) <= set(
        groups[groups.cross_area == "true"].group_id
    )
