"""The pseudonymised national return (local side) and the hub that links returns.

A return holds no names, dates of birth, postcodes, addresses or free text:
people appear as keyed tokens with a CLK, a birth month, sex, the area and
agency type of each record and whether that agency identified the child as a
victim (and when, to the month). Aggregate tables go through disclosure
control before they leave.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from lantern.national.mse import Estimate, estimate_frame
from lantern.national.pprl import ClkSpec, encode, to_base64, tokens
from lantern.national.sdc import SdcConfig, default_config, round_total, suppress_column

RETURN_FORMAT = "lantern-national-return"
RETURN_VERSION = 1
PEOPLE_COLUMNS = [
    "token", "area", "agency_type", "birth_month", "sex", "clk",
    "identified_by_agency", "identified_month", "risk",
]
# Columns of the people file that may carry a number; none may (see the SDC test).
RISK_LEVELS_EXPORTED = ("medium", "high")


class ReturnError(ValueError):
    """A return folder that cannot be read (one clear line)."""


def _month(values: pd.Series) -> pd.Series:
    dates = pd.to_datetime(values, errors="coerce")
    return dates.dt.strftime("%Y-%m").where(dates.notna(), None)


def _birth_month(dob: pd.Series, precision: pd.Series) -> pd.Series:
    text = dob.astype("string")
    month = text.str.slice(0, 7).where(precision.isin(["day", "month"]), None)
    return month.astype(object).where(month.notna(), None)


def build_people(
    persons: pd.DataFrame,
    identities: pd.DataFrame,
    victims: pd.DataFrame,
    risk: pd.DataFrame,
    *,
    secret: bytes,
    linkage_key: bytes,
    spec: ClkSpec | None = None,
) -> pd.DataFrame:
    """One row per person record of a child the return is about (victims, medium/high risk)."""
    flagged = risk[risk["risk"].isin(RISK_LEVELS_EXPORTED)][["person_id", "risk"]]
    wanted = pd.Index(pd.concat([victims["person_id"], flagged["person_id"]]).unique())
    recs = persons.merge(identities[["agency", "person_ref", "person_id"]],
                         on=["agency", "person_ref"])
    recs = recs[recs["person_id"].isin(wanted)].reset_index(drop=True)
    if recs.empty:
        return pd.DataFrame(columns=PEOPLE_COLUMNS)
    clks = encode(recs, linkage_key, spec)
    first = (victims.sort_values("occurred_on")
             .drop_duplicates(["agency", "person_id"])[["agency", "person_id", "occurred_on"]])
    recs = recs.merge(first, on=["agency", "person_id"], how="left")
    recs = recs.merge(flagged.drop_duplicates("person_id"), on="person_id", how="left")
    out = pd.DataFrame({
        "token": tokens(recs["person_id"], secret),
        "area": recs["area"],
        "agency_type": recs["agency_type"],
        "birth_month": _birth_month(recs["dob"], recs["dob_precision"]),
        "sex": recs["sex"].where(recs["sex"].notna(), None),
        "clk": to_base64(clks),
        "identified_by_agency": np.where(recs["occurred_on"].notna(), "true", "false"),
        "identified_month": _month(recs["occurred_on"]),
        "risk": recs["risk"].where(recs["risk"].notna(), None),
    })
    return out.drop_duplicates(ignore_index=True)[PEOPLE_COLUMNS]


def publishable_area_stats(stats: pd.DataFrame, config: SdcConfig | None = None) -> pd.DataFrame:
    """Area statistics after disclosure control (counts, and what gives them away)."""
    cfg = config or default_config()
    out = suppress_column(
        stats, column="children_identified", by="year", across="area", config=cfg,
        dependents=("rate_per_10k", "rate_low", "rate_high", "rate_change", "identified_change",
                    "estimated_total", "estimated_low", "estimated_high"),
    )
    out = suppress_column(out, column="children_high_risk", by="year", across="area", config=cfg)
    return out


def publishable_quality(quality: pd.DataFrame, config: SdcConfig | None = None) -> pd.DataFrame:
    """Data quality shares; record counts below the threshold hidden with their shares."""
    cfg = config or default_config()
    out = quality.copy().astype(object)
    small = pd.to_numeric(quality["records"], errors="coerce").between(1, cfg.min_count - 1)
    rows_small = pd.to_numeric(quality["rows_read"], errors="coerce").between(1, cfg.min_count - 1)
    shares = [c for c in quality.columns if c.endswith(("_complete", "_stated", "_rate"))]
    out.loc[small, ["records", *shares]] = None
    out.loc[rows_small, ["rows_read", "quarantined_share"]] = None
    return out


def write_return(
    out: Path,
    *,
    people: pd.DataFrame,
    area_stats: pd.DataFrame,
    quality: pd.DataFrame,
    deployment: str,
    spec: ClkSpec | None = None,
    config: SdcConfig | None = None,
) -> dict[str, int]:
    """Write a return folder; every aggregate table through SDC."""
    cfg = config or default_config()
    out.mkdir(parents=True, exist_ok=True)
    stats = area_stats.copy()
    for col, digits in (("rate_per_10k", 3), ("rate_low", 3), ("rate_high", 3),
                        ("rate_change", 3), ("national_rate", 3), ("estimated_total", 1),
                        ("estimated_low", 1), ("estimated_high", 1)):
        if col in stats.columns:
            stats[col] = pd.to_numeric(stats[col], errors="coerce").round(digits)
    files = {
        "people.csv": people[PEOPLE_COLUMNS],
        "area_stats.csv": publishable_area_stats(stats, cfg),
        "data_quality.csv": publishable_quality(quality, cfg),
    }
    for name, frame in files.items():
        frame.to_csv(out / name, index=False, lineterminator="\n")
    manifest = {
        "format": RETURN_FORMAT,
        "version": RETURN_VERSION,
        "deployment": deployment,
        "areas": sorted(set(area_stats["area"].astype(str))) if len(area_stats) else [],
        "created": datetime.now(UTC).strftime("%Y-%m"),
        "clk": (spec or ClkSpec()).as_dict(),
        "sdc": cfg.model_dump(),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    return {name: len(frame) for name, frame in files.items()}


@dataclass
class Return:
    manifest: dict[str, Any]
    people: pd.DataFrame
    area_stats: pd.DataFrame
    quality: pd.DataFrame


def read_return(folder: Path) -> Return:
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise ReturnError(f"{folder}: no manifest.json, not a national return")
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
    except json.JSONDecodeError as exc:
        raise ReturnError(f"{folder}: manifest.json is not valid JSON ({exc.msg})") from None
    if manifest.get("format") != RETURN_FORMAT or manifest.get("version") != RETURN_VERSION:
        raise ReturnError(f"{folder}: not a version {RETURN_VERSION} national return")
    def csv(name: str) -> pd.DataFrame:
        path = folder / name
        if not path.is_file():
            raise ReturnError(f"{folder}: {name} is missing")
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    people = csv("people.csv")
    missing = [c for c in PEOPLE_COLUMNS if c not in people.columns]
    if missing:
        raise ReturnError(f"{folder}: people.csv lacks columns {missing}")
    return Return(manifest, people, csv("area_stats.csv"), csv("data_quality.csv"))


@dataclass
class HubResult:
    """Cross-area links and national figures computed at the hub."""

    people: pd.DataFrame  # every record row with its national_id
    links: pd.DataFrame  # accepted cross-return CLK matches
    national: pd.DataFrame  # national figures by year (before SDC)
    cross_area: pd.DataFrame  # children identified in each pair of areas


def link_returns(
    returns: Sequence[Return], *, threshold: float = 0.8
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Link people across returns by CLK Dice similarity, blocked on birth year."""
    import anonlink
    from bitarray import bitarray

    frames = []
    for i, ret in enumerate(returns):
        frames.append(ret.people.assign(source=i, row=np.arange(len(ret.people))))
    people = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if people.empty:
        return people.assign(national_id=pd.Series(dtype=str)), pd.DataFrame()
    datasets = []
    for i in range(len(returns)):
        rows = []
        for value in people.loc[people["source"] == i, "clk"]:
            ba = bitarray(endian="big")
            ba.frombytes(base64.b64decode(value))
            rows.append(ba)
        datasets.append(rows)
    years = people["birth_month"].fillna("").str.slice(0, 4)
    all_years = sorted({y for y in years if y})
    year_of = {(s, r): y for s, r, y in zip(people["source"], people["row"], years, strict=True)}

    def blocks(source: int, row: int, _record: object) -> list[str]:
        y = year_of[(source, row)]
        return [y] if y else all_years or ["-"]

    sims, (ds_a, ds_b), (rec_a, rec_b) = anonlink.candidate_generation.find_candidate_pairs(
        datasets, anonlink.similarities.dice_coefficient, threshold, blocking_f=blocks)
    offsets = np.cumsum([0] + [len(d) for d in datasets])
    a = offsets[np.asarray(ds_a, dtype=int)] + np.asarray(rec_a, dtype=int)
    b = offsets[np.asarray(ds_b, dtype=int)] + np.asarray(rec_b, dtype=int)
    links = pd.DataFrame({"a": a, "b": b, "dice": np.asarray(sims, dtype=float)})
    # Records sharing a token within one return are one person already.
    key = people["source"].astype(str) + ":" + people["token"]
    same = people.groupby(key).indices
    edges = [(int(v[0]), int(x)) for v in same.values() for x in v[1:]]
    edges += list(zip(links["a"].tolist(), links["b"].tolist(), strict=True))
    graph = ig.Graph(n=len(people), edges=edges)
    membership = np.asarray(graph.connected_components().membership)
    people["national_id"] = ["N" + str(m).zfill(7) for m in membership]
    return people, links


