"""What one build keeps for the next: each chapter's document as the enrich passes left it. A
chapter read again from the same bytes, in the same setting (book.yaml, styles/, the code:
lastbuild.book_setting), is the document enriched before, and the passes do only their book-wide
work on it (numbers, cross-references, the index's locators; enrich.unenriched): after a one-word
edit, one document of three hundred is enriched, not all of them.

`watch` keeps them in memory (Warm), from a build that succeeded, so a kept document is one that
had no errors; its process imports WeasyPrint once, as it starts. Every build also finds them in
the cache (Kept), where they are put once the whole book has enriched without error (whatever
the layout then finds: enrichment depends on nothing else): a build from the command line, and
`watch` started on a book built before, then enrich only the chapters edited since."""

from __future__ import annotations

from typing import Callable

from bookbuild import cache
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
        _replace_documents(book, self._kept)

    def keep(self, book: Book, setting: str | None) -> None:
        self.setting = setting
        self.documents = {doc.source_key: doc for doc in book.all_documents if doc.enriched and doc.source_key}

    def forget(self) -> None:
        self.setting, self.documents = None, {}

    def _kept(self, doc: Document | None) -> Document | None:
        if doc is None:
            return None
        return self.documents.get(doc.source_key, doc) if doc.source_key else doc


class Kept:
    """The enriched documents in the cache (kind "enriched"), keyed by the setting and the
    chapter's source_key (its bytes, path and the code that read it)."""

    KIND = "enriched"

    def __init__(self, setting: str | None):
        self.setting = setting if cache.active() else None

    def reuse(self, book: Book) -> None:
        if self.setting is None:
            return
        _replace_documents(book, self._kept)

    def keep(self, documents: list[Document]) -> None:
        """Documents enriched by this build (the others came from here, or from Warm)."""
        if self.setting is None:
            return
        for doc in documents:
            if doc.source_key:
                cache.keep_object(self.KIND, self._key(doc), doc)

    def _kept(self, doc: Document | None) -> Document | None:
        if doc is None or doc.enriched or not doc.source_key:        # enriched: Warm's
            return doc
        return cache.kept_object(self.KIND, self._key(doc)) or doc

    def _key(self, doc: Document) -> str:
        return cache.digest(self.setting, doc.source_key)


def _replace_documents(book: Book, kept: Callable[[Document | None], Document | None]) -> None:
    """Each document of the book (the introduction, every part's) put in place by kept(doc)."""
    book.introduction = kept(book.introduction)
    for part in book.parts:
        part.documents = [kept(doc) for doc in part.documents]
