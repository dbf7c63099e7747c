"""Speed of person resolution: Lantern vs raw Splink (identical settings) vs recordlinkage.

    .venv/bin/python bench/resolve.py                 # 1,000,000 records (the benchmark)
    .venv/bin/python bench/resolve.py --records 100000

Synthetic records (``lantern.resolve.synthetic``: households, twins, nicknames, typos,
transposed and partial dates) spread across five agencies. Each contender runs in its own
process so that wall time, CPU time (all of the process's threads, DuckDB's included) and
peak memory (max RSS) are its own; the load average before and after each contender is
reported with its result, with their mean over its run, sampled every 5 s (the machine
may be shared: CPU time is the steadier figure):

- ``lantern``: features from the raw record columns, unsupervised training, scoring,
  the household guard, constrained clustering and stable id assignment — the resolve
  stage minus the store's own reads and writes (reported separately by ``lantern run``).
- ``splink``: raw Splink 5 with the same comparisons, blocking rules and training steps
  on the same (already derived) columns, clustered with Splink's connected components.
  Both open one in-memory DuckDB connection with the same memory limit and DuckDB's
  default threads (one per core), and close it inside the clock.
- ``recordlinkage``: the recordlinkage toolkit on a 50,000-record subset (blocking on
  surname, string comparisons, ECM), for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from lantern.resolve.synthetic import world

THRESHOLD = 0.8
SOLE = 0.4  # as lantern.resolve.stage.SOLE
MEMORY = "10GB"  # DuckDB's memory limit, the same for both contenders (it spills beyond)


def pairwise(truth: pd.Series, predicted: pd.Series) -> dict[str, float]:
    frame = pd.DataFrame({"t": truth.to_numpy(), "p": predicted.to_numpy()})

    def pairs(sizes: pd.Series) -> float:
        return float((sizes * (sizes - 1) / 2).sum())

    tp = pairs(frame.groupby(["t", "p"]).size())
    found, true = pairs(frame.groupby("p").size()), pairs(frame.groupby("t").size())
    precision, recall = (tp / found if found else 1.0), (tp / true if true else 1.0)
    return {"precision": precision, "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if tp else 0.0}


def run_lantern(data: Path) -> dict[str, float]:
    from lantern.resolve.cluster import cluster, household_guard, record_confidence
    from lantern.resolve.features import person_features
    from lantern.resolve.identity import assign_ids
    from lantern.resolve.model import train_and_score

    records = pd.read_parquet(data / "records.parquet")
    started, cpu = time.perf_counter(), time.process_time()
    features = person_features(records)
    model, pairs = train_and_score(features, memory_limit=MEMORY)
    pairs["guard"] = household_guard(pairs, features=features) & model.households
    labels = cluster(records["record_id"], pairs, threshold=THRESHOLD, sole=SOLE)
    record_confidence(labels, pairs)
    current = records[["agency", "person_ref"]].assign(
        cluster=labels.reindex(records["record_id"]).to_numpy())
    assign_ids(current, pd.DataFrame(columns=["agency", "person_ref", "person_id"]),
               next_seq=1)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    quality = pairwise(records["truth"], labels.reindex(records["record_id"]))
    return {"seconds": seconds, "cpu_seconds": cpu, "pairs": float(len(pairs)), **quality}


def run_splink(data: Path) -> dict[str, float]:
    import logging

    from splink import DuckDBAPI, Linker, block_on

    from lantern.resolve.features import person_features
    from lantern.resolve.model import settings

    records = pd.read_parquet(data / "records.parquet")
    features = person_features(records)  # the derived columns, prepared before the clock
    import duckdb

    started, cpu = time.perf_counter(), time.process_time()
    connection = duckdb.connect()
    connection.execute(f"SET memory_limit = '{MEMORY}'")
    db_api = DuckDBAPI(connection=connection)
    table = db_api.register(features, table_name="persons")
    linker = Linker(table, settings(), log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("forename", "surname", "dob"), block_on("nhs_number"), block_on("upn")],
        recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=42)
    for rule in (block_on("forename", "surname"), block_on("dob")):
        before = linker.misc.save_model_to_json()
        try:  # as Lantern: a failed session is skipped, the model kept as it was before
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=5e6)
        except ValueError:
            before.pop("linker_uid", None)
            linker = Linker(table, before, log_level=logging.ERROR)
    predictions = linker.inference.predict(threshold_match_probability=0.05)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=THRESHOLD).as_pandas_dataframe()
    connection.close()  # as Lantern closes its own
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    labels = clusters.set_index("unique_id")["cluster_id"]
    quality = pairwise(records["truth"], labels.reindex(records["record_id"]))
    return {"seconds": seconds, "cpu_seconds": cpu, **quality}


def run_recordlinkage(data: Path, *, n: int = 50_000) -> dict[str, float]:
    import recordlinkage

    records = pd.read_parquet(data / "records.parquet").head(n).set_index("record_id")
    records["surname"] = records["surname"].fillna("").str.lower()
    records["forename"] = records["forename"].fillna("").str.lower()
    started, cpu = time.perf_counter(), time.process_time()
    indexer = recordlinkage.Index()
    indexer.block("surname")
    candidates = indexer.index(records)
    compare = recordlinkage.Compare()
    compare.string("forename", "forename", method="jarowinkler", threshold=0.88,
                   label="forename")
    compare.exact("dob", "dob", label="dob")
    compare.exact("postcode", "postcode", label="postcode")
    compare.exact("sex", "sex", label="sex")
    compare.exact("nhs_number", "nhs_number", label="nhs")
    features = compare.compute(candidates, records)
    matches = recordlinkage.ECMClassifier().fit_predict(features)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "records": float(len(records)),
            "candidate_pairs": float(len(candidates)),
            "matches": float(len(matches))}


PARTS = {"lantern": run_lantern, "splink": run_splink, "recordlinkage": run_recordlinkage}


def child(part: str, data: Path) -> None:
    result = PARTS[part](data)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(result), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--part", choices=list(PARTS), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=list(PARTS), action="append",
                        help="run only these contenders")
    args = parser.parse_args()
    if args.part:
        child(args.part, args.data)
        return
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        started = time.perf_counter()
        _, records = world(int(args.records / 2.2), seed=args.seed)
        records.to_parquet(data / "records.parquet")
        print(f"generated {len(records):,} records of {records['truth'].nunique():,} people "
              f"across {records['agency'].nunique()} agencies in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        results = {}
        for part in args.only or list(PARTS):
            loads = [os.getloadavg()[0]]
            proc = subprocess.Popen(
                [sys.executable, __file__, "--part", part, "--data", str(data)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            while True:
                try:
                    stdout, stderr = proc.communicate(timeout=5)
                    break
                except subprocess.TimeoutExpired:
                    loads.append(os.getloadavg()[0])
            loads.append(os.getloadavg()[0])
            line = next((x for x in stdout.splitlines() if x.startswith("RESULT ")), None)
            if line is None:
                print(f"{part}: failed\n{stderr[-2000:]}", flush=True)
                continue
            results[part] = json.loads(line.removeprefix("RESULT "))
            results[part].update(load_before=loads[0], load_after=loads[-1],
                                 load_mean=round(sum(loads) / len(loads), 2))
            print(f"{part}: {json.dumps(results[part])}", flush=True)
        if "lantern" in results and "splink" in results:
            ratio = results["lantern"]["seconds"] / results["splink"]["seconds"]
            cpu_ratio = results["lantern"]["cpu_seconds"] / results["splink"]["cpu_seconds"]
            print(f"Lantern / raw Splink wall time: {ratio:.2f} (CPU time: {cpu_ratio:.2f})",
                  flush=True)


if __name__ == "__main__":
    main()
