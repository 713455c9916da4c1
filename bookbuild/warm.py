"""What `watch` keeps from one build for the next: each chapter's document as the enrich passes
left it. A chapter read again from the same bytes, in the same setting (book.yaml, styles/, the
code: lastbuild.book_setting), is the document enriched before, and the passes do only their
book-wide work on it (numbers, cross-references, the index's locators; enrich.unenriched): after
a one-word edit, one document of three hundred is enriched, not all of them (a second of the
rebuild). Kept only from a build that succeeded, so a kept document is one that had no errors.
Its process imports WeasyPrint once, as it starts."""

from __future__ import annotations

from bookbuild.model import Book, Document


class Warm:
    def __init__(self):
        # A long process lays out in itself, with WeasyPrint imported once, rather than in a
        # process made ready at each build (render/ready.py) that imports it again.
        import weasyprint  # noqa: F401
        self.setting: str | None = None
        self.documents: dict[str, Document] = {}            # source_key -> the document enriched

    def reuse(self, book: Book, setting: str | None) -> None:
        """Put the documents kept in the book in place of those read again from the same bytes."""
        if setting is None or setting != self.setting:
            return
        book.introduction = self._kept(book.introduction)
        for part in book.parts:
            part.documents = [self._kept(doc) for doc in part.documents]

    def keep(self, book: Book, setting: str | None) -> None:
        self.setting = setting
        self.documents = {doc.source_key: doc for doc in book.all_documents if doc.enriched and doc.source_key}

    def _kept(self, doc: Document | None) -> Document | None:
        if doc is None:
            return None
        return self.documents.get(doc.source_key, doc) if doc.source_key else doc
