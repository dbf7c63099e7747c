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
from lantern.screen.reasons import agency_words, day_text, string_agg
from lantern.screen.scoring import agencies_reached_on

COLUMNS = ["person_id", "first_sign_on", "agencies", "contacts", "responded_on", "reason",
           "status", "due_on", "area", "first_recorded_on"]


def _first_response(triggers: pd.DataFrame, responses: pd.DataFrame) -> pd.Series:
    """The first response on or after ``triggers["from"]`` (NaT if none)."""
    left = triggers[["pk", "from"]].sort_values("from")
    right = responses[["pk", "date"]].drop_duplicates().sort_values("date")
    right = right.rename(columns={"date": "responded_on"})
    right["from"] = right["responded_on"]
    if right.empty:
        return pd.Series(pd.NaT, index=triggers["pk"], dtype="datetime64[ns]")
    matched = pd.merge_asof(left, right, on="from", by="pk", direction="forward")
    return matched.set_index("pk")["responded_on"].reindex(triggers["pk"])


def find_missed(prepared: Prepared, scores: pd.DataFrame, config: ScreeningConfig,
                *, include_due: bool = False) -> pd.DataFrame:
    """Missed opportunities (and, with ``include_due``, responses still due)."""
    rules = config.missed
    scores = scores.set_index("pk")
    by_agencies = agencies_reached_on(prepared, config).reindex(scores.index)
    by_high = scores["high_first_on"]
    first = pd.concat([by_agencies, by_high], axis=1).min(axis=1)
    triggers = pd.DataFrame({"pk": scores.index, "first_sign_on": first.to_numpy(),
                             "area": scores["area"].to_numpy() if "area" in scores else None})
    triggers = triggers[triggers["first_sign_on"].notna()].reset_index(drop=True)
    triggers["first_sign_on"] = pd.to_datetime(triggers["first_sign_on"])
    occ = prepared.occurrences
    warning = {name: config.is_missed_sign(name) for name in config.signs}
    occ = occ[occ["sign"].map(warning).fillna(False).astype(bool)]
    first_recorded = occ.groupby("pk")["date"].min()
    triggers["first_recorded_on"] = triggers["pk"].map(first_recorded)
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

    occ = occ.merge(flagged[["pk", "first_sign_on", "responded_on"]], on="pk")
    end = occ["responded_on"].fillna(prepared.as_of)
    contacts = (occ[occ["date"] <= end].drop_duplicates(["pk", "agency", "event_ref"])
                .groupby("pk").size())
    # Which agency held which piece, up to the response (or the screening date).
    held = occ[occ["date"] <= end]
    labels = {name: sign.label for name, sign in config.signs.items()}
    pieces = (held.groupby(["pk", "agency", "agency_type", "sign"])["date"].min()
              .reset_index())
    pieces["piece"] = pieces["sign"].map(labels) + " " + day_text(pieces["date"])
    per_agency = string_agg(pieces, ["pk", "agency", "agency_type"], "piece", ", ",
                            ["date", "sign"])
    per_agency["held"] = (agency_words(per_agency["agency"], per_agency["agency_type"]) + ": "
                          + per_agency["piece"])
    held_text = string_agg(per_agency, ["pk"], "held", "; ", ["agency"])
    codes = string_agg(per_agency, ["pk"], "agency", ";", ["agency"])
    pid = flagged["pk"]
    flagged["agencies"] = pid.map(codes.set_index("pk")["agency"]).fillna("")
    flagged["contacts"] = pid.map(contacts).fillna(0).astype(int)
    first_on = day_text(flagged["first_sign_on"])
    reached_high = pid.map(by_high).notna() & (pid.map(by_high) <= flagged["first_sign_on"])
    opening = np.where(
        reached_high,
        "The joined-up records indicated high risk on " + first_on,
        "Warning signs had been recorded by " + str(rules.min_agencies) + " agencies by "
        + first_on,
    )
    days = (flagged["responded_on"] - flagged["first_sign_on"]).dt.days
    responded = day_text(flagged["responded_on"])
    after = np.where(
        flagged["responded_on"].notna(),
        "; the first response came on " + responded + ", " + days.astype("Int64").astype(str)
        + " days later",
        np.where(flagged["status"] == "due",
                 "; a response is due by " + day_text(flagged["due_on"]),
                 "; no response recorded by " + prepared.as_of.strftime("%Y-%m-%d")),
    )
    words = [k.replace("_", " ") for k in rules.response_kinds]
    kinds = ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else words[0]
    held_by = pid.map(held_text.set_index("pk")["held"]).fillna("").astype(str)
    flagged["reason"] = (
        pd.Series(opening, index=flagged.index).astype(str) + " (held by " + held_by + ")"
        + np.where(flagged["status"] == "due", f"; no {kinds} yet",
                   f"; no {kinds} within {rules.window_days} days") + after
        + ". For professional review."
    )
    names = prepared.children.drop_duplicates("pk").set_index("pk")["person_id"]
    flagged["person_id"] = flagged["pk"].map(names)
    return flagged[COLUMNS].reset_index(drop=True)
