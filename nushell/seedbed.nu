# seedbed's reports, read straight from the metrics store with `query db`.
#
#   use seedbed.nu
#   seedbed report --since 7day
#   seedbed alerts | where severity == error
#
# Every command returns plain tables, so the results pipe further. The store is
# the SQLite file seedbed writes (documented in seedbed's docs/metrics.md); the
# default is the one of the repository around the current directory.
#
# Aggregation happens in SQLite where it can (grouping, the latest run of each
# series); medians are taken here from grouped lists, because SQLite's window
# functions are several times slower at this over 100,000 runs. `NOT INDEXED`
# where a query groups the whole table: a plain scan beats index order there.

# The schema these reports were written against; a newer store is refused.
const SCHEMA_VERSION = 1

const SPARK_BARS = ["▁" "▂" "▃" "▄" "▅" "▆" "▇" "█"]

# The kinds whose durations `perf` follows.
const TREND_KINDS = [setup sync gate test]

# Filters every report accepts, as one SQL condition over named parameters.
# Unset filters bind NULL and match everything, so each query binds all of them.
def filter-sql [prefix: string = ""]: nothing -> string {
    let p = $prefix
    [
        $"\(:worktree IS NULL OR ($p)worktree = :worktree\)"
        $"\(:branch IS NULL OR ($p)branch = :branch\)"
        $"\(:manager IS NULL OR ($p)manager = :manager OR ($p)installer = :manager\)"
        $"\(:kind IS NULL OR ($p)kind = :kind\)"
        $"\(:since IS NULL OR ($p)started_at >= :since\)"
    ] | str join " AND "
}

def filter-params [filters: record]: nothing -> record {
    let since = if $filters.since == null {
        null
    } else {
        (((date now) - $filters.since) | into int) / 1_000_000_000
    }
    {
        worktree: $filters.worktree
        branch: $filters.branch
        manager: $filters.manager
        kind: $filters.kind
        since: $since
    }
}

# The metrics store of the repository at `repo` (default: the current directory).
export def store-path [repo?: path]: nothing -> path {
    let dir = if $repo == null { pwd } else { $repo | path expand }
    let git = do {
        ^git -C $dir rev-parse --path-format=absolute --git-common-dir
    } | complete
    if $git.exit_code != 0 {
        error make {
            msg: $"($dir) is not inside a git repository"
            help: "run this from a worktree of the repository, or pass --db PATH"
        }
    }
    $git.stdout | str trim | path join seedbed metrics.db
}

# Open the store after checking that these reports can read it.
def open-store [db?: path, repo?: path] {
    let path = if $db == null { store-path $repo } else { $db | path expand }
    if not ($path | path exists) {
        error make {
            msg: $"no metrics store at ($path)"
            help: "seedbed creates it on the first `seedbed setup` in this repository; or pass --db PATH"
        }
    }
    let store = open $path
    let tables = $store | query db "SELECT name FROM sqlite_master WHERE type = 'table'" | get name
    if not ("runs" in $tables and "schema_version" in $tables) {
        error make {
            msg: $"($path) is not a seedbed metrics store \(no runs or schema_version table\)"
            help: "pass --db with the path of seedbed's metrics.db"
        }
    }
    let version = $store | query db "SELECT MAX(version) AS v FROM schema_version" | get 0.v
    if $version != null and $version > $SCHEMA_VERSION {
        error make {
            msg: $"($path) has schema version ($version); these reports read version ($SCHEMA_VERSION)"
            help: "upgrade seedbed: a newer seedbed wrote this store, and its reports can read it"
        }
    }
    if ($store | query db "SELECT EXISTS (SELECT 1 FROM runs) AS any" | get 0.any) == 0 {
        error make {
            msg: $"no runs recorded yet in ($path)"
            help: "runs are recorded by `seedbed setup`, `seedbed gate`, `seedbed run` and the git hook"
        }
    }
    $store
}

# Unix seconds (as SQLite stores them) to a datetime.
def to-datetime []: number -> datetime {
    $in * 1_000_000_000 | into int | into datetime
}

# Comma-separated numbers from group_concat, sorted ascending.
def sorted-figures []: string -> list<float> {
    $in | split row "," | into float | sort
}

