"""The in-memory search structures: pure, built in bulk from the index frame.

Exact keys (date of birth and its prefixes, postcode and outward code, phone, vehicle)
are dictionaries from key to row numbers; names are scored with RapidFuzz's Jaro-Winkler
over the distinct names (names repeat a lot), in C++, then mapped to their rows. Before
scoring, a letter-count bound (exact: it never drops a name that could reach the
threshold) discards most names with one vectorised pass, and results are grouped by
person with NumPy: a name search at 100,000 people costs a few milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from lantern.search import keys

NAME_THRESHOLD = 0.86
Rows = npt.NDArray[np.int64]
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def _index(keys_: pd.Series) -> dict[str, Rows]:
    """key -> row numbers, for a Series of keys indexed by row number (blanks dropped)."""
    keys_ = keys_[keys_.fillna("") != ""]
    if keys_.empty:
        return {}
    grouped = pd.Series(keys_.index.to_numpy(dtype=np.int64)).groupby(keys_.to_numpy())
    return {str(k): v.to_numpy(dtype=np.int64) for k, v in grouped}  # type: ignore[misc]


def _exploded(values: pd.Series) -> dict[str, Rows]:
    parts = values.fillna("").astype(str).str.split(";").explode()
    return _index(parts.str.strip())


_ALPHABET = "abcdefghijklmnopqrstuvwxyz "


def _min_common_share(threshold: float) -> float:
    """A lower bound on ``c/len(a) + c/len(b)`` for any pair of strings whose Jaro-Winkler
    similarity reaches ``threshold``, where ``c`` is the number of characters they have in
    common (as multisets).

    Jaro is ``(m/|a| + m/|b| + (m - t)/m) / 3`` with ``m <= c`` matching characters, so
    ``m/|a| + m/|b| >= 3 * jaro - 1``. Winkler's bonus (prefix weight 0.1, at most four
    characters, only when Jaro exceeds 0.7) raises Jaro ``j`` to at most
    ``j + 0.4 (1 - j)``; so reaching ``threshold`` needs Jaro of at least
    ``min(threshold, max(0.7, (threshold - 0.4) / 0.6))``.
    """
    jaro = min(threshold, max(0.7, (threshold - 0.4) / 0.6))
    return 3 * jaro - 1 - 1e-9


def _char_counts(texts: list[str]) -> npt.NDArray[np.uint8]:
    """Counts of each letter and the space per text (texts are folded to ``[a-z ]``),
    column by column in memory, so that one letter's counts are read in one sweep."""
    counts = np.zeros((len(texts), len(_ALPHABET)), dtype=np.uint8, order="F")
    for j, ch in enumerate(_ALPHABET):
        counts[:, j] = np.fromiter((min(t.count(ch), 255) for t in texts), dtype=np.uint8,
                                   count=len(texts))
    return counts


@dataclass(frozen=True)
class _Pool:
    """Distinct strings to score, their letter counts and lengths for the bound."""

    texts: npt.NDArray[np.object_]
    counts: npt.NDArray[np.uint8]
    lengths: npt.NDArray[np.float64]

    @classmethod
    def of(cls, texts: list[str]) -> _Pool:
        return cls(np.array(texts, dtype=object), _char_counts(texts),
                   np.array([max(len(t), 1) for t in texts], dtype=np.float64))

    def candidates(self, text: str) -> npt.NDArray[np.int64]:
        """Indices of the strings that might reach the threshold against ``text``."""
        if not len(self.texts):
            return np.empty(0, np.int64)
        query = _char_counts([text])[0]
        common = np.zeros(len(self.texts))
        for j in np.flatnonzero(query):  # only the letters the query has can be shared
            common += np.minimum(self.counts[:, j], query[j])
        share = common / max(len(text), 1) + common / self.lengths
        return np.flatnonzero(share >= _MIN_SHARE)

    def scores(self, text: str, *others: npt.NDArray[np.object_]) -> npt.NDArray[np.float64]:
        """Best Jaro-Winkler similarity of ``text`` against each string (and the strings at
        the same positions in ``others``, which hold the same letters), 0 below the
        threshold."""
        best = np.zeros(len(self.texts))
        idx = self.candidates(text)
        if len(idx):
            for pool in (self.texts, *others):
                found = process.cdist([text], pool[idx].tolist(),
                                      scorer=JaroWinkler.normalized_similarity,
                                      score_cutoff=NAME_THRESHOLD, dtype=np.float64)[0]
                best[idx] = np.maximum(best[idx], found)
        return best


