# The entry point `seedbed report …` runs: `nu cli.nu <command> [flags]`.
#
# Arguments arrive as argv and are parsed against these signatures, never
# pasted into Nushell source, so no value can be read as code. Each command
# forwards to the module and renders a table (--width columns) or, with
# --json, JSON for scripts.

use seedbed.nu

# One unwrapped "Error: …" line and a "diagnostic help: …" line: seedbed passes
# them on as its own message and hint.
$env.config.error_style = "plain"

# JSON as other languages expect it: datetimes as RFC 3339 strings.
def portable []: any -> any {
    let value = $in
    let type = $value | describe
    if $type == "date" {
        $value | format date "%+"
    } else if ($type | str starts-with "list") or ($type | str starts-with "table") {
        $value | each {|item| $item | portable }
    } else if ($type | str starts-with "record") {
        $value | transpose key value | reduce --fold {} {|cell, out|
            $out | insert $cell.key ($cell.value | portable)
        }
    } else {
        $value
    }
}

def render [json: bool, width?: int]: any -> string {
    let value = $in
    if $json {
        $value | portable | to json
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
    (seedbed report --db $db --repo $repo --worktree $worktree --branch $branch
        --manager $manager --kind $kind --since $since)
    | render $json $width
}

def "main perf" [
    --db: path, --repo: path, --worktree: string, --branch: string,
    --manager: string, --kind: string, --since: duration,
    --bucket: duration = 1day, --points: int = 30, --factor: float = 1.5,
    --json, --width: int
] {
    let trends = (seedbed perf --db $db --repo $repo --worktree $worktree
        --branch $branch --manager $manager --kind $kind --since $since
        --bucket $bucket --points $points --factor $factor)
    # The per-period points are for piping; the table shows the sparkline.
    let shown = if $json { $trends } else { $trends | reject points }
    $shown | render $json $width
}

def "main alerts" [
    --db: path, --repo: path, --worktree: string, --branch: string,
    --manager: string, --kind: string, --since: duration,
    --factor: float = 1.5, --window: int = 20, --min-history: int = 5,
    --coverage-drop: float = 1.0, --memory-percent: float = 90.0,
    --json, --width: int
] {
    let found = (seedbed alerts --db $db --repo $repo --worktree $worktree
        --branch $branch --manager $manager --kind $kind --since $since
        --factor $factor --window $window --min-history $min_history
        --coverage-drop $coverage_drop --memory-percent $memory_percent)
    if ($found | is-empty) and not $json { "no alerts" } else { $found | render $json $width }
}

def "main optimize" [
    --db: path, --repo: path, --worktree: string, --branch: string,
    --manager: string, --kind: string, --since: duration,
    --json, --width: int
] {
    let found = (seedbed optimize --db $db --repo $repo --worktree $worktree
        --branch $branch --manager $manager --kind $kind --since $since)
    if ($found | is-empty) and not $json {
        "no advice: nothing in the store stands out"
    } else {
        $found | render $json $width
    }
}

def "main monitor" [
    --workspace: string, --interval: duration = 2sec, --count: int = 0, --json
] {
    seedbed monitor --workspace $workspace --interval $interval --count $count --json=$json
}

def main [] {
    print "usage: nu cli.nu (report | perf | alerts | optimize | monitor) [flags]"
}
