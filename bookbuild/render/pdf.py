"""Print edition: WeasyPrint lays out each part on its own, notes are verified, pages combined."""

from __future__ import annotations

import io
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

import pikepdf
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from bookbuild.diagnostics import error
from bookbuild.enrich import leaf_blocks
from bookbuild.model import Book, CrossRef, Document, NoteRef, walk_inlines
from bookbuild.pagemap import PageMap, roman
from bookbuild.render import html, layoutfacts, registry
from bookbuild.render.fetcher import ProjectFetcher
from bookbuild.render.fonts import check_glyphs, faces, font_roots, static_faces
from bookbuild.render.indexview import index_groups

# Layouts of one part before a note that WeasyPrint keeps setting on the wrong page stops the build.
MAX_REPAIRS = 16


@dataclass
class Layout:
    """A laid-out part of the book: WeasyPrint's document, its pages and the page of every id."""
    document: object
    pages: list
    anchors: dict[str, int]
    repaired: int = 0

    @property
    def starts(self) -> list[tuple[list[str], str]]:
        return [layoutfacts.page_start(page) for page in self.pages]

    def faults(self) -> tuple[list[tuple[int, str, int]], list[tuple[int, str, str]]]:
        """Paragraph fragments of one line at a page turn (page, block id, lines), and text
        that overflows the text block (page, text)."""
        fragments: dict[str, list[tuple[int, int]]] = {}
        overflows: list[tuple[int, str, str]] = []
        for index, page in enumerate(self.pages):
            box = page._page_box
            right = box.content_box_x() + box.width
            for block_id, lines in layoutfacts.line_counts(box).items():
                fragments.setdefault(block_id, []).append((index, lines))
            overflows += [(index, block_id, text) for block_id, text in layoutfacts.overflowing(box, right)]
        short = [(page, block_id, lines) for block_id, parts in fragments.items() if len(parts) > 1
                 for page, lines in parts if lines < 2]
        return short, overflows


@dataclass
class Typesetter:
    """WeasyPrint with the book's stylesheets, fonts and a fetcher that stays inside the project."""
    config: object
    fetcher: ProjectFetcher = field(init=False)
    stylesheets: list = field(init=False)
    font_config: FontConfiguration = field(init=False)

    def __post_init__(self):
        config = self.config
        self.fetcher = ProjectFetcher([config.root] + font_roots(config.styles_dir))
        self.font_config = FontConfiguration()
        page_css = html.render(config, "print/page.css.j2", html.PRINT, **_page_context(config))
        styles = config.styles_dir
        self.stylesheets = [self._css(filename=str(styles / "base.css")),
                            self._css(filename=str(styles / "print.css")),
                            self._css(string=page_css, base_url=styles.as_uri() + "/")]

    def _css(self, **source) -> CSS:
        return CSS(url_fetcher=self.fetcher, font_config=self.font_config, **source)

    def render(self, markup: str, extra_css: str = "") -> Layout:
        sheets = self.stylesheets + ([self._css(string=extra_css)] if extra_css else [])
        with _warnings() as warnings:
            document = HTML(string=markup, base_url=self.config.styles_dir.as_uri() + "/",
                            url_fetcher=self.fetcher).render(stylesheets=sheets, font_config=self.font_config)
        if warnings:
            # A warning from WeasyPrint means the page is not what the styles say: never ship it.
            raise error("P003", self.config.styles_dir, None, f"WeasyPrint: {warnings[0]}",
                        "fix the rule in styles/ that it names")
        if self.fetcher.refused:
            raise error("P001", self.config.root / "book.yaml", None,
                        f"refused to load {self.fetcher.refused[0]}",
                        "styles and documents may only use files inside the project")
        return Layout(document, list(document.pages), _anchors(document.pages))

    def blank_page(self):
        return self.render(html.render(self.config, "print/blank.xhtml.j2", html.PRINT)).pages[0]


@contextmanager
def _warnings():
    """Collect WeasyPrint's warnings for the duration of a render."""
    collected: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: collected.append(record.getMessage())
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield collected
    finally:
        logger.removeHandler(handler)


def write(book: Book, config, created: str, on_document=None, pdf: bool = True) -> tuple[bytes | None, PageMap]:
    """Lay out the print edition; return the PDF (None when only its page map is wanted, for an
    EPUB-only build: writing is a quarter of the time) and where every anchor landed.

    Order: documents (arabic from 1), Sources, then the front matter (its contents need the
    documents' pages), then the Index (it needs every page). Each part starts on a recto."""
    check_glyphs(book, config)
    setter = Typesetter(config)
    blank = setter.blank_page()
    body, xref_pages = _main_matter(setter, book, blank, on_document)
    sources_start = body.open_recto()
    body.add(setter.render(html.render(config, "print/back.xhtml.j2", html.PRINT, part="sources",
                                       documents=book.documents), _start_css(sources_start)))
    index_start = body.open_recto()
    front = _Sequence(blank)
    front.add(_front(setter, book, body, sources_start, index_start, created, xref_pages))
    front.open_recto()
    page_map = PageMap()
    _extend(page_map, front, [roman(n) for n in range(1, len(front.pages) + 1)])
    _extend(page_map, body, [str(n) for n in range(1, len(body.pages) + 1)])
    index = _Sequence(blank)
    index.add(setter.render(html.render(config, "print/back.xhtml.j2", html.PRINT, part="index",
                                        **index_context(book, page_map)), _start_css(index_start)))
    _extend(page_map, index, [str(index_start + n) for n in range(len(index.pages))])
    if not pdf:
        return None, page_map
    combined = front.first_document.copy(front.pages + body.pages + index.pages)
    return _label_pages(combined.write_pdf(**_pdf_options(config)), len(front.pages)), page_map


