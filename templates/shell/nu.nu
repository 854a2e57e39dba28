# seedbed shell integration for Nushell. Once:
#   seedbed shell-init nu | save -f ($nu.default-config-dir | path join seedbed.nu)
# then in config.nu:
#   source seedbed.nu
#   $env.PROMPT_COMMAND_RIGHT = {|| seedbed-prompt }   # optional
# Each command runs in the current worktree's own environment.
def --wrapped py-test [...rest] { ^seedbed run -- python -m pytest ...$rest }
def --wrapped py-lint [...rest] { ^seedbed run -- ruff check ...$rest }
def --wrapped py-format [...rest] { ^seedbed run -- ruff format ...$rest }
def --wrapped py-dev [...rest] { ^seedbed serve ...$rest }

# Prompt-safe: starts no Python, reads small files, never raises.
def seedbed-prompt [] {
  let found = (do { ^git rev-parse --show-toplevel } | complete)
  if $found.exit_code != 0 { return "" }
  let state = ($found.stdout | str trim | path join ".seedbed")
  if ($state | path join "ready.json" | path exists) {
    "[seedbed:ready]"
  } else if ($state | path join "last.json" | path exists) {
    let last = (try { open ($state | path join "last.json") } catch { {} })
    if ($last | get -o status) == "failed" { "[seedbed:failed]" } else { "[seedbed:not ready]" }
  } else {
    ""
  }
}
