"""Splink's comparison levels as the guards read them: the gamma values that matter, where
each comparison sits in the stored ``gammas`` string, and which pairs share a personal
identifier (the one thing every guard gives way to)."""

from __future__ import annotations

import numpy as np
import pandas as pd

# Gamma values Splink gives the levels of model.comparisons() (ElseLevel = 0).
DIFFERENT = 0
IDENTIFIER_MATCH = 1
BY_OTHER_NAME = 2  # forename level: a nickname, alias or middle name in common
SHARED_MOBILE = 2
# Positions in the stored ``gammas`` string (``model.GAMMAS``, in that order).
GAMMA_POSITION = {"forename": 0, "surname": 1, "dob": 2, "sex": 3, "residence": 4, "area": 5,
                  "alias": 6, "phones": 7, "emails": 8, "nhs_number": 9, "upn": 10}
_PERSONAL = {"phones": SHARED_MOBILE, "emails": IDENTIFIER_MATCH,
             "nhs_number": IDENTIFIER_MATCH, "upn": IDENTIFIER_MATCH}


def level(pairs: pd.DataFrame, name: str) -> np.ndarray:
    """Each pair's level on comparison ``name`` (-1: unknown or null), from a
    ``gamma_<name>`` column or the stored ``gammas`` string."""
    if f"gamma_{name}" in pairs.columns:
        return pairs[f"gamma_{name}"].fillna(-1).astype(int).to_numpy()
    if "gammas" in pairs.columns and len(pairs):
        parts = pairs["gammas"].astype(str).str.split(",").str[GAMMA_POSITION[name]]
        return pd.to_numeric(parts, errors="coerce").fillna(-1).astype(int).to_numpy()
    return np.full(len(pairs), -1)


def with_levels(pairs: pd.DataFrame) -> pd.DataFrame:
    """``pairs`` with a ``gamma_<name>`` column per comparison, parsed once from the
    stored ``gammas`` string (when there is one and the columns are not there)."""
    if "gammas" not in pairs.columns or "gamma_forename" in pairs.columns or pairs.empty:
        return pairs
    parts = pairs["gammas"].astype(str).str.split(",", expand=True)
    out = pairs.copy()
    for name, position in GAMMA_POSITION.items():
        column = parts[position] if position in parts.columns else None
        out[f"gamma_{name}"] = -1 if column is None else pd.to_numeric(
            column, errors="coerce").fillna(-1).astype(int).to_numpy()
    return out


def personal(pairs: pd.DataFrame) -> np.ndarray:
    """Pairs that share a personal identifier (NHS number, UPN, mobile, email)."""
    shared = np.zeros(len(pairs), dtype=bool)
    for name, match in _PERSONAL.items():
        shared |= level(pairs, name) == match
    return shared
