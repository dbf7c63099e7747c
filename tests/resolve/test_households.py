"""Whether records come from families: the pair counts behind ``has_households``."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from lantern.resolve.households import has_households, household_pairs


def _brute_force(f: pd.DataFrame) -> tuple[int, int]:
    f = f.dropna(subset=["surname", "forename", "name_key", "dob"])
    f = f.assign(home=f["postcode"].fillna(f["address"])).dropna(subset=["home"])
    siblings = duplicates = 0
    for (_, a), (_, b) in itertools.combinations(f.iterrows(), 2):
        if a.surname != b.surname or a.home != b.home:
            continue
        siblings += a.forename != b.forename and a.name_key != b.name_key and a.dob != b.dob
        duplicates += a.forename == b.forename and a.dob == b.dob
    return siblings, duplicates


def test_pair_counts_equal_a_brute_force_count() -> None:
    rng = np.random.default_rng(3)
    n = 300
    forename = rng.choice(["ann", "anne", "bob", "cy", None], n)
    key = {"ann": "ann", "anne": "ann", "bob": "bob", "cy": "cy", None: None}
    frame = pd.DataFrame({
        "surname": rng.choice(["lee", "khan", "shaw", None], n),
        "forename": forename,
        "name_key": [key[x] for x in forename],
        "dob": rng.choice(["2010-01-01", "2012-05-05", "2014-09-09", None], n),
        "postcode": rng.choice(["ZZ1 1AA", "ZZ2 2BB", None], n),
        "address": rng.choice(["1 a st", "2 b rd", None], n),
    })
    assert household_pairs(frame) == _brute_force(frame)


def test_families_are_told_from_a_deduplication_file() -> None:
    family = pd.DataFrame({
        "surname": ["lee"] * 3, "forename": ["ann", "bob", "cy"], "name_key": ["ann", "bob", "cy"],
        "dob": ["2010-01-01", "2012-05-05", "2014-09-09"], "postcode": ["ZZ1 1AA"] * 3,
        "address": [None] * 3})
    duplicated = pd.concat([family.assign(surname=f"s{i}", forename="ann", name_key="ann",
                                          dob="2010-01-01") for i in range(30)])
    assert has_households(family)  # too few duplicates to tell: the safe side
    assert not has_households(duplicated)
    assert has_households(pd.concat([duplicated] + [family.assign(surname=f"f{i}")
                                                    for i in range(30)]))
