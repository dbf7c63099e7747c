"""A synthetic national world with known truth (``lantern simulate``); see docs/simulation.md.

``generate(out, *, scale, areas, seed, years, bad_rows, prevalence)`` writes a world;
``build_world(WorldConfig(...))`` returns one in memory; ``tiny_world(out, *, seed,
bad_rows)`` writes a two-area world of about a thousand records for fast tests.
"""

from lantern.simulate.config import WorldConfig
from lantern.simulate.world import World, WorldSummary, build_world, generate, tiny_world

__all__ = ["World", "WorldConfig", "WorldSummary", "build_world", "generate", "tiny_world"]
