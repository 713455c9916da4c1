"""Index terms found in the text (and marked by hand), each mention a located IndexMark."""

from __future__ import annotations

import difflib
import re
import unicodedata

from bookbuild.config import Term
from bookbuild.diagnostics import error
from bookbuild.enrich import leaf_blocks, map_text, split_matches, unenriched
from bookbuild.model import Book, Document, IndexEntry, IndexMark, Text, walk_inlines

ARTICLES = re.compile(r"^(the|a|an)\s+", re.IGNORECASE)


def run(book: Book, config) -> Book:
    entries, by_form = _entries(config.index)
    by_name = {entry.name: entry for entry in _flatten(entries)}
    pattern = _pattern(by_form)
    for doc in unenriched(book.all_documents):
        _find(doc, pattern, by_form)
    for doc in book.all_documents:
        _collect(doc, by_name)
    book.index = sorted(entries, key=lambda e: e.sort_key)
    return book


def sort_key(name: str, explicit: str | None = None) -> str:
    """Sort by the given key, else the name without a leading article, accents and case folded."""
    key = explicit or ARTICLES.sub("", name)
    key = unicodedata.normalize("NFKD", key)
    return "".join(c for c in key if not unicodedata.combining(c)).casefold()


def _entries(index) -> tuple[list[IndexEntry], dict[str, str]]:
    by_form: dict[str, str] = {}
    entries = [_entry(kind, term, by_form) for kind, term in index.all_terms()]
    return entries, by_form


def _entry(kind: str, term: Term, by_form: dict[str, str]) -> IndexEntry:
    for form in term.match_forms:
        by_form.setdefault(form.replace("\u2019", "'"), term.name)
    entry = IndexEntry(term.name, sort_key(term.name, term.sort), kind, see=term.see,
                       see_also=list(term.see_also))
    entry.sub = sorted((_entry(kind, sub, by_form) for sub in term.sub), key=lambda e: e.sort_key)
    return entry


def _flatten(entries: list[IndexEntry]):
    for entry in entries:
        yield entry
        yield from _flatten(entry.sub)


def _pattern(by_form: dict[str, str]) -> re.Pattern | None:
    if not by_form:
        return None
    forms = sorted(by_form, key=len, reverse=True)     # longest form wins where two overlap
    # The text's apostrophes are curly by now; a form is written with either.
    alternatives = (re.escape(form).replace("'", "['\u2019]") for form in forms)
    # The class of first letters lets the engine skip most positions before it tries every form
    # (half the time of the search in a 300-document reader); it matches nothing the forms don't.
    first = {form[0] for form in forms} | ({"\u2019"} if any(form[0] == "'" for form in forms) else set())
    starts = "".join(re.escape(char) for char in sorted(first))
    return re.compile(r"(?<!\w)(?=[" + starts + r"])(?:" + "|".join(alternatives) + r")(?!\w)")


def _find(doc: Document, pattern: re.Pattern | None, by_form: dict[str, str]) -> None:
    if pattern is None:
        return
    for block in leaf_blocks(doc):
        if block.kind in ("h1",):
            continue
        block.inlines = map_text(
            block.inlines,
            lambda text, line=block.line: split_matches(
                text, pattern, lambda m: IndexMark(by_form[m.group(0).replace("\u2019", "'")], [Text(m.group(0))],
                                                   line)),
            skip=("code", "url", "IndexMark"))


def _collect(doc: Document, by_name: dict[str, IndexEntry]) -> None:
    """Give marks ids in reading order and attach them to their entries."""
    count = 0
    seen: set[str] = set()
    for block in leaf_blocks(doc):
        for node in walk_inlines(block.inlines):
            if not isinstance(node, IndexMark):
                continue
            entry = by_name.get(node.entry)
            if entry is None:
                guess = difflib.get_close_matches(node.entry, list(by_name), n=1)
                raise error("X001", doc.path, node.line, f"index entry '{node.entry}' is not in book.yaml",
                            f"did you mean '{guess[0]}'?" if guess else
                            "add it under index: in book.yaml, or correct the name")
            count += 1
            node.id = f"{doc.id}-x{count}"
            node.first = node.entry not in seen
            seen.add(node.entry)
            entry.marks.append(node.id)
