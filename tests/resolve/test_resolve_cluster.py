"""Clustering, guards and stable ids: pure functions on small hand-made graphs."""

from __future__ import annotations

import pandas as pd

from lantern.resolve.cluster import (
    Constraints,
    cluster,
    household_guard,
    record_confidence,
    review_candidates,
)
from lantern.resolve.identity import assign_ids


def _pairs(rows: list[tuple[int, int, float]], guard: set[tuple[int, int]] = frozenset()
           ) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["unique_id_l", "unique_id_r", "match_probability"])
    frame["guard"] = [(a, b) in guard for a, b, _ in rows]
    return frame


def _clique(nodes: list[int], p: float = 0.999) -> list[tuple[int, int, float]]:
    return [(a, b, p) for i, a in enumerate(nodes) for b in nodes[i + 1:]]


def test_a_single_weak_link_does_not_merge_two_large_clusters():
    a, b = list(range(1, 6)), list(range(6, 11))
    pairs = _pairs(_clique(a) + _clique(b) + [(5, 6, 0.7)])
    labels = cluster(pd.Series(a + b), pairs, threshold=0.9)
    assert labels[a].nunique() == 1 and labels[b].nunique() == 1
    assert labels[1] != labels[6]
    # ... and it is queued for review instead.
    queued = review_candidates(labels, pairs, low=0.5, threshold=0.9)
    assert list(zip(queued["unique_id_l"], queued["unique_id_r"], strict=True)) == [(5, 6)]


def test_plain_connected_components_would_chain_them():
    a, b = list(range(1, 6)), list(range(6, 11))
    pairs = _pairs(_clique(a) + _clique(b) + [(5, 6, 0.7)])
    assert cluster(pd.Series(a + b), pairs, threshold=0.5, cohesion=0).nunique() == 1


def test_a_sparse_record_matching_two_people_does_not_chain_them():
    """A name-only record links strongly to two people of that name; average linkage lets
    it join one of them but never puts the two people together."""
    a, b, sparse = [1, 2, 3], [4, 5], 6
    pairs = _pairs(_clique(a) + _clique(b) + [(x, sparse, 0.85) for x in a + b])
    chained = cluster(pd.Series([*a, *b, sparse]), pairs, threshold=0.8, cohesion=0)
    assert chained.nunique() == 1
    labels = cluster(pd.Series([*a, *b, sparse]), pairs, threshold=0.8)
    assert labels[a].nunique() == 1 and labels[b].nunique() == 1
    assert labels[1] != labels[4]


def test_a_cannot_link_splits_a_chain_of_strong_links():
    # 1-2 strong, 2-3 strong, but 1 and 3 must stay apart (e.g. twins via a sparse record)
    pairs = _pairs([(1, 2, 0.99), (2, 3, 0.95), (1, 3, 0.97)], guard={(1, 3)})
    labels = cluster(pd.Series([1, 2, 3]), pairs, threshold=0.9)
    assert labels[1] != labels[3]
    assert labels[2] == labels[1]  # the stronger link wins


def test_must_link_beats_the_household_guard_and_cannot_link_beats_a_score():
    pairs = _pairs([(1, 2, 0.99), (3, 4, 0.99)], guard={(1, 2)})
    constraints = Constraints(must=pd.DataFrame({"l": [2], "r": [1]}),
                              cannot=pd.DataFrame({"l": [3], "r": [4]}))
    labels = cluster(pd.Series([1, 2, 3, 4]), pairs, threshold=0.9, constraints=constraints)
    assert labels[1] == labels[2]
    assert labels[3] != labels[4]


