"""Web framework plugins: one module per framework, same small interface."""
