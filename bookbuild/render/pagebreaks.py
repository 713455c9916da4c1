"""Where each print page begins in the EPUB's text: markers for the page-list, from the PDF layout."""

from __future__ import annotations

import re

from bookbuild.enrich import leaf_blocks
from bookbuild.model import Book, plain_text
from bookbuild.pagemap import PageMap

Breaks = dict[str, list[tuple[int, str]]]       # element id -> [(character offset, page label)]


def place(book: Book, page_map: PageMap, element_ids: set[str]) -> Breaks:
    """A marker for every page: inside the block where its first line begins, at that word.

    Pages with no text of their own in the EPUB (blank versos, the half-title, the printed
    contents) are marked where the next page with text begins."""
    texts = {block.id: plain_text(block.inlines) for doc in book.all_documents for block in leaf_blocks(doc)}
    breaks: Breaks = {}
    searched_from: dict[str, int] = {}
    waiting: list[str] = []
    last: tuple[str, int] | None = None
    for label, (ids, line) in zip(page_map.labels, page_map.page_starts):
        known = [i for i in ids if i in element_ids or i in texts]
        if not known:
            waiting.append(label)
            continue
        target = next((i for i in reversed(known) if i in texts), known[-1])
        offset = _offset(texts[target], line, searched_from.get(target, 0)) if target in texts else 0
        searched_from[target] = offset
        for pending in waiting + [label]:
            breaks.setdefault(target, []).append((offset, pending))
        waiting, last = [], (target, offset)
    if waiting and last:
        breaks.setdefault(last[0], []).extend((last[1], label) for label in waiting)
    return breaks


def _offset(text: str, line: str, start: int) -> int:
    """Where the page's first line begins in the block's text, snapped back to the word's start."""
    line = line.rstrip("\u2010-").strip()
    for length in (40, 20, 10, 5):
        probe = line[:length]
        found = text.find(probe, start)
        if probe and found >= 0:
            return _word_start(text, found)
    return start


def _word_start(text: str, index: int) -> int:
    match = re.search(r"\S*$", text[:index])
    return index - len(match.group(0)) if match else index
