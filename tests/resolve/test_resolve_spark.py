"""Spark backend: the same linkage through Splink's Spark backend, in local mode (slow)."""

from __future__ import annotations

import numpy as np
import pytest

from lantern.resolve.cluster import cluster, household_guard
from lantern.resolve.features import person_features
from lantern.resolve.model import score

pytest.importorskip("pyspark")
pytestmark = pytest.mark.slow


def test_spark_clusters_equal_duckdb_clusters(small, model):
    features = person_features(small)
    duck = score(features, model, backend="duckdb")
    spark = score(features, model, backend="spark")
    keys = ["unique_id_l", "unique_id_r"]
    merged = duck.merge(spark, on=keys, how="outer", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert np.allclose(merged["match_probability_x"], merged["match_probability_y"])
    for pairs in (duck, spark):
        pairs["guard"] = household_guard(pairs)
    a = cluster(small["record_id"], duck, threshold=0.9, sole=0.5)
    b = cluster(small["record_id"], spark, threshold=0.9, sole=0.5)
    assert a.nunique() < len(a)  # something was linked
    assert (a.sort_index() == b.sort_index()).all()
