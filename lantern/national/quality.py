"""Data quality per agency and area, so poor recording is not read as low prevalence.

Ethnicity appears here only as completeness (share recorded); its values are
never used for anything else.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

NOT_STATED = "NS"

QUALITY_COLUMNS = [
    "agency",
    "area",
    "records",
    "dob_complete",
    "nhs_number_complete",
    "postcode_complete",
    "ethnicity_complete",
    "ethnicity_not_stated",
    "rows_read",
    "quarantined_share",
    "duplicate_rate",
    "lag_days_median",
    "lag_days_p90",
]


def _filled(values: pd.Series) -> pd.Series:
    return values.notna() & (values.astype(str).str.strip() != "")


def data_quality(
    persons: pd.DataFrame,
    identities: pd.DataFrame,
    submissions: pd.DataFrame,
    events: pd.DataFrame,
) -> pd.DataFrame:
    """One row per agency and area.

    - completeness: share of current person records with a usable value (for
      NHS number and postcode, one that passed its check; `NS` does not count
      as a recorded ethnicity);
    - quarantined_share: rows quarantined / rows read over the agency's submissions;
    - duplicate_rate: share of the agency's person records that are a second
      (or later) record of a person the agency already has (same person_id);
    - lag: days from an event to the extract that carried it.
    """
    p = persons[["agency", "area", "person_ref", "dob", "nhs_number", "postcode"]].copy()
    eth = persons["ethnicity"] if "ethnicity" in persons.columns else pd.Series(
        index=persons.index, dtype=object)
    eth_text = eth.astype("string").str.strip().str.upper()
    p["dob_complete"] = _filled(p["dob"])
    p["nhs_number_complete"] = _filled(p["nhs_number"])
    p["postcode_complete"] = _filled(p["postcode"])
    p["ethnicity_complete"] = (_filled(eth) & (eth_text != NOT_STATED)).fillna(False).to_numpy()
    p["ethnicity_not_stated"] = (eth_text == NOT_STATED).fillna(False).to_numpy()
    p = p.merge(identities[["agency", "person_ref", "person_id"]],
                on=["agency", "person_ref"], how="left")
    p["person_id"] = p["person_id"].fillna(p["agency"] + "/" + p["person_ref"])
    grouped = p.groupby(["agency", "area"])
    out = grouped[["dob_complete", "nhs_number_complete", "postcode_complete",
                   "ethnicity_complete", "ethnicity_not_stated"]].mean()
    out["records"] = grouped.size()
    out["duplicate_rate"] = 1 - grouped["person_id"].nunique() / out["records"]
    out = out.reset_index()

    sub = submissions.groupby(["agency", "area"])[["rows_read", "rows_quarantined"]].sum()
    sub = sub.reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        sub["quarantined_share"] = np.where(
            sub["rows_read"] > 0, sub["rows_quarantined"] / sub["rows_read"], np.nan)
    out = out.merge(sub[["agency", "area", "rows_read", "quarantined_share"]],
                    on=["agency", "area"], how="outer")

    if len(events):
        ev = events[["agency", "area", "occurred_on", "extracted_at"]].copy()
        occurred = pd.to_datetime(ev["occurred_on"], errors="coerce", utc=True)
        extracted = pd.to_datetime(ev["extracted_at"], errors="coerce", utc=True)
        ev["lag"] = (extracted - occurred).dt.total_seconds() / 86_400
        lag = ev.groupby(["agency", "area"])["lag"].agg(
            lag_days_median="median", lag_days_p90=lambda s: s.quantile(0.9))
        out = out.merge(lag.reset_index(), on=["agency", "area"], how="left")
    else:
        out["lag_days_median"] = np.nan
        out["lag_days_p90"] = np.nan
    out["records"] = out["records"].fillna(0).astype(int)
    return out.reindex(columns=QUALITY_COLUMNS).sort_values(["area", "agency"], ignore_index=True)
