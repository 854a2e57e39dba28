#!/bin/sh
# The shells `seedbed shell-init` supports, for its real tests: bash is always
# there; zsh comes from the distribution's packages (nu from nushell.sh).
set -eu
if ! command -v zsh >/dev/null 2>&1; then
    echo "shells.sh: installing zsh" >&2
    if [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zsh </dev/null >/dev/null \
            || { apt-get update -qq </dev/null && \
                 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zsh </dev/null >/dev/null; }
    else
        echo "shells.sh: not root; install zsh by hand" >&2
    fi
fi
