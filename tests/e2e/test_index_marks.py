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
        if (box.element_tag or "").endswith(("::before", "::after", "::marker", "::footnote-call",
                                             "::footnote-marker")):
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
    assert part.spanned
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


def test_a_list_in_a_note_is_printed_and_its_marks_indexed(tmp_path):
    """A footnote holding a list: every item is on the printed page (the print markup used to keep
    only a note's top-level paragraphs, dropping the list, and the index then had no page for a
    mark inside it); the mark's locator is the page of the note."""
    from pypdf import PdfReader
    from bookbuild.scaffold import init
    root = tmp_path / "r"
    init(root)
    record = next((root / "chapters").glob("1945*.md"))
    text = record.read_text(encoding="utf-8")
    record.write_text(text + "\nA sentence that calls a listing note.[^list]\n\n[^list]: Three places:\n\n"
                      "    - Berlin, first\n    - Potsdam, second\n    - Moscow, third\n", encoding="utf-8")
    result = build.build(root, jobs=1)
    pages = [page.extract_text() for page in PdfReader(result.outputs["pdf"]).pages]
    holding = [n for n, page in enumerate(pages) if "Berlin, first" in page]
    assert holding and all(item in pages[holding[0]] for item in ("• Potsdam, second", "• Moscow, third"))
    potsdam = next(entry for entry in result.book.index if entry.name == "Potsdam")
    in_note = [mark for mark in potsdam.marks if result.page_map.anchors[mark] == holding[0]]
    assert in_note, "the mark in the note's list has the note's page"


def test_an_empty_mark_keeps_its_span():
    """An empty mark ([]{index=...}) has no character of its own to find on a page: it stays a span
    (an exact anchor) and does not make its document fall back."""
    from bookbuild.model import Block, Document, IndexMark, Text
    from bookbuild.render import html
    doc = Document.__new__(Document)
    renderer = html.Renderer(html.PRINT, doc, mark_places=MarkPlaces())
    empty = IndexMark(entry="E", children=[], line=1, id="m-empty")
    full = IndexMark(entry="E", children=[Text("term")], line=1, id="m-full")
    block = Block("p", 1, inlines=[Text("Word"), empty, Text(" more "), full], id="b1")
    markup = renderer._block(block)
    assert '<span class="ix" id="m-empty"></span>' in markup and 'id="m-full"' not in markup
    assert renderer.mark_places.marks == {"m-full": ("b1", len("Wordmore"))}


def test_a_mark_in_a_table_header_repeated_on_every_page_is_counted_once(tmp_path):
    """WeasyPrint repeats a table's header on each page the table crosses; its marks are on the
    table's first page, and the document does not fall back."""
    from bookbuild.scaffold import init
    root = tmp_path / "r"
    init(root)
    record = next((root / "chapters").glob("1945*.md"))
    rows = "".join(f"| row {n} of the schedule | a cell of some length {n} |\n" for n in range(120))
    record.write_text(record.read_text(encoding="utf-8") + "\n| Arrivals at Potsdam | Notes |\n|---|---|\n" + rows,
                      encoding="utf-8")
    config, book = build.read(root)
    position, doc = next((n, d) for n, d in enumerate(book.documents) if d.path == record)
    places = MarkPlaces()
    layout = pdf._verified(Typesetter(config), book, ("document", position, doc.id), None, {}, False, places)
    assert len(layout.pages) >= 3
    text = _laid_out_text(layout.pages, set(places.totals))
    header = next(m for m, (element, _) in places.marks.items() if "Arrivals" in "".join(t for _, t in text[element]))
    cell = places.marks[header][0]
    assert len({page for page, _ in text[cell]}) >= 3                # the header drawn on every page
    pages = mark_pages(places, layoutfacts.element_characters(layout.pages, set(places.totals)))
    assert pages is not None and pages[header] == text[cell][0][0]


def test_note_calls_side_by_side_are_parted_by_commas_and_marks_stay_exact(tmp_path):
    """Three calls in one place print '1,2,3' (they printed '123', a note the page does not
    have), in both formats; the commas are counted with the calls, so the index marks after
    them keep their own places (no part laid out again with marks as spans)."""
    from pypdf import PdfReader
    from bookbuild.scaffold import init
    from tests.helpers import epub_files
    root = tmp_path / "r"
    init(root)
    record = next((root / "chapters").glob("1945*.md"))
    record.write_text(record.read_text(encoding="utf-8") + "\nThree notes at once.[^a][^b][^c] Then Potsdam "
                      "again.\n\n[^a]: First.\n\n[^b]: Second.\n\n[^c]: Third.\n", encoding="utf-8")
    result = build.build(root, jobs=1)
    text = " ".join(page.extract_text() for page in PdfReader(result.outputs["pdf"]).pages)
    numbers = re.search(r"Three notes at once\.(\d+),(\d+),(\d+) Then", text)
    assert numbers and [int(n) for n in numbers.groups()] == list(range(int(numbers.group(1)), int(numbers.group(1)) + 3))
    xhtml = epub_files(result.outputs["epub"])["EPUB/doc-1945-07-24-potsdam-telegram.xhtml"]
    assert xhtml.count('<span class="noteref-sep">,</span>') == 2
    assert result.page_map.parts_spanned == 0
    potsdam = next(entry for entry in result.book.index if entry.name == "Potsdam")
    page = next(n for n, t in enumerate(PdfReader(result.outputs["pdf"]).pages) if "Three notes at once" in t.extract_text())
    assert page in {result.page_map.anchors[mark] for mark in potsdam.marks}
