"""Doubtful spots in a record's text: reported with their line, never fixed."""

from __future__ import annotations

import re

from bookbuild.importers.common import Para

_CLOSERS = "\"'\u201d\u2019\u00bb)]"
_TERMINAL = ".!?:;\u2026"


def text_checks(paras: list[Para]) -> list[tuple[int, str]]:
    return sentence_breaks(paras) + unbalanced_brackets(paras) + cut_short(paras)


def sentence_breaks(paras: list[Para]) -> list[tuple[int, str]]:
    """A paragraph that ends mid-sentence and a next one that goes on in lower case: a stray break."""
    found = []
    for para, after in zip(paras, paras[1:]):
        end = para.lines[-1].rstrip(_CLOSERS)
        first = re.match(r"\[?([^\W\d_])", after.text)      # a letter, perhaps after "["
        if end and end[-1] not in _TERMINAL and first and first.group(1).islower():
            line = para.line + len(para.lines) - 1
            found.append((line, f"paragraph break inside a sentence? line {line} ends "
                                f"'{_tail(para.lines[-1])}' and line {after.line} goes on "
                                f"'{_head(after.text)}'; not joined"))
    return found


def unbalanced_brackets(paras: list[Para]) -> list[tuple[int, str]]:
    """Editorial [insertions] that open and close unevenly: a bracket lost or added in transcription."""
    found = []
    for para in paras:
        opened, closed = para.text.count("["), para.text.count("]")
        if opened != closed:
            found.append((para.line, f"{opened} '[' but {closed} ']' in this paragraph: "
                                      "an editorial insertion is not closed or not opened"))
    return found


def cut_short(paras: list[Para]) -> list[tuple[int, str]]:
    if paras and re.search(r"(?:\.\.\.|\u2026)[" + re.escape(_CLOSERS) + r"]*$", paras[-1].lines[-1]):
        line = paras[-1].line + len(paras[-1].lines) - 1
        return [(line, "the text ends with an ellipsis: an excerpt, or cut short?")]
    return []


def _tail(text: str) -> str:
    return text if len(text) <= 30 else "\u2026" + text[-30:]


def _head(text: str) -> str:
    return text if len(text) <= 30 else text[:30] + "\u2026"
