"""Fixtures for the API tests: a small world loaded through ingest and every stage, one
account per role, and a TestClient per role (bearer tokens)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lantern.access.users import issue_token
from lantern.api.app import create_app

HERE = Path(__file__).parent


def load_smallworld() -> object:
    spec = importlib.util.spec_from_file_location("lantern_smallworld", HERE / "smallworld.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["lantern_smallworld"] = module
    spec.loader.exec_module(module)
    return module


smallworld = load_smallworld()


@pytest.fixture(scope="session")
def world() -> object:
    """The small world's module: its SECRETS and ACCOUNTS."""
    return smallworld


@pytest.fixture(scope="session")
def world_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    root = tmp_path_factory.mktemp("world")
    engine = smallworld.build_world_store(  # type: ignore[attr-defined]
        f"sqlite:///{root / 'lantern.db'}", root / "input")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def world_app(world_engine: Engine):  # type: ignore[no-untyped-def]
    return create_app(world_engine, secret="test-secret")


@pytest.fixture(scope="session")
def tokens(world_engine: Engine) -> dict[str, str]:
    return {
        role: issue_token(world_engine, username=username, kind="api", name="tests")
        for role, (username, _r, _a) in smallworld.ACCOUNTS.items()  # type: ignore[attr-defined]
    }


@pytest.fixture(scope="session")
def clients(world_app, tokens: dict[str, str]) -> dict[str, TestClient]:  # type: ignore[no-untyped-def]
    return {
        role: TestClient(world_app, headers={"Authorization": f"Bearer {token}"})
        for role, token in tokens.items()
    }


@pytest.fixture(scope="session")
def person_ids(world_engine: Engine) -> dict[str, str]:
    """person_id of the world's people by name: amy, mark, bella."""
    from lantern.resolve.stage import person_identities

    ids = person_identities(world_engine)
    by_ref = {(a, r): p for a, r, p in zip(ids["agency"], ids["person_ref"], ids["person_id"],
                                           strict=True)}
    return {"amy": by_ref[("NTP", "C1")], "mark": by_ref[("NTP", "A1")],
            "bella": by_ref[("STP", "B9")]}


@pytest.fixture(scope="session")
def group_id(world_engine: Engine) -> str:
    """The small world's offender group (Mark Smith and Craig Dunn)."""
    from lantern.network.service import list_groups

    groups = list_groups(world_engine)
    assert len(groups) == 1, groups
    return str(groups["group_id"].iloc[0])
