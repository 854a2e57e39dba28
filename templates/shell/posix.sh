# seedbed shell integration for bash and zsh (docs/lifecycle.md, "shell-init").
# ~/.bashrc: eval "$(seedbed shell-init bash)"
# ~/.zshrc:  eval "$(seedbed shell-init zsh)"
#   optional prompt: PS1='$(seedbed_prompt)'"$PS1" (zsh: setopt PROMPT_SUBST)
# What it does, without starting Python at a prompt:
# - entering a worktree seedbed set up activates its environment (its bin first
#   on PATH, VIRTUAL_ENV) and the variables of seedbed's block in .env; leaving
#   it restores what was there; a stale or unready environment says so once;
# - `seedbed new` moves the shell into the new worktree; `seedbed rm` of the
#   worktree the shell is in moves it to the main worktree;
# - py-test, py-lint, py-format, py-dev run in the current worktree's environment;
# - completion for seedbed's commands and options.
# SEEDBED_NO_ACTIVATE=1 turns activation off.
alias py-test='seedbed run -- python -m pytest'
alias py-lint='seedbed run -- ruff check'
alias py-format='seedbed run -- ruff format'
alias py-dev='seedbed serve'

seedbed() {
  local __sb_out __sb_status __sb_main
  case "${1-}" in
    new)
      __sb_out=$(command seedbed "$@")
      __sb_status=$?
      [ -n "$__sb_out" ] && printf '%s\n' "$__sb_out"
      case " $* " in *" --json "*|*" -h "*|*" --help "*) return $__sb_status ;; esac
      if [ -d "$__sb_out" ]; then cd -- "$__sb_out" || return; fi
      return $__sb_status ;;
    rm)
      __sb_main=$(command git worktree list --porcelain 2>/dev/null)
      __sb_main=${__sb_main%%$'\n'*}
      __sb_main=${__sb_main#worktree }
      command seedbed "$@"
      __sb_status=$?
      if [ ! -d "$PWD" ] && [ -d "$__sb_main" ]; then cd -- "$__sb_main" || :; fi
      return $__sb_status ;;
    *) command seedbed "$@" ;;
  esac
}

