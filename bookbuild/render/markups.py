"""A document's markup kept from a build before when nothing that makes it has changed: after a
one-word edit, the markups of the other documents (the print edition's, to key their layouts,
and the EPUB's) are read, not made again.

What makes a document's markup, and so its key:
- the chapter file and the code that read it (Document.source_key);
- everything the book is made of but its chapters (lastbuild.book_setting: book.yaml, styles/,
  the fonts, the code, the packages);
- what the enrich passes give a document from the other chapters: its number and the
  cross-references it prints, from every document's id, number and title and its notes'
  labels and numbers (the cross-document table below);
- what the writer gives the template beside the document, which the caller names (`beside`):
  the print edition's cross-reference pages, the EPUB's page markers in this document."""

from __future__ import annotations

from typing import Callable

from bookbuild import cache
from bookbuild.model import Book, Document


def settle(book: Book, setting: str | None) -> None:
    """After enrich: the part of every key the book's documents share (none kept without a setting)."""
    book.markup_key = cache.digest(setting, *_table(book)) if setting else ""


def kept(book: Book, doc: Document, medium: str, beside: str, make: Callable[[], str]) -> str:
    """make()'s markup of doc, or the one it gave a build before with the same key."""
    if not (book.markup_key and doc.source_key):
        return make()
    return cache.remembered("markups", cache.digest(book.markup_key, medium, doc.source_key, beside), make)


def _table(book: Book) -> list[str]:
    """What a cross-reference may print of any document: its id, number and title, and its notes."""
    return [repr((doc.id, doc.number, doc.title, [(note.label, note.number, note.id) for note in doc.notes]))
            for doc in book.all_documents]
