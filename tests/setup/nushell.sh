#!/bin/sh
# Install the Nushell version seedbed's reports are tested with into .tools/.
# Idempotent: does nothing when .tools/bin/nu already is that version.
# Used by the test command; users install nu their own way (see docs/reports.md).
set -eu

NUSHELL_VERSION=0.108.0  # keep in step with plugins/reports.py NUSHELL_VERSION

REPO=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
TOOLS="$REPO/.tools"
NU="$TOOLS/bin/nu"

if [ -x "$NU" ] && [ "$("$NU" --version 2>/dev/null)" = "$NUSHELL_VERSION" ]; then
    exit 0
fi

mkdir -p "$TOOLS/bin"
npm install --silent --no-audit --no-fund --prefix "$TOOLS" "nushell@$NUSHELL_VERSION"
ln -sf ../node_modules/.bin/nu "$NU"
"$NU" --version