def _extend(page_map: PageMap, sequence: "_Sequence", labels: list[str]) -> None:
    """Add a sequence's pages to the page map, under the folios it prints."""
    offset = len(page_map.labels)
    page_map.labels += labels
    page_map.anchors.update({a: p + offset for a, p in sequence.anchors.items()})
    page_map.page_starts += sequence.starts
    page_map.short_fragments += [(p + offset, block, n) for p, block, n in sequence.short]
    page_map.overflows += [(p + offset, block, text) for p, block, text in sequence.overflows]
    page_map.repaired_pages += sequence.repaired


def _main_matter(setter: Typesetter, book: Book, blank, on_document=None) -> tuple["_Sequence", dict[str, str]]:
    """The documents laid out from page 1. Cross-references print the page they point to, which
    is known only after a layout: lay out again until those pages stand still (twice, usually)."""
    targets = {ref.anchor for doc in book.all_documents for block in leaf_blocks(doc)
               for ref in walk_inlines(block.inlines) if isinstance(ref, CrossRef)}
    xref_pages: dict[str, str] = {}
    for _ in range(4):
        body = _body(setter, book, blank, xref_pages, on_document)
        found = {anchor: str(body.anchors[anchor] + 1) for anchor in targets if anchor in body.anchors}
        if found == xref_pages:
            return body, xref_pages
        xref_pages = found
    raise error("P004", setter.config.root / "book.yaml", None, "cross-reference page numbers do not settle",
                "a reference's own width moves its target: rephrase the text around it")


def _body(setter: Typesetter, book: Book, blank, xref_pages: dict[str, str], on_document=None) -> "_Sequence":
    config = setter.config
    body = _Sequence(blank)
    total = len(book.documents)
    for number, part in enumerate(book.parts, start=1):
        if part.title:
            body.add(setter.render(html.render(config, "print/part.xhtml.j2", html.PRINT, number=number,
                                               title=part.title), _start_css(body.open_recto())))
        for doc in part.documents:
            if on_document:
                on_document(doc.number - 1, total, doc.running_title)
            body.add(layout_verified(setter, doc, lambda repairs, doc=doc: html.render(
                config, "print/document.xhtml.j2", html.PRINT, doc, repairs=repairs, xref_pages=xref_pages),
                start=body.open_recto()))
    if on_document:
        on_document(total, total, "")
    return body


class _Sequence:
    """Laid-out parts one after another; each opens on a recto, a blank verso before it if needed."""

    def __init__(self, blank):
        self.blank, self.pages, self.anchors, self.starts = blank, [], {}, []
        self.short, self.overflows, self.repaired, self.first_document = [], [], 0, None

    def open_recto(self) -> int:
        """Pad to an even count of pages; the number the next page will have."""
        if len(self.pages) % 2:
            self.pages.append(self.blank)
            self.starts.append(([], ""))
        return len(self.pages) + 1

    def add(self, layout: Layout) -> None:
        offset = len(self.pages)
        self.first_document = self.first_document or layout.document
        self.pages.extend(layout.pages)
        self.starts.extend(layout.starts)
        short, overflows = layout.faults()
        self.short += [(page + offset, block, lines) for page, block, lines in short]
        self.overflows += [(page + offset, block, text) for page, block, text in overflows]
        self.anchors.update({a: p + offset for a, p in layout.anchors.items()})
        self.repaired += layout.repaired


def layout_verified(setter: Typesetter, doc: Document, markup: Callable[[dict], str], start: int | None,
                    roman_folios: bool = False) -> Layout:
    """Lay out a part and check every note against its call; repair the page, or refuse."""
    repairs: dict[str, str] = {}
    repaired: set[str] = set()
    for _ in range(MAX_REPAIRS):
        layout = setter.render(markup(repairs), _start_css(start) if start else "")
        misplaced = [n for n in _notes(doc) if layout.anchors.get(n.id) != layout.anchors.get(f"{n.id}-ref")]
        if not misplaced:
            layout.repaired = len({layout.anchors[f"{note_id}-ref"] for note_id in repaired})
            return layout
        # Moving a paragraph on shifts every page after it: repair the first misplaced note only,
        # then lay out again. Every note already has footnote-policy: line (print.css); the
        # classes that used to set a policy on the calling paragraph never reached its notes (the
        # property is not inherited) and cost two layouts a note, so repairs start with room.
        note = misplaced[0]
        repaired.add(note.id)
        if not _repair(doc, note, repairs, layout):
            page = layout.anchors.get(f"{note.id}-ref", 0) + (start or 1)
            folio = roman(page) if roman_folios else str(page)
            raise error("P002", doc.path, note.line, f"note {note.number} cannot be set on page {folio}, the page "
                        "of its call", "shorten the note, or split the paragraph that calls it")
    raise error("P002", doc.path, None, "notes could not be set on the pages of their calls",
                "shorten the longest notes of this document")


