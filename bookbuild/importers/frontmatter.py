"""Front matter as YAML: keys in a fixed order, long text folded, every string round-tripping."""

from __future__ import annotations

import re

import yaml

KEYS = ["title", "short_title", "date", "kind", "participants", "summary", "citation", "archive",
        "reference", "collection", "obtained_by", "translator", "digital_archive", "original_language",
        "contents_note", "credits", "source_url", "record_id"]
FOLD_WIDTH = 96
_ONE_LINE = 1_000_000
_STR = "tag:yaml.org,2002:str"


def front_matter(meta: dict) -> str:
    """The YAML between the '---' lines; keys the record lacks are left out."""
    unknown = set(meta) - set(KEYS)
    if unknown:
        raise ValueError(f"not front-matter keys: {', '.join(sorted(unknown))}")
    text = "".join(_entry(key, meta[key]) for key in KEYS if meta.get(key) not in (None, "", []))
    if (yaml.safe_load(text) or {}) != {k: v for k, v in meta.items() if v not in (None, "", [])}:
        raise ValueError("front matter does not read back as written")   # never expected; never silent
    return text


def _entry(key: str, value) -> str:
    # The emitter's style choice is checked, not trusted: a value that would not read back the same
    # (odd spaces or line breaks in a folded block) falls back to a double-quoted string. A "..."
    # line (the emitter ends a document after a block that keeps trailing breaks) would end ours.
    for style, width in _styles(key, value) + [('"', FOLD_WIDTH)]:
        text = _folded(key, value) if style == ">" else None
        for candidate in (text, _dump(key, value, style, width)):
            if (candidate and not re.search(r"^\.\.\.$", candidate, re.M)
                    and yaml.safe_load(candidate) == {key: value}):
                return candidate
    raise ValueError(f"front-matter value of '{key}' does not survive YAML: {value!r}")


def _styles(key: str, value) -> list[tuple[str | None, int]]:
    if isinstance(value, list):
        return [("flow", _ONE_LINE)]
    if key in ("date", "record_id"):
        return [('"', FOLD_WIDTH)]                   # strings, never a YAML date or number
    if key in ("title", "short_title"):
        return [('"', _ONE_LINE)]                    # one line: titles are searched for
    if "\n" in value or len(key) + 2 + len(value) > FOLD_WIDTH:
        return [(">", FOLD_WIDTH)]
    return [(None, _ONE_LINE)]


def _folded(key: str, value: str) -> str | None:
    """'key: >-' and the text in lines of at most FOLD_WIDTH columns, broken at single spaces only
    (never at hyphens)."""
    if "\n" in value or value != value.strip() or not value.isprintable():
        return None                                 # left to the emitter, which escapes such text
    lines: list[str] = []
    for word in re.split(r"(?<=\S) (?=\S)", value):   # a wider space would not fold back to itself
        if lines and 2 + len(lines[-1]) + 1 + len(word) <= FOLD_WIDTH:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return f"{key}: >-\n" + "".join(f"  {line}\n" for line in lines)


def _dump(key: str, value, style: str | None, width: int) -> str:
    if isinstance(value, list):
        items = [yaml.ScalarNode(_STR, str(v), style='"' if style == '"' else None) for v in value]
        node = yaml.SequenceNode("tag:yaml.org,2002:seq", items, flow_style=True)
    else:
        node = yaml.ScalarNode(_STR, value, style=style)
    mapping = yaml.MappingNode("tag:yaml.org,2002:map", [(yaml.ScalarNode(_STR, key), node)])
    return yaml.serialize(mapping, Dumper=yaml.SafeDumper, allow_unicode=True, width=width)
