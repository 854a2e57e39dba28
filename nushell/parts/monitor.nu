# `seedbed report monitor`: live resource use of a container workspace.

# Live CPU, memory and process use of a container workspace, from
# `seedbed pod stats --json`, refreshed every `interval` until interrupted
# (or `count` refreshes).
@example "five refreshes, one a second" { seedbed report monitor -w feat --interval 1sec --count 5 }
@example "one JSON object per refresh" { seedbed report monitor -w feat --json }
export def "report monitor" [
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
            print ($sample | update at { format date "%Y-%m-%dT%H:%M:%S%:z" } | to json --raw)
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
    let parsed = $stats.stdout | from json
    # A list of pods, or (the JSON contract) an object that wraps it.
    let pods = if ($parsed | describe | str starts-with "record") {
        $parsed | values | where {|v| ($v | describe) =~ '^(list|table)' } | get -o 0 | default []
    } else { $parsed }
    let found = $pods | where name == $workspace
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
        used: $"($pod.memory_bytes | into filesize) of ($pod.memory_limit_bytes | into filesize)"
        pids: $pids
        at: ($pod.at | format date "%H:%M:%S")
    }
}
