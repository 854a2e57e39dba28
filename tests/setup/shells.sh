#!/bin/sh
# The shells `seedbed shell-init` supports, for its real tests: bash is always
# there; zsh and fish come from the distribution's packages (nu from nushell.sh).
set -eu
missing=
for shell in zsh fish; do
    command -v "$shell" >/dev/null 2>&1 || missing="$missing $shell"
done
[ -n "$missing" ] || exit 0
echo "shells.sh: installing$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
    echo "shells.sh: not root; install$missing by hand" >&2
    exit 0
fi
# shellcheck disable=SC2086  # one word per package
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing </dev/null >/dev/null \
    || { apt-get update -qq </dev/null && \
         DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing </dev/null >/dev/null; }
