"""JSON with comments (VS Code's settings, launch and devcontainer files), edited
in place.

The libraries that read JSONC (json5, commentjson, jsonc-parser) rebuild the
file on write and drop the user's comments and layout, so seedbed parses the
text itself, keeps the position of every value, and edits by inserting text at
those positions: every byte the user wrote stays where it was. Accepted input:
JSON plus `//` and `/* */` comments and trailing commas, which is what VS Code
accepts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}
DEFAULT_UNIT = "    "  # VS Code writes its own JSON files with four spaces


class JsoncError(ValueError):
    """The text is not JSON with comments; says where."""

    def __init__(self, message: str, text: str, position: int) -> None:
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        super().__init__(f"line {line}, column {column}: {message}")
        self.line = line


@dataclass
class Node:
    """A value and where it is: text[start:end]."""

    kind: str  # "object", "array" or "scalar"
    start: int
    end: int
    value: Any = None  # scalars only
    members: list[Member] = field(default_factory=list)  # objects
    items: list[Node] = field(default_factory=list)  # arrays

    def get(self, key: str) -> Node | None:
        for member in self.members:
            if member.key == key:
                return member.value
        return None

    def python(self) -> Any:
        """The plain Python value (dict, list, str, ...)."""
        if self.kind == "object":
            return {m.key: m.value.python() for m in self.members}
        if self.kind == "array":
            return [item.python() for item in self.items]
        return self.value


@dataclass
class Member:
    key: str
    key_start: int
    value: Node


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, message: str) -> JsoncError:
        return JsoncError(message, self.text, self.pos)

    def skip(self) -> None:
        """Whitespace and comments."""
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t\r\n\ufeff":
                self.pos += 1
            elif text.startswith("//", self.pos):
                newline = text.find("\n", self.pos)
                self.pos = len(text) if newline < 0 else newline
            elif text.startswith("/*", self.pos):
                close = text.find("*/", self.pos + 2)
                if close < 0:
                    raise self.fail("unterminated /* comment")
                self.pos = close + 2
            else:
                return

    def value(self) -> Node:
        self.skip()
        if self.pos >= len(self.text):
            raise self.fail("expected a value, found the end of the file")
        char = self.text[self.pos]
        if char == "{":
            return self.object()
        if char == "[":
            return self.array()
        if char == '"':
            start = self.pos
            decoded = self.string()
            return Node("scalar", start, self.pos, decoded)
        for word, literal in _LITERALS.items():
            if self.text.startswith(word, self.pos):
                start = self.pos
                self.pos += len(word)
                return Node("scalar", start, self.pos, literal)
        match = _NUMBER.match(self.text, self.pos)
        if match:
            self.pos = match.end()
            number = json.loads(match.group())
            return Node("scalar", match.start(), self.pos, number)
        raise self.fail(f"unexpected {char!r}")

    def string(self) -> str:
        start = self.pos
        index = start + 1
        text = self.text
        while index < len(text):
            char = text[index]
            if char == "\\":
                index += 2
                continue
            if char == '"':
                self.pos = index + 1
                try:
                    decoded: str = json.loads(text[start : self.pos])
                except ValueError:
                    raise self.fail("invalid string") from None
                return decoded
            if char == "\n":
                break
            index += 1
        raise self.fail("unterminated string")

    def object(self) -> Node:
        node = Node("object", self.pos, self.pos)
        self.pos += 1
        while True:
            self.skip()
            if self.peek() == "}":
                self.pos += 1
                node.end = self.pos
                return node
            if self.peek() != '"':
                raise self.fail("expected a quoted key or '}'")
            key_start = self.pos
            key = self.string()
            self.skip()
            if self.peek() != ":":
                raise self.fail("expected ':' after a key")
            self.pos += 1
            node.members.append(Member(key, key_start, self.value()))
            self.skip()
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "}":
                raise self.fail("expected ',' or '}'")

    def array(self) -> Node:
        node = Node("array", self.pos, self.pos)
        self.pos += 1
        while True:
            self.skip()
            if self.peek() == "]":
                self.pos += 1
                node.end = self.pos
                return node
            node.items.append(self.value())
            self.skip()
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "]":
                raise self.fail("expected ',' or ']'")

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""


def parse(text: str) -> Node:
    """The document's root value; JsoncError says where the text is wrong."""
    parser = _Parser(text)
    root = parser.value()
    parser.skip()
    if parser.pos != len(text):
        raise parser.fail("unexpected text after the value")
    return root


# ---------------------------------------------------------------------------
# Layout: how the file is indented, so inserted text looks like the user's
# ---------------------------------------------------------------------------


def line_indent(text: str, position: int) -> str:
    """The whitespace that starts the line holding position."""
    begin = text.rfind("\n", 0, position) + 1
    match = re.match(r"[ \t]*", text[begin:])
    return match.group() if match else ""


