#!/bin/sh
# Install the package managers the manager tests drive for real: poetry and pdm,
# each in its own isolated virtual environment under $TOOLS, linked into
# $TOOLS/bin (the tests put that folder first on PATH). uv comes with seedbed's
# test extra; conda cannot be installed here (its real test skips without it).
#
# Idempotent and non-interactive (CI runs it as root with no stdin): a tool whose
# link already runs is left alone, so a second run takes well under a second.
# pdm is installed as `pdm[locked]`: pdm's own pinned dependency set. The newest
# versions of its dependencies break it (hishel/httpx API changes).
set -eu

REPO=${REPO:-$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)}
TOOLS=${TOOLS:-"$REPO/.tools"}
PYTHON=${PYTHON:-python3}
POETRY_SPEC=${SEEDBED_TEST_POETRY:-"poetry>=2,<3"}
PDM_SPEC=${SEEDBED_TEST_PDM:-"pdm[locked]>=2.20,<3"}

say() { printf 'managers.sh: %s\n' "$*" >&2; }

mkdir -p "$TOOLS/bin"

install_tool() {  # name, pip requirement
    name=$1
    spec=$2
    link="$TOOLS/bin/$name"
    if [ -x "$link" ] && "$link" --version </dev/null >/dev/null 2>&1; then
        return 0
    fi
    say "installing $spec into $TOOLS/$name"
    rm -rf "$TOOLS/$name"
    "$PYTHON" -m venv "$TOOLS/$name"
    "$TOOLS/$name/bin/python" -m pip install -q --disable-pip-version-check \
        "$spec" </dev/null
    ln -sf "../$name/bin/$name" "$link"
    "$link" --version </dev/null >&2
}

install_tool poetry "$POETRY_SPEC"
install_tool pdm "$PDM_SPEC"
