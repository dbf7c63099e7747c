"""Stable person ids across runs, and the merges and splits between two runs.

Pure pandas. Each new cluster inherits the previous id held by most of its records (the
oldest id on a tie); each previous id goes to one cluster only, so when a person splits
the larger part keeps the id. Clusters with no inheritable id get a fresh one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


def format_id(seq: int | np.integer) -> str:
    return f"P{int(seq):08d}"


def id_seq(person_id: pd.Series) -> pd.Series:
    """The number inside an id (``P00000042`` -> 42); ids from elsewhere sort last."""
    return pd.to_numeric(person_id.str[1:], errors="coerce").fillna(np.inf)


@dataclass
class Assignment:
    person_id: pd.Series  # per row of ``current``
    new_ids: pd.DataFrame  # seq, person_id: ids created by this assignment
    changes: pd.DataFrame  # kind, person_id, other_person_id, n_records, cluster


def assign_ids(current: pd.DataFrame, previous: pd.DataFrame, *, next_seq: int) -> Assignment:
    """``current``: ``agency, person_ref, cluster``; ``previous``: ``agency, person_ref,
    person_id`` from the last run. Returns ids per current row and the changes."""
    key = ["agency", "person_ref"]
    merged = current[key + ["cluster"]].merge(
        previous[key + ["person_id"]].rename(columns={"person_id": "old_id"}), on=key, how="left"
    )
    merged.index = current.index
    counts = (
        merged.dropna(subset=["old_id"]).groupby(["cluster", "old_id"]).size().rename("n")
        .reset_index()
    )
    counts["seq"] = id_seq(counts["old_id"])
    counts = counts.sort_values(["n", "seq"], ascending=[False, True])
    chosen = pd.DataFrame(columns=["cluster", "old_id"])
    remaining = counts
    for _ in range(4):  # a few rounds settle nearly every contested id
        best = remaining.drop_duplicates("old_id").drop_duplicates("cluster")
        if best.empty:
            break
        chosen = pd.concat([chosen, best[["cluster", "old_id"]]], ignore_index=True)
        remaining = remaining[
            ~remaining["cluster"].isin(best["cluster"]) & ~remaining["old_id"].isin(best["old_id"])
        ]
    mapping = dict(zip(chosen["cluster"], chosen["old_id"], strict=True))
    clusters = pd.Series(merged["cluster"].unique())
    fresh = clusters[~clusters.isin(mapping.keys())].sort_values().reset_index(drop=True)
    seqs = np.arange(next_seq, next_seq + len(fresh))
    new_ids = pd.DataFrame({"seq": seqs, "person_id": [format_id(s) for s in seqs]})
    mapping.update(dict(zip(fresh, new_ids["person_id"], strict=True)))
    person_id = merged["cluster"].map(mapping)

    # Changes: records that held another id before now sit under this one.
    moved = merged.assign(person_id=person_id).dropna(subset=["old_id"])
    moved = moved[moved["old_id"] != moved["person_id"]]
    groups = moved.groupby(["person_id", "old_id", "cluster"]).size().rename("n_records")
    changes = groups.reset_index()
    survivors = set(mapping.values())
    changes["kind"] = np.where(changes["old_id"].isin(survivors), "split", "merge")
    changes = changes.rename(columns={"old_id": "other_person_id"})[
        ["kind", "person_id", "other_person_id", "n_records", "cluster"]
    ]
    return Assignment(person_id=person_id, new_ids=new_ids, changes=changes)
