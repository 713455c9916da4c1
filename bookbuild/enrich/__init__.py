"""Book → Book passes that run, in a fixed order, between reading and rendering."""

from __future__ import annotations

import re
from typing import Callable

from bookbuild.model import Block, Document, Inline, Text, walk_blocks

SKIP_KINDS = ("code", "IndexMark")


def map_text(inlines: list[Inline], fn: Callable[[str], list[Inline]], skip=SKIP_KINDS) -> list[Inline]:
    """Replace every Text node by fn(text), recursing into children except spans of `skip` kinds."""
    out: list[Inline] = []
    for node in inlines:
        if isinstance(node, Text):
            out.extend(fn(node.text))
            continue
        children = getattr(node, "children", None)
        if children is not None and getattr(node, "kind", type(node).__name__) not in skip:
            node.children = map_text(children, fn, skip)
        out.append(node)
    return out


def split_matches(text: str, pattern: re.Pattern, make: Callable[[re.Match], Inline]) -> list[Inline]:
    """Text with each match of pattern replaced by make(match)."""
    out: list[Inline] = []
    last = 0
    for match in pattern.finditer(text):
        if match.start() > last:
            out.append(Text(text[last:match.start()]))
        out.append(make(match))
        last = match.end()
    if last < len(text):
        out.append(Text(text[last:]))
    return out


def unenriched(documents: list[Document]) -> list[Document]:
    """The documents the per-document work of a pass is still to be done on: the others were
    kept enriched by a build before (bookbuild/warm.py); a pass's book-wide work sees every document."""
    return [doc for doc in documents if not doc.enriched]


def document_blocks(doc: Document, with_notes: bool = True):
    """Every block of a document in reading order: headnote, body, then notes."""
    yield from walk_blocks(doc.headnote)
    yield from walk_blocks(doc.body)
    if with_notes:
        for note in doc.notes:
            yield from walk_blocks(note.blocks)


def leaf_blocks(doc: Document, with_notes: bool = True) -> list[Block]:
    return [block for block in document_blocks(doc, with_notes) if block.inlines]
