"""Generation time of the synthetic world (``lantern simulate``) at several scales.

Writes each world to a temporary folder (deleted afterwards) and prints, per scale, the
wall-clock and CPU seconds by step and what was produced. Scale 1 is England-sized
(~12 million children, 150 areas) and must take under 5 minutes.

    .venv/bin/python bench/simulate.py                      # scales 0.02, 0.1 and 1
    .venv/bin/python bench/simulate.py --scales 0.02 0.1    # quicker
    .venv/bin/python bench/simulate.py --keep /tmp/worlds   # keep the worlds
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from lantern.simulate.world import generate


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[0.02, 0.1, 1.0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, default=None, help="keep the worlds here")
    args = parser.parse_args()
    print(f"cores available: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    header = (
        f"{'scale':>6} {'areas':>5} {'children':>11} {'records':>10} {'events':>10} "
        f"{'links':>10} {'victims':>8} {'MB':>7} {'wall s':>7} {'cpu s':>7}"
    )
    print(header)
    for scale in args.scales:
        root = args.keep or Path(tempfile.mkdtemp(prefix="lantern-sim-"))
        out = root / f"scale-{scale:g}"
        started, cpu = time.perf_counter(), time.process_time()
        s = generate(out, scale=scale, seed=args.seed)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        size = folder_bytes(out) / 1e6
        print(
            f"{scale:>6g} {s.areas:>5} {s.children:>11,} {s.person_records:>10,} "
            f"{s.events:>10,} {s.links:>10,} {s.true_victims:>8,} {size:>7.0f} "
            f"{wall:>7.1f} {cpu:>7.1f}"
        )
        steps = ", ".join(
            f"{k} {v:.1f}/{s.cpu_seconds.get(k, 0):.1f}" for k, v in s.seconds.items()
        )
        print(f"       steps (wall/cpu s): {steps}")
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
