"""Presenting scores: a readable table, or one JSON object."""

from __future__ import annotations

import json
import math
from typing import Any

from rich.table import Table

SECTION_TITLES = {
    "linkage": "Linkage",
    "victims": "Victims",
    "groups": "Groups",
    "counts": "Counts",
    "hidden": "Hidden victims",
    "missed": "Missed opportunities",
}
SECTION_LABELS = {
    ("linkage", "precision"): "pairwise precision",
    ("linkage", "recall"): "pairwise recall",
    ("linkage", "f1"): "pairwise F1",
    ("hidden", "mean_relative_error"): "mean relative error of the estimated total",
}
LABELS = {
    "precision": "precision",
    "recall": "recall",
    "recall_high": "recall at high risk",
    "recall_medium_or_above": "recall at medium or above",
    "precision_high": "precision of high risk",
    "ari": "adjusted Rand index (members the records tie to their group)",
    "ari_all_members": "adjusted Rand index (every member with a record)",
    "nmi": "normalised mutual information",
    "offender_recall": "offenders placed in a group",
    "cross_area_recall": "cross-area groups recovered (both areas in the records)",
    "cross_area_recall_all": "cross-area groups recovered (all)",
    "mae": "mean absolute error (identified per area-year)",
    "mean_relative_error": "mean relative error",
    "exact_share": "area-years exactly right",
    "coverage": "95% interval coverage",
    "estimated_share": "area-years with an estimate",
}
# Headline measures shown in the table; the rest are counts shown alongside.
HEADLINES = {
    "linkage": ("precision", "recall", "f1"),
    "victims": ("recall_high", "recall_medium_or_above", "precision_high"),
    "groups": (
        "ari",
        "ari_all_members",
        "nmi",
        "offender_recall",
        "cross_area_recall",
        "cross_area_recall_all",
    ),
    "counts": ("mae", "mean_relative_error", "exact_share"),
    "hidden": ("coverage", "mean_relative_error", "estimated_share"),
    "missed": ("recall", "precision"),
}


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def to_json(scores: dict[str, dict[str, Any]]) -> str:
    return json.dumps(
        {s: {k: _clean(v) for k, v in m.items()} for s, m in scores.items()},
        indent=2,
        sort_keys=True,
    )


def _fmt(value: Any) -> str:
    if value is None:
        return "[dim]not available[/]"
    if isinstance(value, float):
        return f"{value:.3f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def to_table(scores: dict[str, dict[str, Any]], *, title: str = "Run against truth") -> Table:
    table = Table(title=title)
    table.add_column("what")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for section, measures in scores.items():
        heads = HEADLINES.get(section, tuple(measures))
        for i, key in enumerate(heads):
            table.add_row(
                SECTION_TITLES.get(section, section) if i == 0 else "",
                SECTION_LABELS.get((section, key), LABELS.get(key, key)),
                _fmt(measures.get(key)),
            )
        extra = ", ".join(
            f"{k.replace('_', ' ')} {_fmt(v)}"
            for k, v in measures.items()
            if k not in heads and v is not None
        )
        if extra:
            table.add_row("", f"[dim]based on {extra}[/]", "")
        table.add_section()
    return table
