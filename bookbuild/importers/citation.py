"""The archive's citation and source sentence, split into archive, reference, collection and credits."""

from __future__ import annotations

import re

from bookbuild.importers.common import parse_date, squash

_ROLE = r"(?:obtained|translated|contributed|provided|donated|transcribed)"
# "Obtained by A and translated by B", "Obtained and translated by A", "Translated for CWIHP by A".
CREDIT = re.compile(rf"\b{_ROLE}(?:\s+(?:and|&)\s+{_ROLE})*(?:\s+(?P<extra>(?:for|from)\s+[^.]*?))?\s+by\s+",
                    re.I)
_ROLE_KEYS = {"obtained": "obtained_by", "translated": "translator"}
_URL = re.compile(r"<?(https?://[^\s<>]+)>?")
_DIGITAL_ARCHIVE = re.compile(r"[^,]*\bDigital Archive\b\s*,?\s*")
# The title runs to the last closing quote before the (unquoted) "... Digital Archive", so that
# quotation marks inside a title do not end it; without that anchor, to the first closing quote.
_QUOTED_TITLES = [re.compile(r"[\"\u201c](?P<title>.+)[\"\u201d],?\s+(?=[^\"\u201d]*Digital Archive)"),
                  re.compile(r"[\"\u201c](?P<title>.+?)[\"\u201d],?\s+")]


def parse_citation(citation: str) -> dict:
    """'"Title", date, Wilson Center Digital Archive, ARCHIVE, REF, COLLECTION. Translated by X. <URL>'."""
    text = squash(citation)
    fields: dict = {}
    url = _URL.search(text)
    if url:
        fields["source_url"] = url.group(1).rstrip(".,;)")
        text = (text[: url.start()] + text[url.end():]).strip()
    quoted = next((m for pattern in _QUOTED_TITLES if (m := pattern.match(text))), None)
    if quoted:
        fields["cited_title"] = squash(quoted.group("title")).rstrip(",")
        text = text[quoted.end():]
    archive = _DIGITAL_ARCHIVE.search(text)
    if archive:
        date, _, name = text[: archive.end()].strip(" ,").rpartition(",")
        fields["cited_date"] = parse_date(date.strip(" ,"))
        fields["digital_archive"] = name.strip()
        text = text[archive.end():]
    fields.update(parse_locator(text))
    return {key: value for key, value in fields.items() if value}


def parse_locator(text: str) -> dict:
    """'ARCHIVE, REF..., COLLECTION. Obtained by A and translated by B.' -> its parts."""
    text = squash(text)
    credit = CREDIT.search(text)
    locator = text[: credit.start()] if credit else text
    fields = _split_locator(locator.strip().rstrip(".").strip(" ,"))
    if credit:
        fields.update(parse_credits(text[credit.start():]))
    return {key: value for key, value in fields.items() if value}


def _split_locator(locator: str) -> dict:
    # The reference is the run of comma-separated parts that carry numbers (f. 90, op. 24, Reel 17);
    # what precedes it names the archive, what follows is the collection that holds it.
    parts = _top_level_split(locator)
    first = next((i for i, part in enumerate(parts) if re.search(r"\d", part)), None)
    if first is None:
        return {"archive": locator}
    if first == 0:
        # "PRC FMA 105-00944-03, 1-3": the archive's name runs up to the first numbered word.
        words = parts[0].split()
        cut = next(i for i, word in enumerate(words) if re.search(r"\d", word))
        if cut:
            parts = [" ".join(words[:cut]), " ".join(words[cut:])] + parts[1:]
            first = 1
    last = first
    while last < len(parts) and re.search(r"\d", parts[last]):
        last += 1
    return {"archive": ", ".join(p for p in parts[:first] if p),
            "reference": ", ".join(parts[first:last]),
            "collection": ", ".join(parts[last:])}


def _top_level_split(text: str) -> list[str]:
    """Split at commas outside parentheses: 'Russian Federation (AVPRF, Moscow)' stays whole."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth <= 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def parse_credits(text: str) -> dict:
    """'Obtained by A and translated by B.' -> {'obtained_by': 'A', 'translator': 'B'}; what has no
    key ("for CWIHP", a further sentence) is listed under 'unparsed'."""
    fields: dict = {}
    unparsed: list[str] = []
    matches = list(CREDIT.finditer(text))
    for match, after in zip(matches, matches[1:] + [None]):
        names, rest = _names(text[match.end(): after.start() if after else len(text)])
        unparsed += [part for part in (match.group("extra"), rest) if part]
        for role in re.findall(_ROLE, match.group(0), re.I):
            key = _ROLE_KEYS.get(role.lower())
            if key and names:
                fields[key] = f"{fields[key]} and {names}" if key in fields else names
    if unparsed:
        fields["unparsed"] = unparsed
    return fields


def _names(text: str) -> tuple[str, str]:
    """The names up to the end of the sentence, and the rest of the text."""
    # A sentence ends at a period after a word of two lower-case letters or more ("Hershberg."),
    # not after an initial ("R.K.", "Charles K.") that belongs to the name.
    end = re.search(r"(?<=[a-z]{2})\.(?:\s|$)", text)
    names, rest = (text[: end.start()], text[end.end():]) if end else (text, "")
    return re.sub(r"[\s,;]*(?:\band)?\s*$", "", names).strip(" ,;"), rest.strip()


def reference_ranges(reference: str) -> list[str]:
    """Page ranges that end before they start, even read as abbreviated ('321-28' is 321-328)."""
    bad = []
    for start, end in re.findall(r"(?<![\d/-])(\d+)\s*[-\u2013]\s*(\d+)(?![\d/-])", reference):
        full = start[: max(len(start) - len(end), 0)] + end
        if int(full) < int(start):
            bad.append(f"{start}-{end}")
    return bad
