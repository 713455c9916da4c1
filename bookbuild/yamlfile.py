"""Safe YAML with line numbers: plain data only, no tags, no aliases, bounded size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bookbuild.diagnostics import error

MAX_YAML_BYTES = 1_000_000
LineMap = dict[tuple, int]


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that also refuses aliases: an editor never needs them and they enable bombs."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in bookbuild files", event.start_mark)
        return super().compose_node(parent, index)


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
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + first_line if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise error("Y002", file, line, f"malformed YAML: {problem}",
                    "check indentation, colons and quotes on this line") from None
    lines: LineMap = {}
    if node is not None:
        _record_lines(node, (), lines, first_line)
    return data, lines


def _record_lines(node: yaml.Node, path: tuple, lines: LineMap, first_line: int) -> None:
    lines[path] = node.start_mark.line + first_line
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = path + (key.value,)
            _record_lines(value, child, lines, first_line)
            lines[child] = key.start_mark.line + first_line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, path + (index,), lines, first_line)


def line_for(lines: LineMap, path: tuple) -> int | None:
    """The line of the longest known prefix of path (a missing key reports its parent)."""
    path = tuple(path)
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path)
