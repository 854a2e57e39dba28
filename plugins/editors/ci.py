"""A CI workflow that sets the project up with seedbed (uv) and runs the same
quality gates as the git hooks.

Written once: a workflow the user already has at that path is never changed
(a YAML merge cannot keep what the user meant), only reported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from seedbed.core.errors import EXIT_USAGE, SeedbedError
from seedbed.plugins.editors.files import Written, fill, leads_out, read, save, template

if TYPE_CHECKING:
    from seedbed.core.workspace import Workspace

# provider: (path in the repository, template under templates/ci/)
PROVIDERS = {"github": (".github/workflows/seedbed.yml", "github.yml")}


def render(workspace: Workspace, provider: str, seedbed_spec: str = "seedbed") -> str:
    if provider not in PROVIDERS:
        raise SeedbedError(
            f"unknown CI provider {provider!r}",
            "known providers: " + ", ".join(sorted(PROVIDERS)),
            EXIT_USAGE,
        )
    if (workspace.root / ".python-version").is_file():
        python = "python-version-file: .python-version"
    else:  # the newest 3.x; seedbed then picks what requires-python allows
        python = 'python-version: "3.x"'
    return fill(
        template("ci", PROVIDERS[provider][1]),
        {"PYTHON_INPUT": python, "SEEDBED_SPEC": seedbed_spec},
    )


def write_ci_workflow(
    workspace: Workspace, provider: str = "github", seedbed_spec: str = "seedbed"
) -> Written:
    """The workflow file; an existing different file is left alone ("skipped").

    seedbed_spec is what `uv tool install` gets: "seedbed", a pinned version or
    a path/URL of the seedbed the project uses.
    """
    text = render(workspace, provider, seedbed_spec)
    refused = leads_out(workspace.root, PROVIDERS[provider][0])
    if refused is not None:
        return refused
    path = workspace.root / PROVIDERS[provider][0]
    old = read(path)
    if old is not None and old != text:
        return Written(
            path, "skipped", note="a workflow is already there; left as it is"
        )
    return save(path, old, text)
