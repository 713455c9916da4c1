"""The index as both formats show it: entries grouped by letter, locators from the page map."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from bookbuild.enrich.typography import typeset
from bookbuild.model import IndexEntry
from bookbuild.pagemap import PageMap


@dataclass
class Row:
    name: str                   # as shown (typeset); key and see_key are ids made from the names as written
    key: str
    locators: list
    see: str | None = None
    see_key: str | None = None
    see_also: list[tuple[str, str]] = field(default_factory=list)
    sub: list["Row"] = field(default_factory=list)


@dataclass
class Group:
    letter: str
    rows: list[Row]


def entry_key(name: str) -> str:
    """An id made from a name: its letters without their accents (Rákosi: rakosi), every other run
    of signs one hyphen; a name with no Latin letter or digit, a digest of it."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain.casefold()).strip("-") or \
        "u" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]


def index_groups(entries: list[IndexEntry], page_map: PageMap) -> list[Group]:
    """Entries with at least one locator or a cross-reference, grouped under their first letter."""
    groups: dict[str, list[Row]] = {}
    for entry in entries:
        row = _row(entry, page_map)
        if row is not None:
            letter = entry.sort_key[:1].upper() if entry.sort_key[:1].isalpha() else "#"
            groups.setdefault(letter, []).append(row)
    return [Group(letter, rows) for letter, rows in sorted(groups.items())]


def has_index(entries: list[IndexEntry]) -> bool:
    """Whether any entry would be printed (as index_groups shows them): a book with none has no
    Index, in print or in the EPUB, rather than a heading over an empty page."""
    return any(entry.marks or entry.see or has_index(entry.sub) for entry in entries)


def _row(entry: IndexEntry, page_map: PageMap, parent: str = "") -> Row | None:
    """A sub-entry's id follows its entry's: "Central Committee" may be under two parties."""
    key = f"{parent}--{entry_key(entry.name)}" if parent else entry_key(entry.name)
    subs = [row for row in (_row(sub, page_map, key) for sub in entry.sub) if row is not None]
    if not (entry.marks or entry.see or subs):
        return None
    return Row(name=typeset(entry.name), key=key, locators=page_map.locators(entry.marks),
               see=typeset(entry.see) if entry.see else None, see_key=entry_key(entry.see) if entry.see else None,
               see_also=[(typeset(name), entry_key(name)) for name in entry.see_also], sub=subs)
