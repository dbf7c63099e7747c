"""Area statistics as pure functions of DataFrames (no I/O).

The stage reads the store and hands the frames here, so every figure in
`area_stats.csv` can be tested on small hand-made frames.
"""

from __future__ import annotations

import math

import pandas as pd

from lantern.contract import vocabulary
from lantern.national.funnel import funnel_flags
from lantern.national.mse import Estimate, estimate_frame
from lantern.national.rates import add_rates, year_on_year
from lantern.screen.inputs import add_years, resolve_dobs

ADULT_AGE = 18
# Indicators that are about a child by definition: a victim with no recorded
# date of birth linked to an event carrying one is counted as a child.
CHILD_BY_DEFINITION = frozenset({"cse_concern", "disclosure"})

AREA_STATS_COLUMNS = [
    "area",
    "year",
    "children_identified",
    "children_high_risk",
    "rate_per_10k",
    "funnel",
    "estimated_total",
    "estimated_low",
    "estimated_high",
]
EXTRA_COLUMNS = [
    "rate_low",
    "rate_high",
    "rate_change",
    "identified_change",
    "funnel_95",
    "national_rate",
    "child_population",
    "mse_lists",
    "mse_model",
    "mse_note",
]


def identified_victims(
    events: pd.DataFrame,
    links: pd.DataFrame,
    persons: pd.DataFrame,
    identities: pd.DataFrame,
) -> pd.DataFrame:
    """One row per (agency, area, year, person_id) for each identified child victim.

    Contract definition: a child whom some agency linked as `victim` to a
    `crime_report`, `disclosure` or `strategy_meeting`, or to any event carrying
    `cse_concern`, `disclosure` or `sexual_activity_with_child`; child = under
    18 on the event date; year = the qualifying event's year.
    """
    vocab = vocabulary()
    cols = ["agency", "area", "year", "person_id", "occurred_on"]
    victim_links = links[(links["entity"] == "person") & (links["role"] == "victim")]
    if victim_links.empty or events.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    ev = events[["agency", "area", "event_ref", "kind", "occurred_on", "indicators"]].copy()
    tags = ev["indicators"].fillna("").astype(str).str.split(";")
    tagset = tags.map(lambda xs: {x.strip() for x in xs if x.strip()})
    ev["qualifies"] = ev["kind"].isin(vocab.victim_event_kinds) | tagset.map(
        lambda s: bool(s & vocab.victim_indicators)
    )
    ev["child_sign"] = tagset.map(lambda s: bool(s & CHILD_BY_DEFINITION))
    ev = ev[ev["qualifies"]]
    hits = victim_links[["agency", "event_ref", "ref"]].merge(ev, on=["agency", "event_ref"])
    hits = hits.rename(columns={"ref": "person_ref"}).merge(
        identities[["agency", "person_ref", "person_id"]], on=["agency", "person_ref"]
    )
    if hits.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    ided = persons.merge(identities[["agency", "person_ref", "person_id"]],
                         on=["agency", "person_ref"])
    dobs = resolve_dobs(ided)
    hits = hits.merge(dobs, on="person_id", how="left")
    hits["occurred_on"] = pd.to_datetime(hits["occurred_on"])
    adult_from = add_years(hits["dob"], ADULT_AGE)
    is_child = (hits["occurred_on"] < adult_from) & (hits["occurred_on"] >= hits["dob"])
    is_child |= hits["dob"].isna() & hits["child_sign"]
    hits = hits[is_child].copy()
    hits["year"] = hits["occurred_on"].dt.year.astype(int)
    hits = hits.sort_values("occurred_on").drop_duplicates(["agency", "area", "year", "person_id"])
    return hits[cols].reset_index(drop=True)


def high_risk_counts(risk: pd.DataFrame) -> pd.DataFrame:
    """Children at high risk by area and year of `risk_date`."""
    high = risk[(risk["risk"] == "high") & risk["risk_date"].notna() & risk["area"].notna()]
    years = pd.to_datetime(high["risk_date"]).dt.year.astype(int)
    out = (
        high.assign(year=years)
        .groupby(["area", "year"])["person_id"]
        .nunique()
        .rename("children_high_risk")
        .reset_index()
    )
    return out


