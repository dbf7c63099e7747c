"""The national report: HTML (inline SVG charts) and PDF (matplotlib), offline.

Every table and chart is drawn from disclosure-controlled figures: areas whose
count is suppressed are left out of the charts and shown as `*` in tables.
Areas are listed alphabetically with intervals, never ranked.
"""

from __future__ import annotations

import html
import io
import math
from datetime import UTC, datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from lantern.national.funnel import funnel_limits  # noqa: E402
from lantern.national.hub import publishable_area_stats, publishable_quality  # noqa: E402
from lantern.national.sdc import SdcConfig, default_config, round_total  # noqa: E402

FLAG_COLOURS = {"within": "#4d4d4d", "above": "#c0392b", "below": "#2471a3"}

METHODS_TEXT = [
    ("Identified victims",
     "A child (under 18 on the event date) whom some agency linked as a victim to a crime "
     "report, disclosure or strategy meeting, or to an event carrying a CSE concern, a "
     "disclosure or sexual activity with a child; counted once per area and year after "
     "identity resolution."),
    ("Rates and intervals",
     "Rates per 10,000 resident children with exact (Garwood) Poisson 95% intervals. Change "
     "is against the same area's previous year."),
    ("Funnel plot",
     "Each area's rate against the national rate of the year with exact Poisson control "
     "limits (Spiegelhalter 2005) at 95% and 99.8%. Areas beyond the 99.8% limits are "
     "flagged above or below; an area inside them is not distinguishable from the national "
     "rate. Low figures may reflect poor recording: read them with the data-quality table."),
    ("Hidden victims",
     "Multiple systems estimation from the overlap of agencies' lists of identified children "
     "(log-linear Poisson models with a capture-heterogeneity term, interactions chosen "
     "stepwise as in SparseMSE, existence and identifiability checked; profile-likelihood 95% "
     "intervals). On simulated worlds with heterogeneous, correlated agencies these intervals "
     "covered the true number in at least 85% of areas. No estimate is shown when the lists "
     "overlap too little."),
    ("Disclosure control",
     "Counts from 1 to 4 are suppressed, with secondary suppression so that no suppressed "
     "value can be worked out from totals; rates and estimates of suppressed cells are "
     "withheld; national totals are rounded to the nearest 5."),
    ("Ethnicity",
     "Reported only as the completeness of recording; never used for any figure or flag."),
]


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    text = buf.getvalue()
    return text[text.find("<svg"):]


def _num(value: object, digits: int = 0) -> str:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "*"
    if math.isnan(v):
        return "*"
    return f"{v:,.{digits}f}"


def _interval(low: object, high: object, digits: int = 1) -> str:
    lo, hi = _num(low, digits), _num(high, digits)
    if hi == "inf":
        hi = "unbounded"
    if lo == "*" and hi == "*":
        return ""
    return f"{lo} to {hi if hi != '*' else 'unbounded'}"


