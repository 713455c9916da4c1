"""Shared by both record forms: the Record, decoding, paragraphs, dates, kinds and field values."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from bookbuild.diagnostics import display_path


class FormatError(ValueError):
    """The input is not a record this importer reads; the message is one line naming the file."""


@dataclass
class Record:
    """One parsed record: front matter, Markdown body, and what the parser dropped or doubted."""
    source: Path
    form: str                                   # "structured" or "webpage"
    meta: dict
    body: str
    dropped: list[tuple[int, str]] = field(default_factory=list)
    doubtful: list[tuple[int, str]] = field(default_factory=list)
    field_lines: dict[str, int] = field(default_factory=dict)   # front-matter key -> source line
    date_text: str | None = None                # ISO date, possibly partial ("1959-10", "1959")


@dataclass
class Para:
    """Consecutive non-blank lines of the source, stripped, with the number of the first."""
    line: int
    lines: list[str]

    @property
    def text(self) -> str:
        return " ".join(self.lines)

    @property
    def numbered(self) -> list[tuple[int, str]]:
        return [(self.line + i, text) for i, text in enumerate(self.lines)]


def decode(data: bytes, source: Path) -> str:
    """UTF-8 text with BOM and Windows/old-Mac line ends removed, or a FormatError saying why not."""
    name = display_path(source)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FormatError(f"{name}: UTF-16 text; expected a UTF-8 text record (save it as UTF-8)")
    if b"\0" in data:
        raise FormatError(f"{name}: binary file (NUL bytes); expected a UTF-8 text record")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FormatError(f"{name}: not UTF-8 (line {line}); expected a UTF-8 text record "
                          "(save it as UTF-8)") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise FormatError(f"{name}: empty file; expected a Wilson Center record")
    return text


def paragraphs(text: str) -> list[Para]:
    # Split on "\n" only: str.splitlines() also splits on U+2028 etc. and would shift line numbers.
    paras: list[Para] = []
    current: Para | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            current = None
        elif current is None:
            current = Para(number, [line.strip()])
            paras.append(current)
        else:
            current.lines.append(line.strip())
    return paras


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def unbold(text: str) -> str:
    """'**October 2, 1959**' -> 'October 2, 1959' (the structured form bolds its head lines)."""
    text = text.strip()
    if text.startswith("**") and text.endswith("**") and len(text) > 4:
        text = text[2:-2]
    return squash(text)


# ---- dates ---------------------------------------------------------------------------------
_MONTHS = {name.lower(): number for number, name in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"], start=1)}
_MONTHS.update({name[:3]: number for name, number in list(_MONTHS.items())} | {"sept": 9})
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_DATE_FORMS = [
    re.compile(rf"{_MONTH}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})"),
    re.compile(rf"(?P<day>\d{{1,2}})\s+{_MONTH},?\s+(?P<year>\d{{4}})"),
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"),
    re.compile(rf"{_MONTH},?\s+(?P<year>\d{{4}})"),
    re.compile(r"(?:(?:c\.|ca\.|circa)\s*)?(?P<year>\d{4})"),
]


def parse_date(text: str) -> str | None:
    """A whole-line date as ISO 8601, partial when the record gives only month or year."""
    text = unbold(text).rstrip(".")
    for form in _DATE_FORMS:
        match = form.fullmatch(text)
        if match and (iso := _iso(match.groupdict())):
            return iso
    return None


def _iso(parts: dict) -> str | None:
    month = parts.get("month")
    if month is not None and not month.isdigit():
        month = _MONTHS.get(month.lower())
        if month is None:
            return None
    year = int(parts["year"])
    if month is None:
        return f"{year:04d}"
    if parts.get("day") is None:
        return f"{year:04d}-{int(month):02d}"
    try:
        return datetime.date(year, int(month), int(parts["day"])).isoformat()
    except ValueError:
        return None


def is_full_date(iso: str | None) -> bool:
    return bool(iso) and len(iso) == 10


# ---- kinds ---------------------------------------------------------------------------------
# Earliest match in the title wins: "Entry from the Journal of X, Conversation with Y" is a diary entry.
_KIND_PATTERNS = [
    (r"\b(?:record|memorandum|minutes|notes?|transcript|summary)\s+of\s+(?:a\s+|the\s+)?conversations?\b",
     "conversation record"),
    (r"\b(?:journal|diary)\b", "diary entry"),
    (r"\b(?:telegram|cable)\b", "telegram"),
    (r"\bletter\b", "letter"),
    (r"\bconversations?\b", "conversation record"),
]


def kind_from_title(title: str) -> str:
    found = [(m.start(), i, kind) for i, (pattern, kind) in enumerate(_KIND_PATTERNS)
             if (m := re.search(pattern, title, re.I))]
    return min(found)[2] if found else "document"


def kind_from_label(label: str) -> str:
    """The web page's kind line, lower-cased; only mere synonyms of the kinds the titles give are
    renamed ("Record of Conversation"): "Memorandum of Conversation" is a genre of its own."""
    label = squash(label).lower()
    if re.fullmatch(r"(?:record of (?:a |the )?)?conversations?|conversation record", label):
        return "conversation record"
    if re.fullmatch(r"(?:journal|diary)(?: entry)?", label):
        return "diary entry"
    return label


# ---- field values --------------------------------------------------------------------------
CONTENTS_VALUE = re.compile(
    r"(?:original(?:\s+scan)?|translation|transcript(?:ion)?|scan)\b[\w ()-]{0,40}", re.I)

# Field labels of either form (lower-case) -> front-matter key; None: a label with no key.
LABEL_KEYS = {
    "citation": "citation", "summary": "summary", "credits": "credits",
    "original language": "original_language", "language": "original_language",
    "contents": "contents_note", "record id": "record_id", "type": "kind",
}


def record_id_from_url(url: str | None) -> str | None:
    match = re.search(r"(\d+)/?$", url or "")
    return match.group(1) if match else None