_MIN_SHARE = _min_common_share(NAME_THRESHOLD)


@dataclass(frozen=True)
class Tables:
    person: npt.NDArray[np.object_]
    person_code: npt.NDArray[np.int64]  # ordered as the person ids sort
    area: npt.NDArray[np.object_]
    display: npt.NDArray[np.object_]
    dob: npt.NDArray[np.object_]
    names: _Pool  # distinct "forename surname"
    revs: npt.NDArray[np.object_]  # the same, "surname forename"
    forenames: _Pool  # distinct forenames, and which one each distinct name has
    forename_of: npt.NDArray[np.int64]
    surnames: _Pool
    surname_of: npt.NDArray[np.int64]
    name_order: Rows  # row numbers grouped by distinct name ...
    name_start: Rows  # ... name i's rows are name_order[name_start[i]:name_start[i + 1]]
    dob_prefix: dict[str, Rows]  # a record under its dob and each shorter prefix
    dob_exact: dict[str, Rows]  # a record under its dob as recorded (maybe partial)
    postcode: dict[str, Rows]
    outward: dict[str, Rows]
    phone: dict[str, Rows]
    vehicle: dict[str, Rows]

    @classmethod
    def build(cls, frame: pd.DataFrame) -> Tables:
        frame = frame.reset_index(drop=True)
        pairs = frame[["fn", "sn"]].astype(str)
        distinct = pairs.drop_duplicates().reset_index(drop=True)
        codes = pd.MultiIndex.from_frame(distinct).get_indexer(
            pd.MultiIndex.from_frame(pairs)).astype(np.int64)
        name_order = np.argsort(codes, kind="stable").astype(np.int64)
        name_start = np.searchsorted(codes[name_order], np.arange(len(distinct) + 1))
        dob = frame["dob"].astype(object).where(frame["dob"].notna(), None)
        dob_text = frame["dob"].fillna("").astype(str)
        prefix = pd.concat([dob_text, dob_text.where(dob_text.str.len() > 4).str[:4],
                            dob_text.where(dob_text.str.len() > 7).str[:7]])
        pc = frame["pc"].fillna("").astype(str)
        full = pc.str.len() >= 5
        fn, sn = distinct["fn"], distinct["sn"]
        fn_codes, fn_unique = pd.factorize(fn)
        sn_codes, sn_unique = pd.factorize(sn)
        person = frame["person_id"].astype(str).to_numpy(dtype=object)
        _, person_code = np.unique(person, return_inverse=True) if len(person) else (
            None, np.empty(0, np.int64))
        return cls(
            person=person,
            person_code=np.asarray(person_code, dtype=np.int64),
            area=frame["area"].astype(str).to_numpy(dtype=object),
            display=frame["display"].astype(str).to_numpy(dtype=object),
            dob=dob.to_numpy(dtype=object),
            names=_Pool.of((fn + " " + sn).str.strip().tolist()),
            revs=(sn + " " + fn).str.strip().to_numpy(dtype=object),
            forenames=_Pool.of([str(x) for x in fn_unique]),
            forename_of=np.asarray(fn_codes, dtype=np.int64),
            surnames=_Pool.of([str(x) for x in sn_unique]),
            surname_of=np.asarray(sn_codes, dtype=np.int64),
            name_order=name_order,
            name_start=name_start.astype(np.int64),
            dob_prefix=_index(prefix.dropna()),
            dob_exact=_index(dob_text),
            postcode=_index(pc),
            outward=_index(pc.where(full).str[:-3].dropna()),
            phone=_exploded(frame["phones"]),
            vehicle=_exploded(frame["vehicles"]),
        )

    def _name_scores(self, text: str) -> npt.NDArray[np.float64]:
        """Best Jaro-Winkler similarity per distinct name, 0 below the threshold: a
        two-word query against "forename surname" and "surname forename", one word
        against the forename and the surname."""
        if " " in text:
            return self.names.scores(text, self.revs)
        by_forename = self.forenames.scores(text)[self.forename_of]
        by_surname = self.surnames.scores(text)[self.surname_of]
        return np.maximum(by_forename, by_surname)

    def _name_rows(self, text: str) -> tuple[Rows, npt.NDArray[np.float64]]:
        """Rows whose name reaches the threshold, with their scores."""
        best = self._name_scores(text)
        found = np.flatnonzero(best > 0)
        starts = self.name_start[found]
        counts = self.name_start[found + 1] - starts
        total = int(counts.sum())
        offsets = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(total)
        return self.name_order[offsets], np.repeat(best[found], counts)

    def _dob_rows(self, dob: str) -> Rows:
        found = [self.dob_prefix.get(dob, np.empty(0, np.int64))]
        for cut in (4, 7):
            if len(dob) > cut:
                found.append(self.dob_exact.get(dob[:cut], np.empty(0, np.int64)))
        return np.unique(np.concatenate(found))

    def _postcode_rows(self, raw: str) -> Rows:
        compact, full = keys.query_postcode(raw)
        if full:
            return self.postcode.get(compact, np.empty(0, np.int64))
        if _OUTWARD.match(compact):
            return self.outward.get(compact, np.empty(0, np.int64))
        hits = [v for k, v in self.postcode.items() if k.startswith(compact)]
        return np.unique(np.concatenate(hits)) if hits else np.empty(0, np.int64)

    def search(self, *, name: str | None, dob: str | None, postcode: str | None,
               phone: str | None, vehicle: str | None, areas: frozenset[str] | None,
               limit: int) -> tuple[list[tuple[str, str, str | None, float]], list[str]]:
        """(person_id, display name, dob, score) best first, and the keys that were used."""
        sets: list[Rows] = []
        matched: list[str] = []
        if dob and (d := keys.query_dob(dob)):
            sets.append(self._dob_rows(d))
            matched.append("dob")
        if postcode and postcode.strip():
            sets.append(self._postcode_rows(postcode))
            matched.append("postcode")
        if phone and (p := keys.query_phone(phone)):
            sets.append(self.phone.get(p, np.empty(0, np.int64)))
            matched.append("phone")
        if vehicle and (v := keys.query_vrm(vehicle)):
            sets.append(self.vehicle.get(v, np.empty(0, np.int64)))
            matched.append("vehicle")
        rows: Rows | None = None
        for found in sets:
            rows = found if rows is None else np.intersect1d(rows, found)
        scores: npt.NDArray[np.float64] | None = None
        text = keys.fold_name(name) if name else ""
        if text:
            matched.insert(0, "name")
            name_rows, name_scores = self._name_rows(text)
            if rows is not None:
                keep = np.isin(name_rows, rows)
                name_rows, name_scores = name_rows[keep], name_scores[keep]
            rows, scores = name_rows, name_scores
        if rows is None or not matched or len(rows) == 0:
            return [], matched
        if scores is None:
            scores = np.ones(len(rows))
        if areas is not None:
            keep = np.isin(self.area[rows], list(areas))
            rows, scores = rows[keep], scores[keep]
        if len(rows) == 0:
            return [], matched
        return self._best_per_person(rows, scores, limit), matched

    def _best_per_person(self, rows: Rows, scores: npt.NDArray[np.float64],
                         limit: int) -> list[tuple[str, str, str | None, float]]:
        """Persons by best score (then id), each with the name of its best row and its
        earliest recorded date of birth."""
        codes = self.person_code[rows]
        order = np.lexsort((rows, codes, -scores))
        rows, scores, codes = rows[order], scores[order], codes[order]
        _, first = np.unique(codes, return_index=True)
        top = np.sort(first)[:limit]
        earliest: dict[int, str] = {}
        for row, code in zip(rows[np.isin(codes, codes[top])].tolist(),
                             codes[np.isin(codes, codes[top])].tolist(), strict=True):
            dob = self.dob[row]
            if dob is not None and (code not in earliest or dob < earliest[code]):
                earliest[code] = dob
        return [(str(self.person[rows[i]]), str(self.display[rows[i]]),
                 earliest.get(int(codes[i])), float(scores[i])) for i in top.tolist()]
