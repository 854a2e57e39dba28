# `seedbed report alerts`: what needs attention now, each alert with the
# worktree, the run and what to do.

use common.nu *

# What needs attention now: slowdowns (a ratio and a floor in seconds, with
# enough history), failing gates and test runs (all recent runs failing is an
# error), coverage drops, secrets found, new or increasing audit findings,
# container workspaces near their memory or process limits, and setups that
# fell back from reuse to a full install. Errors first, then newest first.
@example "errors only" { seedbed report alerts | where severity == error }
@example "a stricter slowdown" { seedbed report alerts --factor 2.0 --min-seconds 5 }
export def "report alerts" [
    --db: path          # the metrics store (default: this repository's)
    --repo: path        # a worktree of the repository to report on
    --worktree: string  # only this worktree (its slug)
    --branch: string    # only runs on this branch
    --manager: string   # only environments of this package manager or installer
    --kind: string      # only this kind: setup, step, sync, run, gate, test, pod, hook
    --since: duration   # only runs in this window, e.g. 7day
    --factor: float = 1.5           # slower than this times its rolling median
    --min-seconds: float = 1.0      # and at least this many seconds slower
    --window: int = 20              # runs in the rolling median and failure rate
    --min-history: int = 5          # runs needed before a slowdown can be judged
    --failure-percent: float = 50.0 # recent runs failing, in percent
    --coverage-drop: float = 1.0    # coverage points lost since the previous run
    --memory-percent: float = 90.0  # memory use of a workspace's limit
    --pids-percent: float = 90.0    # processes of a workspace's pids limit
]: nothing -> table {
    let store = open-store $db $repo
    let params = filter-params {
        worktree: $worktree, branch: $branch, manager: $manager, kind: $kind, since: $since
    }
    [
        (slowdown-alerts $store $params $factor $min_seconds $window $min_history)
        (failure-alerts $store $params $window $failure_percent)
        (coverage-alerts $store $params $coverage_drop)
        (secret-alerts $store $params)
        (audit-alerts $store $params)
        (pod-alerts $store $params $memory_percent $pids_percent)
        (reuse-alerts $store $params)
    ]
    | flatten
    | sort-by -r at
    | sort-by {|found| $found.severity != "error" }  # stable: errors first, newest first
}

def alert [
    name: string, severity: string, row: record, subject: string,
    value: number, threshold: number, unit: string, message: string, action: string
]: nothing -> record {
    {
        severity: $severity
        alert: $name
        worktree: $row.worktree
        run: $row.run_id
        subject: $subject
        value: $value
        threshold: $threshold
        unit: $unit
        at: ($row.started_at | to-datetime)
        message: $message
        action: $action
    }
}

# The latest successful run of each command (per package manager and installer,
# whose times differ tenfold) against the median of the `window` successful runs
# before it. Both the ratio and the seconds lost must pass their threshold:
# 0.01 s against 0.003 s is no slowdown. Failed runs have their own alerts.
def slowdown-alerts [
    store, params: record, factor: float, min_seconds: float, window: int, min_history: int
] {
    let sql = $"
        WITH latest AS \(
            SELECT id, run_id, kind, name, manager, installer, worktree, seconds,
                   MAX\(started_at\) AS started_at
            FROM runs
            WHERE ok = 1 AND kind NOT IN \('pod', 'gc'\) AND (filter-sql)
            GROUP BY kind, name, manager, installer\)
        SELECT l.*, \(SELECT group_concat\(seconds\) FROM \(
            SELECT r.seconds FROM runs r
            WHERE r.kind = l.kind AND r.name = l.name AND r.manager = l.manager
              AND r.installer = l.installer AND r.ok = 1 AND (filter-sql 'r.')
              AND \(r.started_at < l.started_at
                   OR \(r.started_at = l.started_at AND r.id < l.id\)\)
            ORDER BY r.started_at DESC, r.id DESC LIMIT :window\)\) AS history
        FROM latest l"
    $store | query db $sql -p ($params | insert window $window)
    | where history != null
    | each {|row|
        let history = $row.history | sorted-figures
        let median = $history | median-sorted
        let count = $history | length
        let lost = $row.seconds - $median
        if $count >= $min_history and $row.seconds > $factor * $median and $lost >= $min_seconds {
            let times = if $median > 0 { $row.seconds / $median | math round --precision 1 } else { "∞" }
            let label = series-label $row
            alert slowdown warning $row $label ($row.seconds | round3) ($factor * $median | round3) seconds (
                $"($label) took ($row.seconds | round3) s in ($row.worktree), ($times)x its median of ($median | round3) s over ($count) runs \(+($lost | round3) s\)"
            ) (
                $"compare its steps: `seedbed report --worktree ($row.worktree) --kind step`; a new dependency or a cold cache is the usual cause"
            )
        }
    }
}