# The median of an ascending list (the mean of the middle two when even).
def median-sorted []: list<float> -> float {
    let sorted = $in
    let count = $sorted | length
    if $count mod 2 == 1 {
        $sorted | get ($count // 2)
    } else {
        (($sorted | get ($count // 2 - 1)) + ($sorted | get ($count // 2))) / 2
    }
}

# The nearest-rank 95th percentile of an ascending list.
def p95 []: list<float> -> float {
    let sorted = $in
    let rank = (95 * ($sorted | length) + 99) // 100
    $sorted | get ($rank - 1)
}

def round3 []: number -> float {
    $in | math round --precision 3
}

# A one-line chart of the values, lowest ▁ to highest █.
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

# Runs, median and p95 seconds, failure rate and last run, per worktree,
# package manager (and installer: pip's and uv's times differ tenfold) and command.
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
               group_concat\(seconds\) AS seconds
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
            median_seconds: ($seconds | median-sorted | round3)
            p95_seconds: ($seconds | p95 | round3)
            failure_percent: (100 * $group.failed / $group.runs | math round --precision 1)
            last_run: ($group.last_run | to-datetime)
        }
    }
}

# Trends of setup, sync, gate and test durations, one series per command and
# package manager and installer (their times differ tenfold): the median per
# period, a sparkline, and a regression mark when the latest period is `factor` times
# slower than the median of the periods before it.
export def perf [
    --db: path
    --repo: path
    --worktree: string
    --branch: string
    --manager: string
    --kind: string         # one kind instead of setup, sync, gate and test
    --since: duration
    --bucket: duration = 1day  # the length of one period
    --points: int = 30         # periods shown per series (the newest)
    --factor: float = 1.5      # a latest period this much slower is a regression
]: nothing -> table {
    let store = open-store $db $repo
    let params = filter-params {
        worktree: $worktree, branch: $branch, manager: $manager, kind: $kind, since: $since
    }
    let kinds = $TREND_KINDS | each {|k| $"'($k)'" } | str join ","
    let bucket_seconds = ($bucket | into int) / 1_000_000_000
    let sql = $"
        SELECT kind, name, manager, installer,
               CAST\(started_at / :bucket AS INTEGER\) AS period,
               COUNT\(*\) AS runs, group_concat\(seconds\) AS seconds
        FROM runs
        WHERE \(:kind IS NOT NULL OR kind IN \(($kinds)\)\) AND (filter-sql)
        GROUP BY kind, name, manager, installer, period
        ORDER BY kind, name, manager, installer, period"
    $store | query db $sql -p ($params | insert bucket $bucket_seconds)
    | group-by kind name manager installer --to-table
    | each {|series| trend $series $bucket_seconds $points $factor }
}

def trend [series: record, bucket_seconds: float, points: int, factor: float]: nothing -> record {
    let periods = $series.items | last $points | each {|period|
        {
            start: ($period.period * $bucket_seconds | to-datetime)
            runs: $period.runs
            median_seconds: ($period.seconds | sorted-figures | median-sorted | round3)
        }
    }
    let medians = $periods | get median_seconds
    let latest = $medians | last
    let before = $medians | drop 1
    let baseline = if ($before | is-empty) { null } else { $before | math median | round3 }
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
        runs: ($periods | get runs | math sum)
        periods: ($periods | length)
        trend: ($medians | sparkline)
        baseline_seconds: $baseline
        latest_seconds: $latest
        change_percent: $change
        regression: ($baseline != null and $latest > $factor * $baseline)
        points: $periods
    }
}

# What needs attention now: slow runs, coverage drops, failing lint or type
# checks, secret findings and container workspaces near their memory limit.
export def alerts [
    --db: path
    --repo: path
    --worktree: string
    --branch: string
    --manager: string
    --kind: string
    --since: duration
    --factor: float = 1.5          # slower than this times its rolling median
    --window: int = 20             # runs in the rolling median
    --min-history: int = 5         # runs needed before a slowdown can be judged
    --coverage-drop: float = 1.0   # coverage points lost since the previous run
    --memory-percent: float = 90.0 # memory use of a workspace's limit
]: nothing -> table {
    let store = open-store $db $repo
    let params = filter-params {
        worktree: $worktree, branch: $branch, manager: $manager, kind: $kind, since: $since
    }
    [
        (slowdown-alerts $store $params $factor $window $min_history)
        (coverage-alerts $store $params $coverage_drop)
        (gate-failure-alerts $store $params)
        (secret-alerts $store $params)
        (memory-alerts $store $params $memory_percent)
    ]
    | flatten
    | sort-by -r at
    | sort-by {|found| $found.severity != "error" }  # stable: errors first, newest first
}

