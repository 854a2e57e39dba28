"""Nushell reports plugin (placeholder until written)."""
