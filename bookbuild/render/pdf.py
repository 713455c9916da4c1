"""Print edition: the book's parts laid out (cached, in parallel) and the page map made from their
pages; merge.py joins the parts into one PDF."""

from __future__ import annotations

import json

from bookbuild import cache
from bookbuild.diagnostics import error
from bookbuild.enrich import leaf_blocks
from bookbuild.model import Book, CrossRef, walk_inlines
from bookbuild.pagemap import PageMap, roman
from bookbuild.render import html, markups, registry, stylesheets
from bookbuild.render.fonts import check_glyphs
from bookbuild.render.indexview import has_index, index_groups
from bookbuild.render.layouts import Layouts
from bookbuild.render.marks import MarkPlaces, mark_pages, recorded
from bookbuild.render.placement import layout_verified
from bookbuild.render.typesetter import Part, Typesetter


def lay_out(book: Book, config, created: str, on_document=None, jobs: int | None = None,
            merging=None, ready=None) -> PageMap:
    """Where every anchor of the print edition landed (for the contents, the index, the EPUB's
    page-list and the checks). Order: documents (arabic from 1), Sources, then the front matter
    (its contents need the documents' pages), then the Index (it needs every page), if anything
    is indexed. Each part starts on a recto. merging (merge.Beside) is given the parts as soon
    as they are known, the body's in page order (add), then the front matter's (front), then the
    index's (add).
    ready (ready.ReadyLayout): where a lone document is laid out, if given."""
    store = cache.Store(cache.root() / "layouts" if cache.active() else None)
    with Layouts(config, book, _make, store, jobs, ready) as layouts:
        layouts.foresee(lambda: _body_plan(config, book, {}), {})      # an edited document, laid out meanwhile
        check_glyphs(book, config)
        stylesheets.refuse_faults(config)
        blank = _blank(layouts)
        body, xref_pages = _main_matter(layouts, book, blank, on_document, merging)
        index_start = body.open_recto() if has_index(book.index) else None
        front = _Sequence(blank)
        front.add(_front(layouts, book, body, index_start, created, xref_pages))
        front.open_recto()
        page_map = PageMap()
        _extend(page_map, front, [roman(n) for n in range(1, front.count + 1)])
        _extend(page_map, body, [str(n) for n in range(1, body.count + 1)])
        if merging:
            merging.front(front.parts, front.count)
        if index_start is not None:
            index = _index(layouts, book, page_map, index_start, blank)
            if merging:
                merging.add(index.parts)
            _extend(page_map, index, [str(index_start + n) for n in range(index.count)])
        page_map.parts_laid_out, page_map.parts_reused = layouts.laid_out, layouts.reused
        page_map.parts_refolioed = layouts.refolioed
    return page_map


def _extend(page_map: PageMap, sequence: "_Sequence", labels: list[str]) -> None:
    """Add a sequence's pages to the page map, under the folios it prints."""
    offset = len(page_map.labels)
    page_map.labels += labels
    page_map.anchors.update({a: p + offset for a, p in sequence.anchors.items()})
    page_map.page_starts += sequence.starts
    page_map.short_fragments += [(p + offset, block, n) for p, block, n in sequence.short]
    page_map.overflows += [(p + offset, block, text) for p, block, text in sequence.overflows]
    page_map.repaired_pages += sequence.repaired
    page_map.parts_spanned += sequence.spanned


def _main_matter(layouts: Layouts, book: Book, blank: Part, on_document=None,
                 merging=None) -> tuple["_Sequence", dict[str, str]]:
    """The documents laid out from page 1. Cross-references print the page they point to, which
    is known only after a layout: lay out again until those pages stand still (twice, usually;
    the second time only the documents whose markup or first page changed). The parts go to
    merging as they are placed when the first layout is the last (no cross-references), else
    once their pages stand still; the parts added after (a blank verso) follow them."""
    targets = {ref.anchor for doc in book.all_documents for block in leaf_blocks(doc)
               for ref in walk_inlines(block.inlines) if isinstance(ref, CrossRef)}
    sink = merging.add if merging else None
    xref_pages: dict[str, str] = {}
    for _ in range(4):
        body = _body(layouts, book, blank, xref_pages, on_document, None if targets else sink)
        found = {anchor: str(body.anchors[anchor] + 1) for anchor in targets if anchor in body.anchors}
        if found == xref_pages:
            if targets and sink:
                sink(body.parts)
            body.sink = sink
            return body, xref_pages
        xref_pages = found
    raise error("P004", layouts.config.root / "book.yaml", None, "cross-reference page numbers do not settle",
                "a reference's own width moves its target: rephrase the text around it")


