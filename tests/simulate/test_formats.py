"""Identifiers are valid UK formats from reserved ranges, and every spelling normalises back."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lantern.contract import normalise
from lantern.simulate import formats


def test_nhs_numbers_are_valid_and_distinct() -> None:
    nhs = formats.draw_nhs_numbers(np.random.default_rng(1), 5000)
    assert len(set(nhs)) == 5000
    assert all(n.startswith("999") and normalise.nhs_number(n) == n for n in nhs)
    check = formats.nhs_check_digit(np.array([943476591]))  # a published valid example
    assert check[0] == 9


def test_upns_are_valid() -> None:
    upns = formats.draw_upns(np.random.default_rng(1), np.full(500, 901))
    assert len(set(upns)) == 500
    assert all(normalise.upn(u) == u for u in upns)


def test_phone_spellings_normalise_to_one_number() -> None:
    rng = np.random.default_rng(2)
    numbers = np.concatenate([formats.mobile_pool(rng, 50), formats.landline_pool(rng, 50)])
    canonical = ["+44" + n for n in numbers]
    for style in range(5):
        spelled = formats.format_phones(pd.Series(numbers), np.full(100, style))
        assert [normalise.phone(s) for s in spelled] == canonical
    assert len(set(formats.mobile_pool(rng, 20000))) == 20000


def test_postcode_and_vrm_spellings() -> None:
    rng = np.random.default_rng(3)
    pcs = formats.draw_postcodes(rng, np.arange(300) % 300)
    assert all(normalise.postcode(p) == p for p in pcs)
    assert {p[0] for p in pcs} <= {"Q", "X"}
    for style in range(4):
        spelled = formats.format_postcodes(pd.Series(pcs), np.full(300, style))
        assert [normalise.postcode(s) for s in spelled] == list(pcs)
    vrms = formats.draw_vrms(rng, 200)
    assert len(set(vrms)) == 200
    for style in range(3):
        spelled = formats.format_vrms(pd.Series(vrms), np.full(200, style))
        assert [normalise.vrm(s) for s in spelled] == [v.replace(" ", "") for v in vrms]
