"""Agencies record people with realistic noise (checked against the in-memory truth)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from nicknames import NickNamer

from lantern.simulate.config import WorldConfig
from lantern.simulate.names import BOYS, GIRLS, SURNAMES
from lantern.simulate.world import World, build_world


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(WorldConfig(scale=0.0005, areas=2, seed=11, prevalence=10.0))


@pytest.fixture(scope="module")
def recorded(world: World) -> pd.DataFrame:
    rec = world.recorded
    p = world.population.persons
    persons = rec.persons.drop_duplicates(["agency", "person_ref"])
    out = persons.merge(rec.person_truth, on=["agency", "person_ref"])
    true = p.set_index("tid").loc[out.tid, ["forename", "surname", "dob", "kind", "postcode"]]
    return pd.concat(
        [out.reset_index(drop=True), true.add_prefix("true_").reset_index(drop=True)], axis=1
    )


def test_names_come_from_common_name_lists(recorded: pd.DataFrame) -> None:
    assert set(recorded.true_forename) <= set(GIRLS) | set(BOYS)
    assert set(recorded.true_surname) <= set(SURNAMES)
    main = recorded[recorded.variant == 0]
    changed = main[main.forename != main.true_forename]
    namer = NickNamer()
    nick = [
        f.lower() in namer.nicknames_of(t.lower())
        for f, t in zip(changed.forename, changed.true_forename, strict=True)
    ]
    assert sum(nick) >= 5  # nicknames
    assert len(changed) - sum(nick) >= 1  # typos
    alias = recorded[recorded.variant == 2]
    assert len(alias) and alias.forename.isna().all() and alias.aliases.notna().all()


def test_dates_of_birth_are_noisy_in_documented_ways(recorded: pd.DataFrame) -> None:
    r = recorded[recorded.variant < 2]
    iso = pd.Series(
        np.datetime_as_string(r.true_dob.to_numpy().astype("datetime64[D]")), index=r.index
    )
    dob = r.date_of_birth
    swapped = iso.str[:4] + "-" + iso.str[8:10] + "-" + iso.str[5:7]
    assert dob.isna().any()
    assert (dob.str.len() == 4).any() and (dob.str.len() == 7).any()
    assert ((dob == swapped) & (iso.str[8:10] != iso.str[5:7])).any()
    exact = (dob == iso).mean()
    assert 0.75 < exact < 0.99


def test_identifiers_come_in_many_formats(recorded: pd.DataFrame) -> None:
    pcs = recorded.postcode.dropna()
    assert pcs.str.contains(" ").any() and (~pcs.str.contains(" ")).any()
    assert pcs.str.islower().any() and pcs.str.isupper().any()
    phones = recorded.phone.dropna()
    assert phones.str.startswith("+44").any() and phones.str.startswith("07700").any()
    assert phones.str.contains(r"\(0").any() or phones.str.contains(" 496 ").any()


def test_duplicates_and_hard_negatives(world: World, recorded: pd.DataFrame) -> None:
    refs = recorded.groupby(["agency", "tid"]).person_ref.nunique()
    assert (refs > 1).sum() > 0  # one person, two records inside one agency
    p = world.population.persons
    common = p[p.kind != "offender"].groupby(["forename", "surname"]).size()
    assert (common > 1).any()  # different people sharing a name


def test_ethnicity_is_mostly_unrecorded_for_suspects(recorded: pd.DataFrame) -> None:
    off = recorded[recorded.true_kind == "offender"]
    unrecorded = off.ethnicity.isna() | (off.ethnicity == "NS")
    assert 0.5 < unrecorded.mean() < 0.85
