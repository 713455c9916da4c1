"""Notes numbered per document (the source note is 1); calls and notes matched, none lost."""

from __future__ import annotations

import re

from bookbuild.diagnostics import error
from bookbuild.enrich import leaf_blocks
from bookbuild.model import Book, Document, NoteRef, Text, walk_inlines

UNDEFINED_CALL = re.compile(r"\[\^([^\]\s]+)\]")


def run(book: Book, config) -> Book:
    for doc in book.all_documents:
        _number(doc)
    return book


def _number(doc: Document) -> None:
    notes = ([doc.source_note] if doc.source_note else []) + doc.notes
    for number, note in enumerate(notes, start=1):
        note.number = number
        note.id = f"{doc.id}-n{number}"
    by_label = {note.label: note for note in doc.notes}
    called: set[str] = set()
    for block in leaf_blocks(doc):
        for node in walk_inlines(block.inlines):
            if isinstance(node, NoteRef):
                if node.label in called:
                    raise error("N002", doc.path, node.line, f"note [^{node.label}] is called twice",
                                "a note is called once: write a second note for the second place")
                called.add(node.label)
                node.number = by_label[node.label].number
            elif isinstance(node, Text) and (match := UNDEFINED_CALL.search(node.text)):
                raise error("N003", doc.path, block.line, f"note call [^{match.group(1)}] has no note",
                            f"add a line '[^{match.group(1)}]: the note's text' at the end of the file")
