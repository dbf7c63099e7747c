"""Writing a world to disk: areas.csv, one folder per submission, and truth/ (the only I/O)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from lantern.contract import vocabulary
from lantern.simulate.badrows import corrupt
from lantern.simulate.csvtext import csv_lines, csv_text, sort_order, write_csv
from lantern.simulate.records import Recorded

SORT_KEYS = {
    "persons.csv": ["person_ref"],
    "objects.csv": ["object_ref"],
    "locations.csv": ["location_ref"],
    "events.csv": ["event_ref"],
    "links.csv": ["event_ref", "entity", "ref", "role"],
}


def write_submissions(
    out: Path,
    rec: Recorded,
    agencies: pd.DataFrame,
    areas: pd.DataFrame,
    years: tuple[int, ...],
    *,
    bad_rows: float = 0.0,
    rng: np.random.Generator | None = None,
) -> tuple[int, pd.DataFrame]:
    """One folder per agency, area and year; returns the count and a log of injected faults."""
    files = vocabulary().files
    frames = {
        "persons.csv": rec.persons,
        "objects.csv": rec.objects,
        "locations.csv": rec.locations,
        "events.csv": rec.events,
        "links.csv": rec.links,
    }
    # Render every row once, in (submission, ref) order; a file is then a slice of lines.
    rendered: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, frame in frames.items():
        order = sort_order(frame, ["submission_id", *SORT_KEYS[name]])
        frame = frame.iloc[order]
        lines = csv_lines(frame, list(files[name].columns))
        rendered[name] = (frame.submission_id.to_numpy(dtype=str), lines)
    names = dict(zip(agencies.agency, agencies.agency_name, strict=False))
    code = areas.area.to_numpy()
    faults: list[pd.DataFrame] = []
    count = 0
    root = out / "submissions"
    for agency, agency_type, area_index in agencies.sort_values(["agency", "area_index"])[
        ["agency", "agency_type", "area_index"]
    ].itertuples(index=False):
        area = str(code[int(area_index)])
        for year in years:
            sid = f"{agency}-{area}-{year}"
            folder = root / sid
            folder.mkdir(parents=True, exist_ok=True)
            manifest = {
                "contract": "1",
                "submission_id": sid,
                "agency": {"code": agency, "type": agency_type, "name": names[agency]},
                "area": area,
                "extracted_at": f"{year + 1}-01-31T00:00:00Z",
            }
            (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
            for name, (sids, lines) in rendered.items():
                lo, hi = np.searchsorted(sids, sid, "left"), np.searchsorted(sids, sid, "right")
                spec = files[name]
                if hi == lo and not spec.required_file and name != "links.csv":
                    continue
                text = csv_text(list(spec.columns), lines[lo:hi])
                if bad_rows > 0 and rng is not None:
                    text, log = corrupt(rng, text, name, bad_rows)
                    if len(log):
                        faults.append(log.assign(submission_id=sid))
                (folder / name).write_text(text)
            count += 1
    fault_log = (
        pd.concat(faults, ignore_index=True)[["submission_id", "file", "line", "fault"]]
        if faults
        else pd.DataFrame(columns=["submission_id", "file", "line", "fault"])
    )
    return count, fault_log


def write_truth(out: Path, tables: dict[str, pd.DataFrame], meta: dict[str, object]) -> None:
    truth = out / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        write_csv(truth / name, frame)
    (truth / "world.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")


def write_areas(out: Path, areas: pd.DataFrame) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "areas.csv", areas, ["area", "name", "child_population", "region"])
