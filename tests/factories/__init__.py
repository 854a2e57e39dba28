"""Factories for the tests: real repositories, wheels, projects and stores.

One module per job (the table in docs/architecture.md lists them):

- git: the one `git()` helper and small commit helpers
- commands: run a tool the samples are made with, outside the test's settings
- wheels: tiny local wheels, wheelhouses (tiny, medium, web, gate tools)
- servers: free ports, a directory served over HTTP, dev-server probes
- projects: uv, pip, poetry, pdm and conda sample projects
- environments: checks that a worktree's environment is its own
- web: Django, Flask and FastAPI sample apps, made by their own generators
- postgres: a throwaway PostgreSQL server for the session
- gates: gate sample projects, and this repository as a pre-commit hook source
- metrics: metrics stores (known rows, synthetic, dashboard) and their rows
- seedbed: driving the real `seedbed` command (status, a trap stand-in)
- hostile: hostile conditions (a small full disk) and tree fingerprints
"""