def funnel_figure(stats: pd.DataFrame, year: int) -> Figure:
    """Funnel plot of identified-victim rates for one year (suppressed areas omitted)."""
    block = stats[stats["year"] == year]
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    shown = block[pd.to_numeric(block["rate_per_10k"], errors="coerce").notna()]
    national = float(pd.to_numeric(block["national_rate"], errors="coerce").dropna().iloc[0]) \
        if block["national_rate"].notna().any() else 0.0
    pops = pd.to_numeric(block["child_population"], errors="coerce").dropna()
    if len(pops) and national > 0:
        grid = np.linspace(max(pops.min() * 0.5, 100), pops.max() * 1.2, 300)
        lim = funnel_limits(grid, national)
        ax.plot(grid, lim["upper_95"], color="#7f8c8d", lw=1, ls="--", label="95% limits")
        ax.plot(grid, lim["lower_95"], color="#7f8c8d", lw=1, ls="--")
        ax.plot(grid, lim["upper_99_8"], color="#2c3e50", lw=1.2, label="99.8% limits")
        ax.plot(grid, lim["lower_99_8"], color="#2c3e50", lw=1.2)
        ax.axhline(national, color="#27ae60", lw=1, label=f"national rate {national:.2f}")
    for _, row in shown.iterrows():
        colour = FLAG_COLOURS.get(str(row["funnel"]), "#4d4d4d")
        ax.scatter(float(row["child_population"]), float(row["rate_per_10k"]), s=28,
                   color=colour, zorder=3)
        ax.annotate(str(row["area"]), (float(row["child_population"]),
                                       float(row["rate_per_10k"])),
                    xytext=(4, 3), textcoords="offset points", fontsize=7)
    for flag in ("above", "below"):
        if (shown["funnel"] == flag).any():
            ax.scatter([], [], color=FLAG_COLOURS[flag], s=28, label=f"{flag} 99.8% limit")
    hidden = len(block) - len(shown)
    title = f"Identified child victims per 10,000 children, {year}"
    ax.set_title(title + (f" ({hidden} areas not shown: small numbers)" if hidden else ""),
                 fontsize=10)
    ax.set_xlabel("resident children (0-17)")
    ax.set_ylabel("rate per 10,000")
    ax.set_ylim(bottom=0, top=ax.get_ylim()[1] * 1.15)  # headroom: no point on the edge
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def trend_figure(stats: pd.DataFrame, config: SdcConfig) -> Figure:
    """National rate by year, with each area's rate faint behind it."""
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    for _, block in stats.groupby("area"):
        rates = pd.to_numeric(block["rate_per_10k"], errors="coerce")
        ax.plot(block["year"], rates, color="#bdc3c7", lw=0.8, marker=".", ms=3)
    nat = stats.groupby("year")["national_rate"].first()
    ax.plot(nat.index, nat.to_numpy(), color="#c0392b", lw=2, marker="o", label="national rate")
    ax.set_title("Trend: identified child victims per 10,000 children", fontsize=10)
    ax.set_xlabel("year")
    ax.set_ylabel("rate per 10,000")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def hidden_figure(stats: pd.DataFrame, year: int) -> Figure:
    """Identified children and the estimated total with its interval, per area."""
    block = stats[(stats["year"] == year)].sort_values("area")
    est = pd.to_numeric(block["estimated_total"], errors="coerce")
    lo = pd.to_numeric(block["estimated_low"], errors="coerce")
    hi = pd.to_numeric(block["estimated_high"], errors="coerce")
    hi = hi.where(np.isfinite(hi), np.nan)  # an unbounded upper limit is drawn as an arrow
    ided = pd.to_numeric(block["children_identified"], errors="coerce")
    y = np.arange(len(block))
    fig, ax = plt.subplots(figsize=(7.5, max(2.5, 0.32 * len(block) + 1.2)))
    ok = est.notna().to_numpy()
    top = np.where(hi.notna(), hi, est * 10)
    ax.errorbar(est[ok], y[ok], xerr=[(est - lo)[ok], (top - est)[ok]], fmt="o",
                color="#8e44ad", ecolor="#8e44ad", capsize=3, label="estimated total (95%)")
    open_ended = ok & hi.isna().to_numpy()
    if open_ended.any():
        ax.scatter(top[open_ended], y[open_ended], marker=">", color="#8e44ad",
                   label="no finite upper limit")
    ax.scatter(ided, y, marker="s", color="#2c3e50", s=18, label="identified", zorder=3)
    positive = pd.concat([ided[ided > 0], pd.Series(top[ok])])
    if len(positive):
        ax.set_xscale("log")
        ax.set_xlim(max(positive.min() * 0.7, 0.8), positive.max() * 1.5)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_yticks(y, [f"{a}" + ("" if k else " (no estimate)")
                      for a, k in zip(block["area"], ok, strict=True)], fontsize=7)
    ax.set_xlabel("children (log scale)")
    ax.set_title(f"Hidden victims: identified and estimated total, {year}", fontsize=10)
    ax.set_ylim(len(block) - 0.5, -0.5)
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.legend(*ax.get_legend_handles_labels(), loc="lower center", ncol=3, fontsize=8,
               frameon=False)
    return fig


def quality_figure(quality: pd.DataFrame) -> Figure:
    """Completeness of key fields by agency type and area."""
    cols = ["dob_complete", "nhs_number_complete", "postcode_complete", "ethnicity_complete"]
    q = quality.copy()
    for c in cols:
        q[c] = pd.to_numeric(q[c], errors="coerce")
    labels = (q["area"].astype(str) + " " + q["agency"].astype(str)).tolist()
    fig, ax = plt.subplots(figsize=(7.5, max(2.5, 0.22 * len(q) + 1.2)))
    mat = q[cols].to_numpy(dtype=float)
    im = ax.imshow(mat, aspect="auto", cmap="RdYlGn", vmin=0, vmax=1)
    ax.set_xticks(range(len(cols)), ["date of birth", "NHS number", "postcode", "ethnicity"],
                  fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=6)
    for (i, j), v in np.ndenumerate(mat):
        if np.isfinite(v):
            ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=6,
                    color="white" if v < 0.25 or v > 0.85 else "black")
    fig.colorbar(im, ax=ax, label="share of records complete")
    ax.set_title("Recording completeness by agency and area", fontsize=10)
    fig.tight_layout()
    return fig


