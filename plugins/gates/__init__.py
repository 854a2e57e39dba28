"""Quality gate plugins (placeholder until written)."""