def alert [
    name: string, severity: string, row: record, subject: string,
    value: number, threshold: number, message: string
]: nothing -> record {
    {
        alert: $name
        severity: $severity
        worktree: $row.worktree
        subject: $subject
        value: $value
        threshold: $threshold
        at: ($row.started_at | to-datetime)
        message: $message
    }
}

# The latest successful run of each command (per package manager and installer,
# whose times differ tenfold) against the
# median of the `window` runs before it. Failed runs are left out: their time
# says nothing about speed, and failures have their own alerts.
def slowdown-alerts [store, params: record, factor: float, window: int, min_history: int] {
    let sql = $"
        WITH latest AS \(
            SELECT id, kind, name, manager, installer, worktree, seconds,
                   MAX\(started_at\) AS started_at
            FROM runs
            WHERE ok = 1 AND NOT \(kind = 'pod' AND name = 'memory'\) AND (filter-sql)
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
        if ($history | length) >= $min_history and $row.seconds > $factor * $median {
            let times = $row.seconds / $median | math round --precision 1
            let label = [$row.kind $row.name] | str join " "
            let tools = [$row.manager $row.installer] | where $it != "" | uniq | str join "/"
            let via = if $tools == "" { "" } else { $" \(($tools)\)" }
            alert slowdown warning $row $"($label)($via)" ($row.seconds | round3) ($factor * $median | round3) (
                $"($label)($via) took ($row.seconds | round3) s, ($times)x its rolling median of ($median | round3) s over ($history | length) runs"
            )
        }
    }
}

def coverage-alerts [store, params: record, drop: float] {
    let measured = "figure IS NOT NULL AND (kind = 'test' OR (kind = 'gate' AND name = 'tests'))"
    let sql = $"
        WITH latest AS \(
            SELECT id, worktree, kind, name, figure, MAX\(started_at\) AS started_at
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
        alert coverage-drop warning $row $"($row.kind) ($row.name)" $row.figure ($row.previous - $drop) (
            $"coverage fell from ($row.previous)% to ($row.figure)% \(-($lost) points\) in ($row.worktree)"
        )
    }
}

# The latest lint and types gate of each worktree, when it failed.
def gate-failure-alerts [store, params: record] {
    let sql = $"
        SELECT worktree, name, exit_code, ok, figure, detail, MAX\(started_at\) AS started_at
        FROM runs
        WHERE kind = 'gate' AND name IN \('lint', 'types'\) AND (filter-sql)
        GROUP BY worktree, name"
    $store | query db $sql -p $params | where ok == 0 | each {|row|
        let findings = $row.detail | from json | get -o findings
        let count = if ($findings | describe | str starts-with "list") {
            $findings | length
        } else {
            $findings | default $row.figure
        }
        let what = if $count == null { "" } else { $" with ($count) findings" }
        alert $"($row.name)-failure" error $row $"gate ($row.name)" ($count | default $row.exit_code) 0 (
            $"the ($row.name) gate failed in ($row.worktree)($what) \(exit ($row.exit_code)\)"
        )
    }
}

# The latest secrets gate of each worktree, when it found something.
def secret-alerts [store, params: record] {
    let sql = $"
        SELECT worktree, MAX\(started_at\) AS started_at,
               COALESCE\(figure, CASE json_type\(detail, '$.findings'\)
                   WHEN 'array' THEN json_array_length\(detail, '$.findings'\)
                   WHEN 'integer' THEN json_extract\(detail, '$.findings'\) END\) AS findings
        FROM runs WHERE kind = 'gate' AND name = 'secrets' AND (filter-sql)
        GROUP BY worktree"
    $store | query db $sql -p $params | where findings != null and findings > 0 | each {|row|
        let count = $row.findings | into int
        alert secrets error $row "gate secrets" $count 0 (
            $"($count) secret findings in ($row.worktree): remove them before they are pushed"
        )
    }
}

# The latest memory sample of each container workspace.
def memory-alerts [store, params: record, percent: float] {
    let sql = $"
        SELECT worktree, figure, detail, json_extract\(detail, '$.container'\) AS container,
               MAX\(started_at\) AS started_at
        FROM runs
        WHERE kind = 'pod' AND name = 'memory' AND figure IS NOT NULL AND (filter-sql)
        GROUP BY worktree, container"
    $store | query db $sql -p $params | where figure >= $percent | each {|row|
        let severity = if $row.figure >= 100 { "error" } else { "warning" }
        let container = $row.container | default $row.worktree
        alert pod-memory $severity $row $"pod ($container)" $row.figure $percent (
            $"workspace ($container) uses ($row.figure)% of its memory limit: raise [tool.seedbed.pod] memory or find the leak"
        )
    }
}