def unit_of(text: str, container: Node) -> str:
    """One level of indentation, as the file uses it."""
    children = [m.key_start for m in container.members] or [
        i.start for i in container.items
    ]
    outer = line_indent(text, container.start)
    for child in children:
        inner = line_indent(text, child)
        if inner.startswith(outer) and len(inner) > len(outer):
            return inner[len(outer) :]
    return "\t" if outer.startswith("\t") else DEFAULT_UNIT


def render(value: Any, indent: str, unit: str) -> str:
    """value as JSON text whose continuation lines start at indent."""
    width: int | str = unit if "\t" in unit else len(unit)
    dumped = json.dumps(value, indent=width, ensure_ascii=False)
    return dumped.replace("\n", "\n" + indent)


def reindent(block: str, indent: str) -> str:
    """A block of lines (taken from a template) moved to indent."""
    lines = block.splitlines()
    common = min(
        (len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0
    )
    return "\n".join(indent + line[common:] if line.strip() else "" for line in lines)


# ---------------------------------------------------------------------------
# Edits: each returns the new text; the text outside the edit is unchanged
# ---------------------------------------------------------------------------


def _after_separator(text: str, end: int) -> tuple[int, bool]:
    """From a child's end: the position past its comma (if any), and whether a
    comma is there. Comments between the value and the comma are kept."""
    parser = _Parser(text)
    parser.pos = end
    parser.skip()
    if parser.peek() == ",":
        return parser.pos + 1, True
    return end, False


def _end_of_line_if_comment(text: str, position: int) -> int:
    """Past a trailing `// comment` (or spaces) on position's line, so new
    lines go under it instead of splitting a comment from its value."""
    newline = text.find("\n", position)
    rest = text[position : len(text) if newline < 0 else newline]
    stripped = rest.strip()
    if not stripped or (
        stripped.startswith("//")
        or (stripped.startswith("/*") and stripped.endswith("*/"))
    ):
        return position + len(rest)
    return position


def _insert_children(text: str, container: Node, blocks: list[str]) -> str:
    """Insert already-rendered children (one text block each, without
    indentation on the first line) at the end of an object or array."""
    if not blocks:
        return text
    ends = [m.value.end for m in container.members] or [i.end for i in container.items]
    outer = line_indent(text, container.start)
    indent = outer + unit_of(text, container)
    body = ",\n".join(indent + block for block in blocks)
    close = container.end - 1  # the closing bracket
    if ends:
        position, has_comma = _after_separator(text, ends[-1])
        if not has_comma:  # the user's last child gets the comma it now needs
            text = text[: ends[-1]] + "," + text[ends[-1] :]
            position, close = ends[-1] + 1, close + 1
        addition = "\n" + body + ("," if has_comma else "")
    else:
        position = container.start + 1
        addition = "\n" + body
    position = _end_of_line_if_comment(text, position)
    if "\n" not in text[position:close]:
        addition += "\n" + outer
    return text[:position] + addition + text[position:]


def add_members(text: str, obj: Node, entries: list[tuple[str, Any]]) -> str:
    """Add `"key": value` members at the end of obj (keys must be new)."""
    outer = line_indent(text, obj.start)
    unit = unit_of(text, obj)
    blocks = [
        f"{json.dumps(key)}: {render(value, outer + unit, unit)}"
        for key, value in entries
    ]
    return _insert_children(text, obj, blocks)


def add_raw_members(text: str, obj: Node, blocks: list[str]) -> str:
    """Add members given as text (e.g. from a template, comments included),
    moved to obj's indentation."""
    outer = line_indent(text, obj.start)
    indent = outer + unit_of(text, obj)
    moved = [reindent(block, indent)[len(indent) :] for block in blocks]
    return _insert_children(text, obj, moved)


def add_items(text: str, array: Node, values: list[Any]) -> str:
    outer = line_indent(text, array.start)
    unit = unit_of(text, array)
    blocks = [render(value, outer + unit, unit) for value in values]
    return _insert_children(text, array, blocks)


def replace(text: str, node: Node, value: Any) -> str:
    """Replace one value, keeping everything around it."""
    indent = line_indent(text, node.start)
    unit = DEFAULT_UNIT
    new = render(value, indent, unit)
    return text[: node.start] + new + text[node.end :]


def member_block(text: str, obj: Node, key: str) -> str:
    """A member's text with the comment lines just above it (templates)."""
    for index, member in enumerate(obj.members):
        if member.key != key:
            continue
        begin = text.rfind("\n", 0, member.key_start) + 1
        previous_end = (
            _after_separator(text, obj.members[index - 1].value.end)[0]
            if index
            else obj.start + 1
        )
        lines_before = text[previous_end:begin].split("\n")
        comments = [line for line in lines_before if line.strip().startswith("//")]
        head = "\n".join(comments) + "\n" if comments else ""
        return head + text[begin : member.value.end]
    raise KeyError(key)