def area_table(stats: pd.DataFrame, year: int) -> pd.DataFrame:
    block = stats[stats["year"] == year].sort_values("area")
    return pd.DataFrame({
        "area": block["area"],
        "children (0-17)": [_num(v) for v in block["child_population"]],
        "identified": [_num(v) for v in block["children_identified"]],
        "rate per 10,000": [_num(v, 2) for v in block["rate_per_10k"]],
        "95% interval": [_interval(a, b, 2) for a, b in zip(block["rate_low"],
                                                           block["rate_high"], strict=True)],
        "funnel": block["funnel"].fillna(""),
        "change": [_num(v, 2) for v in block["rate_change"]],
        "high risk": [_num(v) for v in block["children_high_risk"]],
        "estimated total": [_num(v) for v in block["estimated_total"]],
        "estimate 95%": [_interval(a, b, 0) for a, b in zip(block["estimated_low"],
                                                           block["estimated_high"], strict=True)],
    })


def national_table(stats: pd.DataFrame, config: SdcConfig) -> pd.DataFrame:
    rows = []
    for year, block in stats.groupby("year"):
        rows.append({
            "year": int(str(year)),
            "identified (rounded)": _num(round_total(float(block["children_identified"].sum()),
                                                     config)),
            "high risk (rounded)": _num(round_total(float(block["children_high_risk"].sum()),
                                                    config)),
            "national rate per 10,000": _num(block["national_rate"].iloc[0], 2),
        })
    return pd.DataFrame(rows)


def quality_table(quality: pd.DataFrame) -> pd.DataFrame:
    def pct(v: object) -> str:
        n = _num(v, 3)
        return "*" if n == "*" else f"{float(n) * 100:.0f}%"

    q = quality.sort_values(["area", "agency"])
    return pd.DataFrame({
        "area": q["area"], "agency": q["agency"], "records": [_num(v) for v in q["records"]],
        "dob": [pct(v) for v in q["dob_complete"]],
        "NHS no.": [pct(v) for v in q["nhs_number_complete"]],
        "postcode": [pct(v) for v in q["postcode_complete"]],
        "ethnicity": [pct(v) for v in q["ethnicity_complete"]],
        "quarantined": [pct(v) for v in q["quarantined_share"]],
        "duplicates": [pct(v) for v in q["duplicate_rate"]],
        "median lag (days)": [_num(v) for v in q["lag_days_median"]],
    })


def _html_table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


CSS = """
body{font-family:Georgia,serif;max-width:60rem;margin:2rem auto;color:#222;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem} h2{font-size:1.25rem;border-bottom:1px solid #ccc;
margin-top:2rem} table{border-collapse:collapse;font-family:Helvetica,Arial,sans-serif;
font-size:.78rem;width:100%} th,td{border-bottom:1px solid #e3e3e3;padding:.25rem .4rem;
text-align:right} th:first-child,td:first-child,th:nth-child(2),td:nth-child(2){text-align:left}
th{background:#f4f4f4} .note{color:#555;font-size:.85rem} svg{max-width:100%;height:auto}
"""


def build_figures(stats: pd.DataFrame, quality: pd.DataFrame,
                  config: SdcConfig) -> dict[str, Figure]:
    year = int(stats["year"].max())
    return {
        "funnel": funnel_figure(stats, year),
        "trend": trend_figure(stats, config),
        "hidden": hidden_figure(stats, year),
        "quality": quality_figure(quality) if len(quality) else plt.figure(figsize=(2, 1)),
    }


def write_report(
    stats: pd.DataFrame,
    quality: pd.DataFrame,
    *,
    html: Path,
    pdf: Path | None = None,
    png_dir: Path | None = None,
    config: SdcConfig | None = None,
) -> None:
    """Write the HTML report (and PDF, and PNGs of each chart if asked) from raw figures."""
    cfg = config or default_config()
    for target in (html, pdf, png_dir):
        if target is not None:
            (target if target == png_dir else target.parent).mkdir(parents=True, exist_ok=True)
    safe = publishable_area_stats(stats, cfg)
    safe_quality = publishable_quality(quality, cfg)
    year = int(safe["year"].max())
    figures = build_figures(safe, safe_quality, cfg)
    tables = {
        "national": national_table(stats, cfg),
        "areas": area_table(safe, year),
        "quality": quality_table(safe_quality),
    }
    _write_html(html, figures, tables, year)
    if pdf is not None:
        _write_pdf(pdf, figures, tables, year)
    if png_dir is not None:
        png_dir.mkdir(parents=True, exist_ok=True)
        for name, fig in figures.items():
            fig.savefig(png_dir / f"{name}.png", dpi=110, bbox_inches="tight")
    for fig in figures.values():
        plt.close(fig)