def test_sole_candidate_joins_the_only_person_it_could_be():
    pairs = _pairs(_clique([1, 2, 3]) + [(3, 9, 0.7), (2, 9, 0.7), (4, 8, 0.7), (5, 8, 0.7)])
    nodes = pd.Series([1, 2, 3, 4, 5, 8, 9])
    labels = cluster(nodes, pairs, threshold=0.9, sole=0.5)
    assert labels[9] == labels[1]  # all its links point into one person
    assert labels[8] not in (labels[4], labels[5])  # two candidates: stays alone
    assert cluster(nodes, pairs, threshold=0.9)[9] != labels[1]
    # A rejection between 9 and any member (even one it has no scored link to) stops it.
    rejected = Constraints(must=pd.DataFrame({"l": [], "r": []}, dtype="int64"),
                           cannot=pd.DataFrame({"l": [1], "r": [9]}))
    assert cluster(nodes, pairs, threshold=0.9, sole=0.5, constraints=rejected)[9] == 9


def test_household_guard_reads_the_comparison_levels():
    pairs = pd.DataFrame({
        # twins: different forename, same surname and home, nothing personal shared
        "gamma_forename": [0, 0, 4, 4], "gamma_surname": [4, 4, 4, 0],
        "gamma_residence": [6, 6, 6, 0], "gamma_sex": [1, 1, 1, 1],
        "gamma_dob": [5, 5, 0, 0], "gamma_nhs_number": [-1, 1, -1, -1],
        "gamma_upn": [-1, -1, -1, -1], "gamma_phones": [1, -1, -1, -1],
        "gamma_emails": [-1, -1, -1, -1],
    })
    # 0: twins sharing a family landline: guarded; 1: shared NHS number: not guarded;
    # 2: parent and child of one name (dob differs): guarded; 3: no household: not guarded
    assert household_guard(pairs).tolist() == [True, False, True, False]


def test_record_confidence():
    pairs = _pairs([(1, 2, 0.98), (2, 3, 0.95), (1, 3, 0.7), (3, 4, 0.6)])
    labels = cluster(pd.Series([1, 2, 3, 4, 5]), pairs, threshold=0.9)
    confidence = record_confidence(labels, pairs)
    assert confidence[1] == 0.98 and confidence[3] == 0.95
    assert abs(confidence[4] - 0.4) < 1e-9  # alone: 1 - best link elsewhere
    assert confidence[5] == 1.0


def _current(rows: list[tuple[str, int]]) -> pd.DataFrame:
    return pd.DataFrame([{"agency": "A", "person_ref": r, "cluster": c} for r, c in rows])


def _previous(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame([{"agency": "A", "person_ref": r, "person_id": p} for r, p in rows])


def test_ids_are_stable_and_new_records_join_existing_ids():
    previous = _previous([("a", "P00000001"), ("b", "P00000001"), ("c", "P00000002")])
    current = _current([("a", 10), ("b", 10), ("c", 20), ("d", 20), ("e", 30)])
    result = assign_ids(current, previous, next_seq=3)
    assert result.person_id.tolist() == ["P00000001", "P00000001", "P00000002", "P00000002",
                                         "P00000003"]
    assert result.changes.empty


def test_merge_keeps_the_id_of_most_records_then_the_oldest():
    previous = _previous([("a", "P00000005"), ("b", "P00000002"), ("c", "P00000002"),
                          ("d", "P00000007"), ("e", "P00000003")])
    current = _current([("a", 1), ("b", 1), ("c", 1), ("d", 2), ("e", 2)])
    result = assign_ids(current, previous, next_seq=8)
    assert result.person_id.tolist()[:3] == ["P00000002"] * 3  # most records
    assert result.person_id.tolist()[3:] == ["P00000003"] * 2  # tie: the oldest id
    merges = result.changes[result.changes["kind"] == "merge"]
    assert set(merges["other_person_id"]) == {"P00000005", "P00000007"}


def test_split_keeps_the_id_on_the_larger_part_and_logs_the_split():
    previous = _previous([(r, "P00000001") for r in "abc"])
    current = _current([("a", 1), ("b", 1), ("c", 2)])
    result = assign_ids(current, previous, next_seq=2)
    assert result.person_id.tolist() == ["P00000001", "P00000001", "P00000002"]
    (change,) = result.changes.itertuples()
    assert (change.kind, change.person_id, change.other_person_id) == (
        "split", "P00000002", "P00000001")
