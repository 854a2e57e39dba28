#!/bin/sh
# PostgreSQL for the tests: make sure the server programs are installed.
#
# Idempotent and non-interactive (CI runs it as root with no stdin). The tests
# start their own throwaway server (initdb in a temporary folder, pg_ctl on a
# free loopback port, as the postgres user when run as root) from a session
# fixture in tests/factories/postgres.py, so nothing here starts or configures one.
#
# Found when already present: initdb on PATH (e.g. /usr/local/bin links) or in
# Debian's /usr/lib/postgresql/*/bin. Otherwise `apt-get install postgresql`.
set -eu

say() { printf 'postgres.sh: %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

found=""
if command -v initdb >/dev/null 2>&1; then
    found=$(command -v initdb)
else
    for candidate in /usr/lib/postgresql/*/bin/initdb; do
        [ -x "$candidate" ] && found=$candidate
    done
fi

if [ -z "$found" ]; then
    say "installing postgresql"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq </dev/null
    as_root apt-get install -y -qq --no-install-recommends postgresql </dev/null >/dev/null
    for candidate in /usr/lib/postgresql/*/bin/initdb; do
        [ -x "$candidate" ] && found=$candidate
    done
fi

if [ -z "$found" ]; then
    say "initdb not found after installing postgresql"
    exit 1
fi

# initdb refuses root: the fixture runs the server as this user.
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    say "creating the postgres system user"
    as_root useradd --system --no-create-home --shell /usr/sbin/nologin postgres
fi

say "PostgreSQL server programs: $(dirname "$found") ($("$found" --version))"