# Every gate and test run, per worktree: the latest `window` runs (skipped gates
# left out). All of them failing (two runs or more) is an error; a failure rate
# at or above `percent`, a warning.
def failure-alerts [store, params: record, window: int, percent: float] {
    let counted = "COALESCE\(json_extract\(detail, '$.skipped'\), 0\) = 0"
    let sql = $"
        WITH latest AS \(
            SELECT worktree, kind, name, run_id, ok, exit_code, figure, detail,
                   MAX\(started_at\) AS started_at
            FROM runs WHERE kind IN \('gate', 'test'\) AND ($counted) AND (filter-sql)
            GROUP BY worktree, kind, name\)
        SELECT l.*, l.ok AS latest_ok, \(SELECT group_concat\(ok\) FROM \(
            SELECT r.ok FROM runs r
            WHERE r.worktree = l.worktree AND r.kind = l.kind AND r.name = l.name
              AND ($counted | str replace -a 'detail' 'r.detail') AND (filter-sql 'r.')
            ORDER BY r.started_at DESC, r.id DESC LIMIT :window\)\) AS oks
        FROM latest l"
    $store | query db $sql -p ($params | insert window $window)
    | insert runs {|row| $row.oks | split row "," | length }
    | insert failed {|row| $row.oks | split row "," | where $it == "0" | length }
    | each {|row|
        let rate = 100 * $row.failed / $row.runs | math round --precision 1
        let all = $row.failed == $row.runs and $row.runs >= 2
        if $all or $rate >= $percent {
            let findings = finding-count $row
            let what = if $findings == null or $findings == 0 { "" } else { $" \(latest: ($findings) findings\)" }
            let subject = $"($row.kind) ($row.name)"
            let fix = if $row.kind == "gate" {
                $"run `seedbed gate ($row.name)` in ($row.worktree) and fix what it reports"
            } else {
                $"run `seedbed test` in ($row.worktree) and fix the failing tests"
            }
            if $all {
                alert failing error $row $subject $rate 100 "percent of runs failed" (
                    $"($subject) failed in all ($row.runs) of its latest runs in ($row.worktree)($what)"
                ) $fix
            } else {
                let latest = if $row.latest_ok == 0 { $", the latest with exit ($row.exit_code)" } else { "" }
                alert failures warning $row $subject $rate $percent "percent of runs failed" (
                    $"($subject) failed ($row.failed) of its latest ($row.runs) runs in ($row.worktree) \(($rate)%\)($latest)($what)"
                ) $fix
            }
        }
    }
}

# The findings a gate run recorded: its figure, or detail.findings (a count or a list).
def finding-count [row: record]: nothing -> any {
    let findings = $row.detail | from json | get -o findings
    if ($findings | describe | str starts-with "list") {
        $findings | length
    } else if $findings != null {
        $findings
    } else if $row.kind == "gate" and $row.name != "tests" {
        $row.figure
    } else {
        null
    }
}

def coverage-alerts [store, params: record, drop: float] {
    let measured = "figure IS NOT NULL AND (kind = 'test' OR (kind = 'gate' AND name = 'tests'))"
    let sql = $"
        WITH latest AS \(
            SELECT id, run_id, worktree, kind, name, figure, MAX\(started_at\) AS started_at
            FROM runs WHERE ($measured) AND (filter-sql)
            GROUP BY worktree, kind, name\)
        SELECT l.*, \(SELECT r.figure FROM runs r
            WHERE r.worktree = l.worktree AND r.kind = l.kind AND r.name = l.name
              AND r.figure IS NOT NULL AND r.id != l.id AND r.started_at <= l.started_at
              AND (filter-sql 'r.')
            ORDER BY r.started_at DESC, r.id DESC LIMIT 1\) AS previous
        FROM latest l"
    $store | query db $sql -p $params
    | where previous != null and ($it.previous - $it.figure) >= $drop
    | each {|row|
        let lost = $row.previous - $row.figure | math round --precision 1
        alert coverage-drop warning $row $"($row.kind) ($row.name)" $row.figure ($row.previous - $drop | round3) percent (
            $"coverage fell from ($row.previous)% to ($row.figure)% \(-($lost) points\) in ($row.worktree)"
        ) "add tests for the code this change added, or find the tests that stopped running"
    }
}

