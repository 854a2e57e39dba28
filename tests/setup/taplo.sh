#!/bin/sh
# Install taplo (the TOML language server's command line, npm package @taplo/cli)
# into .tools/: tests/e2e/test_config_command.py checks a .seedbed.toml against
# seedbed's shipped JSON Schema with it, through the `#:schema` line editors read.
# Idempotent: does nothing when .tools/bin/taplo already is that version.
set -eu

TAPLO_VERSION=0.7.0

REPO=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
TOOLS="$REPO/.tools"
TAPLO="$TOOLS/bin/taplo"

INSTALLED="$TOOLS/node_modules/@taplo/cli/package.json"
if [ -x "$TAPLO" ] && grep -q "\"version\": \"$TAPLO_VERSION\"" "$INSTALLED" 2>/dev/null; then
    exit 0
fi

mkdir -p "$TOOLS/bin"
npm install --silent --no-audit --no-fund --prefix "$TOOLS" "@taplo/cli@$TAPLO_VERSION"
ln -sf ../node_modules/.bin/taplo "$TAPLO"
# taplo prints its version but exits 1 for --version: show it, judge by the file.
"$TAPLO" --version || :
[ -x "$TAPLO" ]
