"""Screening benchmark: speed on 100,000 synthetic children; quality on simulated worlds.

    .venv/bin/python bench/screen.py                    # speed: screen 100,000 children
    .venv/bin/python bench/screen.py --children 20000   # a smaller run
    .venv/bin/python bench/screen.py --world D [D ...]  # quality on `lantern simulate` worlds

The quality mode reads a world's submissions straight into frames and links records with
the world's truth (perfect linkage), so it measures the screening rules alone; `lantern
evaluate` measures the whole pipeline, linkage errors included.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lantern.contract import vocabulary  # noqa: E402
from lantern.screen.config import load_config  # noqa: E402
from lantern.screen.core import screen  # noqa: E402
from lantern.screen.inputs import Frames  # noqa: E402

AGENCIES = [("P01", "police"), ("S01", "social_care"), ("H01", "health"), ("E01", "education"),
            ("V01", "voluntary")]


def synthetic_frames(children: int, *, seed: int = 0) -> Frames:
    """``children`` children with 1-3 agency records each, ~6 events, adults and vehicles."""
    rng = np.random.default_rng(seed)
    vocab = vocabulary()
    child_ind = np.array(sorted(vocab.child_indicators - {"disclosure", "cse_concern"}))
    n_adults = children // 10
    # Person records: every child has 1-3 agency records; adults one police record.
    per_child = rng.integers(1, 4, children)
    owner = np.repeat(np.arange(children), per_child)
    agency_idx = (rng.integers(0, 5, owner.size) + np.arange(owner.size)) % 5
    codes = np.array([a for a, _ in AGENCIES])
    dob = pd.to_datetime("1996-01-01") + pd.to_timedelta(rng.integers(0, 365 * 12, children), "D")
    adult_dob = pd.to_datetime("1960-01-01") + pd.to_timedelta(
        rng.integers(0, 365 * 20, n_adults), "D")
    p_agency = np.concatenate([codes[agency_idx], np.full(n_adults, "P01")])
    p_ref = np.concatenate([np.char.add("C", np.arange(owner.size).astype(str)),
                            np.char.add("A", np.arange(n_adults).astype(str))])
    p_id = np.concatenate([np.char.add("child", owner.astype(str)),
                           np.char.add("adult", np.arange(n_adults).astype(str))])
    p_dob = np.concatenate([dob.strftime("%Y-%m-%d").to_numpy()[owner],
                            adult_dob.strftime("%Y-%m-%d").to_numpy()])
    persons = pd.DataFrame({
        "record_id": np.arange(p_ref.size), "agency": p_agency,
        "agency_type": pd.Series(p_agency).map(dict(AGENCIES)).to_numpy(), "area": "A1",
        "person_ref": p_ref, "dob": p_dob, "dob_precision": "day", "ethnicity": "W1",
        "extracted_at": "2014-01-31T00:00:00",
    })
    persons["area"] = np.where(rng.random(len(persons)) < 0.5, "A1", "A2")
    # Events: ~6 per child record, 0-2 indicators each; 10% with an adult, 5% with a vehicle.
    n_events = owner.size * 3
    # Every child has at least one event (so all of them are screened), the rest at random.
    first_record = np.r_[0, np.cumsum(per_child)[:-1]]
    ev_person = np.concatenate([first_record,
                                rng.integers(0, owner.size, n_events - children)])
    ev_agency = p_agency[ev_person]
    n_ind = rng.choice(3, n_events, p=[0.5, 0.35, 0.15])
    first = child_ind[rng.integers(0, child_ind.size, n_events)]
    second = child_ind[rng.integers(0, child_ind.size, n_events)]
    pairs = np.char.add(np.char.add(first, ";"), second)
    indicators = np.where(n_ind == 0, "", np.where(n_ind == 1, first, pairs)).astype(object)
    indicators[n_ind == 0] = None
    rare = rng.random(n_events) < 0.003
    indicators = np.where(rare, "cse_concern", indicators)
    kinds = np.array(["missing_episode", "referral", "absence", "ae_attendance", "stop_check",
                      "strategy_meeting"])
    events = pd.DataFrame({
        "record_id": np.arange(n_events), "agency": ev_agency,
        "agency_type": pd.Series(ev_agency).map(dict(AGENCIES)).to_numpy(), "area": "A1",
        "event_ref": np.char.add("E", np.arange(n_events).astype(str)),
        "kind": kinds[rng.integers(0, kinds.size, n_events)],
        "occurred_on": pd.to_datetime("2012-01-01") + pd.to_timedelta(
            rng.integers(0, 730, n_events), "D"),
        "location_ref": None, "indicators": indicators, "extracted_at": "2014-01-31T00:00:00",
    })
    links = [pd.DataFrame({"agency": ev_agency, "event_ref": events["event_ref"],
                           "entity": "person", "ref": p_ref[ev_person], "role": "subject"})]
    with_adult = rng.random(n_events) < 0.1
    adult_rows = np.flatnonzero(with_adult)
    adult = rng.integers(0, n_adults, adult_rows.size)
    links.append(pd.DataFrame({"agency": ev_agency[adult_rows],
                               "event_ref": events["event_ref"].to_numpy()[adult_rows],
                               "entity": "person", "ref": p_ref[owner.size + adult],
                               "role": "suspect"}))
    flagged = adult_rows[rng.random(adult_rows.size) < 0.3]
    events.loc[flagged, "indicators"] = "supplies_alcohol_drugs"
    vehicle_rows = np.flatnonzero(rng.random(n_events) < 0.05)
    vehicle = rng.integers(0, max(1, children // 50), vehicle_rows.size)
    links.append(pd.DataFrame({"agency": ev_agency[vehicle_rows],
                               "event_ref": events["event_ref"].to_numpy()[vehicle_rows],
                               "entity": "object", "ref": np.char.add("V", vehicle.astype(str)),
                               "role": "present"}))
    link_frame = pd.concat(links, ignore_index=True)
    link_frame["area"] = "A1"
    vehicles = link_frame[link_frame["entity"] == "object"][["agency", "ref"]].drop_duplicates()
    objects = pd.DataFrame({"agency": vehicles["agency"], "object_ref": vehicles["ref"],
                            "kind": "vehicle", "value": vehicles["ref"]})
    object_ids = objects[["agency", "object_ref"]].assign(object_id="vehicle:" + objects["value"])
    ids = pd.DataFrame({"agency": p_agency, "person_ref": p_ref, "person_id": p_id,
                        "match_probability": 1.0})
    return Frames(persons=persons, events=events, links=link_frame, person_ids=ids,
                  objects=objects, object_ids=object_ids)


def speed(children: int) -> None:
    started = time.perf_counter()
    frames = synthetic_frames(children)
    built = time.perf_counter() - started
    config = load_config()
    started, cpu = time.perf_counter(), time.process_time()
    result = screen(frames, config)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    levels = result.risk["risk"].value_counts().to_dict()
    print(f"synthetic frames: {len(frames.persons):,} person records, {len(frames.events):,} "
          f"events, {len(frames.links):,} links (built in {built:.1f} s)")
    print(f"screened {len(result.risk):,} children in {took:.2f} s ({cpu:.2f} s CPU) "
          f"({len(result.occurrences):,} sign occurrences); levels {levels}; "
          f"{int((result.missed['status'] == 'missed').sum()):,} missed opportunities")


def _latest(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    return frame.sort_values("extracted_at").drop_duplicates(key, keep="last")


def world_frames(world: Path) -> Frames:
    """A simulated world's submissions as frames, linked with the world's truth."""
    parts: dict[str, list[pd.DataFrame]] = {}
    for folder in sorted((world / "submissions").iterdir()):
        manifest = json.loads((folder / "manifest.json").read_text())
        meta = {"agency": manifest["agency"]["code"], "agency_type": manifest["agency"]["type"],
                "area": manifest["area"], "extracted_at": manifest["extracted_at"]}
        for name in ("persons", "events", "links", "objects", "locations"):
            path = folder / f"{name}.csv"
            if path.exists():
                parts.setdefault(name, []).append(
                    pd.read_csv(path, dtype=str, keep_default_na=False,
                                na_values=[""]).assign(**meta))
    persons = _latest(pd.concat(parts["persons"]), ["agency", "person_ref"])
    persons = persons.rename(columns={"date_of_birth": "dob"})
    persons["dob_precision"] = persons["dob"].str.len().map({10: "day", 7: "month", 4: "year"})
    events = _latest(pd.concat(parts["events"]), ["agency", "event_ref"])
    events["occurred_on"] = pd.to_datetime(events["occurred_on"].str.slice(0, 10))
    latest = events[["agency", "event_ref", "extracted_at"]]
    links = pd.concat(parts["links"]).merge(latest, on=["agency", "event_ref", "extracted_at"])
    objects = _latest(pd.concat(parts["objects"]), ["agency", "object_ref"])
    locations = _latest(pd.concat(parts["locations"]), ["agency", "location_ref"])
    truth = world / "truth"
    records = pd.read_csv(truth / "records.csv", dtype=str)
    objs = pd.read_csv(truth / "objects.csv", dtype=str)
    locs = pd.read_csv(truth / "locations.csv", dtype=str)
    return Frames(
        persons=persons, events=events, links=links,
        person_ids=records[["agency", "person_ref", "true_person_id"]].rename(
            columns={"true_person_id": "person_id"}),
        objects=objects, locations=locations,
        object_ids=objs[["agency", "object_ref", "true_object_id"]].rename(
            columns={"true_object_id": "object_id"}),
        location_ids=locs[["agency", "location_ref", "true_location_id"]].rename(
            columns={"true_location_id": "location_id"}),
    )


def quality(world: Path) -> dict[str, float]:
    frames = world_frames(world)
    started = time.perf_counter()
    result = screen(frames, load_config())
    took = time.perf_counter() - started
    truth = pd.read_csv(world / "truth" / "persons.csv", dtype=str)
    in_records = truth["in_records"].str.lower() == "true"
    victims = set(truth.loc[(truth["kind"] == "victim") & in_records, "true_person_id"])
    risk = result.risk.set_index("person_id")["risk"]
    medium_plus = set(risk[risk.isin(["medium", "high"])].index)
    high = set(risk[risk == "high"].index)
    missed_truth = set(pd.read_csv(world / "truth" / "missed.csv", dtype=str)["true_person_id"])
    missed = set(result.missed.loc[result.missed["status"] == "missed", "person_id"])
    figures = {
        "children": len(risk), "victims": len(victims),
        "recall_medium+": len(victims & medium_plus) / max(1, len(victims)),
        "recall_high": len(victims & high) / max(1, len(victims)),
        "precision_high": len(victims & high) / max(1, len(high)),
        "precision_medium+": len(victims & medium_plus) / max(1, len(medium_plus)),
        "high": len(high), "missed_truth": len(missed_truth), "missed": len(missed),
        "missed_recall": len(missed_truth & missed) / max(1, len(missed_truth)),
        "missed_precision": len(missed_truth & missed) / max(1, len(missed)),
        "seconds": round(took, 2),
    }
    kinds = truth.set_index("true_person_id")["subkind"].fillna(
        truth.set_index("true_person_id")["kind"])
    figures["high_by_kind"] = kinds.reindex(sorted(high)).value_counts().to_dict()  # type: ignore[assignment]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--world", type=Path, nargs="*", help="simulated world folders")
    args = parser.parse_args()
    if args.world:
        for world in args.world:
            print(world, {k: (round(v, 3) if isinstance(v, float) else v)
                          for k, v in quality(world).items()})
        return
    speed(args.children)


if __name__ == "__main__":
    main()
