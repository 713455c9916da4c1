"""Record text to Markdown: paragraphs kept verbatim, escaping only what Markdown would misread."""

from __future__ import annotations

import re

from bookbuild.importers.common import Para

_ORDERED = re.compile(r"(?P<number>\d{1,9})(?P<delim>[.)])(?:[ \t]+(?P<rest>.*))?$")
# Line starts that open a block: heading, quote, bullet, rule or setext underline, table delimiter
# row, container fence (":::"), link reference definition. Backtick and "~~" fences are escaped inline.
_BLOCK_START = re.compile(r"""
      \#{1,6}(?:[ \t]|$)
    | >
    | [-+*](?:[ \t]|$)
    | ([-=_*])(?:[ \t]*\1)*[ \t]*$
    | [|:\- \t]*-[|:\- \t]*$
    | :{3}
    | \[[^\]]*\]:
""", re.X)
_INLINE = re.compile(r"""
      (?P<always>[\\`])                        # escapes themselves, code spans
    | (?P<star>\*) | (?P<under>_)              # emphasis, unless they cannot open or close
    | (?P<tildes>~~+)                          # strikethrough
    | (?P<close>\])(?=[({])                    # [text](url), [text]{attrs}
    | (?P<note>\[)(?=\^)                       # [^note]
    | (?<=\^)(?P<inline_note>\[)               # ^[inline note]
    | (?P<lt><)(?=\S)                         # <tag>, <https://autolink>, <a@b.org>, <.@a>
    | (?P<amp>&)(?=\#?\w+;)                    # &amp; &#123;
""", re.X)


def body_markdown(paras: list[Para]) -> str:
    """Paragraphs one blank line apart; numbered paragraphs stay ordered-list items; a line break
    inside a paragraph (a signature, an address) stays a line break."""
    out: list[str] = []
    expected: tuple[str, int] | None = None      # (delimiter, number) the open list would continue with
    for para in paras:
        first, expected = _first_line(para.lines[0], expected)
        lines = [first] + [escape_line(line) for line in para.lines[1:]]
        if "]:" in para.text:
            # "[label]: url" would vanish as a link definition, even with the label over two lines.
            lines = [re.sub(r"^(\d{1,3}[.)] )?\[", r"\1\\[", line) for line in lines]
        out.append("\\\n".join(lines))
    return "\n\n".join(out) + "\n" if out else ""


def _first_line(line: str, expected: tuple[str, int] | None) -> tuple[str, tuple[str, int] | None]:
    match = _ORDERED.match(line)
    if not match or not match.group("rest"):
        return escape_line(line), None
    number, delim = int(match.group("number")), match.group("delim")
    if len(match.group("number")) > 3:
        return escape_line(line), None          # "1945. Troops ...": a year, not a numbered paragraph
    # An item that does not continue the numbering would be renumbered by Markdown: keep it text.
    if expected and expected[0] == delim and expected[1] != number:
        return escape_line(line), None
    return f"{match.group('number')}{delim} {escape_line(match.group('rest'))}", (delim, number + 1)


def escape_line(line: str) -> str:
    """One stripped line as Markdown that renders to the same text."""
    line = line.strip()
    ordered = _ORDERED.match(line)
    if ordered:                                   # "3\. text": a paragraph, not a list item
        number = ordered.group("number")
        return f"{number}\\{escape_inline(line[len(number):])}"
    escaped = escape_inline(line)
    if _BLOCK_START.match(line) and not escaped.startswith("\\"):
        return "\\" + escaped
    return escaped


def escape_inline(text: str) -> str:
    return _INLINE.sub(lambda match: _escape(match, text), text)


def _escape(match: re.Match, text: str) -> str:
    kind, found = match.lastgroup, match.group()
    if kind == "tildes":
        return "\\~" * len(found)
    if kind in ("star", "under") and _inert(text, match.start(), kind == "under"):
        return found
    return "\\" + found


def _inert(text: str, at: int, underscore: bool) -> bool:
    """A '*' or '_' that can neither open nor close emphasis: spaces both sides, or '_' inside a word."""
    before = text[at - 1] if at > 0 else " "
    after = text[at + 1] if at + 1 < len(text) else "\\"     # a hard line break may follow
    if before.isspace() and after.isspace():
        return True
    return underscore and before.isalnum() and after.isalnum()


def unescape(markdown: str) -> str:
    """The text a reader sees, for comparisons: backslash escapes removed."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
