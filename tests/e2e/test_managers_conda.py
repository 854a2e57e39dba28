"""conda for real, whenever conda is on PATH.

conda, mamba and micromamba cannot be installed on the machines this suite is
built on (no reachable registry carries them), so this test SKIPS without
conda even under SEEDBED_STRICT=1: it is the one documented exception to
"a missing real tool fails in CI". The exact commands the plugin runs are
tested in tests/plugins/managers/test_managers_units.py regardless.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import seedbed, worktree_add
from tests.factories.git import git
from tests.factories.metrics import metric_rows

ENVIRONMENT = """\
name: seedbed-conda-sample
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
      - -e .
"""


@pytest.mark.skipif(
    shutil.which("conda") is None,
    reason="conda is not on PATH "
    "(not installable here; skipped even under SEEDBED_STRICT=1)",
)
def test_conda_project_end_to_end(tmp_path: Path) -> None:
    main = tmp_path / "proj"
    (main / "src" / "my_project").mkdir(parents=True)
    (main / "src" / "my_project" / "__init__.py").write_text("X = 1\n")
    (main / "pyproject.toml").write_text(
        '[project]\nname = "my-project"\nversion = "0.1.0"\n'
        'description = "conda sample"\n\n[build-system]\n'
        'requires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
    )
    (main / "environment.yml").write_text(ENVIRONMENT)
    git("init", "-q", "-b", "main", cwd=main)
    git("add", "-A", cwd=main)
    git("commit", "-qm", "conda sample", cwd=main)
    out = seedbed("setup", "--json", cwd=main, timeout=1800)
    assert out.returncode == 0, out.stdout + out.stderr
    assert json.loads(out.stdout)["manager"] == "conda"
    assert (main / ".conda" / "conda-meta").is_dir()
    run = seedbed(
        "run",
        "--",
        "python",
        "-c",
        "import sys, my_project; print(sys.prefix)",
        cwd=main,
    )
    assert run.returncode == 0 and run.stdout.strip().endswith(".conda")
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    feat = tmp_path / "feat"
    assert worktree_add(main, feat, "feat").returncode == 0
    probe = subprocess.run(
        [
            str(feat / ".conda/bin/python"),
            "-c",
            "import sys, my_project; print(sys.prefix); print(my_project.__file__)",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd="/",
    )
    prefix, location = probe.stdout.splitlines()
    assert prefix == str(feat / ".conda")
    assert location.startswith(str(feat / "src"))
    rows = [r for r in metric_rows(main) if r["worktree_path"] == str(feat)]
    assert rows[-1]["detail"].get("reused_from") == str(main)
