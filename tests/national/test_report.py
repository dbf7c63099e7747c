"""The national report renders (HTML with inline SVG charts, PDF) from SDC'd figures."""

from pathlib import Path

import numpy as np
import pandas as pd

from lantern.national.report import write_report
from lantern.national.stats import area_stats


def synthetic_stats() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(11)
    areas = pd.DataFrame({"area": [f"E{i:03d}" for i in range(12)],
                          "child_population": rng.integers(5_000, 80_000, 12)})
    rows = []
    for year in (2012, 2013, 2014):
        for area, pop in zip(areas["area"], areas["child_population"], strict=True):
            n = int(rng.poisson(pop * 8 / 10_000))
            for k in range(n):
                for agency in ("POL", "SC", "HEA"):
                    if rng.random() < 0.4:
                        rows.append({"agency": agency, "area": area, "year": year,
                                     "person_id": f"{area}-{year}-{k}"})
    victims = pd.DataFrame(rows)
    high = victims.groupby(["area", "year"]).size().rename("children_high_risk").reset_index()
    high["children_high_risk"] = (high["children_high_risk"] // 3).astype(int)
    counts = victims.groupby(["area", "year"])["person_id"].nunique().reset_index()
    mse = pd.DataFrame({
        "area": counts["area"], "year": counts["year"],
        "estimated_total": counts["person_id"] * 1.6, "estimated_low": counts["person_id"] * 1.1,
        "estimated_high": np.where(counts.index % 5 == 0, np.nan, counts["person_id"] * 3.0),
        "mse_lists": 3, "mse_model": "main effects + heterogeneity", "mse_note": "",
    })
    stats = area_stats(victims, high, areas, mse=mse)
    quality = pd.DataFrame({
        "agency": ["POL", "SC"] * 6, "area": np.repeat(areas["area"].iloc[:6], 2).to_numpy(),
        "records": rng.integers(2, 500, 12), "dob_complete": rng.random(12),
        "nhs_number_complete": rng.random(12), "postcode_complete": rng.random(12),
        "ethnicity_complete": rng.random(12) / 2, "ethnicity_not_stated": rng.random(12) / 5,
        "rows_read": rng.integers(3, 900, 12), "quarantined_share": rng.random(12) / 20,
        "duplicate_rate": rng.random(12) / 10, "lag_days_median": rng.integers(5, 90, 12),
        "lag_days_p90": rng.integers(90, 200, 12),
    })
    return stats, quality


def test_report_renders(tmp_path: Path) -> None:
    stats, quality = synthetic_stats()
    html, pdf, png = tmp_path / "r.html", tmp_path / "r.pdf", tmp_path / "png"
    write_report(stats, quality, html=html, pdf=pdf, png_dir=png)
    text = html.read_text()
    assert text.count("<svg") == 4
    for heading in ("funnel plot", "with 95% intervals", "Trends", "Hidden victims",
                    "Data quality", "Methods"):
        assert heading in text
    assert "not ranked" in text
    assert pdf.read_bytes()[:4] == b"%PDF"
    assert sorted(p.name for p in png.glob("*.png")) == [
        "funnel.png", "hidden.png", "quality.png", "trend.png"]
    # the areas table passes disclosure control: no count from 1 to 4 in the count columns
    body = text.split("with 95% intervals")[1].split("</table>")[0]
    cells = [c.split("</td>")[0] for c in body.split("<td>")[1:]]
    counts = cells[2::10]  # the 'identified' column
    assert all(c == "*" or c == "0" or int(c.replace(",", "")) >= 5 for c in counts)
