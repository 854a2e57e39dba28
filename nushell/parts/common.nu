# What every report shares: opening the store, the filters, figures and units.
# Not exported from the seedbed module: the parts `use` it.

# The schema these reports were written against; a newer store is refused.
export const SCHEMA_VERSION = 1

# Filters every report accepts, as one SQL condition over named parameters.
# Unset filters bind NULL and match everything, so each query binds all of them.
export def filter-sql [prefix: string = ""]: nothing -> string {
    let p = $prefix
    [
        $"\(:worktree IS NULL OR ($p)worktree = :worktree\)"
        $"\(:branch IS NULL OR ($p)branch = :branch\)"
        $"\(:manager IS NULL OR ($p)manager = :manager OR ($p)installer = :manager\)"
        $"\(:kind IS NULL OR ($p)kind = :kind\)"
        $"\(:since IS NULL OR ($p)started_at >= :since\)"
    ] | str join " AND "
}

export def filter-params [filters: record]: nothing -> record {
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
export def open-store [db?: path, repo?: path] {
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
export def to-datetime []: number -> datetime {
    $in * 1_000_000_000 | into int | into datetime
}

# Seconds (a float) to a duration, to the millisecond.
export def to-duration []: number -> duration {
    ($in * 1000 | math round | into int) * 1ms
}

# A duration back to seconds (a float), for arithmetic and messages.
export def seconds-of []: duration -> float {
    ($in | into int) / 1_000_000_000
}

# Comma-separated numbers from group_concat, sorted ascending.
export def sorted-figures []: string -> list<float> {
    $in | split row "," | into float | sort
}

# The median of an ascending list (the mean of the middle two when even).
export def median-sorted []: list<float> -> float {
    let sorted = $in
    let count = $sorted | length
    if $count mod 2 == 1 {
        $sorted | get ($count // 2)
    } else {
        (($sorted | get ($count // 2 - 1)) + ($sorted | get ($count // 2))) / 2
    }
}

# The nearest-rank 95th percentile of an ascending list.
export def p95 []: list<float> -> float {
    let sorted = $in
    let rank = (95 * ($sorted | length) + 99) // 100
    $sorted | get ($rank - 1)
}

export def round3 []: number -> float {
    $in | math round --precision 3
}

# "kind name (manager/installer)": how a series is named in messages.
export def series-label [row: record]: nothing -> string {
    let label = [$row.kind $row.name] | str join " "
    let tools = [($row.manager? | default "") ($row.installer? | default "")]
        | where $it != "" | uniq | str join "/"
    if $tools == "" { $label } else { $"($label) \(($tools)\)" }
}
