# The entry point `seedbed report …` runs: `nu cli.nu <command> [flags]`.
#
# Arguments arrive as argv and are parsed against these signatures, never
# pasted into Nushell source, so no value can be read as code. Each command
# forwards to the module's command of the same name and renders a table
# (--width columns) or, with --json, one JSON object for scripts.

use seedbed.nu

# Errors outside the reports (a bad flag) also as one "Error: …" line.
$env.config.error_style = "plain"

# Exit codes seedbed documents, for the errors the module raises.
const EXIT_NOT_FOUND = 10
const EXIT_ENVIRONMENT = 6
const EXIT_FAILED = 1

# The JSON contract: datetimes as ISO 8601 with their offset, durations as
# seconds under a key ending in `_seconds`, file sizes as bytes under `_bytes`.
def portable []: any -> any {
    let value = $in
    let type = $value | describe
    if $type in ["date" "datetime"] {
        $value | format date "%Y-%m-%dT%H:%M:%S%:z"
    } else if $type == "duration" {
        ($value | into int) / 1_000_000_000
    } else if $type == "filesize" {
        $value | into int
    } else if ($type | str starts-with "list") or ($type | str starts-with "table") {
        $value | each {|item| $item | portable }
    } else if ($type | str starts-with "record") {
        $value | transpose key value | reduce --fold {} {|cell, out|
            let kind = $cell.value | describe
            let key = if $kind == "duration" {
                $"($cell.key)_seconds"
            } else if $kind == "filesize" {
                $"($cell.key)_bytes"
            } else { $cell.key }
            $out | insert $key ($cell.value | portable)
        }
    } else {
        $value
    }
}

# Run a report; its error becomes the plain "Error:" and "diagnostic help:"
# lines seedbed passes on, with the exit code seedbed documents.
def guarded [action: closure]: nothing -> any {
    try { do $action } catch {|err|
        let help = try { $err.json | from json | get -o help } catch { null }
        print --stderr $"Error: ($err.msg)"
        if $help != null { print --stderr $"diagnostic help: ($help)" }
        let code = if ($err.msg =~ '^(no metrics store|no runs recorded|no container workspace)' or $err.msg =~ 'is not a seedbed metrics store') {
            $EXIT_NOT_FOUND
        } else if ($err.msg =~ 'schema version|not inside a git repository') {
            $EXIT_ENVIRONMENT
        } else { $EXIT_FAILED }
        exit $code
    }
}

# Lists go out wrapped in one object: {"<key>": [...]}.
def render [key: string, json: bool, width?: int, --empty: string]: any -> string {
    let value = $in
    if $json {
        {$key: ($value | portable)} | to json
    } else if ($value | is-empty) and $empty != null {
        $empty
    } else if $width == null {
        $value | table --expand | into string
    } else {
        $value | table --expand --width $width | into string
    }
}

def "main report" [
    --db: path, --repo: path, --worktree: string, --branch: string,
    --manager: string, --kind: string, --since: duration,
    --json, --width: int
] {
    guarded {
        (seedbed report --db $db --repo $repo --worktree $worktree --branch $branch
            --manager $manager --kind $kind --since $since)
    } | render report $json $width
}

def "main perf" [
    --db: path, --repo: path, --worktree: string, --branch: string,
    --manager: string, --kind: string, --since: duration,
    --bucket: duration, --points: int = 30, --factor: float = 1.5,
    --json, --width: int
] {
    let trends = guarded {
        (seedbed report perf --db $db --repo $repo --worktree $worktree
            --branch $branch --manager $manager --kind $kind --since $since
            --bucket $bucket --points $points --factor $factor)
    }
    # The per-period points are for piping; the table shows the sparkline.
    let shown = if $json { $trends } else { $trends | reject -o points }
    $shown | render trends $json $width
}

def "main alerts" [
    --db: path, --repo: path, --worktree: string, --branch: string,
    --manager: string, --kind: string, --since: duration,
    --factor: float = 1.5, --min-seconds: float = 1.0, --window: int = 20,
    --min-history: int = 5, --failure-percent: float = 50.0,
    --coverage-drop: float = 1.0, --memory-percent: float = 90.0,
    --pids-percent: float = 90.0,
    --json, --width: int
] {
    guarded {
        (seedbed report alerts --db $db --repo $repo --worktree $worktree
            --branch $branch --manager $manager --kind $kind --since $since
            --factor $factor --min-seconds $min_seconds --window $window
            --min-history $min_history --failure-percent $failure_percent
            --coverage-drop $coverage_drop --memory-percent $memory_percent
            --pids-percent $pids_percent)
    } | render alerts $json $width --empty "no alerts"
}

def "main optimize" [
    --db: path, --repo: path, --worktree: string, --branch: string,
    --manager: string, --kind: string, --since: duration,
    --json, --width: int
] {
    guarded {
        (seedbed report optimize --db $db --repo $repo --worktree $worktree
            --branch $branch --manager $manager --kind $kind --since $since)
    } | render advice $json $width --empty "no advice: nothing in the store stands out"
}

def "main monitor" [
    --workspace: string, --interval: duration = 2sec, --count: int = 0, --json
] {
    guarded {
        seedbed report monitor --workspace $workspace --interval $interval --count $count --json=$json
    }
}

def main [] {
    print "usage: nu cli.nu (report | perf | alerts | optimize | monitor) [flags]"
}
