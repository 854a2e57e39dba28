"""seedbed core: workspace, config, plugins, runner, setup, metrics, cli.

Kept empty of imports: the git hook's fast path imports `core.entry` and must not
pay for click, pluggy or GitPython.
"""

__version__ = "0.1.0"
