"""Cross-references by id, [](#doc-id) or [](#doc-id:note-label), resolved to what they name."""

from __future__ import annotations

import difflib

from bookbuild.diagnostics import BookError, Diagnostic, ERROR, display_path
from bookbuild.enrich import leaf_blocks
from bookbuild.model import Book, CrossRef, Document, walk_inlines


def run(book: Book, config) -> Book:
    docs = {doc.id: doc for doc in book.all_documents}
    problems = []
    for doc in book.all_documents:
        for block in leaf_blocks(doc):
            for node in walk_inlines(block.inlines):
                if isinstance(node, CrossRef) and not _resolve(node, doc, docs):
                    problems.append(Diagnostic("X010", ERROR, display_path(doc.path), node.line,
                                               _unresolved(node.target, docs), _suggest(node.target, docs)))
    if problems:
        raise BookError(problems)
    return book


def _unresolved(target: str, docs: dict[str, Document]) -> str:
    doc_id, _, label = target.partition(":")
    if doc_id in docs and label:
        return f"cross-reference to '{target}': document '{doc_id}' has no note [^{label}]"
    return f"cross-reference to '{target}' names no document or note"


def _suggest(target: str, docs: dict[str, Document]) -> str:
    doc_id, colon, label = target.partition(":")
    if doc_id in docs:
        known = [f"{doc_id}:{note.label}" for note in docs[doc_id].notes]
    else:
        known = list(docs)
    guess = difflib.get_close_matches(target if doc_id in docs else doc_id, known, n=1, cutoff=0.6)
    if guess:
        return f"did you mean '{guess[0]}{'' if doc_id in docs or not colon else ':' + label}'?"
    return ("write [](#document-id) or [](#document-id:note-label); ids are the chapter file names without .md "
            "(prefixed doc- when they start with a digit), or their id: key")


def _resolve(ref: CrossRef, here: Document, docs: dict[str, Document]) -> bool:
    doc_id, _, label = ref.target.partition(":")
    doc = docs.get(doc_id)
    if doc is None:
        return False
    # No-break spaces: "note 3" and "Document 2" must not part at a line end.
    name = f"Document\u00a0{doc.number}" if doc.number else doc.title
    if not label:
        ref.text, ref.anchor = name, f"{doc.id}-title"
        return True
    note = next((n for n in doc.notes if n.label == label), None)
    if note is None:
        return False
    ref.text = f"note\u00a0{note.number}" + ("" if doc is here else f" to {name}")
    ref.anchor = f"{note.id}-ref"
    return True
