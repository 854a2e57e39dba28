# seedbed shell integration for fish (docs/lifecycle.md, "shell-init").
# ~/.config/fish/config.fish:  seedbed shell-init fish | source
#   optional prompt: call seedbed_prompt in your fish_prompt
# Entering a worktree seedbed set up activates its environment (its bin first
# on PATH, VIRTUAL_ENV) and the variables of seedbed's block in .env; leaving
# restores what was there; a stale or unready environment says so once. No
# Python starts at a prompt. SEEDBED_NO_ACTIVATE=1 turns activation off.
alias py-test 'seedbed run -- python -m pytest'
alias py-lint 'seedbed run -- ruff check'
alias py-format 'seedbed run -- ruff format'
alias py-dev 'seedbed serve'

function seedbed --wraps seedbed --description 'seedbed; new/rm move the shell'
    switch "$argv[1]"
        case new
            set -l out (command seedbed $argv)
            set -l rc $status
            test -n "$out"; and printf '%s\n' $out
            if not contains -- --json $argv; and not contains -- --help $argv
                and test (count $out) -eq 1; and test -d "$out"
                cd -- $out
            end
            return $rc
        case rm
            set -l main (command git worktree list --porcelain 2>/dev/null)[1]
            set main (string replace -r '^worktree ' '' -- "$main")
            command seedbed $argv
            set -l rc $status
            if not test -d "$PWD"; and test -d "$main"
                cd -- $main
            end
            return $rc
        case '*'
            command seedbed $argv
    end
end

function __seedbed_root
    set -l dir $PWD
    while test -n "$dir"
        if test -e "$dir/.git"
            echo $dir
            return 0
        end
        set dir (string replace -r '/[^/]*$' '' -- $dir)
    end
    return 1
end

function __seedbed_gitdir -a root
    if test -f "$root/.git"
        read -l line <"$root/.git"
        set line (string replace -r '^gitdir: ' '' -- $line)
        string match -q '/*' -- $line; or set line "$root/$line"
        echo $line
    else
        echo "$root/.git"
    end
end

function __seedbed_state -a root
    if not test -f "$root/.seedbed/ready.json"
        if test -f "$root/.seedbed/last.json"
            if string match -q '*"status": "failed"*' <"$root/.seedbed/last.json"
                echo failed
            else
                echo not-ready
            end
        end
        return
    end
    set -l gitdir (__seedbed_gitdir $root)
    test -f "$gitdir/seedbed-ready.sha256"; or return
    set -l state ready
    if command -q sha256sum
        set -l files "$gitdir/seedbed-ready.sha256"
        test -s "$root/.seedbed/sync.sha256"; and set -a files .seedbed/sync.sha256
        if not command sh -c 'cd -- "$1" && shift && exec sha256sum --check --status "$@" 2>/dev/null' sh $root $files
            set state stale
        end
    end
    if test -f "$root/.seedbed/sync.paths"
        read -l line <"$root/.seedbed/sync.paths"
        if string match -q 'root *' -- $line
            test (string sub -s 6 -- $line) = (builtin realpath $root); or set state stale
        end
    end
    echo $state
end

function __seedbed_set -a name value
    if not contains -- $name $__seedbed_vars
        set -ga __seedbed_vars $name
        if set -q $name
            set -g __seedbed_old_$name $$name
            set -g __seedbed_had_$name 1
        else
            set -g __seedbed_had_$name 0
        end
    end
    set -gx $name $value
end

function __seedbed_allowed -a name
    string match -qr '^[A-Za-z_][A-Za-z0-9_]*$' -- $name; or return 1
    string match -qr '^(_SEEDBED|__seedbed|LD_|DYLD_|GIT_)' -- $name; and return 1
    contains -- $name PATH HOME SHELL USER IFS ENV BASH_ENV CDPATH PROMPT_COMMAND \
        PS1 PS2 PS3 PS4 ZDOTDIR VIRTUAL_ENV PYTHONSTARTUP PYTHONHOME PYTHONPATH \
        NODE_OPTIONS PERL5OPT EDITOR VISUAL PAGER TMPDIR; and return 1
    return 0
end

function __seedbed_dotenv -a root
    test -f "$root/.env"; or return 0
    set -l inside 0
    while read -l line
        switch $line
            case '# >>> seedbed >>>'
                set inside 1
                continue
            case '# <<< seedbed <<<'
                break
        end
        test $inside = 1; or continue
        string match -qr '^[^#].*=' -- $line; or continue
        set -l key (string split -m 1 = -- $line)[1]
        set -l value (string split -m 1 = -- $line)[2]
        __seedbed_allowed $key; or continue
        if string match -qr "^'.*'\$" -- $value
            set value (string sub -s 2 -e -1 -- $value)
        else if string match -qr '^".*"$' -- $value
            set value (string sub -s 2 -e -1 -- $value)
            set value (string replace -a '\\\\' \x01 -- $value)
            set value (string replace -a '\\"' '"' -- $value)
            set value (string replace -a \x01 '\\' -- $value)
        end
        __seedbed_set $key "$value"
    end <"$root/.env"
end

function __seedbed_activate -a root
    set -l env_dir (string match -r '"env_dir": "([^"]*)"' <"$root/.seedbed/ready.json")[2]
    test -n "$env_dir"; or set env_dir .venv
    string match -q '/*' -- $env_dir; or set env_dir "$root/$env_dir"
    test -d "$env_dir/bin"; or return 0
    set -g __seedbed_bin "$env_dir/bin"
    set -gx PATH $__seedbed_bin $PATH
    __seedbed_set VIRTUAL_ENV $env_dir
    __seedbed_dotenv $root
end

function __seedbed_deactivate
    if set -q __seedbed_bin[1]
        if set -l index (contains -i -- $__seedbed_bin $PATH)
            set -e PATH[$index]
        end
    end
    for name in $__seedbed_vars
        set -l had __seedbed_had_$name
        set -l old __seedbed_old_$name
        if test "$$had" = 1
            set -gx $name $$old
        else
            set -e $name
        end
        set -e $had
        set -e $old
    end
    set -g __seedbed_vars
    set -e __seedbed_bin
end

function __seedbed_hook --on-variable PWD --on-event fish_prompt
    set -l rc $status
    set -q SEEDBED_NO_ACTIVATE; and return $rc
    set -l root (__seedbed_root)
    set -l seen "$root:"
    test -n "$root"; and test -f "$root/.seedbed/ready.json"; and set seen "$root:ready"
    test "$seen" = "$__seedbed_seen"; and return $rc
    set -g __seedbed_seen $seen
    set -q __seedbed_active[1]; and __seedbed_deactivate
    set -e __seedbed_active
    set -g __seedbed_state
    test -n "$root"; or return $rc
    set -g __seedbed_state (__seedbed_state $root)
    set -l name (string replace -r '.*/' '' -- $root)
    switch "$__seedbed_state"
        case ready stale
            __seedbed_activate $root
            set -g __seedbed_active $root
    end
    switch "$__seedbed_state"
        case stale
            echo "seedbed: $name: the environment is stale; run `seedbed setup`" >&2
        case not-ready
            echo "seedbed: $name: not ready yet; run `seedbed setup`" >&2
        case failed
            echo "seedbed: $name: the last setup failed; `seedbed status` says why" >&2
    end
    return $rc
end

function seedbed_prompt --description "seedbed's state of this worktree"
    test -n "$__seedbed_state"; and printf '[seedbed:%s] ' $__seedbed_state
end

__seedbed_hook
