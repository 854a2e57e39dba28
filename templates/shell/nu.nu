# seedbed shell integration for Nushell (docs/lifecycle.md, "shell-init"). Once:
#   seedbed shell-init nu | save -f ($nu.default-config-dir | path join seedbed.nu)
# then in config.nu:
#   source seedbed.nu
#   $env.PROMPT_COMMAND_RIGHT = {|| seedbed-prompt }   # optional
# Entering a worktree seedbed set up activates its environment (its bin first
# on PATH, VIRTUAL_ENV) and the variables of seedbed's block in .env; leaving
# restores what was there; a stale or unready environment says so once. No
# Python starts at a prompt. SEEDBED_NO_ACTIVATE=1 turns activation off.
def --wrapped py-test [...rest] { ^seedbed run -- python -m pytest ...$rest }
def --wrapped py-lint [...rest] { ^seedbed run -- ruff check ...$rest }
def --wrapped py-format [...rest] { ^seedbed run -- ruff format ...$rest }
def --wrapped py-dev [...rest] { ^seedbed serve ...$rest }

# Completion from seedbed's own command line (click's bash protocol).
def "nu-complete seedbed" [context: string] {
  let words = ($context | str trim --left)
  let spans = ($words | split row --regex '\s+')
  let cword = if ($context | str ends-with " ") { $spans | length } else { ($spans | length) - 1 }
  with-env {COMP_WORDS: $words, COMP_CWORD: ($cword | into string), _SEEDBED_COMPLETE: "bash_complete"} {
    ^seedbed | complete | get stdout | lines
    | parse "{type},{value}" | where type == "plain" | get value
  }
}

# seedbed itself; `new` moves the shell into the new worktree, `rm` of the
# worktree the shell is in moves it to the main worktree.
def --env --wrapped seedbed [...rest: string@"nu-complete seedbed"] {
  let verb = ($rest | get -o 0 | default "")
  if $verb == "new" and not ("--json" in $rest) and not ("--help" in $rest) {
    let out = (^seedbed ...$rest | complete)
    print --no-newline --stderr $out.stderr
    let path = ($out.stdout | str trim)
    if $path != "" { print $path }
    if ($path | path exists) and ($path | path type) == "dir" { cd $path }
    if $out.exit_code != 0 { error make --unspanned {msg: $"seedbed new: exit status ($out.exit_code)"} }
  } else if $verb == "rm" {
    let main = (do { ^git worktree list --porcelain } | complete | get stdout | lines
      | get -o 0 | default "" | str replace --regex '^worktree ' '')
    ^seedbed ...$rest
    if not ($env.PWD | path exists) and ($main | path exists) { cd $main }
  } else {
    ^seedbed ...$rest
  }
}

def __seedbed-root [] {
  mut dir = $env.PWD
  while $dir != "" {
    if ($dir | path join ".git" | path exists) { return $dir }
    $dir = ($dir | str replace --regex '/[^/]*$' '')
  }
  ""
}

def __seedbed-gitdir [root: string] {
  let dot = ($root | path join ".git")
  if ($dot | path type) == "file" {
    let line = (open --raw $dot | lines | get -o 0 | default "" | str replace --regex '^gitdir: ' '')
    if ($line | str starts-with "/") { $line } else { $root | path join $line }
  } else { $dot }
}

# ready, stale, not-ready, failed, or "" (seedbed never set it up here).
def __seedbed-state [root: string] {
  let state = ($root | path join ".seedbed")
  if not ($state | path join "ready.json" | path exists) {
    let last = ($state | path join "last.json")
    if not ($last | path exists) { return "" }
    let failed = (open --raw $last | str contains '"status": "failed"')
    return (if $failed { "failed" } else { "not-ready" })
  }
  # The seal in the git dir (no checkout writes there) proves seedbed wrote
  # the marker here; the hashes are checked by Nushell itself.
  let seal = (__seedbed-gitdir $root | path join "seedbed-ready.sha256")
  if not ($seal | path exists) { return "" }
  mut lines = (open --raw $seal | lines)
  let sync = ($state | path join "sync.sha256")
  if ($sync | path exists) { $lines = ($lines | append (open --raw $sync | lines)) }
  let bad = ($lines | where {|line| $line != "" } | any {|line|
    let digest = ($line | str substring 0..63)
    let file = ($root | path join ($line | str substring 66..))
    not ($file | path exists) or ((open --raw $file | hash sha256) != $digest)
  })
  let paths = ($state | path join "sync.paths")
  let first = if ($paths | path exists) { open --raw $paths | lines | get -o 0 | default "" } else { "" }
  let moved = ($first | str starts-with "root ") and (($first | str substring 5..) != ($root | path expand))
  if $bad or $moved { "stale" } else { "ready" }
}

