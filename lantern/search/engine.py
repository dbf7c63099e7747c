"""The in-memory search structures: pure, built in bulk from the index frame.

Exact keys (date of birth and its prefixes, postcode and outward code, phone, vehicle)
are dictionaries from key to row numbers; names are scored with RapidFuzz's Jaro-Winkler
over the distinct names (names repeat a lot), in C++, then mapped to their rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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


@dataclass(frozen=True)
class Tables:
    person: npt.NDArray[np.object_]
    area: npt.NDArray[np.object_]
    display: npt.NDArray[np.object_]
    dob: npt.NDArray[np.object_]
    names: list[str]  # distinct "forename surname"
    revs: list[str]  # the same, "surname forename"
    fns: list[str]
    sns: list[str]
    name_rows: dict[int, Rows]
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
            pd.MultiIndex.from_frame(pairs))
        name_rows = _index(pd.Series(codes.astype(str)))
        dob = frame["dob"].astype(object).where(frame["dob"].notna(), None)
        dob_text = frame["dob"].fillna("").astype(str)
        prefix = pd.concat([dob_text, dob_text.where(dob_text.str.len() > 4).str[:4],
                            dob_text.where(dob_text.str.len() > 7).str[:7]])
        pc = frame["pc"].fillna("").astype(str)
        full = pc.str.len() >= 5
        fn, sn = distinct["fn"], distinct["sn"]
        return cls(
            person=frame["person_id"].astype(str).to_numpy(dtype=object),
            area=frame["area"].astype(str).to_numpy(dtype=object),
            display=frame["display"].astype(str).to_numpy(dtype=object),
            dob=dob.to_numpy(dtype=object),
            names=(fn + " " + sn).str.strip().tolist(),
            revs=(sn + " " + fn).str.strip().tolist(),
            fns=fn.tolist(),
            sns=sn.tolist(),
            name_rows={int(k): v for k, v in name_rows.items()},
            dob_prefix=_index(prefix.dropna()),
            dob_exact=_index(dob_text),
            postcode=_index(pc),
            outward=_index(pc.where(full).str[:-3].dropna()),
            phone=_exploded(frame["phones"]),
            vehicle=_exploded(frame["vehicles"]),
        )

    def _name_scores(self, text: str) -> dict[int, float]:
        """Distinct-name index -> best Jaro-Winkler similarity at or above the threshold."""
        choices: Iterable[list[str]] = (
            (self.names, self.revs) if " " in text else (self.sns, self.fns))
        best: dict[int, float] = {}
        for pool in choices:
            for _, score, i in process.extract(
                    text, pool, scorer=JaroWinkler.normalized_similarity,
                    score_cutoff=NAME_THRESHOLD, limit=None):
                if score > best.get(i, 0.0):
                    best[i] = float(score)
        return best

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
            by_name = self._name_scores(text)
            parts = [(self.name_rows[i], s) for i, s in by_name.items() if i in self.name_rows]
            name_rows = (np.concatenate([r for r, _ in parts]) if parts
                         else np.empty(0, np.int64))
            name_scores = (np.concatenate([np.full(len(r), s) for r, s in parts]) if parts
                           else np.empty(0))
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
        hits = pd.DataFrame({"person": self.person[rows], "score": scores,
                             "display": self.display[rows], "dob": self.dob[rows]})
        hits = hits.sort_values(["score", "person"], ascending=[False, True])
        best = hits.drop_duplicates("person").head(limit)
        dated = hits[hits["person"].isin(best["person"]) & hits["dob"].notna()]
        dobs = dated.sort_values("dob").drop_duplicates("person").set_index("person")["dob"]
        return [(str(r.person), str(r.display), dobs.get(r.person), float(r.score))  # type: ignore[arg-type]
                for r in best.itertuples()], matched
