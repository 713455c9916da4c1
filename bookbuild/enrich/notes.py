"""Notes numbered per document (the source note is 1); calls and notes matched, none lost."""

from __future__ import annotations

import re

from bookbuild.diagnostics import BookError, Diagnostic, ERROR, display_path
from bookbuild.enrich import leaf_blocks, unenriched
from bookbuild.model import Book, Document, NoteRef, Text, walk_inlines

UNDEFINED_CALL = re.compile(r"\[\^([^\]\s]+)\]")
UNCALLED = -1        # the reader's mark on a note that no call refers to


def run(book: Book, config) -> Book:
    problems: list[Diagnostic] = []
    for doc in unenriched(book.all_documents):
        problems += _number(doc)
    if problems:
        raise BookError(problems)
    return book


def _number(doc: Document) -> list[Diagnostic]:
    where = display_path(doc.path)
    problems = [Diagnostic("N001", ERROR, where, note.line, f"note [^{note.label}] is never called",
                           f"add [^{note.label}] where the note belongs, or delete the note")
                for note in doc.notes if note.number == UNCALLED]
    doc.notes = [note for note in doc.notes if note.number != UNCALLED]
    for number, note in enumerate(([doc.source_note] if doc.source_note else []) + doc.notes, start=1):
        note.number = number
        note.id = f"{doc.id}-n{number}"
    by_label = {note.label: note for note in doc.notes}
    called: set[str] = set()
    for block in leaf_blocks(doc):
        for node in walk_inlines(block.inlines):
            if isinstance(node, NoteRef):
                if node.label in called:
                    problems.append(Diagnostic("N002", ERROR, where, node.line,
                                               f"note [^{node.label}] is called twice",
                                               "a note is called once: write a second note for the second place"))
                called.add(node.label)
                node.number = by_label[node.label].number
            elif isinstance(node, Text):
                problems += [Diagnostic("N003", ERROR, where, block.line, f"note call [^{m.group(1)}] has no note",
                                        f"add a line '[^{m.group(1)}]: the note's text' at the end of the file")
                             for m in UNDEFINED_CALL.finditer(node.text)]
    return problems
