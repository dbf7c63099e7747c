"""Splink's Spark backend in local mode (a cluster at national scale: same code).

pyspark is an optional dependency (``pip install lantern[spark]``) and needs Java 17.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd

from lantern.resolve.features import ARRAY_COLUMNS


@contextmanager
def spark_api(*, master: str = "local[2]", **_options: Any) -> Iterator[Any]:
    """A SparkAPI on a local session, with Splink's similarity UDF jar on the classpath."""
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import SparkAPI, similarity_jar_location
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ValueError("the spark engine needs pyspark: pip install 'lantern[spark]'") from exc
    session = (
        SparkSession.builder.master(master)
        .appName("lantern-resolve")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir("/tmp/lantern-spark-checkpoints")
    try:
        yield SparkAPI(spark_session=session, break_lineage_method="parquet")
    finally:
        session.catalog.clearCache()


def to_spark(session: Any, features: pd.DataFrame) -> Any:
    """A Spark DataFrame of the features with an explicit schema (arrays of strings)."""
    from pyspark.sql.types import (
        ArrayType,
        LongType,
        StringType,
        StructField,
        StructType,
    )

    fields = []
    for column in features.columns:
        if column == "unique_id":
            kind: Any = LongType()
        elif column in ARRAY_COLUMNS:
            kind = ArrayType(StringType())
        else:
            kind = StringType()
        fields.append(StructField(column, kind, nullable=True))
    rows = features.astype(object).where(features.notna(), None)
    rows["unique_id"] = features["unique_id"].astype("int64").astype(object)
    records = [tuple(r) for r in rows.itertuples(index=False, name=None)]
    return session.createDataFrame(records, schema=StructType(fields))
