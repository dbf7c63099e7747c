"""Coverage of the hidden-victim intervals on simulated worlds.

Each simulated area has a true number of child victims; each agency sees a
child with a probability that varies between children (a shared latent
visibility, so some children are seen by every agency and others by none) and
is correlated between agencies (police and social care share a second latent
factor: they refer to each other). The script reports, for each method, the
share of areas whose 95% interval covers the truth and the mean relative error
of the point estimate.

    .venv/bin/python bench/mse_coverage.py [--seeds 5] [--areas 20] [--boot 100]

When `lantern.simulate` is available it also scores the estimates of a full
`lantern run` on a simulated world against the world's truth (see `--world`).
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lantern.national.mse import Estimate, estimate_frame

AGENCIES = ("police", "social_care", "health", "education")


@dataclass(frozen=True)
class Scenario:
    """A family of worlds: base visibility per agency and the heterogeneity knobs."""

    name: str
    base: tuple[float, ...] = (0.35, 0.3, 0.2, 0.12)
    sigma: float = 1.0  # sd of the shared latent visibility (logit scale)
    tau: float = 0.8  # loading of the police/social-care shared factor
    n_min: int = 60
    n_max: int = 400


def simulate_table(rng: np.random.Generator, scenario: Scenario) -> tuple[pd.DataFrame, int]:
    """One area's capture-history table and its true number of victims."""
    n_true = int(rng.integers(scenario.n_min, scenario.n_max + 1))
    base = np.asarray(scenario.base)
    logit = np.log(base / (1 - base))
    z = rng.normal(size=(n_true, 1))
    w = rng.normal(size=(n_true, 1))
    loading = np.zeros(len(base))
    loading[:2] = scenario.tau
    eta = logit[None, :] + scenario.sigma * z + loading[None, :] * w
    seen = rng.random(eta.shape) < 1 / (1 + np.exp(-eta))
    names = list(AGENCIES[: len(base)])
    frame = pd.DataFrame(seen.astype(int), columns=names)
    frame = frame[frame.sum(axis=1) > 0]
    table = frame.value_counts().rename("count").reset_index()
    return table, n_true


METHODS: dict[str, dict[str, object]] = {
    "stepwise+profile": {"method": "stepwise", "interval": "profile"},
    "bic+profile": {"method": "bic", "interval": "profile"},
    "stepwise+bootstrap": {"method": "stepwise", "interval": "bootstrap"},
    "stepwise+both": {"method": "stepwise", "interval": "both"},
    "het+stepwise+profile": {"method": "stepwise", "interval": "profile", "heterogeneity": True},
    "het+stepwise05+profile": {
        "method": "stepwise", "interval": "profile", "heterogeneity": True, "pthresh": 0.05,
    },
    "het+stepwise10+profile": {
        "method": "stepwise", "interval": "profile", "heterogeneity": True, "pthresh": 0.1,
    },
    "het+bic+profile": {"method": "bic", "interval": "profile", "heterogeneity": True},
    "het+stepwise+bootstrap": {
        "method": "stepwise", "interval": "bootstrap", "heterogeneity": True,
    },
}


def run(seeds: int, areas: int, boot: int, scenarios: list[Scenario], methods: list[str]) -> None:
    rows = []
    for scenario, seed in itertools.product(scenarios, range(seeds)):
        rng = np.random.default_rng(seed)
        for area in range(areas):
            table, n_true = simulate_table(rng, scenario)
            for name in methods:
                opts = dict(METHODS[name])
                t0 = time.perf_counter()
                est = estimate_frame(table, n_boot=boot, seed=seed * 1000 + area, **opts)
                took = time.perf_counter() - t0
                value = est if isinstance(est, Estimate) else None
                rows.append(
                    {
                        "scenario": scenario.name,
                        "seed": seed,
                        "area": area,
                        "method": name,
                        "truth": n_true,
                        "observed": int(table["count"].sum()),
                        "estimate": value.estimate if value else math.nan,
                        "low": value.low if value else math.nan,
                        "high": value.high if value else math.nan,
                        "seconds": took,
                    }
                )
    res = pd.DataFrame(rows)
    res["covered"] = (res["low"] <= res["truth"]) & (res["truth"] <= res["high"])
    res["rel_error"] = (res["estimate"] - res["truth"]).abs() / res["truth"]
    res["rel_bias"] = (res["estimate"] - res["truth"]) / res["truth"]
    res["observed_share"] = res["observed"] / res["truth"]
    res["width"] = (res["high"] - res["low"]) / res["truth"]
    summary = res.groupby(["scenario", "method"]).agg(
        areas=("covered", "size"),
        coverage=("covered", "mean"),
        mean_rel_error=("rel_error", "mean"),
        mean_rel_bias=("rel_bias", "mean"),
        median_rel_width=("width", "median"),
        seen_share=("observed_share", "mean"),
        no_estimate=("estimate", lambda s: int(s.isna().sum())),
        secs_per_area=("seconds", "mean"),
    )
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(summary.round(3).to_string())


