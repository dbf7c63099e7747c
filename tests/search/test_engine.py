"""The search engine's name matching against a brute-force reference."""

from __future__ import annotations

import random

import pandas as pd
import pytest
from rapidfuzz.distance import JaroWinkler

from lantern.search.engine import NAME_THRESHOLD, Tables, _Pool

FORENAMES = ["amy", "amie", "aimee", "mark", "marc", "bella", "ella", "jon", "john", "joan",
             "thomas", "tom", "ann", "anne", "anna", "kyle", "kylie", "lauren", "laura", ""]
SURNAMES = ["jones", "jone", "jonas", "smith", "smyth", "smit", "brown", "braun", "taylor",
            "tailor", "thomas", "evans", "evens", "o brien", "obrien", ""]


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 3:
        return text
    i = rng.randrange(len(text) - 1)
    choice = rng.random()
    if choice < 0.4:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if choice < 0.7:
        return text[:i] + text[i + 1:]
    return text[:i] + rng.choice("aeiourst") + text[i:]


def _frame(rng: random.Random, n: int = 400) -> pd.DataFrame:
    rows = []
    for i in range(n):
        fn, sn = rng.choice(FORENAMES), rng.choice(SURNAMES)
        rows.append({"person_id": f"P{i // 2:04d}", "agency": "A", "area": rng.choice("XYZ"),
                     "fn": fn, "sn": sn, "display": f"{fn} {sn}".strip(), "dob": None,
                     "pc": "", "phones": "", "vehicles": ""})
    return pd.DataFrame(rows)


def _reference(frame: pd.DataFrame, text: str, areas: frozenset[str] | None,
               limit: int = 50) -> list[tuple[str, float]]:
    """Every row scored one by one, as the engine is meant to: best per person."""
    best: dict[str, float] = {}
    for r in frame.itertuples():
        if areas is not None and r.area not in areas:
            continue
        two = [f"{r.fn} {r.sn}".strip(), f"{r.sn} {r.fn}".strip()]
        pool = two if " " in text else [r.sn, r.fn]
        score = max(JaroWinkler.normalized_similarity(text, s, score_cutoff=NAME_THRESHOLD)
                    for s in pool)  # RapidFuzz's own cut-off: 0 below the threshold
        if score > best.get(r.person_id, 0.0):
            best[r.person_id] = score
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:limit]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_name_search_matches_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    frame = _frame(rng)
    tables = Tables.build(frame)
    queries = [f"{rng.choice(FORENAMES)} {rng.choice(SURNAMES)}".strip() for _ in range(40)]
    queries += [rng.choice(SURNAMES + FORENAMES) for _ in range(20)]
    queries = [_typo(q, rng) if rng.random() < 0.5 else q for q in queries]
    for text in [q for q in queries if q]:
        for areas in (None, frozenset({"X", "Y"})):
            found, matched = tables.search(name=text, dob=None, postcode=None, phone=None,
                                           vehicle=None, areas=areas, limit=50)
            got = [(pid, pytest.approx(score)) for pid, _name, _dob, score in found]
            assert got == _reference(frame, text, areas), (text, areas)
            assert matched == (["name"] if text.strip() else [])


def test_letter_bound_never_drops_a_match() -> None:
    """The pre-filter only skips strings that cannot reach the threshold."""
    rng = random.Random(7)
    words = [f"{rng.choice(FORENAMES)} {rng.choice(SURNAMES)}".strip() for _ in range(300)]
    words += [_typo(w, rng) for w in words]
    pool = _Pool.of(words)
    for query in [w for w in words[:200] if w]:  # the engine never scores an empty query
        kept = set(pool.candidates(query).tolist())
        for i, word in enumerate(words):
            if JaroWinkler.normalized_similarity(query, word) >= NAME_THRESHOLD:
                assert i in kept, (query, word)
        assert len(kept) < len(words)  # and it does prune


def test_best_row_per_person_and_earliest_dob() -> None:
    frame = pd.DataFrame([
        {"person_id": "P2", "agency": "A", "area": "X", "fn": "amy", "sn": "jones",
         "display": "Amy Jones", "dob": "2009-03-14", "pc": "", "phones": "", "vehicles": ""},
        {"person_id": "P2", "agency": "B", "area": "X", "fn": "amy", "sn": "jone",
         "display": "Amy Jone", "dob": "2009-03", "pc": "", "phones": "", "vehicles": ""},
        {"person_id": "P1", "agency": "A", "area": "Y", "fn": "amy", "sn": "jones",
         "display": "Amy Jones", "dob": None, "pc": "", "phones": "", "vehicles": ""},
    ])
    found, _ = Tables.build(frame).search(name="amy jones", dob=None, postcode=None,
                                          phone=None, vehicle=None, areas=None, limit=50)
    assert [(p, n, d) for p, n, d, _s in found] == [
        ("P1", "Amy Jones", None), ("P2", "Amy Jones", "2009-03")]
    found, _ = Tables.build(frame).search(name="amy jones", dob=None, postcode=None,
                                          phone=None, vehicle=None, areas=frozenset({"X"}),
                                          limit=1)
    assert [p for p, *_ in found] == ["P2"]
