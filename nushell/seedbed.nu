# seedbed's reports, read straight from the metrics store with `query db`.
#
#   use seedbed.nu
#   seedbed report --since 7day
#   seedbed report alerts | where severity == error
#
# The names and flags are those of the command line: `seedbed report alerts`
# in Nushell is `seedbed report alerts` in any shell. Every command returns a
# plain table with typed columns (durations, datetimes, file sizes), so the
# results pipe further. The store is the SQLite file seedbed writes (seedbed's
# docs/metrics.md); the default is the one of the repository around the
# current directory.
#
# Aggregation happens in SQLite where it can (grouping, the latest run of each
# series); medians are taken here from grouped lists, because SQLite's window
# functions are several times slower at this over 100,000 runs. `NOT INDEXED`
# where a query groups the whole table: a plain scan beats index order there.

export use parts/figures.nu *
export use parts/alerts.nu *
export use parts/optimize.nu *
export use parts/monitor.nu *
