"""Schemathesis against the OpenAPI schema: no input makes the API fail with a 5xx.

Runs on its own copy of the small world (fuzzing writes: users, tokens, uploads,
decisions), as an analyst (most data routes) and as an admin (users and tokens).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine

from lantern.access.users import issue_token
from lantern.api.app import create_app

pytestmark = pytest.mark.slow
EXAMPLES = 25


@pytest.fixture(scope="module")
def fuzz_engine(tmp_path_factory: pytest.TempPathFactory, world: Any) -> Iterator[Engine]:
    root = tmp_path_factory.mktemp("fuzz")
    engine = world.build_world_store(f"sqlite:///{root / 'lantern.db'}", root / "input")
    yield engine
    engine.dispose()


def test_no_server_errors(fuzz_engine: Engine) -> None:
    app = create_app(fuzz_engine, secret="fuzz")
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            for username in ("ann", "adm"):
                token = issue_token(fuzz_engine, username=username, kind="api", name="fuzz")
                try:
                    response = case.call(headers={"Authorization": f"Bearer {token}"})
                except Exception as exc:  # noqa: BLE001 - an unhandled error is a 500
                    failures.append(f"{case.method} {case.path} raised {exc!r:.300}")
                    continue
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.path} -> "
                                    f"{response.status_code}: {response.text[:300]}")

        run()
    failing = sorted({f.split(" raised")[0].split(" ->")[0] for f in failures})
    assert failing == [], failures[:5]
