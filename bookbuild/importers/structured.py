"""The structured form: **date**, **title**, then **Label:** fields, then the record text."""

from __future__ import annotations

import re
from pathlib import Path

from bookbuild.importers.citation import parse_citation
from bookbuild.importers.common import (CONTENTS_VALUE, LABEL_KEYS, FormatError, Para, Record, parse_date,
                                        squash)
from bookbuild.importers.fields import finish

_LABEL = re.compile(r"\*\*\s*(?P<label>[^*:\n]{1,40}?)\s*(?::\s*\*\*|\*\*\s*:)\s*(?P<value>.*)$")


def looks_structured(paras: list[Para]) -> bool:
    """Bold field labels such as **Citation:**, or a bold date as the first line."""
    if any(_label(para) in LABEL_KEYS for para in paras):
        return True
    return bool(paras) and paras[0].text.startswith("**") and parse_date(paras[0].text) is not None


def parse(paras: list[Para], source: Path) -> Record:
    record = Record(source, "structured", {}, "")
    labelled = [i for i, para in enumerate(paras) if _label(para) is not None]
    known = [i for i in labelled if _label(paras[i]) in LABEL_KEYS]
    # Past the last known label a bold "**Note:**" is the record's own text, not a field.
    starts = [i for i in labelled if known and i <= known[-1]]
    head_end = starts[0] if starts else min(2, len(paras))
    title = _head(paras[:head_end], record)
    body_start = _fields(paras, starts, record) if starts else head_end
    if starts and _label(paras[starts[-1]]) != "contents":
        record.doubtful.append((paras[body_start].line if body_start < len(paras) else paras[-1].line,
                                f"the record text is taken to start here, after the field "
                                f"'{_label(paras[starts[-1]])}' (usually **Contents:** comes last)"))
    if title is None:
        title = parse_citation(record.meta.get("citation", "")).get("cited_title")
        if title is None:
            raise FormatError("no title: expected a bold title line after the date, or a citation")
    return finish(record, title, paras[body_start:])


def _label(para: Para) -> str | None:
    match = _LABEL.match(para.lines[0])
    return squash(match.group("label")).lower() if match else None


def _head(paras: list[Para], record: Record) -> str | None:
    """The bold date and bold title; the title's line breaks ('  ' or '\\' at line ends) are joined."""
    title = None
    for para in paras:
        date = parse_date(para.text) if record.date_text is None else None
        if date:
            record.date_text = date
            record.field_lines["date"] = para.line
        elif title is None:
            title = squash(" ".join(re.sub(r"^\*\*|\*\*$|\\$", "", line) for line in para.lines))
            record.field_lines["title"] = para.line
        else:
            record.dropped.extend(para.numbered)
            record.doubtful.append((para.line, "a line before the fields that is neither date nor title; "
                                               "dropped"))
    return title


def _fields(paras: list[Para], starts: list[int], record: Record) -> int:
    """Read each **Label:** and its value; returns the index of the first paragraph of the text."""
    for n, start in enumerate(starts):
        label_para = paras[start]
        inline = _LABEL.match(label_para.lines[0]).group("value").strip()
        first_value = [Para(label_para.line, [inline] + label_para.lines[1:])] if inline else []
        if n + 1 < len(starts):
            value = first_value + paras[start + 1: starts[n + 1]]
            end = starts[n + 1]
        else:
            value, end = _last_value(paras, start, first_value, _label(label_para))
        _field(record, _label(label_para), label_para, value)
    return end


def _last_value(paras: list[Para], start: int, inline: list[Para], label: str) -> tuple[list[Para], int]:
    # The last field's value and the record text are not separated: the value is one paragraph, or
    # for **Contents:** every following line that names a version ("Original Scan", "Translation - English").
    end = start + 1
    value = list(inline)
    fits = label != "contents" or (end < len(paras) and CONTENTS_VALUE.fullmatch(paras[end].text))
    if not value and end < len(paras) and fits:
        value, end = [paras[end]], end + 1
    while label == "contents" and end < len(paras) and CONTENTS_VALUE.fullmatch(paras[end].text):
        value, end = value + [paras[end]], end + 1
    return value, end


def _field(record: Record, label: str, label_para: Para, value: list[Para]) -> None:
    key = LABEL_KEYS.get(label)
    if key is None or key in record.meta or not value:
        why = ("has no value" if not value else "is repeated" if key else "has no front-matter key")
        record.dropped.extend(label_para.numbered + [line for para in value for line in para.numbered])
        record.doubtful.append((label_para.line, f"field '{label}' {why}; dropped"))
        return
    separator = ", " if key == "contents_note" else "\n\n"
    record.meta[key] = separator.join(squash(para.text) for para in value)
    record.field_lines[key] = value[0].line