SCENARIOS = [
    Scenario("independent", sigma=0.0, tau=0.0),
    Scenario("heterogeneous", sigma=1.0, tau=0.0),
    Scenario("heterogeneous+correlated", sigma=1.0, tau=0.8),
    Scenario("sparse+correlated", base=(0.2, 0.15, 0.1, 0.06), n_min=30, n_max=300),
    Scenario("strongly heterogeneous", sigma=1.5, tau=0.8),
    Scenario("three lists", base=(0.3, 0.25, 0.15)),
]


def world_coverage(seeds: int, *, scale: float, areas: int, prevalence: float) -> None:
    """Coverage on `lantern.simulate` worlds: agencies' true lists of identified victims."""
    try:
        from lantern.simulate.config import WorldConfig
        from lantern.simulate.world import build_world
    except ImportError:
        print("lantern.simulate not available: world coverage skipped")
        return
    rows: list[dict[str, object]] = []
    if seeds < 1:
        return
    for seed in range(seeds):
        world = build_world(WorldConfig(scale=scale, areas=areas, seed=seed,
                                        years=(2012, 2013), prevalence=prevalence))
        victims = world.truth["victims.csv"]
        flags = [c for c in victims.columns if c.startswith("identified_by_")]
        for (area, year), block in victims.groupby(["area", "year"]):
            seen = block.loc[block["identified"], flags].astype(int)
            seen = seen.loc[:, seen.sum() > 0]
            row = {"seed": seed, "area": area, "year": year, "truth": len(block),
                   "observed": len(seen), "estimate": math.nan, "low": math.nan,
                   "high": math.nan}
            if seen.shape[1] >= 2 and len(seen):
                table = seen.value_counts().rename("count").reset_index()
                est = estimate_frame(table, heterogeneity=True)
                if isinstance(est, Estimate):
                    row.update(estimate=est.estimate, low=est.low, high=est.high)
            rows.append(row)
    res = pd.DataFrame(rows)
    res["covered"] = (res["low"] <= res["truth"]) & (res["truth"] <= res["high"])
    res["rel_error"] = (res["estimate"] - res["truth"]).abs() / res["truth"]
    print(f"simulated worlds (lantern.simulate, scale {scale}, {areas} areas, prevalence "
          f"{prevalence}, seeds 0-{seeds - 1}): {len(res)} area-years, "
          f"mean true victims {res['truth'].mean():.1f}, identified {res['observed'].mean():.1f}")
    print(f"  coverage {res['covered'].mean():.3f}  mean relative error "
          f"{res['rel_error'].mean():.3f}  no estimate {int(res['estimate'].isna().sum())}")


def run_output_coverage(run_out: str, truth: str) -> None:
    """Score a `lantern run` area_stats.csv against a simulated world's truth/area_year.csv."""
    stats = pd.read_csv(f"{run_out}/area_stats.csv")
    true = pd.read_csv(f"{truth}/area_year.csv")
    both = stats.merge(true, on=["area", "year"])
    # a blank upper limit next to an estimate means unbounded (older outputs)
    high = both["estimated_high"].where(both["estimated_total"].isna()
                                        | both["estimated_high"].notna(), np.inf)
    covered = (both["estimated_low"] <= both["true_victims"]) & (both["true_victims"] <= high)
    rel = (both["estimated_total"] - both["true_victims"]).abs() / both["true_victims"]
    col = "identified_children" if "identified_children" in both else "identified"
    ident = (both["children_identified"] == both[col]).mean()
    print(f"lantern run output {run_out}: {len(both)} area-years; coverage {covered.mean():.3f}; "
          f"mean relative error {rel.mean():.3f}; no estimate "
          f"{int(both['estimated_total'].isna().sum())}; children_identified equal to truth in "
          f"{ident:.0%} of area-years")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--areas", type=int, default=20)
    parser.add_argument("--boot", type=int, default=100)
    parser.add_argument("--methods", default="het+stepwise+profile,stepwise+profile")
    parser.add_argument("--scenarios", default="", help="comma-separated names (default all)")
    parser.add_argument("--world", action="store_true",
                        help="also score on lantern.simulate worlds (--world-scale, --world-areas)")
    parser.add_argument("--world-scale", type=float, default=0.01)
    parser.add_argument("--world-areas", type=int, default=10)
    parser.add_argument("--world-prevalence", type=float, default=3.0)
    parser.add_argument("--run-out", help="a `lantern run --out` folder to score")
    parser.add_argument("--truth", help="the simulated world's truth/ folder for --run-out")
    parser.add_argument("--only-world", action="store_true", help="skip the numpy worlds")
    args = parser.parse_args(argv)
    if args.run_out and args.truth:
        run_output_coverage(args.run_out, args.truth)
    if args.world or args.only_world:
        world_coverage(args.seeds, scale=args.world_scale, areas=args.world_areas,
                       prevalence=args.world_prevalence)
    if args.only_world:
        return 0
    wanted = [s for s in SCENARIOS if not args.scenarios or s.name in args.scenarios.split(",")]
    run(args.seeds, args.areas, args.boot, wanted, args.methods.split(","))
    return 0


if __name__ == "__main__":
    sys.exit(main())
