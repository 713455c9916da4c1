"""The Persons and the Abbreviations and terms lists, from book.yaml's registry, for both formats."""

from __future__ import annotations

from dataclasses import dataclass

from bookbuild.enrich.index import sort_key
from bookbuild.enrich.typography import typeset
from bookbuild.render.indexview import entry_key


TITLES = {"persons": "Persons", "terms": "Abbreviations and Terms"}


def lists(config) -> list[tuple[str, str, list["Item"]]]:
    """(id, title, items) of the registry lists that have entries, in front-matter order."""
    found = (("persons", persons(config)), ("terms", terms(config)))
    return [(which, TITLES[which], items) for which, items in found if items]


@dataclass
class Item:
    name: str
    key: str
    gloss: str          # identification of a person, expansion of a term
    dates: str | None = None


def persons(config) -> list[Item]:
    people = [t for t in config.index.people if t.identification and not t.see]
    return [Item(typeset(t.name), f"person-{entry_key(t.name)}", typeset(t.identification), t.dates)
            for t in sorted(people, key=lambda t: sort_key(t.name, t.sort))]


def terms(config) -> list[Item]:
    glossed = [t for _, t in config.index.all_terms() if t.expansion]
    return [Item(typeset(t.name), f"term-{entry_key(t.name)}", typeset(t.expansion))
            for t in sorted(glossed, key=lambda t: sort_key(t.name, t.sort))]


def links(config) -> dict[str, str]:
    """Index entry name → the id of its registry item, for the EPUB's first-mention links."""
    return {t.name: f"person-{entry_key(t.name)}" for t in config.index.people if t.identification and not t.see}
