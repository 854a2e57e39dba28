"""Package manager plugins: one module per manager, same small interface."""