# Advice computed from the store, each with the figure behind it.
export def optimize [
    --db: path
    --repo: path
    --worktree: string
    --branch: string
    --manager: string
    --kind: string
    --since: duration
]: nothing -> table {
    let store = open-store $db $repo
    let params = filter-params {
        worktree: $worktree, branch: $branch, manager: $manager, kind: $kind, since: $since
    }
    [
        (installer-advice $store $params)
        (slow-tests-advice $store $params)
        (rebuild-advice $store $params)
        (dominant-step-advice $store $params)
        (failure-advice $store $params)
    ] | flatten
}

def advice [topic: string, figure: number, unit: string, text: string]: nothing -> record {
    {topic: $topic, figure: $figure, unit: $unit, advice: $text}
}

# pip against uv as installer, on the same lock when both installed one.
def installer-advice [store, params: record] {
    let sql = $"
        WITH setups AS \(
            SELECT installer, seconds, json_extract\(detail, '$.fingerprint'\) AS lock
            FROM runs
            WHERE kind = 'setup' AND ok = 1 AND installer IN \('pip', 'uv'\) AND (filter-sql)\),
        shared AS \(
            SELECT lock FROM setups WHERE lock IS NOT NULL
            GROUP BY lock HAVING COUNT\(DISTINCT installer\) = 2\)
        SELECT installer, lock IN \(SELECT lock FROM shared\) AS same_lock,
               COUNT\(*\) AS runs, group_concat\(seconds\) AS seconds
        FROM setups GROUP BY installer, same_lock"
    let groups = $store | query db $sql -p $params
    let same = $groups | where same_lock == 1
    let compared = if ($same | length) == 2 { $same } else { $groups }
    let by_installer = $compared | group-by installer
    if not ("pip" in $by_installer and "uv" in $by_installer) { return [] }
    let median_of = {|name|
        $by_installer | get $name | get seconds | str join "," | sorted-figures | median-sorted | round3
    }
    let pip = do $median_of pip
    let uv = do $median_of uv
    if $pip <= $uv { return [] }
    let scope = if ($same | length) == 2 { "on the same lock" } else { "across locks" }
    [(advice installer ($pip / $uv | math round --precision 1) "times faster" (
        $"pip installs here take ($pip) s median, uv ($uv) s ($scope): set installer = \"uv\""
    ))]
}

# The share of the latest measured test run taken by its five slowest tests.
def slow-tests-advice [store, params: record] {
    let sql = $"
        SELECT seconds, detail, worktree FROM runs
        WHERE kind = 'test' AND json_array_length\(detail, '$.slowest'\) > 0 AND (filter-sql)
        ORDER BY started_at DESC, id DESC LIMIT 1"
    let latest = $store | query db $sql -p $params
    if ($latest | is-empty) or $latest.0.seconds <= 0 { return [] }
    let slowest = $latest.0.detail | from json | get slowest
        | each {|pair| {test: $pair.0, seconds: $pair.1} }
        | sort-by -r seconds
        | first 5
    let share = 100 * ($slowest | get seconds | math sum) / $latest.0.seconds
    if $share < 25 { return [] }
    let count = $slowest | length
    let percent = $share | math round
    [(advice slow-tests $percent "% of test time" (
        $"these ($count) tests take ($percent)% of test time: ($slowest | get test | str join ', ')"
    ))]
}

# New or recreated environments that did not start from a sibling's.
def rebuild-advice [store, params: record] {
    let sql = $"
        SELECT COUNT\(*\) AS builds, COALESCE\(SUM\(seconds\), 0\) AS seconds FROM runs
        WHERE kind = 'setup' AND name IN \('create', 'recreate'\)
          AND COALESCE\(json_extract\(detail, '$.reused_from'\), ''\) = '' AND (filter-sql)"
    let row = $store | query db $sql -p $params | first
    if $row.builds < 3 { return [] }
    [(advice rebuilds $row.builds "builds" (
        $"environments rebuilt without reuse ($row.builds) times \(($row.seconds | math round) s in total\): keep the lock file committed so new worktrees sync from a sibling's packages"
    ))]
}

