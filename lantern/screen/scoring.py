"""Pure scoring: risk levels over time from sign occurrences, vectorised with numpy.

For each child the score is evaluated on every date a sign was recorded and on the
screening date. At each evaluation date every distinct sign counts once, weighted by its
category and by how long ago it was last seen (SERAF: less when older than ~6 months).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lantern.screen.config import ScreeningConfig
from lantern.screen.inputs import Prepared

LEVELS = ("none", "low", "medium", "high")
DAY = np.timedelta64(1, "D")


def _days(dates: pd.Series) -> np.ndarray:
    return (dates.to_numpy(dtype="datetime64[ns]") - np.datetime64("1970-01-01")) / DAY


def level_codes(score: np.ndarray, distinct: np.ndarray, decisive: np.ndarray,
                config: ScreeningConfig) -> np.ndarray:
    """0 none, 1 low, 2 medium, 3 high."""
    levels = config.levels
    high = decisive | (distinct >= levels.high_distinct_signs) | (score >= levels.high_score)
    return np.select([high, score >= levels.medium_score, score > 0], [3, 2, 1], default=0)


def evaluate(prepared: Prepared, config: ScreeningConfig) -> pd.DataFrame:
    """One row per child: score, level, distinct signs, risk_date and the first high date.

    ``risk_date`` is the first date the child reached (at least) its current level.
    """
    children = prepared.children[["pk"]].drop_duplicates()
    signs = list(config.signs)
    occ = prepared.occurrences
    occ = occ[occ["pk"].isin(children["pk"])]
    grid = pd.concat([
        occ[["pk", "date"]],
        children.assign(date=prepared.as_of),
    ]).drop_duplicates().sort_values(["pk", "date"], ignore_index=True)
    grid["row"] = np.arange(len(grid))
    cells = occ[["pk", "date", "sign"]].merge(grid, on=["pk", "date"])
    last_seen = np.full((len(grid), len(signs)), np.nan)
    sign_index = pd.Series(np.arange(len(signs)), index=signs)
    last_seen[cells["row"].to_numpy(), sign_index[cells["sign"]].to_numpy()] = _days(
        cells["date"])
    # Carry each sign's latest date forward within the child (rows are date-ordered).
    last_seen = (pd.DataFrame(last_seen).groupby(grid["pk"].to_numpy()).ffill()
                 .to_numpy())
    seen = ~np.isnan(last_seen)
    age = _days(grid["date"])[:, None] - last_seen
    recent = np.array([config.weight(s, recent=True) for s in signs])
    older = np.array([config.weight(s, recent=False) for s in signs])
    weights = np.where(age <= config.recent_days, recent, older)
    score = np.where(seen, weights, 0.0).sum(axis=1)
    warning = np.array([config.counts_toward_high(s) for s in signs])
    decisive_mask = np.array([config.is_decisive(s) for s in signs])
    distinct = (seen & warning).sum(axis=1)
    decisive = (seen & decisive_mask).any(axis=1)
    grid["level"] = level_codes(score, distinct, decisive, config)
    grid["score"] = score.round(2)
    grid["distinct_signs"] = distinct

    current = grid[grid["date"] == prepared.as_of].set_index("pk")
    grid["current"] = grid["pk"].map(current["level"])
    reached = grid[(grid["level"] >= grid["current"]) & (grid["current"] > 0)]
    risk_date = reached.groupby("pk")["date"].min()
    high_first = grid[grid["level"] == 3].groupby("pk")["date"].min()
    result = current[["level", "score", "distinct_signs"]].copy()
    result["risk"] = np.asarray(LEVELS)[result["level"].to_numpy()]
    result["risk_date"] = risk_date.reindex(result.index)
    result["high_first_on"] = high_first.reindex(result.index)
    decisive_signs = [s for s in signs if config.is_decisive(s)]
    result["decisive"] = False
    if decisive_signs:
        has = occ[occ["sign"].isin(decisive_signs)]["pk"].unique()
        result["decisive"] = result.index.isin(has)
    result = result.reset_index()
    names = prepared.children.drop_duplicates("pk").set_index("pk")["person_id"]
    result.insert(1, "person_id", result["pk"].map(names).to_numpy())
    return result


def agencies_reached_on(prepared: Prepared, config: ScreeningConfig) -> pd.Series:
    """Per child (``pk``), the date signs had been recorded by ``min_agencies`` agencies."""
    k = config.missed.min_agencies
    occ = prepared.occurrences
    is_warning = {sign: config.is_missed_sign(sign) for sign in config.signs}
    warning = occ[occ["sign"].map(is_warning).fillna(False).astype(bool)]
    first = warning.groupby(["pk", "agency"])["date"].min().reset_index()
    first = first.sort_values(["pk", "date"])
    first["rank"] = first.groupby("pk").cumcount()
    return first[first["rank"] == k - 1].set_index("pk")["date"]