def _body(layouts: Layouts, book: Book, blank: Part, xref_pages: dict[str, str], on_document=None,
          sink=None) -> "_Sequence":
    """Part title pages, documents, then Sources; each opens on a recto. sink(parts): the parts
    as they are placed, in page order (those before the first to lay out, while it is)."""
    specs, markups = _body_plan(layouts.config, book, xref_pages)

    def progress(done: int, total: int, first: int | None) -> None:
        if on_document:
            on_document(done, total, "" if first is None else _title(book, specs[first]))

    body = _Sequence(blank, sink)
    done = []

    def place(pairs: list[tuple[int, Part]]) -> None:
        for start, part in pairs:
            if body.open_recto() != start:      # Layouts.sequence and open_recto count pages alike
                raise RuntimeError(f"part {len(body.parts)} placed at page {start}, opens on {body.count + 1}")
            body.add(part)
        done.extend(pairs)

    placed = layouts.sequence(specs, markups, xref_pages, progress, on_first=place)
    place(placed[len(done):])
    body.sources_start = placed[-1][0]                     # Sources is the body's last part
    return body


def _body_plan(config, book: Book, xref_pages: dict[str, str]) -> tuple[list[tuple], list[str]]:
    """The body's parts in order, as specs (plain tuples, for the workers) and their markups."""
    specs: list[tuple] = []
    position = {id(doc): index for index, doc in enumerate(book.documents)}
    for number, part in enumerate(book.parts, start=1):
        if part.title:
            specs.append(("part", number))
        specs += [("document", position[id(doc)], doc.id) for doc in part.documents]
    specs.append(("sources",))
    return specs, [_body_markup(config, book, spec, xref_pages) for spec in specs]


def _body_markup(config, book: Book, spec: tuple, xref_pages: dict[str, str]) -> str:
    """A body part's markup as first laid out, a document's kept from a build before (markups.py)."""
    def make() -> str:
        return _markup(config, book, spec, {}, xref_pages, MarkPlaces())
    if spec[0] != "document":
        return make()
    return markups.kept(book, book.documents[spec[1]], html.PRINT, json.dumps(sorted(xref_pages.items())), make)


def _markup(config, book: Book, spec: tuple, repairs: dict, context, places: MarkPlaces | None = None) -> str:
    """A part's markup. context: the cross-reference pages (body parts), what the front matter
    needs from the body's layout (front), or the markup itself (index, blank page). With places,
    index marks are recorded there, not written as spans (render/marks.py), and said after it."""
    markup = _rendered(config, book, spec, repairs, context, places)
    return markup + recorded(places) if places is not None else markup


def _rendered(config, book: Book, spec: tuple, repairs: dict, context, places: MarkPlaces | None) -> str:
    kind = spec[0]
    if kind == "part":
        return html.render(config, "print/part.xhtml.j2", html.PRINT, number=spec[1],
                           title=book.parts[spec[1] - 1].title)
    if kind == "document":
        return html.render(config, "print/document.xhtml.j2", html.PRINT, book.documents[spec[1]],
                           repairs=repairs, xref_pages=context, mark_places=places)
    if kind == "sources":
        return html.render(config, "print/back.xhtml.j2", html.PRINT, part="sources", documents=book.documents)
    if kind == "front":
        return _front_markup(config, book, repairs, places, **context)
    return context


def _title(book: Book, spec: tuple) -> str:
    if spec[0] == "document":
        return book.documents[spec[1]].running_title
    return book.parts[spec[1] - 1].title if spec[0] == "part" else "Sources"


