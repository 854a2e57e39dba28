# `seedbed report` and `seedbed report perf`: the figures per command, and their trends.

use common.nu *

const SPARK_BARS = ["▁" "▂" "▃" "▄" "▅" "▆" "▇" "█"]

# The kinds whose durations `perf` follows.
const TREND_KINDS = [setup sync gate test]

# A one-line chart of the values, lowest ▁ to highest █.
@example "three rising values" { [1 2 3] | sparkline } --result "▁▅█"
export def sparkline []: list<number> -> string {
    let values = $in
    if ($values | is-empty) { return "" }
    let low = $values | math min
    let high = $values | math max
    $values | each {|value|
        if $high == $low {
            $SPARK_BARS.3
        } else {
            let index = (($value - $low) / ($high - $low) * 7) | math round | into int
            $SPARK_BARS | get $index
        }
    } | str join
}

# Runs, median and p95 time, failure rate, CPU time, peak memory and last run,
# per worktree, package manager (and installer: pip's and uv's times differ
# tenfold) and command.
@example "what failed this week, slowest first" {
    seedbed report --since 7day | where failure_percent > 0 | sort-by -r p95
}
@example "setups of one package manager" { seedbed report --kind setup --manager uv }
export def report [
    --db: path          # the metrics store (default: this repository's)
    --repo: path        # a worktree of the repository to report on
    --worktree: string  # only this worktree (its slug)
    --branch: string    # only runs on this branch
    --manager: string   # only environments of this package manager or installer
    --kind: string      # only this kind: setup, step, sync, run, gate, test, pod, hook
    --since: duration   # only runs in this window, e.g. 7day
]: nothing -> table {
    let store = open-store $db $repo
    let params = filter-params {
        worktree: $worktree, branch: $branch, manager: $manager, kind: $kind, since: $since
    }
    let sql = $"
        SELECT worktree, manager, installer, kind, name, COUNT\(*\) AS runs,
               SUM\(1 - ok\) AS failed, MAX\(started_at\) AS last_run,
               group_concat\(seconds\) AS seconds, AVG\(cpu_seconds\) AS cpu,
               MAX\(peak_rss_kb\) AS peak_kb
        FROM runs NOT INDEXED WHERE (filter-sql)
        GROUP BY worktree, manager, installer, kind, name
        ORDER BY worktree, manager, installer, kind, name"
    $store | query db $sql -p $params | each {|group|
        let seconds = $group.seconds | sorted-figures
        {
            worktree: $group.worktree
            manager: $group.manager
            installer: $group.installer
            kind: $group.kind
            name: $group.name
            runs: $group.runs
            median: ($seconds | median-sorted | to-duration)
            p95: ($seconds | p95 | to-duration)
            failure_percent: (100 * $group.failed / $group.runs | math round --precision 1)
            cpu: ($group.cpu | to-duration)
            peak_memory: ($group.peak_kb * 1024 | into filesize)
            last_run: ($group.last_run | to-datetime)
        }
    }
}

# The period that fits a span of time: hours within two days, days within
# twelve weeks, weeks beyond.
@example "a day of runs is read by the hour" { 20hr | fitting-bucket } --result 1hr
export def fitting-bucket []: duration -> duration {
    let span = $in
    if $span <= 2day { 1hr } else if $span <= 12wk { 1day } else { 1wk }
}

# Trends of setup, sync, gate and test durations, one series per command and
# package manager and installer (their times differ tenfold): the median per
# period, a sparkline, and a regression mark when the latest period is `factor`
# times slower than the median of the periods before it. Without --bucket the
# period fits the span of the runs: hours, days or weeks.
@example "regressions only" {
    seedbed report perf | where regression | select kind name trend change_percent
}
@example "gates by the hour" { seedbed report perf --kind gate --bucket 1hr }
export def "report perf" [
    --db: path          # the metrics store (default: this repository's)
    --repo: path        # a worktree of the repository to report on
    --worktree: string  # only this worktree (its slug)
    --branch: string    # only runs on this branch
    --manager: string   # only environments of this package manager or installer
    --kind: string      # one kind instead of setup, sync, gate and test
    --since: duration   # only runs in this window, e.g. 7day
    --bucket: duration  # the length of one period (default: fits the span)
    --points: int = 30  # periods shown per series (the newest)
    --factor: float = 1.5  # a latest period this much slower is a regression
]: nothing -> table {
    let store = open-store $db $repo
    let params = filter-params {
        worktree: $worktree, branch: $branch, manager: $manager, kind: $kind, since: $since
    }
    let kinds = $TREND_KINDS | each {|k| $"'($k)'" } | str join ","
    let where = $"\(:kind IS NOT NULL OR kind IN \(($kinds)\)\) AND (filter-sql)"
    let period = if $bucket != null { $bucket } else {
        let span = $store | query db $"SELECT MIN\(started_at\) AS first, MAX\(started_at\) AS last
            FROM runs WHERE ($where)" -p $params | first
        if $span.first == null { 1day } else {
            ($span.last - $span.first) | to-duration | fitting-bucket
        }
    }
    let bucket_seconds = $period | seconds-of
    let sql = $"
        SELECT kind, name, manager, installer,
               CAST\(started_at / :bucket AS INTEGER\) AS period,
               COUNT\(*\) AS runs, group_concat\(seconds\) AS seconds
        FROM runs WHERE ($where)
        GROUP BY kind, name, manager, installer, period
        ORDER BY kind, name, manager, installer, period"
    $store | query db $sql -p ($params | insert bucket $bucket_seconds)
    | group-by kind name manager installer --to-table
    | each {|series| trend $series $period $points $factor }
}

def trend [series: record, period: duration, points: int, factor: float]: nothing -> record {
    let bucket_seconds = $period | seconds-of
    let periods = $series.items | last $points | each {|item|
        {
            start: ($item.period * $bucket_seconds | to-datetime)
            runs: $item.runs
            median: ($item.seconds | sorted-figures | median-sorted | to-duration)
        }
    }
    let medians = $periods | get median | each { seconds-of }
    let latest = $medians | last
    let before = $medians | drop 1
    let baseline = if ($before | is-empty) { null } else { $before | math median }
    let change = if $baseline == null or $baseline == 0 {
        null
    } else {
        100 * ($latest - $baseline) / $baseline | math round --precision 1
    }
    {
        kind: $series.kind
        name: $series.name
        manager: $series.manager
        installer: $series.installer
        bucket: $period
        runs: ($periods | get runs | math sum)
        periods: ($periods | length)
        trend: ($medians | sparkline)
        baseline: (if $baseline == null { null } else { $baseline | to-duration })
        latest: ($latest | to-duration)
        change_percent: $change
        regression: ($baseline != null and $latest > $factor * $baseline)
        points: $periods
    }
}
