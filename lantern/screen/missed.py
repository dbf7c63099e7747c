"""Pure missed-opportunity finding: the joined-up picture showed risk, nobody responded.

A child qualifies when warning signs had been recorded by ``min_agencies`` agencies or the
child reached high risk (``first_sign_on`` = the earlier of the two dates). It is a missed
opportunity when no response (referral, strategy meeting, child protection plan) came
within ``window_days``; while the window is still open it is a response that is due.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lantern.screen.config import ScreeningConfig
from lantern.screen.inputs import Prepared
from lantern.screen.reasons import agency_words, string_agg
from lantern.screen.scoring import agencies_reached_on

COLUMNS = ["person_id", "first_sign_on", "agencies", "contacts", "responded_on", "reason",
           "status", "due_on", "area", "first_recorded_on"]


def _first_response(triggers: pd.DataFrame, responses: pd.DataFrame) -> pd.Series:
    """The first response on or after ``triggers["from"]`` (NaT if none)."""
    left = triggers[["person_id", "from"]].sort_values("from")
    right = responses[["person_id", "date"]].drop_duplicates().sort_values("date")
    right = right.rename(columns={"date": "responded_on"})
    right["from"] = right["responded_on"]
    if right.empty:
        return pd.Series(pd.NaT, index=triggers["person_id"], dtype="datetime64[ns]")
    matched = pd.merge_asof(left, right, on="from", by="person_id", direction="forward")
    return matched.set_index("person_id")["responded_on"].reindex(triggers["person_id"])


def find_missed(prepared: Prepared, scores: pd.DataFrame, config: ScreeningConfig,
                *, include_due: bool = False) -> pd.DataFrame:
    """Missed opportunities (and, with ``include_due``, responses still due)."""
    rules = config.missed
    scores = scores.set_index("person_id")
    by_agencies = agencies_reached_on(prepared, config).reindex(scores.index)
    by_high = scores["high_first_on"]
    first = pd.concat([by_agencies, by_high], axis=1).min(axis=1)
    triggers = pd.DataFrame({"person_id": scores.index, "first_sign_on": first.to_numpy(),
                             "area": scores["area"].to_numpy() if "area" in scores else None})
    triggers = triggers[triggers["first_sign_on"].notna()].reset_index(drop=True)
    triggers["first_sign_on"] = pd.to_datetime(triggers["first_sign_on"])
    occ = prepared.occurrences
    warning = {name: config.is_missed_sign(name) for name in config.signs}
    occ = occ[occ["sign"].map(warning).fillna(False).astype(bool)]
    first_recorded = occ.groupby("person_id")["date"].min()
    triggers["first_recorded_on"] = triggers["person_id"].map(first_recorded)
    triggers["from"] = triggers["first_sign_on"]
    if rules.responses_count_from == "first_sign":
        triggers["from"] = triggers[["first_sign_on", "first_recorded_on"]].min(axis=1)
    triggers["responded_on"] = _first_response(triggers, prepared.responses).to_numpy()
    window = pd.Timedelta(days=rules.window_days)
    triggers["due_on"] = triggers["first_sign_on"] + window
    late = triggers["responded_on"] > triggers["due_on"]
    never = triggers["responded_on"].isna()
    triggers["status"] = np.select(
        [late | (never & (triggers["due_on"] < prepared.as_of)), never],
        ["missed", "due"], default="responded")
    keep = ["missed", "due"] if include_due else ["missed"]
    flagged = triggers[triggers["status"].isin(keep)].copy()
    if flagged.empty:
        return pd.DataFrame(columns=COLUMNS)

    occ = occ.merge(flagged[["person_id", "first_sign_on", "responded_on"]], on="person_id")
    end = occ["responded_on"].fillna(prepared.as_of)
    contacts = (occ[occ["date"] <= end].drop_duplicates(["person_id", "agency", "event_ref"])
                .groupby("person_id").size())
    # Which agency held which piece, up to the response (or the screening date).
    held = occ[occ["date"] <= end]
    labels = {name: sign.label for name, sign in config.signs.items()}
    pieces = (held.groupby(["person_id", "agency", "agency_type", "sign"])["date"].min()
              .reset_index())
    pieces["piece"] = pieces["sign"].map(labels) + " " + pieces["date"].dt.strftime("%Y-%m-%d")
    per_agency = string_agg(pieces, ["person_id", "agency", "agency_type"], "piece", ", ",
                            ["date", "sign"])
    per_agency["held"] = (agency_words(per_agency["agency"], per_agency["agency_type"]) + ": "
                          + per_agency["piece"])
    held_text = string_agg(per_agency, ["person_id"], "held", "; ", ["agency"])
    codes = string_agg(per_agency, ["person_id"], "agency", ";", ["agency"])
    pid = flagged["person_id"]
    flagged["agencies"] = pid.map(codes.set_index("person_id")["agency"]).fillna("")
    flagged["contacts"] = pid.map(contacts).fillna(0).astype(int)
    first_on = flagged["first_sign_on"].dt.strftime("%Y-%m-%d")
    reached_high = pid.map(by_high).notna() & (pid.map(by_high) <= flagged["first_sign_on"])
    opening = np.where(
        reached_high,
        "The joined-up records indicated high risk on " + first_on,
        "Warning signs had been recorded by " + str(rules.min_agencies) + " agencies by "
        + first_on,
    )
    days = (flagged["responded_on"] - flagged["first_sign_on"]).dt.days
    responded = flagged["responded_on"].dt.strftime("%Y-%m-%d")
    after = np.where(
        flagged["responded_on"].notna(),
        "; the first response came on " + responded + ", " + days.astype("Int64").astype(str)
        + " days later",
        np.where(flagged["status"] == "due",
                 "; a response is due by " + flagged["due_on"].dt.strftime("%Y-%m-%d"),
                 "; no response recorded by " + prepared.as_of.strftime("%Y-%m-%d")),
    )
    words = [k.replace("_", " ") for k in rules.response_kinds]
    kinds = ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else words[0]
    flagged["reason"] = (
        pd.Series(opening, index=flagged.index) + " (held by " + pid.map(
            held_text.set_index("person_id")["held"]).fillna("") + ")"
        + np.where(flagged["status"] == "due", f"; no {kinds} yet",
                   f"; no {kinds} within {rules.window_days} days") + after
        + ". For professional review."
    )
    return flagged[COLUMNS].reset_index(drop=True)
