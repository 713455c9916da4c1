"""Conventions of translated records made explicit: speaker labels and editorial [insertions]."""

from __future__ import annotations

import re

from bookbuild.enrich import map_text, split_matches, unenriched
from bookbuild.model import Book, Span, Text, walk_blocks

# "KHRUSHCHEV N.S.:", "SUSLOV, M.A.:", "ZHOU ENLAI:" at the start of a paragraph: a turn.
SPEAKER = re.compile(r"^([A-Z][A-Z'’\-]+(?:[ ,.]+[A-Z][A-Z'’\-.]*)*\.?:)(?=\s)")
# A bracketed insertion, which may quote the record's own brackets one level deep
# ("[... a "trivial [border] incident" ...]"); unbalanced brackets stay as they are.
EDITORIAL = re.compile(r"\[(?:[^\[\]\n]|\[[^\[\]\n]*\])+\]")


def run(book: Book, config) -> Book:
    for doc in unenriched(book.documents):
        # The record's own text only: headnotes and notes are the editors' voice.
        for block in (b for b in walk_blocks(doc.body) if b.inlines):
            if block.kind == "p":
                _mark_speaker(block)
            block.inlines = map_text(block.inlines, _editorial)
    return book


def _mark_speaker(block) -> None:
    first = block.inlines[0] if block.inlines else None
    if not isinstance(first, Text):
        return
    match = SPEAKER.match(first.text)
    if match and sum(c.isalpha() for c in match.group(1)) >= 3:
        rest = first.text[match.end():]
        block.inlines[0:1] = [Span("speaker", [Text(match.group(1))]), Text(rest)]
        block.attrs["class"] = "turn"


def _editorial(text: str):
    return split_matches(text, EDITORIAL, lambda m: Span("editorial", [Text(m.group(0))]))
