#!/bin/sh
# Headless Chromium, for the test that renders `seedbed report html` to a PNG
# (tests/e2e/test_report_html.py). From the distribution's packages only.
set -eu
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "chromium.sh: not root; install chromium by hand (apt-get install chromium)" >&2
    exit 0
fi
echo "chromium.sh: installing chromium (Debian package) and fonts-dejavu-core" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core </dev/null >/dev/null \
    || { apt-get update -qq </dev/null && \
         apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core </dev/null >/dev/null; }
echo "chromium.sh: $(chromium --version 2>/dev/null || echo 'chromium installed')" >&2
