"""The web-page form: a copy of the record's page, furniture and rights boilerplate included."""

from __future__ import annotations

import re
from pathlib import Path

from bookbuild.importers.citation import CREDIT, parse_locator
from bookbuild.importers.common import LABEL_KEYS, FormatError, Para, Record, parse_date, squash
from bookbuild.importers.fields import finish

WEB_ARCHIVE = "Wilson Center Digital Archive"
_FURNITURE = {"skip to content", "skip to main content", "main navigation", "menu", "search", "home",
              "digital archive", "share", "print", "download", "cite", "back", "document information",
              "related documents", "explore", "collections"}
_BOILERPLATE = re.compile(r"welcomes reuse of Digital Archive|subject to copyright|rights holders"
                          r"|enquire about this document|\[email[\s\u00a0]*protected\]", re.I)
# A numbered paragraph, a quotation, an [insertion] or a speaker's label ("MAO ZEDONG:").
_RECORD_TEXT = re.compile(r"\d{1,3}[.)]\s|[\"\u201c\[]|[A-Z][A-Z .,'-]{2,}:")
_LABEL = re.compile(r"(?P<label>original uploaded date|record id|original language|language|contents|type"
                    r"|citation|credits|source|rights)(?![a-z])\s*:?\s*(?P<value>.*)", re.I)


def looks_webpage(paras: list[Para]) -> bool:
    """Page furniture ("Skip to content", "Document Information", "Record ID") or the rights notice."""
    texts = {squash(para.text).lower() for para in paras}
    marked = bool(texts & {"skip to content", "skip to main content", "document information"})
    labelled = any(re.match(r"(?:record id|original uploaded date)\b", text) for text in texts)
    return len(paras) >= 2 and (marked or labelled or any(_BOILERPLATE.search(t) for t in texts))


def parse(paras: list[Para], source: Path) -> Record:
    # The page names no archive of its own: this layout is the Wilson Center Digital Archive's.
    record = Record(source, "webpage", {"digital_archive": WEB_ARCHIVE}, "")
    title_at, text_at = _head(paras, record)
    if title_at >= len(paras) or _is_tail(paras[title_at]):
        raise FormatError("no title: expected the date, then the title, then the text")
    record.field_lines["title"] = paras[title_at].line
    tail_at = _tail_start(paras, text_at)
    text = paras[text_at: tail_at]
    # The page puts the archive's summary after the text, as the last paragraph before the details.
    if len(text) >= 2:
        record.meta["summary"] = squash(text[-1].text)
        record.field_lines["summary"] = text[-1].line
        if _RECORD_TEXT.match(record.meta["summary"]):
            record.doubtful.append((text[-1].line, "taken as the summary (the last paragraph before the "
                                                   "page's details), but it reads like the record's text"))
        text = text[:-1]
    else:
        record.doubtful.append((paras[title_at].line, "no summary found after the text"))
    _tail(record, paras[tail_at:])
    return finish(record, paras[title_at].text, text)


def _head(paras: list[Para], record: Record) -> tuple[int, int]:
    """Find date and title (usually furniture, date, title; sometimes title, date) and drop the
    furniture before them; returns the indexes of the title and of the first paragraph of text."""
    date_at = next((i for i, para in enumerate(paras[:6]) if parse_date(para.text)), None)
    before = [i for i in range(date_at if date_at is not None else len(paras)) if not _is_furniture(paras[i])]
    if date_at is None:
        title_at = before[0] if before else len(paras)
        text_at = title_at + 1
    else:
        record.date_text = parse_date(paras[date_at].text)
        record.field_lines["date"] = paras[date_at].line
        title_at = before[-1] if before else date_at + 1
        text_at = max(title_at, date_at) + 1
    for i in set(range(min(text_at, len(paras)))) - {title_at, date_at}:
        _drop(record, paras[i], None if _is_furniture(paras[i]) else "unrecognised line before the text")
    return title_at, text_at


