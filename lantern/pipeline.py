"""``lantern run``: a thin batch pipeline over the stages, writing the contract's outputs.

ingest -> resolve -> screen -> network -> national -> export. Each stage is a module
``lantern.<stage>.stage`` with ``run(engine, ...)`` and ``outputs(engine)``; each is also a
command of its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path
from types import ModuleType

import pandas as pd
from sqlalchemy import Engine

from lantern.contract import vocabulary

STAGES = ("resolve", "screen", "network", "national")


def stage_modules() -> list[ModuleType]:
    """The analytical stages, in the order the data flows through them."""
    return [import_module(f"lantern.{name}.stage") for name in STAGES]


def conform(name: str, frame: pd.DataFrame | None) -> pd.DataFrame:
    """The contract's columns first, in order; any extra columns after them."""
    columns = list(vocabulary().outputs[name])
    if frame is None:
        return pd.DataFrame(columns=columns)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing contract columns {missing}")
    extra = [c for c in frame.columns if c not in columns]
    return frame[columns + extra]


def write_outputs(engine: Engine, out: Path, modules: Sequence[ModuleType]) -> dict[str, int]:
    """Write every contract output file (header-only when no stage produced it)."""
    out.mkdir(parents=True, exist_ok=True)
    produced: dict[str, pd.DataFrame] = {}
    for module in modules:
        produced.update(module.outputs(engine))
    written = {}
    for name in vocabulary().outputs:
        frame = conform(name, produced.get(name))
        frame.to_csv(out / name, index=False, lineterminator="\n")
        written[name] = len(frame)
    return written


def run_stages(
    engine: Engine,
    *,
    options: dict[str, dict[str, object]] | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> dict[str, float]:
    """Run every analytical stage in order; returns seconds per stage."""
    timings = {}
    for module in stage_modules():
        name = module.__name__.split(".")[1]
        if on_stage:
            on_stage(name)
        started = time.perf_counter()
        module.run(engine, **(options or {}).get(name, {}))
        timings[name] = time.perf_counter() - started
    return timings