def _write_html(path: Path, figures: dict[str, Figure], tables: dict[str, pd.DataFrame],
                year: int) -> None:
    now = datetime.now(UTC).strftime("%d %B %Y")
    methods = "".join(f"<p><b>{html.escape(t)}.</b> {html.escape(s)}</p>" for t, s in
                      METHODS_TEXT)
    doc = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Lantern national report</title><style>{CSS}</style></head><body>
<h1>Child sexual exploitation: the national picture</h1>
<p class="note">Lantern national report, produced {now}. Official-sensitive statistics after
disclosure control: * marks a suppressed value; national totals are rounded to the nearest 5.</p>
<h2>National figures</h2>{_html_table(tables["national"])}
<h2>Areas compared: funnel plot, {year}</h2>{_svg(figures["funnel"])}
<p class="note">Points outside the solid lines (99.8%) differ from the national rate by more
than chance would explain; a low rate may reflect poor recording (see data quality).</p>
<h2>Areas, {year}, with 95% intervals</h2>
<p class="note">Alphabetical, not ranked: overlapping intervals mean areas cannot be told
apart.</p>{_html_table(tables["areas"])}
<h2>Trends</h2>{_svg(figures["trend"])}
<h2>Hidden victims</h2>{_svg(figures["hidden"])}
<p class="note">The estimated total includes identified children; its interval is wide where
agencies' lists overlap little.</p>
<h2>Data quality</h2>{_svg(figures["quality"])}{_html_table(tables["quality"])}
<h2>Methods</h2>{methods}
</body></html>
"""
    path.write_text(doc, "utf-8")


def _table_page(pdf: PdfPages, title: str, frame: pd.DataFrame) -> None:
    rows_per_page = 32
    for start in range(0, max(len(frame), 1), rows_per_page):
        part = frame.iloc[start:start + rows_per_page]
        fig = plt.figure(figsize=(11.7, 8.3))
        fig.suptitle(title, fontsize=13, x=0.05, ha="left")
        ax = fig.add_axes((0.03, 0.03, 0.94, 0.88))
        ax.axis("off")
        if len(part):
            cells = [[str(v) for v in row] for row in part.itertuples(index=False)]
            tab = ax.table(cellText=cells, colLabels=[str(c) for c in part.columns],
                           loc="upper center", cellLoc="right", colLoc="right")
            tab.auto_set_font_size(False)
            tab.set_fontsize(7.5)
            tab.scale(1, 1.25)
        pdf.savefig(fig)
        plt.close(fig)


def _write_pdf(path: Path, figures: dict[str, Figure], tables: dict[str, pd.DataFrame],
               year: int) -> None:
    with PdfPages(path) as pdf:
        cover = plt.figure(figsize=(11.7, 8.3))
        cover.text(0.05, 0.9, "Child sexual exploitation: the national picture", fontsize=20)
        cover.text(0.05, 0.85, "Lantern national report - statistics after disclosure control "
                   "(* suppressed; national totals rounded to 5)", fontsize=10, color="#555")
        y = 0.76
        for title, text in METHODS_TEXT:
            cover.text(0.05, y, title, fontsize=10, weight="bold")
            wrapped = _wrap(text, 150)
            cover.text(0.05, y - 0.025, wrapped, fontsize=8.5, va="top")
            y -= 0.06 + 0.022 * wrapped.count("\n") + 0.035
        pdf.savefig(cover)
        plt.close(cover)
        _table_page(pdf, "National figures", tables["national"])
        for name in ("funnel", "trend", "hidden"):
            pdf.savefig(figures[name], bbox_inches="tight")
        _table_page(pdf, f"Areas, {year}, with 95% intervals (alphabetical, not ranked)",
                    tables["areas"])
        pdf.savefig(figures["quality"], bbox_inches="tight")
        _table_page(pdf, "Data quality by agency and area", tables["quality"])


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))
