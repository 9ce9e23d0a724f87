#!/usr/bin/env bash
# Make sure headless Chromium is available for the browser test (tests/test_browser.py).
# Installs Debian's `chromium` package with apt when /usr/bin/chromium is missing.
# Exits non-zero with a one-line reason when it cannot.
set -u

if [ -x /usr/bin/chromium ]; then
    echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: /usr/bin/chromium is missing and apt-get is not available; install Debian's 'chromium' package by hand" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "ensure-chromium: /usr/bin/chromium is missing and installing it needs root (no sudo found)" >&2
        exit 1
    fi
fi

echo "ensure-chromium: installing chromium with apt-get"
if ! $SUDO apt-get update -q; then
    echo "ensure-chromium: 'apt-get update' failed; cannot install chromium (no network or no package index)" >&2
    exit 1
fi
if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends chromium; then
    echo "ensure-chromium: 'apt-get install chromium' failed; the browser test cannot run" >&2
    exit 1
fi
if [ ! -x /usr/bin/chromium ]; then
    echo "ensure-chromium: chromium was installed but /usr/bin/chromium is still missing" >&2
    exit 1
fi
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null)"