def _make(setter: Typesetter, book: Book, spec: tuple, start: int | None, context, with_folios: bool = True) -> Part:
    """A part laid out (in a worker process when there are workers); the notes of a document,
    and of the introduction in the front matter, checked against their calls. Without folios
    (start None), the same on any first page: they are stamped on later (render/folios.py)."""
    from bookbuild.render import layoutfacts          # WeasyPrint's boxes: only where a part is laid out
    places = MarkPlaces()
    layout = _verified(setter, book, spec, start, context, with_folios, places)
    pages = mark_pages(places, layoutfacts.element_characters(layout.pages, set(places.totals)))
    if pages is None:       # the layout's text did not count as the markup's: marks as spans, exact
        layout = _verified(setter, book, spec, start, context, with_folios, None)
        layout.spanned = True
    else:
        layout.anchors.update(pages)
    return setter.part(layout)


def _verified(setter: Typesetter, book: Book, spec: tuple, start: int | None, context, with_folios: bool,
              places: MarkPlaces | None):
    """The part laid out, its notes checked against their calls (placement.py); with places, its
    index marks recorded there rather than written as spans."""
    config = setter.config
    doc = book.documents[spec[1]] if spec[0] == "document" else book.introduction if spec[0] == "front" else None

    def markup(repairs: dict) -> str:
        if places is not None:
            places.marks.clear()
            places.totals.clear()
        return _markup(config, book, spec, repairs, context, places)
    if doc is not None:
        return layout_verified(setter, doc, markup, start, roman_folios=spec[0] == "front", with_folios=with_folios)
    return setter.render(markup({}), start, with_folios)


def _index(layouts: Layouts, book: Book, page_map: PageMap, start: int, blank: Part) -> "_Sequence":
    markup = html.render(layouts.config, "print/back.xhtml.j2", html.PRINT, part="index",
                         **index_context(book, page_map))
    index = _Sequence(blank)
    index.add(layouts.one(("index",), markup, start, markup))
    return index


def _blank(layouts: Layouts) -> Part:
    markup = html.render(layouts.config, "print/blank.xhtml.j2", html.PRINT)
    return layouts.one(("blank",), markup, None, markup)


class _Sequence:
    """Parts one after another; each opens on a recto, a blank verso before it if needed."""

    def __init__(self, blank: Part, sink=None):
        self.blank, self.parts, self.count, self.anchors, self.starts = blank, [], 0, {}, []
        self.short, self.overflows, self.repaired, self.sources_start, self.spanned = [], [], 0, 0, 0
        self.sink = sink                    # sink([part]): each part as it is added (to the merge)

    def open_recto(self) -> int:
        """Pad to an even count of pages; the number the next page will have."""
        if self.count % 2:
            self.add(self.blank)
        return self.count + 1

    def add(self, part: Part) -> None:
        offset = self.count
        self.parts.append(part)
        self.count += part.pages
        self.starts.extend(part.starts)
        self.short += [(page + offset, block, lines) for page, block, lines in part.short]
        self.overflows += [(page + offset, block, text) for page, block, text in part.overflows]
        for anchor, page in part.anchors.items():
            self.anchors.setdefault(anchor, page + offset)
        self.repaired += part.repaired
        self.spanned += part.spanned
        if self.sink:
            self.sink([part])


def _front(layouts: Layouts, book, body: _Sequence, index_start, created, xref_pages) -> Part:
    context = dict(pages={a: str(p + 1) for a, p in body.anchors.items()}, created=created,
                   back_entries=[("Sources", body.sources_start)] + ([("Index", index_start)] if index_start else []),
                   xref_pages=xref_pages)
    return layouts.one(("front",), _markup(layouts.config, book, ("front",), {}, context, MarkPlaces()), None, context)


def _front_markup(config, book: Book, repairs: dict, places: MarkPlaces | None, pages, created, back_entries,
                  xref_pages) -> str:
    lists = registry.lists(config)
    front_entries = [(title, f"#{which}-title") for which, title, _ in lists]
    if book.introduction:
        front_entries.append(("Introduction", f"#{book.introduction.id}-title"))
    return html.render(config, "print/front.xhtml.j2", html.PRINT, book.introduction, repairs=repairs,
                       xref_pages=xref_pages, mark_places=places, parts=book.parts, pages=pages, created=created,
                       registry=lists, front_entries=front_entries, back_entries=back_entries,
                       **html.copyright_context(book))


def index_context(book: Book, page_map: PageMap) -> dict:
    return {"groups": index_groups(book.index, page_map)}
