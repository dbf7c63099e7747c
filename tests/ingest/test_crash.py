"""Crash safety: SIGKILL in the middle of a submission leaves the store as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine

from lantern.ingest import load_submission
from tests.ingest.ingest_helpers import counts, write_submission

SCRIPT = (
    "import sys; from pathlib import Path; from lantern.store.db import open_store; "
    "from lantern.ingest import load_submission; "
    "load_submission(open_store(sys.argv[1]), Path(sys.argv[2]))"
)


def test_sigkill_mid_submission_leaves_store_unchanged(store: Engine, tmp_path: Path) -> None:
    persons = "person_ref,forename\n" + "".join(f"P{i},Name{i}\n" for i in range(2_000))
    folder = write_submission(tmp_path, {"persons.csv": persons})
    before = counts(store)
    marker = tmp_path / "paused"
    url = store.url.render_as_string(hide_password=False)
    env = {**os.environ, "LANTERN_INGEST_TEST_PAUSE": str(marker)}
    child = subprocess.Popen([sys.executable, "-c", SCRIPT, url, str(folder)], env=env)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, "the ingest ended before it was killed"
            assert time.monotonic() < deadline, "the ingest never reached its pause"
            time.sleep(0.05)
        # Paused inside the transaction after persons.csv was written, before events.csv
        # and links.csv: nothing of it is visible.
        assert counts(store) == before
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    assert counts(store) == before
    report = load_submission(store, folder)
    assert report.status == "loaded"
    assert report.files["persons.csv"].loaded == 2_000
