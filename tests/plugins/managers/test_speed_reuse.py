"""Issue 15's reuse plans, without running the tools: uv with a lock reuses by
`uv sync --frozen`; conda clones and repoints the project's own installs
(no `env update`). The real uv runs in tests/e2e/test_speed_paths.py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from seedbed.plugins.managers import conda, uv

from tests.factories.projects import CONDA_FILES
from tests.plugins.managers.test_managers_units import context, workspace


def test_uv_reuse_with_a_lock_is_uv_sync_frozen(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\nversion='0'\n")
    (tmp_path / "uv.lock").write_text("version = 1\n")
    ws = workspace(tmp_path)
    donor = tmp_path.parent / "donor"
    steps = uv.MANAGER.reuse_steps(context(ws), donor, donor / ".venv")
    assert steps is not None
    assert steps[0].name == "remove .venv"  # a reuse starts from nothing
    sync = [s for s in steps if s.argv]
    assert len(sync) == 1 and sync[0].argv[:2] == ("/bin/uv", "sync")
    assert "--frozen" in sync[0].argv
    assert sync[0].labels["reused_from"] == str(donor)
    # No uv on PATH: no reuse at all.
    assert uv.MANAGER.reuse_steps(context(ws, None), donor, donor / ".venv") is None


def test_uv_reuse_without_a_lock_relocates_the_siblings_set(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname='x'\nversion='0'\n[tool.uv]\n"
    )
    donor = tmp_path.parent / "donor-nolock"
    site = donor / ".venv" / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    steps = uv.MANAGER.reuse_steps(context(workspace(tmp_path)), donor, donor / ".venv")
    assert steps is not None
    assert "relocate from sibling" in [s.name for s in steps]


def dist(site: Path, name: str, files: dict[str, str], url: str | None) -> None:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Name: {name}\nVersion: 1.0\n\n")
    rows = [f"{path},," for path in files] + [f"{info.name}/RECORD,,"]
    for path, text in files.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(text)
    if url is not None:
        direct = {"url": url, "dir_info": {"editable": True}}
        (info / "direct_url.json").write_text(json.dumps(direct))
        rows.append(f"{info.name}/direct_url.json,,")
    (info / "RECORD").write_text("\n".join(rows) + "\n")


@pytest.mark.parametrize("space", ["", " ü"])
def test_conda_reuse_repoints_the_editable_install_only(
    tmp_path: Path, space: str
) -> None:
    donor = tmp_path / f"main{space}"
    root = tmp_path / f"feat{space}"
    site = Path("lib") / "python3.11" / "site-packages"
    donor_env = donor / ".conda"
    dist(
        donor_env / site,
        "proj",
        {"_proj.pth": f"{donor}/src\n"},
        donor.as_uri(),  # as pip writes it: %-encoded
    )
    dist(donor_env / site, "numpy", {"numpy/__init__.py": "# numpy\n"}, None)
    prefix = root / ".conda"
    shutil.copytree(donor_env, prefix)  # what `conda create --clone` leaves
    (root / "environment.yml").parent.mkdir(parents=True, exist_ok=True)
    (root / "environment.yml").write_text(CONDA_FILES["simple"])

    conda.repoint(donor, donor_env, root, prefix)

    assert (prefix / site / "_proj.pth").read_text() == f"{root}/src\n"
    info = prefix / site / "proj-1.0.dist-info"
    assert json.loads((info / "direct_url.json").read_text())["url"] == root.as_uri()
    assert (prefix / site / "numpy" / "__init__.py").read_text() == "# numpy\n"
    assert (donor_env / site / "_proj.pth").read_text() == f"{donor}/src\n"
