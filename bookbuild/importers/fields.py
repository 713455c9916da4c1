"""Completing a Record from its parsed parts: citation details, date, kind, participants, body, checks."""

from __future__ import annotations

from bookbuild.importers.checks import text_checks
from bookbuild.importers.citation import parse_citation, reference_ranges
from bookbuild.importers.common import (Para, Record, is_full_date, kind_from_label, kind_from_title,
                                        record_id_from_url, squash)
from bookbuild.importers.frontmatter import KEYS
from bookbuild.importers.markdown import body_markdown
from bookbuild.importers.names import participants, short_title

_FROM_CITATION = ("archive", "reference", "collection", "obtained_by", "translator", "digital_archive",
                  "source_url")


def finish(record: Record, title: str, body: list[Para]) -> Record:
    """Fill in what the fields imply, render the body, and collect the doubtful spots."""
    meta = record.meta
    meta["title"] = squash(title)
    if "citation" in meta:
        _from_citation(record, parse_citation(meta["citation"]))
    meta["record_id"] = meta.get("record_id") or record_id_from_url(meta.get("source_url"))
    meta["kind"] = kind_from_label(meta["kind"]) if meta.get("kind") else kind_from_title(meta["title"])
    names, notes = participants(meta["title"])
    meta["participants"] = names
    title_line = record.field_lines.get("title", 1)
    record.doubtful += [(title_line, note) for note in notes]
    _date(record, title_line)
    meta["short_title"] = meta.get("short_title") or short_title(meta["title"], names, meta.get("date"))
    _reference(record)
    if body:
        record.doubtful += text_checks(body)
    else:
        record.doubtful.append((title_line, "no record text found after the fields"))
    record.body = body_markdown(body)
    record.meta = {key: meta[key] for key in KEYS if meta.get(key)}
    record.doubtful.sort(key=lambda item: item[0])
    record.dropped.sort(key=lambda item: item[0])
    return record


def _from_citation(record: Record, cited: dict) -> None:
    line = record.field_lines.get("citation", 1)
    for key in _FROM_CITATION:
        if key in cited and key not in record.meta:
            record.meta[key] = cited[key]
            record.field_lines[key] = line
    title = cited.get("cited_title")
    if title and squash(title) != squash(record.meta["title"]):
        record.doubtful.append((line, f"the citation gives another title: \"{title}\""))
    date = cited.get("cited_date")
    if date and record.date_text and date != record.date_text:
        record.doubtful.append((line, f"the citation gives another date: {date}"))
    record.date_text = record.date_text or date


def _date(record: Record, title_line: int) -> None:
    line = record.field_lines.get("date", title_line)
    if is_full_date(record.date_text):
        record.meta["date"] = record.date_text
    elif record.date_text:
        record.doubtful.append((line, f"the date is only '{record.date_text}'; front matter needs "
                                      "YYYY-MM-DD, so 'date' is left out"))
    else:
        record.doubtful.append((line, "no date found; 'date' is left out"))


def _reference(record: Record) -> None:
    line = record.field_lines.get("reference", 1)
    for bad in reference_ranges(record.meta.get("reference", "")):
        record.doubtful.append((line, f"reference range '{bad}' ends before it starts: a digit lost?"))
