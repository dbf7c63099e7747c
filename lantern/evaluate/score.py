"""Scoring a run's outputs against the truth: pure functions on DataFrames, no files.

Every section returns a flat dict of measures; a measure is ``None`` when the run did not
produce what it needs (the report shows "not available").
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lantern.evaluate.io import Truth
from lantern.evaluate.metrics import adjusted_rand_index, normalized_mutual_info, pair_counts

Section = dict[str, Any]
RISK_ORDER = {"none": 0, "low": 1, "medium": 2, "high": 3}


def _ratio(num: float, den: float) -> float | None:
    return float(num) / float(den) if den else None


def labelled_records(persons: pd.DataFrame | None, records: pd.DataFrame) -> pd.DataFrame:
    """Truth records with the run's ``person_id`` (records the run left out stand alone)."""
    out = records[["agency", "person_ref", "true_person_id"]].copy()
    if persons is None:
        out["person_id"] = None
    else:
        run = persons[["agency", "person_ref", "person_id"]].drop_duplicates(
            ["agency", "person_ref"]
        )
        out = out.merge(run, on=["agency", "person_ref"], how="left")
    alone = out.person_id.isna()
    out["label"] = out.person_id.astype(object)
    out.loc[alone, "label"] = "unlinked:" + out.agency[alone] + "/" + out.person_ref[alone]
    return out


def identity_map(labelled: pd.DataFrame) -> pd.Series:
    """Run ``person_id`` -> the true person most of its records belong to (ties: lowest id)."""
    known = labelled[labelled.person_id.notna()]
    sizes = known.groupby(["person_id", "true_person_id"]).size().rename("n").reset_index()
    sizes = sizes.sort_values(["person_id", "n", "true_person_id"], ascending=[True, False, True])
    best = sizes.drop_duplicates("person_id")
    return pd.Series(best.true_person_id.to_numpy(), index=best.person_id.to_numpy())


def score_linkage(labelled: pd.DataFrame, *, available: bool) -> Section:
    if not available:
        return {"precision": None, "recall": None, "f1": None}
    counts = pair_counts(labelled.label.to_numpy(), labelled.true_person_id.to_numpy())
    return {
        "precision": counts.precision,
        "recall": counts.recall,
        "f1": counts.f1,
        "records": len(labelled),
        "records_in_run": int(labelled.person_id.notna().sum()),
        "true_pairs": counts.true,
        "predicted_pairs": counts.predicted,
        "correct_pairs": counts.both,
    }


def score_victims(risk: pd.DataFrame | None, ids: pd.Series, truth: Truth) -> Section:
    """Recall of true (recorded) victims at high and medium-or-above risk; precision of high."""
    victims = truth.persons[(truth.persons.kind == "victim") & truth.persons.in_records]
    if risk is None:
        return {
            "recall_high": None,
            "recall_medium_or_above": None,
            "precision_high": None,
            "victims_in_records": len(victims),
        }
    r = risk[["person_id", "risk"]].copy()
    r["grade"] = r.risk.str.lower().map(RISK_ORDER).fillna(0).astype(int)
    r["true_person_id"] = ids.reindex(r.person_id.to_numpy()).to_numpy()
    best = r.dropna(subset=["true_person_id"]).groupby("true_person_id").grade.max()
    level = best.reindex(victims.true_person_id).fillna(0).to_numpy()
    high = r[r.grade == 3]
    victim_ids = set(truth.persons.true_person_id[truth.persons.kind == "victim"])
    return {
        "recall_high": _ratio(int((level >= 3).sum()), len(victims)),
        "recall_medium_or_above": _ratio(int((level >= 2).sum()), len(victims)),
        "precision_high": _ratio(int(high.true_person_id.isin(victim_ids).sum()), len(high)),
        "victims_in_records": len(victims),
        "rated_high": len(high),
    }


def _partition(true: pd.DataFrame, g: pd.DataFrame) -> tuple[float, float]:
    """ARI and NMI over true and predicted members (others as singletons)."""
    first = g.drop_duplicates("true_person_id")
    items = pd.Index(sorted(set(true.true_person_id) | set(first.true_person_id)))
    true_label = true.drop_duplicates("true_person_id").set_index("true_person_id").group_id
    pred_label = first.set_index("true_person_id").group_id
    t = true_label.reindex(items).astype(object)
    p = pred_label.reindex(items).astype(object)
    t = t.where(t.notna(), "alone:" + items.to_series(index=items))
    p = p.where(p.notna(), "alone:" + items.to_series(index=items))
    return adjusted_rand_index(p.to_numpy(), t.to_numpy()), normalized_mutual_info(
        p.to_numpy(), t.to_numpy()
    )


def _cross_area_recall(cross: pd.DataFrame, g: pd.DataFrame) -> float | None:
    """A cross-area group is recovered when the predicted group sharing most of its members
    holds at least half of them and itself spans two or more areas."""
    overlap = cross[["group_id", "true_person_id"]].merge(
        g[["true_person_id", "group_id", "areas"]].rename(
            columns={"group_id": "pred", "areas": "pred_areas"}
        ),
        on="true_person_id",
    )
    size = cross.groupby("group_id").size()
    hits = overlap.groupby(["group_id", "pred", "pred_areas"]).size().rename("n").reset_index()
    hits = hits.sort_values(["group_id", "n", "pred"], ascending=[True, False, True])
    best = hits.drop_duplicates("group_id").set_index("group_id")
    spans = best.pred_areas.fillna("").str.count(";") >= 1
    recovered = (best.n >= size.reindex(best.index) / 2) & spans
    return _ratio(int(recovered.sum()), len(size))


