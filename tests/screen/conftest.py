"""Fixtures for the screening tests (builders live in ``screen_world.py``)."""

from __future__ import annotations

import pytest

from tests.screen.screen_world import World


@pytest.fixture
def world() -> World:
    return World()
