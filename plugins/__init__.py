"""seedbed's built-in plugins; each registers through the `seedbed` entry-point group."""
