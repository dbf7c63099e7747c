#!/usr/bin/env bash
# The whole test suite, on SQLite and on PostgreSQL (started here, on loopback).
# Extra arguments go to pytest, e.g. scripts/test.sh -m "not slow".
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -z "${LANTERN_TEST_PG_URL:-}" ]; then
  already=$(scripts/postgres.sh status)
  if url=$(scripts/postgres.sh start); then
    export LANTERN_TEST_PG_URL="$url"
    # stop it afterwards only if this run started it
    [ "$already" = running ] || trap 'scripts/postgres.sh stop' EXIT
  else
    echo "warning: PostgreSQL unavailable; PostgreSQL tests will be skipped" >&2
  fi
fi
[ -x /usr/bin/chromium ] || scripts/install-browser.sh || echo "warning: no Chromium; browser tests will be skipped" >&2
.venv/bin/pytest "$@"
