"""Unique ids for documents and blocks, fixed before the formats split so both link alike."""

from __future__ import annotations

import re

from bookbuild.diagnostics import BookError, Diagnostic, ERROR, display_path
from bookbuild.enrich import document_blocks, unenriched
from bookbuild.model import Book

# Ids of the book's own pages and files (EPUB file names are ids + .xhtml): a chapter may not take one.
RESERVED = {"title-page", "copyright", "contents", "persons", "terms", "sources", "index", "cover",
            "nav", "titlepage", "toc", "content", "mimetype"}
PART_PAGE = re.compile(r"part-\d+")


def run(book: Book, config) -> Book:
    seen: dict[str, str] = {}
    problems = []
    for doc in book.all_documents:
        if doc.id in RESERVED or PART_PAGE.fullmatch(doc.id):
            problems.append(Diagnostic("I002", ERROR, display_path(doc.path), doc.meta_lines.get(("id",)),
                                       f"the id '{doc.id}' is taken by the book's own pages",
                                       "give the chapter another 'id:' in its front matter, or rename the file"))
        elif doc.id in seen:
            problems.append(Diagnostic("I001", ERROR, display_path(doc.path), doc.meta_lines.get(("id",)),
                                       f"duplicate document id '{doc.id}' (also {seen[doc.id]})",
                                       "give one of them another 'id:' in its front matter or rename the file"))
        seen[doc.id] = display_path(doc.path)
    for doc in unenriched(book.all_documents):
        for number, block in enumerate(document_blocks(doc), start=1):
            block.id = f"{doc.id}-b{number}"
    if problems:
        raise BookError(problems)
    for number, doc in enumerate(book.documents, start=1):
        doc.number = number
    return book
