#!/usr/bin/env bash
# Install Debian's Chromium and its driver for the browser tests (tests/web/).
# Nothing is downloaded outside the distribution's packages: Playwright drives
# /usr/bin/chromium with executable_path, and `playwright install` is never run.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo unknown)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-browser: need root (or sudo) to apt-get install chromium" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core
echo "installed: $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
