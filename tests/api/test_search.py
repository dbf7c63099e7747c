"""Fuzzy person search over resolved identities, scoped to areas."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from lantern.search import SearchIndex, SearchQuery
from lantern.search.keys import fold_name, query_dob, query_postcode

AAA1 = frozenset({"AAA1"})


@pytest.fixture(scope="module")
def index(world_engine: Engine) -> SearchIndex:
    return SearchIndex(world_engine)


def _ids(index: SearchIndex, areas: frozenset[str] | None = AAA1, **query: str) -> list[str]:
    return [h.person_id for h in index.search(SearchQuery(**query), areas=areas)]


def test_keys() -> None:
    assert fold_name("  O'Neil-Brown ") == "oneil brown"
    assert fold_name("Zoë") == "zoe"
    assert query_dob("14/03/2009") == "2009-03-14" and query_dob("2009") == "2009"
    assert query_dob("yesterday") is None
    assert query_postcode("s601aa") == ("S601AA", True)
    assert query_postcode("s60") == ("S60", False)


def test_name_spelling_order_and_merged_records(index: SearchIndex,
                                                person_ids: dict[str, str]) -> None:
    amy = person_ids["amy"]
    for name in ("Amy Jones", "amy jone", "Jones Amy", "AMY JONES", "aimy jones"):
        assert _ids(index, name=name)[:1] == [amy], name
    hit = index.search(SearchQuery(name="amy jones"), areas=AAA1)[0]
    assert hit.agencies == ["NTC", "NTP"]  # two agencies' records, one person
    assert _ids(index, name="jones") and amy in _ids(index, name="jones")
    assert amy not in _ids(index, name="Zebedee Quartz")


def test_other_keys(index: SearchIndex, person_ids: dict[str, str]) -> None:
    amy, mark = person_ids["amy"], person_ids["mark"]
    assert _ids(index, dob="2009-03-14") == [amy]
    assert amy in _ids(index, dob="2009-03")
    assert _ids(index, postcode="s60 1aa") == [amy]
    assert set(_ids(index, postcode="S60")) >= {amy, mark}
    assert _ids(index, phone="+44 7700 900123") == [amy]
    assert _ids(index, phone="07700900123") == [amy]
    assert mark in _ids(index, vehicle="ab12 cde")
    assert _ids(index, name="amy jones", dob="2010-01-01") == []


def test_scope(index: SearchIndex, person_ids: dict[str, str]) -> None:
    bella = person_ids["bella"]
    assert _ids(index, name="bella brown") == []
    assert _ids(index, areas=frozenset({"BBB2"}), name="bella brown") == [bella]
    assert _ids(index, areas=None, name="bella brown") == [bella]
    assert _ids(index, areas=frozenset(), name="bella brown") == []
    assert index.areas_of(bella) == ["BBB2"] and index.areas_of("nobody") == []
