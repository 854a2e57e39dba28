"""seedbed's built-in plugins, each registered through the `seedbed` entry points."""
