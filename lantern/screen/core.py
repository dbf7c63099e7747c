"""The pure screening core: frames in, risk and missed opportunities out (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lantern.screen.config import ScreeningConfig
from lantern.screen.inputs import Frames, Prepared, prepare
from lantern.screen.missed import find_missed
from lantern.screen.reasons import risk_reasons
from lantern.screen.scoring import evaluate

RISK_COLUMNS = ["person_id", "area", "risk", "score", "identified_victim", "reasons",
                "risk_date", "distinct_signs", "dob_known"]


@dataclass(frozen=True)
class ScreenResult:
    as_of: pd.Timestamp
    risk: pd.DataFrame  # RISK_COLUMNS, one row per child
    missed: pd.DataFrame  # missed opportunities and responses due (``status``)
    occurrences: pd.DataFrame  # every sign occurrence behind the scores


def score_children(prepared: Prepared, config: ScreeningConfig) -> pd.DataFrame:
    """Risk rows for every child of ``prepared``."""
    children = prepared.children.drop(columns="person_id")
    scores = evaluate(prepared, config).merge(children, on="pk", how="left")
    scores["identified_victim"] = scores["person_id"].isin(prepared.identified_victims)
    scores["reasons"] = risk_reasons(scores, prepared.occurrences, config).to_numpy()
    return scores


def screen(frames: Frames, config: ScreeningConfig, *,
           as_of: pd.Timestamp | None = None) -> ScreenResult:
    """Screen every child in ``frames``."""
    prepared = prepare(frames, config, as_of=as_of)
    scores = score_children(prepared, config)
    missed = find_missed(prepared, scores, config, include_due=True)
    risk = scores[RISK_COLUMNS + ["high_first_on"]].sort_values("person_id", ignore_index=True)
    return ScreenResult(as_of=prepared.as_of, risk=risk, missed=missed,
                        occurrences=prepared.occurrences)