def _is_furniture(para: Para) -> bool:
    text = squash(para.text)
    return text.lower() in _FURNITURE or bool(re.fullmatch(r"(?:\w+ ){0,4}Digital Archive", text))


def _tail_start(paras: list[Para], start: int) -> int:
    for i in range(start, len(paras)):
        if squash(paras[i].text).lower() == "document information":
            return i
    end = len(paras)
    while end > start + 1 and _is_tail(paras[end - 1]):
        end -= 1
    return end


def _is_tail(para: Para) -> bool:
    text = squash(para.text)
    return bool(_is_furniture(para) or _BOILERPLATE.search(text) or _LABEL.fullmatch(text)
                or _is_source(text) or _is_kind_line(text))


def _tail(record: Record, paras: list[Para]) -> None:
    """The details after the text: source sentence, boilerplate, labelled values, the kind of record."""
    i = 0
    while i < len(paras):
        para, text = paras[i], squash(paras[i].text)
        label = _LABEL.fullmatch(text)
        i += 1
        if _is_furniture(para) or _BOILERPLATE.search(text):
            _drop(record, para)
        elif label:
            i = _labelled(record, paras, i, label)
        elif "archive" not in record.meta and _is_source(text):
            _source(record, para, text)
        elif "kind" not in record.meta and _is_kind_line(text):
            record.meta["kind"] = text
            record.field_lines["kind"] = para.line
        else:
            _drop(record, para, "unrecognised paragraph after the text")


def _labelled(record: Record, paras: list[Para], i: int, label: re.Match) -> int:
    """'Label value' on one line, or 'Label' and its value as the next paragraph; returns the next index."""
    name, label_para = label.group("label").lower(), paras[i - 1]
    value, value_para = label.group("value").strip(), label_para
    if not value and i < len(paras) and _fits(name, squash(paras[i].text)):
        value, value_para, i = squash(paras[i].text), paras[i], i + 1
    key = LABEL_KEYS.get(name)
    used = bool(value) and (name == "source" or (key is not None and key not in record.meta))
    if value_para is not label_para or not used:
        # A label on a line of its own is the page's furniture: the front-matter key names it now.
        # "Original Uploaded Date" and "Rights" have no key at all; an empty "Record ID" no value.
        _drop(record, label_para, f"'{label.group('label')}' has no value" if key and not value else None)
    if not used and value_para is not label_para:
        _drop(record, value_para)
    elif used and name == "source":
        _source(record, value_para, value)
    elif used:
        record.meta[key] = value
        record.field_lines[key] = value_para.line
    return i


def _fits(name: str, text: str) -> bool:
    """Whether the paragraph after a bare label is that label's value."""
    if name in ("source", "rights"):
        return False                                # their text is classified on its own
    if name == "original uploaded date":
        return bool(parse_date(text) or re.fullmatch(r"[\d/.-]+", text))
    if name == "record id":
        return text.isdigit()
    if name == "type":
        return _is_kind_line(text)
    return not (_LABEL.fullmatch(text) or _is_furniture(Para(0, [text])) or _BOILERPLATE.search(text))


def _source(record: Record, para: Para, text: str) -> None:
    fields = parse_locator(text)
    for part in fields.pop("unparsed", []):
        record.doubtful.append((para.line, f"the front matter keeps no '{part}' from this sentence"))
    for key, value in fields.items():
        record.meta.setdefault(key, value)
        record.field_lines.setdefault(key, para.line)


def _is_source(text: str) -> bool:
    return bool(CREDIT.search(text) or (re.search(r"\bArchives?\b", text) and re.search(r"\d", text)))


def _is_kind_line(text: str) -> bool:
    """'Diary Entry', 'Memorandum of Conversation', 'Telegram': a few words, no sentence."""
    return bool(re.fullmatch(r"[A-Z][A-Za-z'-]*(?: [A-Za-z'-]+){0,5}", text))


def _drop(record: Record, para: Para, why: str | None = None) -> None:
    record.dropped.extend(para.numbered)
    if why:
        record.doubtful.append((para.line, f"{why}; dropped"))