# A setup step that takes most of the setup time.
def dominant-step-advice [store, params: record] {
    let sql = $"
        SELECT name, COUNT\(*\) AS runs, SUM\(seconds\) AS total,
               group_concat\(seconds\) AS seconds
        FROM runs WHERE kind = 'step' AND (filter-sql) GROUP BY name"
    let steps = $store | query db $sql -p $params
    # One step taking all the time is no news: there is nothing to compare.
    if ($steps | length) < 2 { return [] }
    let all = $steps | get total | math sum
    let top = $steps | sort-by -r total | first
    let share = if $all > 0 { 100 * $top.total / $all | math round } else { 0 }
    if $share < 50 { return [] }
    let median = $top.seconds | sorted-figures | median-sorted | round3
    [(advice slow-step $share "% of step time" (
        $"the step '($top.name)' takes ($share)% of all setup step time \(median ($median) s over ($top.runs) runs\)"
    ))]
}

# Commands that fail often enough to be worth fixing first.
def failure-advice [store, params: record] {
    let sql = $"
        SELECT kind, name, COUNT\(*\) AS runs, SUM\(1 - ok\) AS failed FROM runs
        WHERE kind IN \('setup', 'step', 'sync', 'gate', 'test'\) AND (filter-sql)
        GROUP BY kind, name HAVING COUNT\(*\) >= 5 AND 5 * SUM\(1 - ok\) >= COUNT\(*\)
        ORDER BY 1.0 * SUM\(1 - ok\) / COUNT\(*\) DESC"
    $store | query db $sql -p $params | each {|row|
        let percent = 100 * $row.failed / $row.runs | math round
        advice failures $percent "% of runs failed" (
            $"($row.kind) ($row.name) failed ($row.failed) of its ($row.runs) runs \(($percent)%\): fix it first"
        )
    }
}

# Live resource use of a container workspace, from `seedbed pod stats --json`,
# refreshed every `interval` until interrupted (or `count` refreshes).
export def monitor [
    --workspace (-w): string    # the workspace (pod) name
    --interval: duration = 2sec # time between refreshes
    --count: int = 0            # stop after this many refreshes (0: never)
    --json                      # one JSON object per refresh instead of a table
] {
    if $workspace == null {
        error make {msg: "monitor needs --workspace NAME", help: "`seedbed pod stats` lists the workspaces"}
    }
    let seedbed = $env.SEEDBED_BIN? | default "seedbed"
    mut shown = 0
    loop {
        let sample = pod-sample $seedbed $workspace
        if $json {
            print ($sample | to json --raw)
        } else {
            if (is-terminal --stdout) { clear }
            print ($sample | monitor-view)
        }
        $shown += 1
        if $count > 0 and $shown >= $count { break }
        sleep $interval
    }
}

def pod-sample [seedbed: string, workspace: string]: nothing -> record {
    let stats = do { ^$seedbed pod stats --json } | complete
    if $stats.exit_code != 0 {
        error make {
            msg: $"`seedbed pod stats` failed \(exit ($stats.exit_code)\): ($stats.stderr | str trim)"
        }
    }
    let found = $stats.stdout | from json | where name == $workspace
    if ($found | is-empty) {
        error make {
            msg: $"no container workspace named ($workspace)"
            help: "`seedbed pod stats` lists the running workspaces; start one with `seedbed pod up`"
        }
    }
    $found | first | insert at (date now)
}

def bar [percent: number, width: int = 20]: nothing -> string {
    let filled = ([($percent / 100 * $width | math round | into int) $width] | math min)
    let filled = [$filled 0] | math max
    $"('' | fill -c '█' -w $filled)('' | fill -c '░' -w ($width - $filled)) ($percent | math round --precision 1)%"
}

# Container limits are set in binary units (2g is 2 GiB), so shown in them.
def mebibytes []: number -> string {
    $"($in / 1024 / 1024 | math round --precision 1) MiB"
}

def monitor-view []: record -> record {
    let pod = $in
    let pids = if $pod.pids_limit? in [null 0] {
        $"($pod.pids)"
    } else {
        $"($pod.pids) of ($pod.pids_limit) \(($pod.pids * 100 / $pod.pids_limit | math round)%\)"
    }
    {
        workspace: $pod.name
        status: $pod.status
        cpu: (bar $pod.cpu_percent)
        memory: (bar $pod.memory_percent)
        used: $"($pod.memory_bytes | mebibytes) of ($pod.memory_limit_bytes | mebibytes)"
        pids: $pids
        at: ($pod.at | format date "%H:%M:%S")
    }
}
