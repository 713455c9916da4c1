"""Index marks in print are not elements (render/marks.py): each mark's page comes from the
characters its element holds on each page. Checked here against the laid-out text itself, and
the fallback (a span around every mark) when the counts disagree."""

import re
from collections import defaultdict

from weasyprint.formatting_structure import boxes

from bookbuild import build
from bookbuild.enrich import leaf_blocks
from bookbuild.model import IndexMark, plain_text, walk_inlines
from bookbuild.render import layoutfacts, pdf
from bookbuild.render.marks import MarkPlaces, countable, mark_pages
from bookbuild.render.typesetter import Typesetter
from tests.helpers import REPO

UNCOUNTED = re.compile(r"[\s\-\u2010\u00ad]+")


def _laid_out_text(pages, elements: set[str]) -> dict[str, list[tuple[int, str]]]:
    """(page, counted characters) of each element's text boxes, in order."""
    found: dict[str, list[tuple[int, str]]] = {}

    def walk(box, current, page):
        if (box.element_tag or "").endswith(("::before", "::after", "::marker", "::footnote-call")):
            return
        element = getattr(box, "element", None)
        element_id = element.get("id") if element is not None else None
        current = element_id if element_id in elements else current
        if isinstance(box, boxes.TextBox):
            if current:
                found.setdefault(current, []).append((page, UNCOUNTED.sub("", box.text)))
            return
        for child in getattr(box, "children", None) or []:
            walk(child, current, page)
    for index, page in enumerate(pages):
        walk(page._page_box, None, index)
    return found


def test_each_mark_is_placed_at_its_own_term_on_its_page():
    """For every mark of the reader's records and introduction: at its counted place in its element's laid-out
    text stands the mark's own term, on the page the mark is given; no record needed the fallback."""
    config, book = build.read(REPO)
    setter = Typesetter(config)
    terms = {node.id: UNCOUNTED.sub("", plain_text(node.children)) for doc in book.all_documents
             for block in leaf_blocks(doc) for node in walk_inlines(block.inlines) if isinstance(node, IndexMark)}
    # the front matter holds the introduction, whose marks share paragraphs with note calls
    front = dict(pages=defaultdict(lambda: "1"), created="1962-11-02T00:00:00Z", xref_pages={},
                 back_entries=[("Sources", 1), ("Index", 3)])
    parts = [(("document", position, doc.id), {}, doc) for position, doc in enumerate(book.documents)]
    checked = 0
    for spec, context, doc in parts + [(("front",), front, book.introduction)]:
        places = MarkPlaces()
        layout = pdf._verified(setter, book, spec, None, context, False, places)
        assert 'class="ix"' not in pdf._markup(config, book, spec, {}, context, MarkPlaces())
        pages = mark_pages(places, layoutfacts.element_characters(layout.pages, set(places.totals)))
        assert pages is not None and set(pages) == {m for m in terms if m.startswith(doc.id)}
        text = _laid_out_text(layout.pages, set(places.totals))
        for mark, (element, before) in places.marks.items():
            pieces = text[element]
            joined = "".join(piece for _, piece in pieces)
            assert joined[before:before + len(terms[mark])] == terms[mark], (mark, joined[before - 20:before + 20])
            seen = 0
            page = next(page for page, piece in pieces if (seen := seen + len(piece)) > before)
            assert pages[mark] == page
            checked += 1
    assert checked > 200


def test_counts_that_disagree_give_marks_as_spans(monkeypatch):
    """If the laid-out text does not count as the markup's, the part is laid out again with a span
    around each mark, and its marks' pages are WeasyPrint's own anchors."""
    config, book = build.read(REPO)
    setter = Typesetter(config)
    doc = book.documents[1]
    monkeypatch.setattr(layoutfacts, "element_characters", lambda pages, elements: {})
    part = pdf._make(setter, book, ("document", 1, doc.id), None, {}, with_folios=False)
    marks = [node.id for block in leaf_blocks(doc) for node in walk_inlines(block.inlines)
             if isinstance(node, IndexMark)]
    assert marks and all(mark in part.anchors for mark in marks)


def test_mark_pages_counts_characters_to_the_page_that_holds_the_first_of_the_term():
    places = MarkPlaces(marks={"a": ("p", 0), "b": ("p", 9), "c": ("p", 10), "n": ("note", 3)},
                        totals={"p": 15, "note": 4})
    counts = {"p": [(0, 10), (1, 5)], "note": [(1, 4)]}
    assert mark_pages(places, counts) == {"a": 0, "b": 0, "c": 1, "n": 1}
    assert mark_pages(places, {"p": [(0, 10), (1, 4)], "note": [(1, 4)]}) is None     # one character short
    assert mark_pages(MarkPlaces(marks={"z": ("p", 15)}, totals={"p": 15}), {"p": [(0, 15)]}) is None
    assert countable("Sino-Soviet\u00a0talks,\nagain") == len("SinoSoviettalks,again")
