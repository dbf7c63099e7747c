"""Real criminal networks (CAVIAR, Infinito, Montagna) through the whole pipeline.

Each network becomes a contract-v1 submission, built in a temporary folder from the files
in ``shared/benchmarks/networks`` (never copied into the repository): one police agency,
area X0000001, every node a person with an invented name and adult date of birth, every
meeting, call or summit a graded ``intelligence_report`` linking the people as suspects
(at most 20 events per pair and kind, dates spread over the investigation). Then
``lantern run`` runs ingest, resolution, screening, the network stage and national figures,
and this script scores ``groups.csv`` against the published ground truth: group ARI/NMI
(people with a known group; people in no group count as alone) and the ranks of the known
key actors by ``key_actor_score``. The network stage is then rerun on the same store with
modularity instead of CPM, for comparison. Skips when the shared folder is absent.

    .venv/bin/python bench/networks_real.py [--shared PATH] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import igraph as ig
import numpy as np
import pandas as pd
from sqlalchemy import Engine

from lantern.ingest import load_areas, load_submission
from lantern.network import stage
from lantern.resolve.stage import person_identities
from lantern.store.db import open_store

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = ROOT.parent / "shared" / "benchmarks" / "networks"
AREA = "X0000001"
CAP = 20
FORENAMES = ["Alder", "Bryn", "Cato", "Dace", "Elm", "Fen", "Gale", "Hale", "Ives", "Jory",
             "Kell", "Lorn", "Mace", "Nye", "Orrin", "Pell", "Quill", "Rook", "Sable", "Tarn",
             "Ulric", "Vail", "Wynn", "Yarrow", "Zeph"]
SURNAMES = ["Ashgrove", "Birchwell", "Coldharbour", "Dunmere", "Eastwick", "Fallowfield",
            "Greystock", "Harrowgate", "Inglethorpe", "Jessop", "Kettlewell", "Longmire",
            "Marchbank", "Northcote", "Oakenshaw", "Penhallow", "Quarrington", "Redmayne",
            "Stainforth", "Thistlewood", "Underhill", "Vellacott", "Westerby", "Yelland"]


def invented_people(nodes: list[str], offset: int) -> pd.DataFrame:
    """Distinct invented names and adult dates of birth, unrelated to the network."""
    rng = np.random.default_rng(1000 + offset)
    combos = [(f, s) for s in SURNAMES for f in FORENAMES]
    order = rng.permutation(len(combos))[offset:offset + len(nodes)]
    dob = pd.Timestamp("1940-01-01") + pd.to_timedelta(rng.integers(0, 40 * 365, len(nodes)),
                                                       unit="D")
    return pd.DataFrame({
        "person_ref": nodes,
        "forename": [combos[i][0] for i in order],
        "surname": [combos[i][1] for i in order],
        "date_of_birth": dob.strftime("%Y-%m-%d"),
        "sex": "M",
    })


def pair_events(pairs: pd.DataFrame, count: str, start: str, end: str, seed: int,
                prefix: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One intelligence report per meeting or call (capped), synthetic dates in the window."""
    rng = np.random.default_rng(seed)
    n = pairs[count].clip(upper=CAP).astype(int).to_numpy()
    rows = np.repeat(np.arange(len(pairs)), n)
    refs = [f"{prefix}{i:06d}" for i in range(len(rows))]
    span = (pd.Timestamp(end) - pd.Timestamp(start)).days
    when = pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, span, len(rows)), unit="D")
    events = pd.DataFrame({"event_ref": refs, "kind": "intelligence_report",
                           "occurred_on": when.strftime("%Y-%m-%d"), "grading": "2BP"})
    a = pairs["a"].to_numpy()[rows]
    b = pairs["b"].to_numpy()[rows]
    links = pd.concat([
        pd.DataFrame({"event_ref": refs, "entity": "person", "ref": a, "role": "suspect"}),
        pd.DataFrame({"event_ref": refs, "entity": "person", "ref": b, "role": "suspect"}),
    ])
    return events, links


def undirected(frame: pd.DataFrame, count: str, how: str) -> pd.DataFrame:
    a = frame[["source", "target"]].min(axis=1)
    b = frame[["source", "target"]].max(axis=1)
    out = frame.assign(a=a, b=b).groupby(["a", "b"], as_index=False)[count].agg(how)
    return out[out["a"] != out["b"]]


