# `seedbed report optimize`: advice that the store and the repository bear out.

use common.nu *

# The lock files seedbed's package managers install from.
const LOCK_FILES = [uv.lock poetry.lock pdm.lock pylock.toml conda-lock.yml "requirements*.txt"]

# Advice computed from the store, each line with the figure it rests on and
# checked against the repository where it speaks of it (a lock file is only
# said to be missing when `git ls-files` does not list one).
@example "the advice alone" { seedbed report optimize | get advice }
@example "setup advice for one worktree" { seedbed report optimize --worktree main-1a2b3c --kind setup }
export def "report optimize" [
    --db: path          # the metrics store (default: this repository's)
    --repo: path        # a worktree of the repository (default: the newest recorded one)
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
    [
        (installer-advice $store $params)
        (slow-tests-advice $store $params)
        (rebuild-advice $store $params $repo)
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
    if $uv <= 0 or $pip <= $uv { return [] }
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
        $"these ($count) tests take ($percent)% of the latest test run \(($latest.0.seconds | round3) s in ($latest.0.worktree)\): ($slowest | get test | str join ', ')"
    ))]
}

# A worktree of the repository to check the advice against: --repo, else the
# newest recorded worktree that still exists.
def repository [store, repo?: path]: nothing -> any {
    if $repo != null { return ($repo | path expand) }
    let paths = $store | query db "SELECT worktree_path FROM runs NOT INDEXED
        GROUP BY worktree_path ORDER BY MAX(started_at) DESC LIMIT 20" | get worktree_path
    $paths | where {|p| ($p | path join .git | path exists) } | get -o 0
}

# The lock files git tracks in the worktree at `dir`.
def committed-locks [dir: path]: nothing -> list<string> {
    let listed = do { ^git -C $dir ls-files -- ...$LOCK_FILES } | complete
    if $listed.exit_code != 0 { return [] }
    $listed.stdout | lines | where $it != ""
}

# New worktrees whose environment was built from scratch rather than reused from
# a sibling's (`recreate` is asked for, so not counted). With no lock committed,
# committing one is the advice; with one committed, the recorded reasons reuse failed.
def rebuild-advice [store, params: record, repo?: path] {
    let sql = $"
        SELECT COUNT\(*\) AS builds, COALESCE\(SUM\(seconds\), 0\) AS seconds,
               group_concat\(json_extract\(detail, '$.reuse'\), char\(31\)\) AS reasons
        FROM runs
        WHERE kind = 'setup' AND name = 'create' AND ok = 1
          AND COALESCE\(json_extract\(detail, '$.reused_from'\), ''\) = '' AND (filter-sql)"
    let row = $store | query db $sql -p $params | first
    if $row.builds < 3 { return [] }
    let total = $row.seconds | math round
    let dir = repository $store $repo
    if $dir == null { return [] }  # nothing to check the advice against
    let locks = committed-locks $dir
    if ($locks | is-empty) {
        return [(advice rebuilds $row.builds "builds" (
            $"($row.builds) new worktrees installed everything \(($total) s in total\) and git tracks no lock file: commit your lock \(($LOCK_FILES | str join ', ')\) so new worktrees start from a sibling's packages"
        ))]
    }
    let reasons = if $row.reasons == null { [] } else { $row.reasons | split row (char --integer 31) }
    if ($reasons | is-empty) { return [] }
    let top = $reasons | uniq --count | sort-by -r count | first
    [(advice reuse $row.builds "builds" (
        $"($row.builds) new worktrees installed everything \(($total) s in total\) although ($locks | str join ', ') is committed; the reason recorded most \(($top.count)x\): ($top.value)"
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