def capture_tables(victims: pd.DataFrame) -> dict[tuple[str, int], pd.DataFrame]:
    """Per (area, year): the capture-history table of agencies' lists of identified children."""
    out: dict[tuple[str, int], pd.DataFrame] = {}
    if victims.empty:
        return out
    seen = victims.assign(on=1).pivot_table(
        index=["area", "year", "person_id"], columns="agency", values="on", aggfunc="max",
        fill_value=0,
    )
    for (area, year), block in seen.groupby(level=["area", "year"]):
        block = block.loc[:, block.sum(axis=0) > 0]
        table = block.value_counts().rename("count").reset_index()
        out[(str(area), int(str(year)))] = table
    return out


def hidden_estimates(
    victims: pd.DataFrame, *, heterogeneity: bool = True, method: str = "stepwise"
) -> pd.DataFrame:
    """MSE per area-year: estimate and 95% interval, blank with a note when none exists."""
    rows = []
    for (area, year), table in capture_tables(victims).items():
        lists = [c for c in table.columns if c != "count"]
        row: dict[str, object] = {"area": area, "year": year, "mse_lists": len(lists)}
        if len(lists) < 2:
            row["mse_note"] = "one agency's list only: no overlap to estimate from"
        else:
            est = estimate_frame(table, method=method, heterogeneity=heterogeneity)
            if isinstance(est, Estimate):
                row.update(
                    estimated_total=est.estimate,
                    estimated_low=est.low,
                    estimated_high=est.high,
                    mse_model=est.model,
                    mse_note="" if math.isfinite(est.high) else "no finite upper limit",
                )
            else:
                row["mse_note"] = est.reason
        rows.append(row)
    cols = ["area", "year", "estimated_total", "estimated_low", "estimated_high",
            "mse_lists", "mse_model", "mse_note"]
    return pd.DataFrame(rows).reindex(columns=cols)


def area_stats(
    victims: pd.DataFrame,
    high_risk: pd.DataFrame,
    areas: pd.DataFrame,
    *,
    mse: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The contract's `area_stats.csv` (plus intervals, changes and MSE notes).

    Every area in the reference list gets a row for every year with data
    anywhere, so an area with no identified victims shows 0, not nothing.
    """
    counts = (
        victims.groupby(["area", "year"])["person_id"].nunique().rename("children_identified")
        if len(victims)
        else pd.Series(dtype=float, name="children_identified")
    )
    years = sorted(
        set(victims["year"].astype(int)) | set(high_risk["year"].astype(int))
    ) if len(victims) or len(high_risk) else []
    if not years or areas.empty:
        return pd.DataFrame(columns=AREA_STATS_COLUMNS + EXTRA_COLUMNS)
    grid = pd.MultiIndex.from_product([areas["area"].astype(str), years], names=["area", "year"])
    frame = pd.DataFrame(index=grid).reset_index()
    frame = frame.merge(counts.reset_index(), on=["area", "year"], how="left")
    frame = frame.merge(high_risk, on=["area", "year"], how="left")
    frame = frame.merge(areas[["area", "child_population"]], on="area", how="left")
    for col in ("children_identified", "children_high_risk"):
        frame[col] = frame[col].fillna(0).astype(int)
    frame = add_rates(frame, count="children_identified", prefix="rate")
    flags = []
    for _, block in frame.groupby("year", sort=False):
        f99 = funnel_flags(block["children_identified"], block["child_population"])
        f95 = funnel_flags(
            block["children_identified"], block["child_population"], level=0.95
        )
        flags.append(pd.DataFrame({
            "funnel": f99["funnel"].to_numpy(),
            "funnel_95": f95["funnel"].to_numpy(),
            "national_rate": f99["target_rate"].to_numpy(),
        }, index=block.index))
    frame = frame.join(pd.concat(flags))
    frame["rate_change"] = year_on_year(frame, value="rate_per_10k")
    frame["identified_change"] = year_on_year(frame, value="children_identified")
    if mse is None:
        mse = hidden_estimates(victims)
    frame = frame.merge(mse, on=["area", "year"], how="left")
    frame["mse_note"] = frame["mse_note"].fillna("no identified victims: nothing to estimate")
    frame["mse_lists"] = frame["mse_lists"].fillna(0).astype(int)
    frame = frame.sort_values(["area", "year"], ignore_index=True)
    return frame[AREA_STATS_COLUMNS + EXTRA_COLUMNS]
