"""Safe YAML with line numbers: plain data only, no tags, no aliases, bounded size."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bookbuild.diagnostics import error

MAX_YAML_BYTES = 1_000_000
MAX_DEPTH = 40          # lists in mappings in lists ...: a book needs five or six levels
LineMap = dict[tuple, int]


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that also refuses aliases: an editor never needs them and they enable bombs."""

    depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in bookbuild files", event.start_mark)
        if self.depth >= MAX_DEPTH:     # before Python's recursion limit is: [[[[...]]]] is no book
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def flatten_mapping(self, node):
        """Merge keys (<<: *base) would copy keys no line of the file shows: refused like aliases."""
        for key, _ in node.value:
            if key.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "merge keys (<<) are not allowed in bookbuild files", key.start_mark)


# Dates stay strings: the schema decides what a date is, so one rule applies to every file.
_StrictLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(text: str, file: Path | str, first_line: int = 1) -> tuple[Any, LineMap]:
    """Parse YAML text; return the data and the line of every key path, for diagnostics."""
    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise error("Y001", file, None, f"YAML is larger than {MAX_YAML_BYTES // 1000} kB",
                    "split it or remove what does not belong in it")
    try:
        loader = _StrictLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        line = _error_line(exc, first_line)
        opened = _unclosed_quote(text, line - first_line if line else None)
        if opened is not None:
            raise error("Y002", file, opened + first_line, "malformed YAML: a double quote opened on this line "
                        "is not closed on it", 'close it; a " inside a value is written \\"') from None
        raise error("Y002", file, line,
                    f"malformed YAML: {getattr(exc, 'problem', None) or exc}",
                    "check indentation, colons, brackets and quotes on this line and the one before it") from None
    lines: LineMap = {}
    if node is not None:
        _record_lines(node, (), lines, first_line, file)
    return data, lines


# A value that opens a double quote and does not close it on its line ('subtitle: "An Annotated
# Reader'): YAML reads on to the next '"', lines later, and reports the fault there.
_OPENS_QUOTE = re.compile(r'\s*(?:-\s+)?(?:[^\s#"\'][^#"]*?:\s+)?"(?:[^"\\]|\\.)*')


def _unclosed_quote(text: str, before: int | None) -> int | None:
    """The index of the first line before line index `before` that leaves a double quote open, if
    closing it there mends the file (a string may rightly run over lines)."""
    rows = text.split("\n")
    for index, row in enumerate(rows[:before or 0]):
        if _OPENS_QUOTE.fullmatch(row.rstrip()):
            return index if _composes("\n".join(rows[:index] + [row.rstrip() + '"'] + rows[index + 1:])) else None
    return None


def _composes(text: str) -> bool:
    loader = _StrictLoader(text)           # bounded as load() is: no aliases, no deep nesting
    try:
        loader.get_single_node()
        return True
    except yaml.YAMLError:
        return False
    finally:
        loader.dispose()


def _error_line(exc: yaml.YAMLError, first_line: int) -> int | None:
    """Where the fault is: an unclosed [list], {mapping} or quote, or a key without its colon, is
    noticed on a later line but begins where the parser's context mark is; else the problem's line."""
    context, problem = getattr(exc, "context_mark", None), getattr(exc, "problem_mark", None)
    opened = any(words in (getattr(exc, "context", None) or "") for words in ("flow", "simple key", "quoted"))
    mark = context if context is not None and (opened or problem is None) else problem
    return mark.line + first_line if mark is not None else None


def _record_lines(node: yaml.Node, path: tuple, lines: LineMap, first_line: int, file) -> None:
    lines[path] = node.start_mark.line + first_line
    if isinstance(node, yaml.MappingNode):
        seen: dict = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else repr(key.value)
            line = key.start_mark.line + first_line
            if name in seen:            # YAML would silently keep the last one: say so instead
                raise error("Y003", file, line, f"key '{name}' given twice (first on line {seen[name]})",
                            "keep one of them")
            seen[name] = line
            child = path + (name,)
            _record_lines(value, child, lines, first_line, file)
            lines[child] = line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, path + (index,), lines, first_line, file)


def line_for(lines: LineMap, path: tuple) -> int | None:
    """The line of the longest known prefix of path (a missing key reports its parent)."""
    path = tuple(path)
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path)
