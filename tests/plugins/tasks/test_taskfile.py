"""Reading task files: levels in order, front matter, and every bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from seedbed.core.errors import EXIT_NOT_FOUND, EXIT_USAGE, SeedbedError
from seedbed.plugins.tasks import taskfile

PRP = """---
timeout: 2m
network: true
---
# User API

## Goal
Build it.

```python
print("not a check: not shell, not in Validation")
```

## Validation Loop

### Level 1: Syntax & Style
```bash
ruff check src
```
```sh
python -m py_compile src/app.py
```

### Level 2: Unit Tests
~~~shell
python -m unittest discover -s tests
~~~

### Level 3: Notes only
No commands here.

```python
print("a python block is not a check")
```

## Final checklist
```bash
echo not a check: after the section
```
"""


def write(tmp_path: Path, text: str, name: str = "user-api.md") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_levels_in_order_with_their_shell_blocks(tmp_path: Path) -> None:
    task = taskfile.load(write(tmp_path, PRP))
    assert task.name == "user-api" and task.title == "User API"
    assert task.timeout == 120.0 and task.network is True
    assert [(level.name, level.commands) for level in task.levels] == [
        (
            "Level 1: Syntax & Style",
            ("ruff check src", "python -m py_compile src/app.py"),
        ),
        ("Level 2: Unit Tests", ("python -m unittest discover -s tests",)),
    ]


def test_a_section_without_subheadings_is_one_level(tmp_path: Path) -> None:
    text = "# T\n\n## Validation\n\n```bash\necho one\necho two\n```\n"
    task = taskfile.load(write(tmp_path, text, "t.md"))
    assert [(lv.name, lv.commands) for lv in task.levels] == [
        ("Validation", ("echo one\necho two",))
    ]
    assert task.timeout is None and task.network is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# T\n\n## Goal\n```bash\necho hi\n```\n", "no validation commands"),
        ("# T\n\n## Validation\n\nJust prose.\n", "no validation commands"),
        ("# T\n\n## Validation\n```bash\necho never closed\n", "never closed"),
        ("---\nname: ../../etc\n---\n# T\n", "must stay inside results/"),
        ("---\nname: a/b\n---\n# T\n", "must stay inside results/"),
        ("---\ntimeout: soon\n---\n# T\n", "not a duration"),
        ("---\ncolour: red\n---\n# T\n", "front matter line"),
        ("---\nname: x\n# T\n", "front matter is not closed"),
    ],
)
def test_bad_task_files_are_usage_errors(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text, "bad.md")
    with pytest.raises(SeedbedError) as caught:
        taskfile.load(path)
    assert expected in caught.value.message
    assert caught.value.exit_code == EXIT_USAGE
    assert str(path) in caught.value.message and "nothing was created" in (
        caught.value.hint
    )


def test_the_fence_line_is_named(tmp_path: Path) -> None:
    text = "# T\n\n## Validation\n\n```bash\necho x\n"
    with pytest.raises(SeedbedError) as caught:
        taskfile.load(write(tmp_path, text, "f.md"))
    assert caught.value.details["line"] == 5


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(SeedbedError) as caught:
        taskfile.load(tmp_path / "nope.md")
    assert caught.value.exit_code == EXIT_NOT_FOUND


def test_a_file_name_that_is_not_a_plain_name_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "# T\n## Validation\n```sh\ntrue\n```\n", "has space.md")
    with pytest.raises(SeedbedError, match="must stay inside results/"):
        taskfile.load(path)
