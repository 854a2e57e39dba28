"""Web framework plugins: one module per framework, same small interface.

base holds the registry (duplicate names rejected), detection helpers every
framework module shares and the per-workspace file walk; scan finds apps from
code (ast) and their folder; django, flask and
fastapi are the built-ins (each its own entry point); commands are `seedbed
frameworks`, `serve` and `test`, registered by the resources family, which
provisions the port block and the database they run on.
"""