# The latest secrets gate of each worktree, when it found something.
def secret-alerts [store, params: record] {
    let sql = $"
        SELECT worktree, run_id, MAX\(started_at\) AS started_at,
               COALESCE\(figure, CASE json_type\(detail, '$.findings'\)
                   WHEN 'array' THEN json_array_length\(detail, '$.findings'\)
                   WHEN 'integer' THEN json_extract\(detail, '$.findings'\) END\) AS findings
        FROM runs WHERE kind = 'gate' AND name = 'secrets' AND (filter-sql)
        GROUP BY worktree"
    $store | query db $sql -p $params | where findings != null and findings > 0 | each {|row|
        let count = $row.findings | into int
        alert secrets error $row "gate secrets" $count 0 findings (
            $"($count) secret findings in ($row.worktree)"
        ) $"`seedbed gate secrets` in ($row.worktree) lists them: remove them before they are pushed, and rotate any that were"
    }
}

# The latest audit of each worktree, when its findings are new or more than before.
def audit-alerts [store, params: record] {
    let sql = $"
        WITH latest AS \(
            SELECT id, run_id, worktree, figure, MAX\(started_at\) AS started_at
            FROM runs WHERE kind = 'gate' AND name = 'audit' AND figure IS NOT NULL
              AND (filter-sql)
            GROUP BY worktree\)
        SELECT l.*, \(SELECT r.figure FROM runs r
            WHERE r.worktree = l.worktree AND r.kind = 'gate' AND r.name = 'audit'
              AND r.figure IS NOT NULL AND r.id != l.id AND r.started_at <= l.started_at
              AND (filter-sql 'r.')
            ORDER BY r.started_at DESC, r.id DESC LIMIT 1\) AS previous
        FROM latest l"
    $store | query db $sql -p $params
    | where figure > 0 and ($it.previous == null or $it.figure > $it.previous)
    | each {|row|
        let count = $row.figure | into int
        let since = if $row.previous == null { "new" } else { $"up from ($row.previous | into int)" }
        alert audit warning $row "gate audit" $count ($row.previous | default 0) findings (
            $"the audit found ($count) vulnerable packages in ($row.worktree) \(($since)\)"
        ) $"`seedbed gate audit` in ($row.worktree) names them: upgrade those packages"
    }
}

# The latest sample of each container workspace: memory and processes against its limits.
def pod-alerts [store, params: record, memory: float, pids: float] {
    let sql = $"
        SELECT worktree, run_id, figure, json_extract\(detail, '$.container'\) AS container,
               json_extract\(detail, '$.pids'\) AS pids,
               json_extract\(detail, '$.pids_limit'\) AS pids_limit,
               MAX\(started_at\) AS started_at
        FROM runs
        WHERE kind = 'pod' AND name = 'memory' AND (filter-sql)
        GROUP BY worktree, container"
    $store | query db $sql -p $params | each {|row|
        let container = $row.container | default $row.worktree
        let memory_alert = if $row.figure != null and $row.figure >= $memory {
            let severity = if $row.figure >= 100 { "error" } else { "warning" }
            [(alert pod-memory $severity $row $"pod ($container)" $row.figure $memory percent (
                $"workspace ($container) uses ($row.figure)% of its memory limit"
            ) "raise [tool.seedbed.pod] memory, or find what holds the memory: `seedbed report monitor -w NAME`")]
        } else { [] }
        let share = if $row.pids != null and ($row.pids_limit | default 0) > 0 {
            100 * $row.pids / $row.pids_limit | math round --precision 1
        } else { null }
        let pids_alert = if $share != null and $share >= $pids {
            let severity = if $share >= 100 { "error" } else { "warning" }
            [(alert pod-pids $severity $row $"pod ($container)" $share $pids percent (
                $"workspace ($container) runs ($row.pids) of its ($row.pids_limit) processes \(($share)%\)"
            ) "raise [tool.seedbed.pod] pids, or look for runaway workers")]
        } else { [] }
        $memory_alert | append $pids_alert
    } | flatten
}

# The latest setup of each worktree, when reusing a sibling's environment failed
# and it installed everything instead.
def reuse-alerts [store, params: record] {
    let sql = $"
        SELECT worktree, run_id, name, seconds, manager, installer,
               json_extract\(detail, '$.reuse'\) AS reuse, MAX\(started_at\) AS started_at
        FROM runs WHERE kind = 'setup' AND (filter-sql)
        GROUP BY worktree"
    $store | query db $sql -p $params
    | where reuse != null and ($it.reuse | str starts-with "failed")
    | each {|row|
        let reason = $row.reuse | str replace -r '^failed:\s*' '' | str replace -r ';\s*full install instead$' ''
        alert reuse-fallback warning $row $"setup ($row.name)" ($row.seconds | round3) 0 seconds (
            $"setup in ($row.worktree) could not reuse a sibling's environment \(($reason)\) and installed everything: ($row.seconds | round3) s"
        ) "fix that cause (`seedbed doctor` checks the environments); the next setup tries reuse again"
    }
}
