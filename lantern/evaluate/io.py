"""Reading a simulated world's truth and a run's contract outputs (the only I/O here)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

TRUTH_FILES = (
    "records.csv",
    "persons.csv",
    "groups.csv",
    "victims.csv",
    "identified.csv",
    "area_year.csv",
    "missed.csv",
)
RUN_FILES = ("persons.csv", "risk.csv", "groups.csv", "missed_opportunities.csv", "area_stats.csv")
BOOL_COLUMNS = (
    "is_child",
    "twin",
    "key_actor",
    "goes_missing",
    "in_records",
    "cross_area",
    "evidenced",
    "cross_area_evidenced",
    "true_victim",
    "identified",
    "seen",
    "identified_victim",
)


@dataclass
class Truth:
    """The truth tables of a world (see docs/simulation.md for their columns)."""

    records: pd.DataFrame
    persons: pd.DataFrame
    groups: pd.DataFrame
    victims: pd.DataFrame
    identified: pd.DataFrame
    area_year: pd.DataFrame
    missed: pd.DataFrame


def _bools(frame: pd.DataFrame) -> pd.DataFrame:
    for col in frame.columns:
        if col in BOOL_COLUMNS or col.startswith("identified_by_"):
            frame[col] = frame[col].astype(str).str.lower().isin(["true", "1", "yes"])
    return frame


def read_csv(path: Path) -> pd.DataFrame:
    """A CSV as strings (blank = missing), booleans parsed where the column is known to be one."""
    return _bools(pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""]))


def load_truth(folder: Path | str) -> Truth:
    """``truth/`` of a world (the folder itself or the world folder holding it)."""
    folder = Path(folder)
    if (folder / "truth").is_dir():
        folder = folder / "truth"
    missing = [name for name in TRUTH_FILES if not (folder / name).exists()]
    if missing:
        raise FileNotFoundError(f"{folder} is not a simulated world's truth (missing {missing})")
    frames = {name[:-4]: read_csv(folder / name) for name in TRUTH_FILES}
    for frame in (frames["area_year"], frames["victims"], frames["identified"]):
        frame["year"] = frame["year"].astype(int)
    for col in (
        "child_population",
        "true_victims",
        "seen_victims",
        "identified_true_victims",
        "identified_children",
        "hidden_victims",
    ):
        frames["area_year"][col] = frames["area_year"][col].astype(int)
    return Truth(**frames)


def load_run(folder: Path | str) -> dict[str, pd.DataFrame | None]:
    """A run's output files; a missing or header-only file is ``None`` (not available)."""
    folder = Path(folder)
    out: dict[str, pd.DataFrame | None] = {}
    for name in RUN_FILES:
        path = folder / name
        frame = read_csv(path) if path.exists() and path.stat().st_size > 0 else None
        out[name] = frame if frame is not None and len(frame) else None
    return out


def write_run(folder: Path | str, frames: dict[str, pd.DataFrame]) -> None:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.to_csv(folder / name, index=False, lineterminator="\n")
