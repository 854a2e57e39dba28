# seedbed shell integration for bash and zsh.
# ~/.bashrc: eval "$(seedbed shell-init bash)"
#   PS1='$(seedbed_prompt)'"$PS1"      # optional: this worktree's state
# ~/.zshrc:  eval "$(seedbed shell-init zsh)"
#   setopt PROMPT_SUBST; PROMPT='$(seedbed_prompt)'$PROMPT   # optional
# Each command runs in the current worktree's own environment.
alias py-test='seedbed run -- python -m pytest'
alias py-lint='seedbed run -- ruff check'
alias py-format='seedbed run -- ruff format'
alias py-dev='seedbed serve'

# Prompt-safe: starts no Python, reads two small files, never prints an error
# and keeps the previous command's exit status for the rest of the prompt.
seedbed_prompt() {
  local exit_status=$? root
  root=$(git rev-parse --show-toplevel 2>/dev/null) || return $exit_status
  if [ -f "$root/.seedbed/ready.json" ]; then
    printf '[seedbed:ready] '
  elif [ -f "$root/.seedbed/last.json" ]; then
    if grep -q '"status": "failed"' "$root/.seedbed/last.json" 2>/dev/null; then
      printf '[seedbed:failed] '
    else
      printf '[seedbed:not ready] '
    fi
  fi
  return $exit_status
}