def national_figures(people: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """National counts by year (linked across areas) and the area-pair table."""
    ided = people[people["identified_by_agency"] == "true"].copy()
    ided["year"] = ided["identified_month"].str.slice(0, 4).astype(int)
    rows = []
    for year, block in ided.groupby("year"):
        per_person = block.groupby("national_id")["area"].nunique()
        seen = block.assign(on=1).pivot_table(
            index="national_id", columns="agency_type", values="on", aggfunc="max", fill_value=0)
        table = seen.value_counts().rename("count").reset_index()
        result = estimate_frame(table, heterogeneity=True) if seen.shape[1] >= 2 else None
        est = result if isinstance(result, Estimate) else None
        rows.append({
            "year": int(str(year)),
            "children_identified": int(per_person.size),
            "children_in_several_areas": int((per_person > 1).sum()),
            "sum_of_area_counts": int(block.groupby("area")["national_id"].nunique().sum()),
            "estimated_total": est.estimate if est else np.nan,
            "estimated_low": est.low if est else np.nan,
            "estimated_high": est.high if est and np.isfinite(est.high) else np.nan,
            "mse_model": est.model if est else "",
        })
    national = pd.DataFrame(rows)
    pairs = ided[["national_id", "area"]].drop_duplicates()
    cross = pairs.merge(pairs, on="national_id")
    cross = cross[cross["area_x"] < cross["area_y"]]
    cross_area = (cross.groupby(["area_x", "area_y"])["national_id"].nunique()
                  .rename("children").reset_index()
                  .rename(columns={"area_x": "area", "area_y": "other_area"}))
    return national, cross_area


def run_hub(
    folders: Sequence[Path], *, threshold: float = 0.8
) -> tuple[HubResult, list[Return]]:
    returns = [read_return(Path(f)) for f in folders]
    people, links = link_returns(returns, threshold=threshold)
    national, cross_area = national_figures(people) if len(people) else (
        pd.DataFrame(), pd.DataFrame())
    return HubResult(people, links, national, cross_area), returns


def write_hub(out: Path, result: HubResult, returns: Sequence[Return],
              config: SdcConfig | None = None) -> dict[str, int]:
    """National outputs after SDC: totals rounded, small counts suppressed."""
    cfg = config or default_config()
    out.mkdir(parents=True, exist_ok=True)
    national = result.national.copy()
    for col in ("children_identified", "children_in_several_areas", "sum_of_area_counts",
                "estimated_total", "estimated_low", "estimated_high"):
        if col in national.columns:
            rounded = pd.Series([round_total(float(v), cfg) for v in national[col]],
                                index=national.index)
            national[col] = rounded.round().astype("Int64")
    cross = result.cross_area.copy()
    if len(cross):
        cross = suppress_column(cross, column="children", by="other_area", across="area",
                                config=cfg)
    stats = pd.concat([r.area_stats for r in returns], ignore_index=True) if returns else \
        pd.DataFrame()
    files = {"national_figures.csv": national, "cross_area.csv": cross, "area_stats.csv": stats}
    for name, frame in files.items():
        frame.to_csv(out / name, index=False, lineterminator="\n")
    return {name: len(frame) for name, frame in files.items()}