const __SEEDBED_DENY = [PATH HOME SHELL USER IFS ENV BASH_ENV CDPATH PROMPT_COMMAND PS1 PS2 PS3 PS4 ZDOTDIR VIRTUAL_ENV PYTHONSTARTUP PYTHONHOME PYTHONPATH NODE_OPTIONS PERL5OPT EDITOR VISUAL PAGER TMPDIR]

# seedbed's block in .env, read as data (nothing in it is run or expanded).
def __seedbed-dotenv [root: string] {
  let file = ($root | path join ".env")
  if not ($file | path exists) { return {} }
  let lines = (open --raw $file | lines)
  let begin = ($lines | enumerate | where item == "# >>> seedbed >>>" | get -o 0.index)
  if $begin == null { return {} }
  $lines | skip ($begin + 1) | take while {|line| $line != "# <<< seedbed <<<" }
  | where {|line| $line =~ '^[A-Za-z_][A-Za-z0-9_]*=' }
  | each {|line|
    let key = ($line | str replace --regex '=.*$' '')
    mut value = ($line | str replace --regex '^[^=]*=' '')
    if ($value =~ "^'.*'$") {
      $value = ($value | str substring 1..<(($value | str length) - 1))
    } else if ($value =~ '^".*"$') {
      $value = ($value | str substring 1..<(($value | str length) - 1)
        | str replace --all '\\' "\u{1}" | str replace --all '\"' '"' | str replace --all "\u{1}" '\')
    }
    {key: $key, value: $value}
  }
  | where {|kv| not ($kv.key in $__SEEDBED_DENY) and not ($kv.key =~ '^(LD_|DYLD_|GIT_|_SEEDBED)') }
  | reduce --fold {} {|kv, acc| $acc | upsert $kv.key $kv.value }
}

def --env __seedbed-deactivate [] {
  let bin = ($env._SEEDBED_BIN? | default "")
  if $bin != "" { $env.PATH = ($env.PATH | where {|p| $p != $bin }) }
  let saved = ($env._SEEDBED_SAVED? | default "{}" | from json)
  for name in ($saved | columns) {
    let old = ($saved | get $name)
    if $old == null { hide-env --ignore-errors $name } else { load-env {$name: $old} }
  }
  $env._SEEDBED_SAVED = "{}"
  $env._SEEDBED_BIN = ""
}

def --env __seedbed-activate [root: string] {
  let env_dir = (open ($root | path join ".seedbed" "ready.json") | get -o env_dir | default ".venv")
  let env_dir = if ($env_dir | str starts-with "/") { $env_dir } else { $root | path join $env_dir }
  let bin = ($env_dir | path join "bin")
  if not ($bin | path exists) { return }
  let values = ({VIRTUAL_ENV: $env_dir} | merge (__seedbed-dotenv $root))
  let saved = ($values | columns | reduce --fold {} {|name, acc| $acc | upsert $name ($env | get -o $name) })
  $env._SEEDBED_SAVED = ($saved | to json --raw)
  $env._SEEDBED_BIN = $bin
  $env.PATH = ($env.PATH | prepend $bin)
  load-env $values
}

# Before each prompt: cheap when nothing changed (a few `path exists`).
def --env seedbed-hook [] {
  if ($env.SEEDBED_NO_ACTIVATE? | default "") != "" { return }
  let root = (__seedbed-root)
  let ready = ($root != "") and ($root | path join ".seedbed" "ready.json" | path exists)
  let seen = $"($root):(if $ready { 'ready' } else { '' })"
  if $seen == ($env._SEEDBED_SEEN? | default "") { return }
  $env._SEEDBED_SEEN = $seen
  if ($env._SEEDBED_ACTIVE? | default "") != "" { __seedbed-deactivate }
  $env._SEEDBED_ACTIVE = ""
  $env._SEEDBED_STATE = (if $root == "" { "" } else { __seedbed-state $root })
  let name = ($root | path basename)
  if $env._SEEDBED_STATE in ["ready" "stale"] {
    __seedbed-activate $root
    $env._SEEDBED_ACTIVE = $root
  }
  match $env._SEEDBED_STATE {
    "stale" => { print --stderr $"seedbed: ($name): the environment is stale; run `seedbed setup`" }
    "not-ready" => { print --stderr $"seedbed: ($name): not ready yet; run `seedbed setup`" }
    "failed" => { print --stderr $"seedbed: ($name): the last setup failed; `seedbed status` says why" }
    _ => {}
  }
}

# Prompt-safe: starts no process.
def seedbed-prompt [] {
  let state = ($env._SEEDBED_STATE? | default "")
  if $state == "" { "" } else { $"[seedbed:($state)]" }
}

$env.config.hooks.pre_prompt = ($env.config.hooks.pre_prompt? | default [] | append {|| seedbed-hook })
$env.config.hooks.env_change.PWD = ($env.config.hooks.env_change.PWD? | default [] | append {|before, after| seedbed-hook })
