"""Index marks in print without elements of their own. A span around every indexed word made
WeasyPrint's line layout about a third slower (each span splits the text it sits in), so the print
markup records where each mark is instead: in which element, after how many characters. The
layout counts the same characters on each page (layoutfacts.element_characters), and a mark's
page is the page that holds its first character. Characters are counted alike on both sides:
everything but white space and hyphens (WeasyPrint adds a hyphen where it breaks a word). This
holds while an element's text runs from page to page in its markup's order, as text in the flow
does; an empty mark has no character to find, so it keeps its span."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

# White space (what str.isspace() calls so) and hyphens; str.translate is several times faster than a regex.
_WHITE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200b))) + \
    "\u2028\u2029\u202f\u205f\u3000"
_UNCOUNTED = str.maketrans("", "", _WHITE + "-\u2010\u00ad")


def countable(text: str) -> int:
    return len(text.translate(_UNCOUNTED))


@dataclass
class MarkPlaces:
    """Filled by the print Renderer: where each mark is, and how many characters each element
    holding marks has (to check that the layout counted the same text)."""
    marks: dict[str, tuple[str, int]] = field(default_factory=dict)   # mark id -> (element id, characters before it)
    totals: dict[str, int] = field(default_factory=dict)              # element id -> its characters


def recorded(places: MarkPlaces) -> str:
    """The places, as a comment to go after the markup. They do not change the laid-out text, but
    they make the part's facts (each mark's page), and the markup is the part's name in the cache
    (layouts.py): index terms changed in book.yaml must not find the pages of the old marks."""
    if not places.marks:
        return ""
    said = "\n".join(f"{mark} {element} {before}" for mark, (element, before) in places.marks.items())
    return f"<!-- index marks {hashlib.sha256(said.encode()).hexdigest()} -->\n"


def mark_pages(places: MarkPlaces, counts: dict[str, list[tuple[int, int]]]) -> dict[str, int] | None:
    """Each mark's page (an index into the part's pages), from the characters of each element
    on each page; None if an element's characters do not add up to what its markup holds (then
    the part is laid out again with a span around each mark: its anchors are exact)."""
    for element, total in places.totals.items():
        if sum(n for _, n in counts.get(element, [])) != total:
            return None
    pages: dict[str, int] = {}
    for mark, (element, before) in places.marks.items():
        seen = 0
        for page, characters in counts.get(element, []):
            seen += characters
            if seen > before:
                pages[mark] = page
                break
        else:
            return None          # a mark with no character of its own at the element's end
    return pages