def score_groups(groups: pd.DataFrame | None, ids: pd.Series, truth: Truth) -> Section:
    """Group detection, scored twice: over the members the records tie to their group
    (``ari``, ``cross_area_recall``: what any method working from the records could find)
    and over every member with a record (``ari_all_members``, ``cross_area_recall_all``)."""
    true = truth.groups[truth.groups.in_records]
    tied = true[true.evidenced] if "evidenced" in true else true
    cross_tied = (
        tied[tied.cross_area_evidenced] if "cross_area_evidenced" in tied else tied[tied.cross_area]
    )
    counts = {
        "true_groups": int(true.group_id.nunique()),
        "members_in_records": int(true.true_person_id.nunique()),
        "members_tied": int(tied.true_person_id.nunique()),
        "cross_area_groups": int(true[true.cross_area].group_id.nunique()),
        "cross_area_groups_shown": int(cross_tied.group_id.nunique()),
    }
    if groups is None:
        return {
            "ari": None,
            "ari_all_members": None,
            "nmi": None,
            "offender_recall": None,
            "cross_area_recall": None,
            "cross_area_recall_all": None,
            **counts,
        }
    g = groups[["group_id", "person_id", "areas"]].copy()
    g["true_person_id"] = ids.reindex(g.person_id.to_numpy()).to_numpy()
    g = g.dropna(subset=["true_person_id"]).sort_values(["true_person_id", "group_id"])
    # Members the records do not tie to their group are left out of the first score entirely.
    untied = set(true.true_person_id) - set(tied.true_person_id)
    ari, nmi = _partition(tied, g[~g.true_person_id.isin(untied)])
    ari_all, _ = _partition(true, g)
    offenders = true[true.role == "suspect"].true_person_id
    return {
        "ari": ari,
        "ari_all_members": ari_all,
        "nmi": nmi,
        "offender_recall": _ratio(int(offenders.isin(g.true_person_id).sum()), len(offenders)),
        "cross_area_recall": _cross_area_recall(cross_tied, g),
        "cross_area_recall_all": _cross_area_recall(true[true.cross_area], g),
        **counts,
        "predicted_groups": int(g.group_id.nunique()),
    }


def _area_rows(stats: pd.DataFrame, truth: Truth) -> pd.DataFrame:
    s = stats.copy()
    s["year"] = pd.to_numeric(s.year, errors="coerce")
    s = s.dropna(subset=["year"]).astype({"year": int}).drop_duplicates(["area", "year"])
    return truth.area_year.merge(s, on=["area", "year"], how="left", suffixes=("", "_run"))


def score_counts(stats: pd.DataFrame | None, truth: Truth) -> Section:
    """Identified children per area and year against the truth (contract definition)."""
    if stats is None:
        return {"mae": None, "mean_relative_error": None, "exact_share": None}
    rows = _area_rows(stats, truth)
    run = pd.to_numeric(rows.children_identified, errors="coerce").fillna(0).to_numpy()
    true = rows.identified_children.to_numpy(dtype=float)
    err = np.abs(run - true)
    pos = true > 0
    return {
        "mae": float(err.mean()) if err.size else None,
        "mean_relative_error": float((err[pos] / true[pos]).mean()) if pos.any() else None,
        "exact_share": float((err == 0).mean()) if err.size else None,
        "area_years": len(rows),
    }


def score_hidden(stats: pd.DataFrame | None, truth: Truth) -> Section:
    """Coverage of the 95% intervals of the total (seen + hidden) victims per area and year."""
    if stats is None:
        return {"coverage": None, "mean_relative_error": None, "estimated_share": None}
    rows = _area_rows(stats, truth)
    est = pd.to_numeric(rows.estimated_total, errors="coerce").to_numpy()
    lo = pd.to_numeric(rows.estimated_low, errors="coerce").to_numpy()
    hi = pd.to_numeric(rows.estimated_high, errors="coerce").to_numpy()
    true = rows.true_victims.to_numpy(dtype=float)
    has = ~np.isnan(lo) & ~np.isnan(hi)
    pos = ~np.isnan(est) & (true > 0)
    return {
        "coverage": float(((lo <= true) & (true <= hi))[has].mean()) if has.any() else None,
        "mean_relative_error": float((np.abs(est - true)[pos] / true[pos]).mean())
        if pos.any()
        else None,
        "estimated_share": float(has.mean()) if has.size else None,
        "area_years": len(rows),
    }


def score_missed(missed: pd.DataFrame | None, ids: pd.Series, truth: Truth) -> Section:
    true = set(truth.missed.true_person_id)
    if missed is None:
        return {"recall": None, "precision": None, "true_missed": len(true)}
    found = set(ids.reindex(missed.person_id.to_numpy()).dropna())
    return {
        "recall": _ratio(len(true & found), len(true)),
        "precision": _ratio(len(true & found), len(found)),
        "true_missed": len(true),
        "flagged": len(found),
    }


def evaluate(truth: Truth, run: dict[str, pd.DataFrame | None]) -> dict[str, Section]:
    """All measures, by section: linkage, victims, groups, counts, hidden, missed."""
    persons = run.get("persons.csv")
    labelled = labelled_records(persons, truth.records)
    ids = identity_map(labelled)
    linked = persons is not None  # without persons.csv no person_id can be traced to anyone

    def mapped(name: str) -> pd.DataFrame | None:
        return run.get(name) if linked else None

    return {
        "linkage": score_linkage(labelled, available=linked),
        "victims": score_victims(mapped("risk.csv"), ids, truth),
        "groups": score_groups(mapped("groups.csv"), ids, truth),
        "counts": score_counts(run.get("area_stats.csv"), truth),
        "hidden": score_hidden(run.get("area_stats.csv"), truth),
        "missed": score_missed(mapped("missed_opportunities.csv"), ids, truth),
    }
