"""The `seedbed` console script.

`seedbed hook ...` (what git hooks call) goes to the import-light fast path,
and so do `seedbed run -- CMD` in an in-sync worktree whose last run needed
nothing from the plugins (core/runfast.py), `seedbed status [--json]` when
the state files read plainly (core/statusfast.py) and `seedbed setup` with its
own options (core/setupfast.py: the same setup, without click); everything
else, and any case those are not sure of, loads the click CLI and the plugins.
"""

from __future__ import annotations

import sys


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["hook"]:
        from seedbed.core.hookrun import main as hook_main

        raise SystemExit(hook_main(args[1:]))
    if args[:1] == ["run"]:  # an in-sync worktree: no click, no plugins
        from seedbed.core.runfast import main as run_main

        code = run_main(args[1:])
        if code is not None:
            raise SystemExit(code)
    if args[:1] == ["status"]:  # state files only: no click, no plugins
        from seedbed.core.statusfast import main as status_main

        code = status_main(args[1:])
        if code is not None:
            raise SystemExit(code)
    if args[:1] == ["setup"]:  # the command's own options: no click
        from seedbed.core.setupfast import main as setup_main

        code = setup_main(args[1:])
        if code is not None:
            raise SystemExit(code)
    if args in (["--help"], ["-h"]):  # cached: no click, no plugins
        from seedbed.core import helpcache

        if helpcache.wanted(args):
            helpcache.show(args, _cli)
    _cli()


def _cli() -> None:
    from seedbed.core.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
