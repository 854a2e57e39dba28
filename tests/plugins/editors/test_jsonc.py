"""JSON with comments: parsed with positions, edited without touching the rest."""

from __future__ import annotations

import pytest
from seedbed.plugins.editors import jsonc

USER = """\
// my settings: keep this comment
{
  /* block comment */
  "editor.tabSize": 2, // trailing comment
  "files.exclude": {"**/.git": true,},
  "url": "http://example.invalid/*not a comment*/",
}
"""


def test_parse_comments_and_trailing_commas() -> None:
    node = jsonc.parse(USER)
    assert node.python() == {
        "editor.tabSize": 2,
        "files.exclude": {"**/.git": True},
        "url": "http://example.invalid/*not a comment*/",
    }
    tab = node.get("editor.tabSize")
    assert tab is not None and USER[tab.start : tab.end] == "2"


@pytest.mark.parametrize(
    "text, line",
    [('{"a": 1', 1), ('{\n  "a": 1,\n  "b" 2\n}', 3), ('{"a": "x\n"}', 1), ("/*", 1)],
)
def test_errors_say_where(text: str, line: int) -> None:
    with pytest.raises(jsonc.JsoncError) as caught:
        jsonc.parse(text)
    assert caught.value.line == line


def test_add_members_keeps_every_user_byte() -> None:
    root = jsonc.parse(USER)
    new = jsonc.add_members(USER, root, [("python.x", {"a": [1]})])
    assert jsonc.parse(new).python()["python.x"] == {"a": [1]}
    # Every line the user wrote is still there, in order, unchanged.
    user_lines = USER.splitlines()
    new_lines = new.splitlines()
    positions = [new_lines.index(line) for line in user_lines]
    assert positions == sorted(positions)
    # Indented like the user's file (two spaces), after the trailing comma.
    assert '\n  "python.x": {' in new


@pytest.mark.parametrize("text", ["{}", "{\n}", "{ // only a comment\n}", '{"a": 1}'])
def test_add_members_to_small_objects(text: str) -> None:
    new = jsonc.add_members(text, jsonc.parse(text), [("b", [1, 2])])
    assert jsonc.parse(new).python()["b"] == [1, 2]
    if "comment" in text:
        assert "// only a comment" in new


def test_add_items_and_replace() -> None:
    text = '{\n    "list": [\n        "a" // first\n    ]\n}\n'
    root = jsonc.parse(text)
    items = root.get("list")
    assert items is not None
    new = jsonc.add_items(text, items, ["b"])
    assert jsonc.parse(new).python() == {"list": ["a", "b"]}
    assert '"a", // first' in new
    again = jsonc.parse(new).get("list")
    assert again is not None
    replaced = jsonc.replace(new, again.items[1], {"c": 1})
    assert jsonc.parse(replaced).python()["list"][1] == {"c": 1}


def test_member_block_takes_its_comments() -> None:
    text = '{\n    // about a\n    "a": 1,\n    "b": 2\n}'
    root = jsonc.parse(text)
    assert jsonc.member_block(text, root, "a") == '    // about a\n    "a": 1'
    assert jsonc.member_block(text, root, "b") == '    "b": 2'
