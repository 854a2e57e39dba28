#!/bin/sh
# Make a real Docker engine and an offline base image available to the tests.
#
# Idempotent and non-interactive (CI runs it as root with no stdin):
#   1. install docker.io and debootstrap from the distribution's packages when
#      dockerd is missing;
#   2. start dockerd in the background when `docker info` fails, log to a file,
#      wait until it answers;
#   3. build the base image seedbed-test-base:bookworm offline when it is missing:
#      debootstrap a minimal Debian with python3 into $REPO/.cache/, tar it and
#      `docker import` it. There is no image registry here, so the image is never
#      pulled. The tarball is cached, so a later run (or a wiped engine) only
#      re-imports it.
#
# Variables: SEEDBED_TEST_BASE_IMAGE (image name), SEEDBED_DEBIAN_MIRROR (the
# mirror debootstrap uses; default: the first one apt is configured with).
set -eu

REPO=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)
CACHE="$REPO/.cache/docker"
IMAGE="${SEEDBED_TEST_BASE_IMAGE:-seedbed-test-base:bookworm}"
SUITE=bookworm
LOG="$CACHE/dockerd.log"
mkdir -p "$CACHE"

say() { printf 'docker.sh: %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

# --- 1. the engine ------------------------------------------------------------
if ! command -v dockerd >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then
    say "installing docker.io and debootstrap"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq </dev/null
    as_root apt-get install -y -qq --no-install-recommends \
        docker.io debootstrap ca-certificates </dev/null >/dev/null
fi

# --- 2. the daemon ------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
    say "starting dockerd (log: $LOG)"
    # setsid + nohup: the daemon must outlive this script and the test session.
    as_root setsid nohup dockerd >"$LOG" 2>&1 </dev/null &
    waited=0
    until docker info >/dev/null 2>&1; do
        waited=$((waited + 1))
        if [ "$waited" -gt 60 ]; then
            say "dockerd did not answer within 60 s; last lines of $LOG:"
            tail -n 20 "$LOG" >&2 || true
            exit 1
        fi
        sleep 1
    done
    say "dockerd ready after ${waited} s"
fi

# --- 3. the offline base image ------------------------------------------------
if docker image inspect "$IMAGE" >/dev/null 2>&1; then
    say "$IMAGE present"
    exit 0
fi

TARBALL="$CACHE/$SUITE-minbase-python3.tar"
if [ ! -s "$TARBALL" ]; then
    mirror="${SEEDBED_DEBIAN_MIRROR:-}"
    if [ -z "$mirror" ]; then
        # The mirror apt already uses: deb822 sources first, then the one-line form.
        mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)\/*$/\1/p' \
            /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
    fi
    if [ -z "$mirror" ]; then
        mirror=$(sed -n 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]\{1,\}\)\{0,1\}\([^[:space:]]*\/debian\)\/*[[:space:]].*/\2/p' \
            /etc/apt/sources.list 2>/dev/null | head -n 1)
    fi
    if [ -z "$mirror" ]; then
        say "no Debian mirror found in apt's sources; set SEEDBED_DEBIAN_MIRROR"
        exit 1
    fi
    ROOTFS="$CACHE/rootfs-$SUITE"
    as_root rm -rf "$ROOTFS"
    say "debootstrap $SUITE from $mirror (about a minute)"
    as_root debootstrap --variant=minbase --include=python3,python3-venv \
        "$SUITE" "$ROOTFS" "$mirror" >"$CACHE/debootstrap.log" 2>&1 || {
        say "debootstrap failed; last lines of $CACHE/debootstrap.log:"
        tail -n 20 "$CACHE/debootstrap.log" >&2
        exit 1
    }
    # Apt's package cache is dead weight in the image.
    as_root rm -rf "$ROOTFS/var/cache/apt/archives"/*.deb "$ROOTFS/var/lib/apt/lists"/*
    as_root tar -C "$ROOTFS" -cf "$TARBALL.part" .
    mv "$TARBALL.part" "$TARBALL"
    as_root rm -rf "$ROOTFS"
fi

say "importing $TARBALL as $IMAGE"
docker import --change 'CMD ["python3"]' "$TARBALL" "$IMAGE" >/dev/null
say "$IMAGE ready"
