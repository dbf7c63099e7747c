"""Build a synthetic world with known truth and write it out (``lantern simulate``).

The same seed gives byte-identical files: every draw comes from numpy Generators seeded
from the one seed, outputs are sorted, and ``extracted_at`` is derived from the year.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lantern.simulate.areas import build_agencies, build_areas
from lantern.simulate.config import WorldConfig
from lantern.simulate.events import EventBuilder
from lantern.simulate.ordinary import hard_negative_footprints, ordinary_footprints
from lantern.simulate.population import Population, build_population
from lantern.simulate.records import Recorded, record_world
from lantern.simulate.truth import truth_tables
from lantern.simulate.victims import (
    build_lookup,
    offender_footprints,
    parent_lookup,
    victim_footprints,
)
from lantern.simulate.writer import write_areas, write_submissions, write_truth

FORMAT_VERSION = "1"


@dataclass
class World:
    """A generated world in memory: areas, agencies, the true population and the records."""

    config: WorldConfig
    areas: pd.DataFrame
    agencies: pd.DataFrame
    population: Population
    recorded: Recorded
    truth: dict[str, pd.DataFrame]


@dataclass
class WorldSummary:
    """What was written, for the CLI and benchmarks."""

    out: Path
    areas: int
    children: int
    submissions: int
    person_records: int
    events: int
    links: int
    true_victims: int
    groups: int
    bad_rows: int
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)


def build_world(cfg: WorldConfig, *, on_step: Callable[[str], None] | None = None) -> World:
    """The whole world in memory (pure: no files)."""
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(cfg.seed).spawn(5)]
    step = on_step or (lambda _: None)
    step("areas")
    areas = build_areas(cfg, streams[0])
    agencies = build_agencies(areas)
    step("population")
    pop = build_population(cfg, streams[1], areas)
    step("events")
    eb = EventBuilder(streams[2])
    parents = parent_lookup(pop.persons)
    years = tuple(cfg.years)
    ordinary_footprints(eb, pop.persons, parents, years)
    hard_negative_footprints(eb, pop.persons, parents, years)
    lookup = build_lookup(pop)
    victim_footprints(eb, pop, lookup, parents, years)
    offender_footprints(eb, pop, lookup, years)
    events, links = eb.frames()
    step("records")
    rec = record_world(streams[3], pop, events, links, agencies, areas)
    step("truth")
    truth = truth_tables(pop, rec, areas, years)
    return World(cfg, areas, agencies, pop, rec, truth)


def generate(
    out: Path | str,
    *,
    scale: float = 0.02,
    areas: int | None = None,
    seed: int = 0,
    years: tuple[int, ...] = (2012, 2013),
    bad_rows: float = 0.0,
    prevalence: float = 1.0,
    on_step: Callable[[str], None] | None = None,
) -> WorldSummary:
    """Generate a world and write ``areas.csv``, ``submissions/`` and ``truth/`` under ``out``."""
    out = Path(out)
    cfg = WorldConfig(
        scale=scale,
        areas=areas,
        seed=seed,
        years=tuple(years),
        bad_rows=bad_rows,
        prevalence=prevalence,
    )
    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}
    clock: list[float] = [time.perf_counter(), time.process_time()]
    current = [""]

    def step(name: str) -> None:
        now, now_cpu = time.perf_counter(), time.process_time()
        if current[0]:
            seconds[current[0]] = round(now - clock[0], 3)
            cpu[current[0]] = round(now_cpu - clock[1], 3)
        clock[:] = [now, now_cpu]
        current[0] = name
        if on_step and name:
            on_step(name)

    world = build_world(cfg, on_step=step)
    step("write")
    if (out / "truth" / "world.json").exists():  # replace an earlier world, never mix two
        for part in ("submissions", "truth"):
            shutil.rmtree(out / part, ignore_errors=True)
    write_areas(out, world.areas)
    bad_rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(6)[5])
    n_sub, faults = write_submissions(
        out, world.recorded, world.agencies, world.areas, cfg.years, bad_rows=bad_rows, rng=bad_rng
    )
    tables = dict(world.truth)
    if bad_rows > 0:
        tables["bad_rows.csv"] = faults
    meta = {"format": FORMAT_VERSION, **asdict(cfg)}
    meta["years"] = list(cfg.years)
    write_truth(out, tables, meta)
    step("")
    return WorldSummary(
        out=out,
        areas=len(world.areas),
        children=int(world.areas.child_population.sum()),
        submissions=n_sub,
        person_records=len(world.recorded.person_truth),
        events=len(world.recorded.events),
        links=len(world.recorded.links),
        true_victims=int((world.population.persons.kind == "victim").sum()),
        groups=len(world.population.groups),
        bad_rows=len(faults),
        seconds=seconds,
        cpu_seconds=cpu,
    )


def tiny_world(out: Path | str, *, seed: int = 0, bad_rows: float = 0.0) -> WorldSummary:
    """A world of a few hundred records in two areas for fast tests (about a second).

    Prevalence is raised tenfold so that even this small world has several offender groups,
    identified and hidden victims, and missed opportunities.
    """
    return generate(
        out,
        scale=0.0004,
        areas=2,
        seed=seed,
        years=(2012, 2013),
        bad_rows=bad_rows,
        prevalence=10.0,
    )
