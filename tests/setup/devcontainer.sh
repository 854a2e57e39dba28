#!/bin/sh
# Install the devcontainer CLI (npm package @devcontainers/cli) into .tools/.
# Idempotent: does nothing when .tools/bin/devcontainer already is that version.
# Used by tests/e2e/test_devcontainer.py, which also needs the offline base image
# from tests/setup/docker.sh (there is no image registry in the test runs).
set -eu

DEVCONTAINER_CLI_VERSION=0.89.0

REPO=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
TOOLS="$REPO/.tools"
CLI="$TOOLS/bin/devcontainer"

if [ -x "$CLI" ] && [ "$("$CLI" --version 2>/dev/null)" = "$DEVCONTAINER_CLI_VERSION" ]; then
    exit 0
fi

mkdir -p "$TOOLS/bin"
npm install --silent --no-audit --no-fund --prefix "$TOOLS" \
    "@devcontainers/cli@$DEVCONTAINER_CLI_VERSION"
ln -sf ../node_modules/.bin/devcontainer "$CLI"
"$CLI" --version