# The worktree holding $PWD: the nearest folder up with a .git (no process).
_seedbed_root() {
  _SEEDBED_R=$PWD
  while [ -n "$_SEEDBED_R" ]; do
    [ -e "$_SEEDBED_R/.git" ] && return 0
    _SEEDBED_R=${_SEEDBED_R%/*}
  done
  return 1
}

# Its git dir: .git itself, or the `gitdir: PATH` a linked worktree's .git names.
_seedbed_gitdir() {
  if [ -f "$1/.git" ]; then
    read -r _SEEDBED_G < "$1/.git" || :
    _SEEDBED_G=${_SEEDBED_G#gitdir: }
    case $_SEEDBED_G in /*) ;; *) _SEEDBED_G=$1/$_SEEDBED_G ;; esac
  else
    _SEEDBED_G=$1/.git
  fi
}

# ready, stale (lock files changed since, or built for another path), not-ready,
# failed, or "" (seedbed never set this worktree up here).
_seedbed_state() {
  local root=$1 line
  if [ ! -f "$root/.seedbed/ready.json" ]; then
    if [ -f "$root/.seedbed/last.json" ]; then
      if command grep -q '"status": "failed"' "$root/.seedbed/last.json" 2>/dev/null; then
        _SEEDBED_STATE=failed
      else
        _SEEDBED_STATE=not-ready
      fi
    else
      _SEEDBED_STATE=
    fi
    return
  fi
  _seedbed_gitdir "$root"
  # The seal in the git dir (no checkout writes there) proves seedbed wrote the
  # marker here; without it nothing is activated.
  if [ ! -f "$_SEEDBED_G/seedbed-ready.sha256" ]; then
    _SEEDBED_STATE=
    return
  fi
  _SEEDBED_STATE=ready
  if command -v sha256sum >/dev/null 2>&1; then
    set -- "$_SEEDBED_G/seedbed-ready.sha256"
    [ -s "$root/.seedbed/sync.sha256" ] && set -- "$@" .seedbed/sync.sha256
    (cd -- "$root" && command sha256sum --check --status "$@" 2>/dev/null) ||
      _SEEDBED_STATE=stale
  fi
  if [ -f "$root/.seedbed/sync.paths" ]; then
    read -r line < "$root/.seedbed/sync.paths" || :
    case $line in
      "root "*) [ "${line#root }" = "$(cd -- "$root" && pwd -P)" ] || _SEEDBED_STATE=stale ;;
    esac
  fi
}

# Set NAME to VALUE for this worktree, remembering what was there before.
_seedbed_set() {
  case " $_SEEDBED_VARS " in
    *" $1 "*) ;;
    *)
      _SEEDBED_VARS="$_SEEDBED_VARS $1"
      if eval "[ -n \"\${$1+x}\" ]"; then
        eval "_SEEDBED_OLD_$1=\$$1; _SEEDBED_HAD_$1=1"
      else
        eval "_SEEDBED_HAD_$1="
      fi ;;
  esac
  export "$1=$2"
}

# Names .env may not set from seedbed's block: the shell's own and the loader's.
_seedbed_allowed() {
  case $1 in
    ''|[0-9]*|*[!A-Za-z0-9_]*|_SEEDBED*) return 1 ;;
    PATH|HOME|SHELL|USER|IFS|ENV|BASH_ENV|CDPATH|PROMPT_COMMAND|PS[1-4]) return 1 ;;
    LD_*|DYLD_*|GIT_*|ZDOTDIR|VIRTUAL_ENV|PYTHONSTARTUP|PYTHONHOME|PYTHONPATH) return 1 ;;
    NODE_OPTIONS|PERL5OPT|EDITOR|VISUAL|PAGER|TMPDIR) return 1 ;;
  esac
}

# The variables of seedbed's block in ROOT/.env, exported as values (read as
# data: nothing in the file is run or expanded).
_seedbed_dotenv() {
  local inside= line key value
  [ -f "$1/.env" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in
      '# >>> seedbed >>>') inside=1; continue ;;
      '# <<< seedbed <<<') break ;;
    esac
    [ -n "$inside" ] || continue
    case $line in ''|'#'*|*=*) ;; *) continue ;; esac
    case $line in ''|'#'*) continue ;; esac
    key=${line%%=*}
    value=${line#*=}
    _seedbed_allowed "$key" || continue
    case $value in
      \'*\') value=${value#\'}; value=${value%\'} ;;
      \"*\")
        value=${value#\"}; value=${value%\"}
        value=${value//\\\\/$'\001'}
        value=${value//\\\"/\"}
        value=${value//$'\001'/\\} ;;
    esac
    _seedbed_set "$key" "$value"
  done < "$1/.env"
}

_seedbed_activate() {
  local root=$1 env_dir= line
  while IFS= read -r line; do
    case $line in
      *'"env_dir": "'*) env_dir=${line#*'"env_dir": "'}; env_dir=${env_dir%%\"*}; break ;;
    esac
  done < "$root/.seedbed/ready.json"
  env_dir=${env_dir:-.venv}
  case $env_dir in /*) ;; *) env_dir=$root/$env_dir ;; esac
  [ -d "$env_dir/bin" ] || return 0
  _SEEDBED_BIN=$env_dir/bin
  export PATH="$_SEEDBED_BIN:$PATH"
  _seedbed_set VIRTUAL_ENV "$env_dir"
  _seedbed_dotenv "$root"
}

_seedbed_deactivate() {
  local name had
  if [ -n "${_SEEDBED_BIN-}" ]; then
    case ":$PATH:" in
      *":$_SEEDBED_BIN:"*)
        PATH=":$PATH:"
        PATH=${PATH/:$_SEEDBED_BIN:/:}
        PATH=${PATH#:}; PATH=${PATH%:}
        export PATH ;;
    esac
  fi
  # (zsh does not split a plain $var; both split a command's output)
  for name in $(printf '%s ' $_SEEDBED_VARS); do
    eval "had=\${_SEEDBED_HAD_$name-}"
    if [ -n "$had" ]; then
      eval "export $name=\"\$_SEEDBED_OLD_$name\""
    else
      unset "$name"
    fi
    unset "_SEEDBED_OLD_$name" "_SEEDBED_HAD_$name"
  done
  _SEEDBED_VARS=
  _SEEDBED_BIN=
}

# Runs before each prompt: cheap when nothing changed (a few [ -e ] tests).
_seedbed_hook() {
  local rc=$? root= seen
  [ -n "${SEEDBED_NO_ACTIVATE-}" ] && return $rc
  _seedbed_root && root=$_SEEDBED_R
  seen=$root:
  [ -n "$root" ] && [ -f "$root/.seedbed/ready.json" ] && seen=$root:ready
  [ "$seen" = "${_SEEDBED_SEEN-}" ] && return $rc
  _SEEDBED_SEEN=$seen
  [ -n "${_SEEDBED_ACTIVE-}" ] && _seedbed_deactivate
  _SEEDBED_ACTIVE=
  _SEEDBED_STATE=
  [ -n "$root" ] || return $rc
  _seedbed_state "$root"
  case $_SEEDBED_STATE in
    ready|stale)
      _seedbed_activate "$root"
      _SEEDBED_ACTIVE=$root ;;
  esac
  case $_SEEDBED_STATE in
    stale) printf 'seedbed: %s: the environment is stale; run `seedbed setup`\n' "${root##*/}" >&2 ;;
    not-ready) printf 'seedbed: %s: not ready yet; run `seedbed setup`\n' "${root##*/}" >&2 ;;
    failed) printf 'seedbed: %s: the last setup failed; `seedbed status` says why\n' "${root##*/}" >&2 ;;
  esac
  return $rc
}

# Prompt-safe: starts no process, keeps the previous command's exit status.
seedbed_prompt() {
  local rc=$?
  [ -n "${_SEEDBED_STATE-}" ] && printf '[seedbed:%s] ' "$_SEEDBED_STATE"
  return $rc
}
