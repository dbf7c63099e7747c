"""Plain-English reasons, built in bulk: which sign, which agency, when.

Wording flags and explains; it never decides: "indicates ... for professional review",
never "is a victim".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lantern.screen.config import ScreeningConfig

AGENCY_TYPE_WORDS = {
    "police": "police",
    "social_care": "social care",
    "health": "health",
    "education": "education",
    "youth_justice": "youth justice",
    "voluntary": "voluntary sector",
    "housing": "housing",
}


def string_agg(frame: pd.DataFrame, keys: list[str], column: str, sep: str,
               order: list[str]) -> pd.DataFrame:
    """Join ``column`` per ``keys`` group in ``order`` (one row per group).

    Keys are factorised to integers and sorted once, then joined slice by slice: pandas'
    per-group ``agg(str.join)`` builds a Series per group and is two orders of magnitude
    slower on many small groups.
    """
    if frame.empty:
        return pd.DataFrame(columns=[*keys, column])
    codes = [f"__key{i}" for i in range(len(keys))]
    coded = frame.assign(**{c: pd.factorize(frame[k])[0] for c, k in zip(codes, keys,
                                                                          strict=True)})
    ordered = coded.sort_values([*codes, *order], kind="stable", ignore_index=True)
    group = ordered[codes].to_numpy()
    change = np.r_[True, (group[1:] != group[:-1]).any(axis=1)]
    starts = np.flatnonzero(change)
    ends = np.r_[starts[1:], len(ordered)]
    values = ordered[column].astype(str).tolist()
    joined = [sep.join(values[a:b]) for a, b in zip(starts, ends, strict=True)]
    out = ordered.loc[starts, keys].reset_index(drop=True)
    out[column] = joined
    return out


def day_text(dates: pd.Series) -> pd.Series:
    """``YYYY-MM-DD`` strings (numpy's C formatter; pandas' strftime is per element)."""
    values = pd.to_datetime(dates).to_numpy(dtype="datetime64[D]")
    text = pd.Series(np.datetime_as_string(values, unit="D"), index=dates.index, dtype=object)
    return text.where(dates.notna(), None)


def agency_words(agency: pd.Series, agency_type: pd.Series) -> pd.Series:
    words = agency_type.map(AGENCY_TYPE_WORDS).fillna(agency_type).astype(str)
    return agency.astype(str) + " (" + words + ")"


def sign_sentences(occurrences: pd.DataFrame, config: ScreeningConfig) -> pd.DataFrame:
    """One sentence per (child ``pk``, sign): the sign and every agency that recorded it."""
    occ = occurrences.sort_values("date", kind="stable")
    # One integer key per (child, sign, agency): grouping on it beats grouping on strings.
    person, persons = pd.factorize(occ["pk"])
    sign, signs = pd.factorize(occ["sign"])
    agency, agencies = pd.factorize(occ["agency"])
    pair = person.astype(np.int64) * max(1, len(signs)) + sign
    has_detail = occ["detail"].notna().to_numpy()
    g = pd.DataFrame({"key": pair * max(1, len(agencies)) + agency, "pair": pair,
                      "date": occ["date"].to_numpy()})
    g = g.groupby("key", sort=False).agg(
        pair=("pair", "first"), first=("date", "min"), last=("date", "max"),
        n=("date", "size"))
    agency_code = g.index.to_numpy() % max(1, len(agencies))
    g["agency"] = np.asarray(agencies)[agency_code]
    # Words per agency are built once per agency, not once per row.
    first_type = occ.drop_duplicates("agency").set_index("agency")["agency_type"]
    words = agency_words(pd.Series(first_type.index), pd.Series(first_type.to_numpy()))
    piece = pd.Series(np.asarray(words.set_axis(first_type.index).reindex(agencies))[
        agency_code], index=g.index, dtype=object)
    piece = piece + " on " + day_text(g["first"])
    if has_detail.any():
        keyed = pd.Series(occ["detail"].to_numpy()[has_detail],
                          index=(pair * max(1, len(agencies)) + agency)[has_detail])
        detail = keyed[~keyed.index.duplicated()].reindex(g.index)
        piece = piece.where(detail.isna(), piece + " (" + detail.astype(str) + ")")
    many = (g["n"] > 1).to_numpy()
    if many.any():
        sub = g[many]
        piece[many] = (np.asarray(words.set_axis(first_type.index).reindex(sub["agency"]))
                       + " " + sub["n"].astype(str) + " times between "
                       + day_text(sub["first"]) + " and " + day_text(sub["last"]))
    g["piece"] = piece
    joined = string_agg(g, ["pair"], "piece", " and by ", ["first", "agency"])
    firsts = g.groupby("pair")["first"].min()
    pairs = joined["pair"].to_numpy(dtype=np.int64)
    joined["first"] = firsts.reindex(pairs).to_numpy()
    joined["pk"] = np.asarray(persons)[pairs // max(1, len(signs))]
    joined["sign"] = np.asarray(signs)[pairs % max(1, len(signs))]
    labels = {name: sign.label for name, sign in config.signs.items()}
    order = {name: i for i, name in enumerate(config.categories)}
    rank = {name: order[sign.category] for name, sign in config.signs.items()}
    joined["rank"] = joined["sign"].map(rank)
    joined["sentence"] = joined["sign"].map(labels) + ", recorded by " + joined["piece"]
    return joined[["pk", "sign", "rank", "first", "sentence"]]


def risk_reasons(scores: pd.DataFrame, occurrences: pd.DataFrame,
                 config: ScreeningConfig) -> pd.Series:
    """The reasons column for ``scores`` (indexed like it)."""
    sentences = sign_sentences(occurrences, config)
    joined = string_agg(sentences, ["pk"], "sentence", "; ", ["rank", "first", "sign"])
    signs = joined.set_index("pk")["sentence"]
    agencies = occurrences.groupby("pk")["agency"].nunique()
    n_signs = occurrences.groupby("pk")["sign"].nunique()

    pid = scores["pk"]
    listed = pid.map(signs)
    n_agencies = pid.map(agencies).fillna(0).astype(int)
    count = pid.map(n_signs).fillna(0).astype(int)
    distinct = scores["distinct_signs"].astype(int)
    levels = config.levels
    kinds = " or ".join(levels.distinct_categories)
    why = np.select(
        [scores["decisive"].to_numpy(dtype=bool),
         (distinct >= levels.high_distinct_signs).to_numpy(),
         (scores["score"] >= levels.high_score).to_numpy()],
        ["; a disclosure, a professional's recorded concern of sexual exploitation or a "
         "victim report indicates high risk on its own",
         "; " + distinct.astype(str) + f" distinct {kinds} warning signs (three or more "
         "indicate high risk: Children's Commissioner 2012)",
         f"; a score of {levels.high_score:g} or more indicates high risk"],
        default="",
    )
    why = np.where(scores["risk"] == "high", why, "")
    signs_word = np.where(count == 1, " warning sign", " distinct warning signs")
    plural = np.where(n_agencies == 1, " agency", " agencies")
    header = ("Indicates " + scores["risk"] + " risk of sexual exploitation, for professional "
              "review: score " + scores["score"].map("{:g}".format) + " from "
              + count.astype(str) + signs_word + " recorded by "
              + n_agencies.astype(str) + plural + why + ". Signs: ")
    text = (header + listed.fillna("") + ".").where(listed.notna(),
                                                    "No warning signs recorded.")
    if "dob_known" in scores:
        unknown = ~scores["dob_known"].astype(bool)
        text = text.where(~unknown, text + " Date of birth unknown: screened as a child "
                          "because an agency recorded child warning signs about them.")
    return text
