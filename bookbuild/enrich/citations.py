"""Source citations from front matter: the note on each document's title and the Sources list."""

from __future__ import annotations

import datetime

from bookbuild.enrich.typography import fix
from bookbuild.model import Block, Book, Document, Inline, Link, Note, Span, Text

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def run(book: Book, config) -> Book:
    for doc in book.documents:
        doc.source_note = Note("source", doc.meta_lines.get(("title",), 1),
                               [Block("p", doc.meta_lines.get(("title",), 1), inlines=note_form(doc.meta))],
                               is_source=True)
        doc.sources_entry = bibliography_form(doc.meta)
    return book


def display_date(iso: str | None) -> str:
    """'1959-10-02' → 'October 2, 1959' (Chicago's form for notes)."""
    if not iso:
        return "n.d."
    day = datetime.date.fromisoformat(iso)
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def note_form(meta: dict) -> list[Inline]:
    """Chicago notes style for an archival source: "Title," date, archive, reference, ..., URL."""
    parts = [display_date(meta.get("date")), meta.get("archive"), meta.get("reference"),
             meta.get("collection")]
    if meta.get("obtained_by"):
        parts.append(f"obtained by {meta['obtained_by']}")
    if meta.get("translator"):
        parts.append(f"trans. {meta['translator']}")
    parts.append(meta.get("digital_archive"))
    text = f"\u201c{fix(meta['title'])},\u201d " + ", ".join(fix(p) for p in parts if p)
    return _with_url(text, meta.get("source_url"), ", ")


def bibliography_form(meta: dict) -> list[Inline]:
    """The Sources list entry: "Title." Date. Archive, reference. Collection. Translated by X. ..."""
    where = ", ".join(p for p in (meta.get("archive"), meta.get("reference")) if p)
    parts = [display_date(meta.get("date")), where, meta.get("collection")]
    if meta.get("obtained_by"):
        parts.append(f"Obtained by {meta['obtained_by']}")
    if meta.get("translator"):
        parts.append(f"Translated by {meta['translator']}")
    parts.append(meta.get("digital_archive"))
    text = f"\u201c{fix(meta['title'])}.\u201d " + ". ".join(fix(p) for p in parts if p)
    return _with_url(text, meta.get("source_url"), ". ")


def _with_url(text: str, url: str | None, joiner: str) -> list[Inline]:
    if not url:
        return [Text(text + ".")]
    return [Text(text + joiner), Link(url, [Span("url", [Text(url)])]), Text(".")]


def how_to_cite(config) -> str:
    """The reader's own citation, Chicago bibliography style."""
    editors = [p.name for p in config.editors if p.role == "editor"] or [p.name for p in config.editors]
    who = editors[0] if len(editors) == 1 else ", ".join(editors[:-1]) + f", and {editors[-1]}"
    suffix = "ed." if len(editors) == 1 else "eds."
    title = config.title + (f": {config.subtitle}" if config.subtitle else "")
    return f"{who}, {suffix} {title}. {config.edition}. {config.publisher}, {config.date[:4]}."