def _caller(doc: Document, note):
    return next((b for b in leaf_blocks(doc, with_notes=False) if _calls(b, note.number)), None)


def _repair(doc: Document, note, repairs: dict[str, str], layout: Layout) -> bool:
    """One more repair for a note set after its call's page (or lost): room made on the call's
    page by moving its last paragraph on; failing that, the calling paragraph opens the next page."""
    blocks = leaf_blocks(doc, with_notes=False)
    caller = _caller(doc, note)
    call_page = layout.anchors.get(f"{note.id}-ref")
    after = blocks[blocks.index(caller) + 1:] if caller is not None else blocks
    movable = [b for b in after if layout.anchors.get(b.id) == call_page and repairs.get(b.id) != "fn-break"]
    if movable:
        repairs[movable[-1].id] = "fn-break"
        return True
    # The call is in the last lines of the page and nothing follows it there: the calling
    # paragraph opens the next page, with its note (unless it already opens a page).
    if caller is not None and repairs.get(caller.id) != "fn-break" and not _opens_page(layout, caller.id):
        repairs[caller.id] = "fn-break"
        return True
    return False


def _opens_page(layout: Layout, block_id: str) -> bool:
    """The block's first line is the first line of a page's text."""
    page = layout.anchors.get(block_id)
    return page is not None and block_id in layout.starts[page][0]


def _calls(block, number: int) -> bool:
    return any(isinstance(n, NoteRef) and n.number == number for n in walk_inlines(block.inlines))


def _notes(doc: Document):
    return ([doc.source_note] if doc.source_note else []) + doc.notes


def _anchors(pages) -> dict[str, int]:
    anchors: dict[str, int] = {}
    for index, page in enumerate(pages):
        for anchor in page.anchors:
            anchors.setdefault(anchor, index)
    return anchors


def _start_css(page: int) -> str:
    # Only @page :first resets the folio of a separately rendered part (see FIELD-NOTES);
    # the reset applies to that first page itself.
    return f"@page :first {{ counter-reset: page {page} }}"


def _front(setter, book, body: "_Sequence", sources_start, index_start, created, xref_pages) -> Layout:
    config = setter.config
    pages = {a: str(p + 1) for a, p in body.anchors.items()}
    lists = registry.lists(config)
    front_entries = [(title, f"#{which}-title") for which, title, _ in lists]
    if book.introduction:
        front_entries.append(("Introduction", f"#{book.introduction.id}-title"))
    context = dict(parts=book.parts, pages=pages, created=created, registry=lists, front_entries=front_entries,
                   back_entries=[("Sources", sources_start), ("Index", index_start)],
                   **html.copyright_context(book))
    markup = lambda repairs: html.render(config, "print/front.xhtml.j2", html.PRINT, book.introduction,
                                         repairs=repairs, xref_pages=xref_pages, **context)
    if book.introduction:
        return layout_verified(setter, book.introduction, markup, start=None, roman_folios=True)
    return setter.render(markup({}))


def index_context(book: Book, page_map: PageMap) -> dict:
    return {"groups": index_groups(book.index, page_map)}


def _page_context(config) -> dict:
    output = config.output
    families = [output.fonts.body] + list(output.fonts.fallback)
    found = faces(families, config.styles_dir, config.root / "book.yaml")
    fonts = [{"family": f.family, "style": f.style, "weight": f.weight, "url": f.path.as_uri()}
             for f in static_faces(found) if not f.system]
    stack = ", ".join(f'"{family}"' for family in families) + ", serif"
    return dict(page_size=output.page_size, gutter=output.gutter, bleed=output.bleed,
                crop_marks=output.crop_marks, fonts=fonts, font_stack=stack)


def _pdf_options(config) -> dict:
    variant = config.output.pdf_variant
    options = {"pdf_identifier": config.identifier.encode("utf-8"), "full_fonts": False}
    if variant != "none":
        options["pdf_variant"] = variant
    return options


def _label_pages(pdf: bytes, front_count: int) -> bytes:
    """Roman folios for the front matter, arabic from 1 for the rest: what a viewer's 'page 1' finds.

    pikepdf (qpdf) adds the /PageLabels in 0.4 s where pypdf's clone took 5 s for 76 pages and
    grew with the page count; it keeps WeasyPrint's PDF version and the first /ID entry (the
    book's identifier), and derives the second from the content, so builds stay reproducible."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        nums = []
        if front_count:
            nums += [0, pikepdf.Dictionary(S=pikepdf.Name.r, St=1)]
        nums += [front_count, pikepdf.Dictionary(S=pikepdf.Name.D, St=1)]
        document.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array(nums))
        out = io.BytesIO()
        document.save(out, deterministic_id=True)
    return out.getvalue()
