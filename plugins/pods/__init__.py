"""Container workspaces plugin (placeholder until written)."""
