"""A tiny world, generated once per test session for the simulate tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from lantern.simulate.world import WorldSummary, tiny_world


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, WorldSummary]:
    out = tmp_path_factory.mktemp("world")
    return out, tiny_world(out, seed=7)