def caviar(src: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    calls = undirected(pd.read_csv(src / "caviar_calls.csv"), "calls", "sum")
    labels = pd.read_csv(src / "caviar_labels.csv", dtype=str)
    events, links = pair_events(calls, "calls", "1994-03-01", "1996-02-28", 1, "C")
    return labels, events, links


def infinito(src: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    labels = pd.read_csv(src / "infinito_labels.csv", dtype=str)
    summits = pd.read_csv(src / "infinito_summits.csv", dtype=str)
    attendance = pd.read_csv(src / "infinito_attendance.csv", dtype=str)
    labels = labels[labels["excluded"].isna()]  # ESBM's 146
    attendance = attendance[attendance["node_id"].isin(labels["node_id"])]
    events = pd.DataFrame({"event_ref": summits["summit_id"], "kind": "intelligence_report",
                           "occurred_on": summits["date"], "grading": "2BP"})
    links = pd.DataFrame({"event_ref": attendance["summit_id"], "entity": "person",
                          "ref": attendance["node_id"], "role": "suspect"})
    return labels, events, links


def montagna(src: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    labels = pd.read_csv(src / "montagna_labels.csv", dtype=str)
    meetings = undirected(pd.read_csv(src / "montagna_meetings.csv"), "meetings", "max")
    calls = undirected(pd.read_csv(src / "montagna_calls.csv"), "calls", "sum")
    e1, l1 = pair_events(meetings, "meetings", "2003-01-01", "2007-12-31", 2, "M")
    e2, l2 = pair_events(calls, "calls", "2003-01-01", "2007-12-31", 3, "T")
    return labels, pd.concat([e1, e2]), pd.concat([l1, l2])


# the stage rerun on the same store with other objectives, for comparison
VARIANTS: dict[str, dict[str, object]] = {
    "cpm_0.05": {"groups__resolution": 0.05},
    "cpm_0.2": {"groups__resolution": 0.2},
    "modularity": {"groups__objective": "modularity"},
}

DATASETS = {"caviar": ("BCAV", caviar), "infinito": ("BINF", infinito),
            "montagna": ("BMON", montagna)}


def write_submission(folder: Path, agency: str, people: pd.DataFrame, events: pd.DataFrame,
                     links: pd.DataFrame) -> None:
    folder.mkdir(parents=True)
    manifest = {"contract": "1", "submission_id": f"{agency}-BENCH", "area": AREA,
                "agency": {"code": agency, "type": "police", "name": f"Benchmark {agency}"},
                "extracted_at": "2010-01-01T00:00:00Z"}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    people.to_csv(folder / "persons.csv", index=False)
    events.to_csv(folder / "events.csv", index=False)
    links.to_csv(folder / "links.csv", index=False)


def competition_rank(scores: pd.Series) -> pd.Series:
    return scores.rank(method="min", ascending=False).astype(int)


def auc(scores: pd.Series, positive: pd.Series) -> float:
    """Probability that a key actor outscores a known non-key actor (ties count half)."""
    ranks = scores.rank()
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if not n_pos or not n_neg:
        return float("nan")
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def score(name: str, labels: pd.DataFrame, persons: pd.DataFrame, groups: pd.DataFrame,
          reference: dict) -> dict:
    ids = persons.set_index("person_id")["person_ref"]
    groups = groups.assign(node_id=groups["person_id"].map(ids))
    nodes = labels["node_id"]
    pred = nodes.map(groups.drop_duplicates("node_id").set_index("node_id")["group_id"])
    score_of = groups.groupby("node_id")["key_actor_score"].max()
    scores = nodes.map(score_of).fillna(0.0)
    scores.index = nodes
    out: dict = {"people": len(nodes), "in_groups": int(pred.notna().sum()),
                 "groups": int(pred.nunique())}
    truth = labels["group"]
    known = truth.notna().to_numpy()
    if truth.nunique() > 1:
        t = truth[known].to_numpy()
        p = pred[known].fillna("alone:" + nodes[known]).to_numpy()
        t_codes, p_codes = pd.factorize(t)[0].tolist(), pd.factorize(p)[0].tolist()
        out["ari"] = round(ig.compare_communities(t_codes, p_codes, method="ari"), 3)
        out["nmi"] = round(ig.compare_communities(t_codes, p_codes, method="nmi"), 3)
    key = labels.set_index("node_id")["key_actor"]
    ranks = competition_rank(scores)
    out["key_actor_ranks"] = {n: int(ranks[n]) for n in key[key == "1"].index[:12]}
    role_known = key.notna()
    out["auc_key_vs_other"] = round(auc(scores[role_known], (key[role_known] == "1")), 3)
    out["top5"] = list(scores.sort_values(ascending=False).index[:5])
    ref = reference.get(name, {}).get("as_submitted", {})
    out["reference"] = {
        "auc": ref.get("centrality", {}).get("auc_key_vs_other"),
        "ari": {k: v.get("ari", {}).get("mean") for k, v in ref.get("communities", {}).items()
                if isinstance(v.get("ari"), dict)},
    }
    return out


def through_pipeline(folder: Path, areas: Path) -> tuple[pd.DataFrame, pd.DataFrame, str,
                                                       Engine]:
    """``lantern run`` on the submission; if it fails, ingest plus the network stage alone
    on a fresh store (people then keep one identity per record, which is exact here)."""
    db = folder / "lantern.db"
    done = subprocess.run([str(Path(sys.executable).parent / "lantern"), "run",
                           str(folder / "submission"), "--areas", str(areas),
                           "--out", str(folder / "out"), "--db", str(db), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True)
    if done.returncode == 0:
        persons = pd.read_csv(folder / "out" / "persons.csv", dtype=str)
        groups = pd.read_csv(folder / "out" / "groups.csv",
                             dtype={"group_id": str, "person_id": str})
        return persons, groups, "lantern run", open_store(str(db))
    failure = (done.stderr.strip().splitlines() or ["?"])[-1]
    db.unlink(missing_ok=True)
    engine = open_store(str(folder / "stage.db"))
    load_areas(engine, areas)
    load_submission(engine, folder / "submission")
    stage.run(engine)
    persons = person_identities(engine)
    return persons, stage.outputs(engine)["groups.csv"], f"network stage alone ({failure})", \
        engine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--keep", type=Path, default=None, help="keep the work folder here")
    args = parser.parse_args()
    if not (args.shared / "caviar_calls.csv").exists():
        print(f"skipped: {args.shared} not found (the real benchmarks live in shared/)")
        return 0
    reference = json.loads((args.shared / "reference_results.json").read_text())
    work = args.keep or Path(tempfile.mkdtemp(prefix="lantern-networks-"))
    work.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"area": [AREA], "name": ["Benchmark"], "child_population": [50000]}).to_csv(
        work / "areas.csv", index=False)
    results = {}
    offset = 0
    for name, (agency, build) in DATASETS.items():
        labels, events, links = build(args.shared)
        people = invented_people(list(labels["node_id"]), offset)
        offset += len(people)
        folder = work / name
        write_submission(folder / "submission", agency, people, events, links)
        persons, groups, how, engine = through_pipeline(folder, work / "areas.csv")
        results[name] = {"how": how,
                         "cpm_default": score(name, labels, persons, groups, reference)}
        for label, options in VARIANTS.items():
            stage.run(engine, **options)
            frame = stage.outputs(engine)["groups.csv"]
            results[name][label] = score(name, labels, persons, frame, reference)
        engine.dispose()
    (work / "results.json").write_text(json.dumps(results, indent=1))
    for name, variants in results.items():
        print(f"{name} ({variants.pop('how')})")
        for label, r in variants.items():
            ranks = ", ".join(f"{k}:{v}" for k, v in r["key_actor_ranks"].items())
            print(f"  {label:12s} groups {r['groups']:3d} in-groups {r['in_groups']:3d} "
                  f"ARI {r.get('ari', '-')} NMI {r.get('nmi', '-')} "
                  f"key-actor AUC {r['auc_key_vs_other']} ranks {ranks}")
        print(f"  reference: {json.dumps(r['reference'])}")
    print(f"details: {work / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
