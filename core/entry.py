"""The `seedbed` console script.

`seedbed hook ...` (what git hooks call) goes to the import-light fast path;
everything else loads the click CLI and the plugins.
"""

from __future__ import annotations

import sys


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["hook"]:
        from seedbed.core.hookrun import main as hook_main

        raise SystemExit(hook_main(args[1:]))
    from seedbed.core.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
