"""The contract's normalisers: canonical values out, InvalidValue for bad non-blank input."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lantern.contract import normalise as n


@pytest.mark.parametrize("fn", [n.postcode, n.phone, n.phones, n.vrm, n.account, n.emails,
                                n.nhs_number, n.upn, n.partial_date, n.sex])
@pytest.mark.parametrize("blank", [None, "", "   "])
def test_blank_is_none(fn: object, blank: str | None) -> None:
    assert fn(blank) is None  # type: ignore[operator]


@pytest.mark.parametrize(("raw", "canonical"), [
    ("s60 1aa", "S60 1AA"), ("S601AA", "S60 1AA"), (" sw1a  1aa ", "SW1A 1AA"),
    ("m1 1ae", "M1 1AE"), ("EC1A1BB", "EC1A 1BB"), ("zz1 1aa", "ZZ1 1AA"),
])
def test_postcode(raw: str, canonical: str) -> None:
    assert n.postcode(raw) == canonical


@pytest.mark.parametrize("raw", ["S60", "NOT A POSTCODE", "12345", "S60 1CI", "S60 AAA"])
def test_bad_postcode(raw: str) -> None:
    with pytest.raises(n.InvalidValue):
        n.postcode(raw)


@pytest.mark.parametrize(("raw", "e164"), [
    ("07700 900123", "+447700900123"), ("+44 7700 900123", "+447700900123"),
    ("(0114) 496 0123", "+441144960123"), ("0044 7700 900123", "+447700900123"),
])
def test_phone(raw: str, e164: str) -> None:
    assert n.phone(raw) == e164


def test_phones_joined_and_any_bad_part_fails() -> None:
    assert n.phones("07700 900123; 07700900124") == "+447700900123;+447700900124"
    with pytest.raises(n.InvalidValue):
        n.phones("07700 900123;12")


def test_vrm_account_email() -> None:
    assert n.vrm("ab12 cde") == "AB12CDE"
    assert n.vrm("AB-12-CDE") == "AB12CDE"
    with pytest.raises(n.InvalidValue):
        n.vrm("A")
    assert n.account("@Some.One ") == "some.one"
    assert n.emails("A@Example.org; b@example.org") == "a@example.org;b@example.org"
    with pytest.raises(n.InvalidValue):
        n.emails("a@example.org;nope")


def _with_check_digit(nine: str) -> str | None:
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return None if check == 10 else nine + str(check)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_nhs_number_check_digit(nine: str) -> None:
    valid = _with_check_digit(nine)
    if valid is None:
        for last in "0123456789":
            with pytest.raises(n.InvalidValue):
                n.nhs_number(nine + last)
        return
    assert n.nhs_number(f"{valid[:3]} {valid[3:6]} {valid[6:]}") == valid
    wrong = nine + str((int(valid[-1]) + 1) % 10)
    with pytest.raises(n.InvalidValue):
        n.nhs_number(wrong)


def test_upn() -> None:
    assert n.upn("a12345678901b") == "A12345678901B"
    with pytest.raises(n.InvalidValue):
        n.upn("123")


def test_partial_dates() -> None:
    today = date(2024, 6, 1)
    assert n.partial_date("2009-04-12", today=today) == n.PartialDate("2009-04-12", "day")
    assert n.partial_date("2009-04", today=today) == n.PartialDate("2009-04", "month")
    assert n.partial_date("2009", today=today) == n.PartialDate("2009", "year")
    assert n.PartialDate("2009-04", "month").first_day == date(2009, 4, 1)
    for impossible in ("2009-02-30", "2009-13", "1850-01-01", "2024-06-02", "12/04/2009"):
        with pytest.raises(n.InvalidValue):
            n.partial_date(impossible, today=today)


def test_event_datetime() -> None:
    assert n.event_datetime("2024-01-05") == datetime(2024, 1, 5)
    aware = n.event_datetime("2024-01-05T23:30:00+01:00")
    assert aware.utcoffset() == timedelta(hours=1)
    assert n.event_datetime("2024-01-05T23:30:00Z").tzinfo == UTC
    for bad in ("", "2024-02-30", "yesterday"):
        with pytest.raises(n.InvalidValue):
            n.event_datetime(bad)


def test_sex_and_grading() -> None:
    assert n.sex(" f ") == "F"
    with pytest.raises(n.InvalidValue):
        n.sex("female")
    assert n.grading("2bp", None) == n.Grading("3x5x2", "2", "B", "P")
    assert n.grading("B24", "5x5x5") == n.Grading("5x5x5", "B", "2", "4")
    for raw, scheme in (("2BX", None), ("4AP", None), ("2BP", "5x5x5"), ("2B", None),
                        ("2BP", "9x9x9")):
        with pytest.raises(n.InvalidValue):
            n.grading(raw, scheme)
