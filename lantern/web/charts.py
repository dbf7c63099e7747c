"""Chart geometry for server-rendered SVG (no script, no inline style): pure functions
from figures to coordinates that the templates draw."""

from __future__ import annotations

from typing import Any

W, H = 760, 400
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 16, 48


def _scale(lo: float, hi: float, a: float, b: float):  # type: ignore[no-untyped-def]
    span = (hi - lo) or 1.0
    return lambda v: a + (v - lo) / span * (b - a)


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        return [lo]
    step = (hi - lo) / n
    magnitude = 10 ** len(str(int(step))) / 10 if step >= 1 else 0.1
    for nice in (1, 2, 2.5, 5, 10):
        if step <= nice * magnitude:
            step = nice * magnitude
            break
    start = (lo // step) * step
    ticks, v = [], start
    while v <= hi + 1e-9:
        if v >= lo - 1e-9:
            ticks.append(round(v, 6))
        v += step
    return ticks


def funnel_chart(data: dict[str, Any]) -> dict[str, Any] | None:
    """Funnel plot geometry: limit lines, the national rate, one point per area."""
    points = [p for p in data.get("points", []) if p.get("population") and p.get("rate")
              is not None]
    curve = data.get("curve", [])
    rate = data.get("national_rate")
    if not points or not curve or rate is None:
        return None
    xs = [p["population"] for p in points] + [c["population"] for c in curve]
    ys = [p["rate"] for p in points] + [
        v for c in curve for k, v in c.items() if k != "population" and v is not None]
    x_hi, y_hi = max(xs), max(ys) * 1.08
    sx = _scale(0, x_hi, LEFT, W - RIGHT)
    sy = _scale(0, y_hi, H - BOTTOM, TOP)

    def line(key: str) -> str:
        return " ".join(f"{sx(c['population']):.1f},{sy(min(c[key], y_hi)):.1f}"
                        for c in curve if c.get(key) is not None)

    return {
        "w": W, "h": H, "left": LEFT, "bottom": H - BOTTOM, "right": W - RIGHT, "top": TOP,
        "lines": {
            "limit95": [line("lower_95"), line("upper_95")],
            "limit998": [line("lower_99_8"), line("upper_99_8")],
        },
        "mean": {"x1": sx(0), "x2": sx(x_hi), "y": sy(rate)},
        "points": [
            {**p, "x": round(sx(p["population"]), 1), "y": round(sy(p["rate"]), 1)}
            for p in points
        ],
        "xticks": [{"v": t, "x": round(sx(t), 1)} for t in _ticks(0, x_hi)],
        "yticks": [{"v": t, "y": round(sy(t), 1)} for t in _ticks(0, y_hi)],
    }


def trend_chart(rows: list[dict[str, Any]], key: str = "national_rate") -> dict[str, Any] | None:
    """A line of one yearly figure (the national rate by default)."""
    data = [r for r in rows if r.get(key) is not None]
    if len(data) < 1:
        return None
    years = [r["year"] for r in data]
    values = [r[key] for r in data]
    y_hi = max(values) * 1.15 or 1.0
    sx = _scale(min(years) - 0.5, max(years) + 0.5, LEFT, W - RIGHT)
    sy = _scale(0, y_hi, 260 - BOTTOM, TOP)
    pts = [{"x": round(sx(y), 1), "y": round(sy(v), 1), "year": y, "v": v}
           for y, v in zip(years, values, strict=True)]
    return {
        "w": W, "h": 260, "left": LEFT, "bottom": 260 - BOTTOM, "right": W - RIGHT,
        "top": TOP, "path": " ".join(f"{p['x']},{p['y']}" for p in pts), "points": pts,
        "yticks": [{"v": t, "y": round(sy(t), 1)} for t in _ticks(0, y_hi)],
    }
