"""`bookbuild check`: the whole book read and enriched, plus the editorial lint, without rendering."""

from __future__ import annotations

from pathlib import Path

from bookbuild.diagnostics import BookError, Diagnostic, WARNING, display_path
from bookbuild.sources import HEADNOTE_PLACEHOLDER
from bookbuild.model import plain_text


def check(root: Path) -> list[Diagnostic]:
    from bookbuild.build import read
    try:
        config, book = read(root)
    except BookError as exc:
        return exc.diagnostics
    problems: list[Diagnostic] = []
    for doc in book.documents:
        text = " ".join(plain_text(block.inlines) for block in doc.headnote)
        if not doc.headnote or HEADNOTE_PLACEHOLDER in text:
            problems.append(Diagnostic("A001", WARNING, display_path(doc.path), _headnote_line(doc),
                                       "the headnote is still a placeholder" if doc.headnote else "no headnote",
                                       "write who, when, why it matters and what to read for in ::: headnote"))
    for entry in _all(book.index):
        if not entry.marks and not entry.see and not entry.sub:
            problems.append(Diagnostic("A002", WARNING, display_path(config.root / "book.yaml"), None,
                                       f"index entry '{entry.name}' is never found in the text",
                                       "add the form the text uses to its forms:, or remove the entry"))
    return problems


def _headnote_line(doc) -> int | None:
    return doc.headnote[0].line if doc.headnote else (doc.body[0].line if doc.body else None)


def _all(entries):
    for entry in entries:
        yield entry
        yield from _all(entry.sub)
