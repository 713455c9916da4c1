"""Typography by rule: dashes, ellipses and the apostrophes the Markdown reader (which curls the
quotes) left straight; typeset() gives text from book.yaml and the chapters' titles the same."""

from __future__ import annotations

import re
from functools import lru_cache

from bookbuild.enrich import leaf_blocks, map_text, unenriched
from bookbuild.markdown import curled
from bookbuild.model import Book, Text

# Order matters: the spaced hyphen and the double hyphen of typescripts both stand for a dash.
# Each rule with the strings one of which its pattern cannot match without: most texts hold
# none, and a substring test is far cheaper than a search (a fifth of enrich in a large reader).
RULES = [
    (re.compile(r"(?<=\w)--(?=\w)"), "\u2014", ("--",)),          # principles--against -> em dash
    (re.compile(r"(?<=[\w.,;:!?\"”’)])\s+--?\s+(?=[\w\"“‘(])"), "\u2014", ("-",)),   # one - for -> one—for
    (re.compile(r"(?<![\d-])(\d+)-(\d+)(?![\d-])"), "\\1\u2013\\2", ("-",)),  # 120-12 -> en dash for ranges
    (re.compile(r"\.\.\.|\. \. \."), "\u2026", ("...", ". . .")),
    # An apostrophe the Markdown reader left straight, having no quote to pair it with: "R. K.'s",
    # "the Soviets' note" (a quote that opens after a space stays as it is).
    (re.compile(r"(?<=[\w.])'(?=\w)|(?<=\w)'(?!\w)"), "\u2019", ("'",)),
]


def fix(text: str) -> str:
    for pattern, replacement, needs in RULES:
        if any(need in text for need in needs):
            text = pattern.sub(replacement, text)
    return text


@lru_cache(maxsize=4096)             # the index's entries, typeset for each format
def typeset(text: str) -> str:
    """Text from book.yaml shown in the book (an index entry, a person's identification) with the
    typography the chapters get: quotes curled as the Markdown reader curls them, then fix()."""
    return fix(curled(text))


def alternate_quotes(text: str) -> str:
    """Quotation marks inside quotation marks are single, as English usage has them: a title that
    quotes, in the double quotes a style sets titles in, reads “Truman’s ‘Secret’ Telegram”."""
    if text.count("\u201c") < 2:
        return text
    out, depth = [], 0
    for char in text:
        if char == "\u201c":
            depth += 1
            char = "\u2018" if depth % 2 == 0 else char
        elif char == "\u201d" and depth:
            char = "\u2019" if depth % 2 == 0 else char
            depth -= 1
        out.append(char)
    return "".join(out)


def run(book: Book, config) -> Book:
    for doc in unenriched(book.all_documents):
        for block in leaf_blocks(doc):
            block.inlines = map_text(block.inlines, lambda text: [Text(fix(text))])
        # The titles are the front matter's plain text, not Markdown: typeset as book.yaml's text is.
        for key in ("title", "short_title"):
            if doc.meta.get(key):
                doc.meta[key] = typeset(doc.meta[key])
    return book
