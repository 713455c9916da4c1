"""WeasyPrint with the book's styles and fonts: markup → a Layout (pages in memory) → a Part (PDF bytes
and page facts, which cross processes and the cache; WeasyPrint's pages cannot)."""

from __future__ import annotations

import json
import logging
import re
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bookbuild import cache
from bookbuild.diagnostics import error
from bookbuild.render import folios, html, tags
from bookbuild.render.fonts import faces, static_faces

# WeasyPrint (and what reads its boxes) is imported where it is used: it takes about a second to
# import, and a rebuild that finds every part in the cache never calls it.

# A link to an id in another part is written as a URI with this scheme; the merge turns it back
# into a link to the named destination (WeasyPrint drops, with a warning, links it cannot resolve).
OUTWARD = "bookbuild-part:"
_ID = re.compile(r'\sid="([^"]+)"')
_HREF = re.compile(r'href="#([^"]+)"')


@dataclass
class Layout:
    """A laid-out part of the book: WeasyPrint's document, its pages and the page of every id."""
    document: object
    pages: list
    anchors: dict[str, int]
    repaired: int = 0
    spanned: bool = False          # laid out again with a span around each index mark (render/marks.py)

    def faults(self) -> tuple[list[tuple[int, str, int]], list[tuple[int, str, str]]]:
        """Paragraph fragments of one line at a page turn (page, block id, lines), and text
        that overflows the text block (page, block id, text)."""
        from bookbuild.render import layoutfacts
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
class Part:
    """What is kept of a layout: the part's own PDF and the facts the book needs about its pages."""
    pdf: bytes
    pages: int
    anchors: dict[str, int]                       # id -> page index in this part
    starts: list                                  # per page: (ids around its first line, that line)
    short: list                                   # (page, block id, lines): widows and orphans
    overflows: list                               # (page, block id, text) past the margin
    repaired: int
    bookmarks: list                               # WeasyPrint's tree, page indices in this part
    spanned: bool = False                         # its index marks are spans (Layout.spanned)

    def facts(self) -> dict:
        facts = asdict(self)
        del facts["pdf"]
        return facts

    @classmethod
    def from_facts(cls, pdf: bytes, facts: dict) -> "Part":
        return cls(pdf=pdf, **{k: v for k, v in facts.items() if k in cls.__dataclass_fields__})


@dataclass
class Typesetter:
    """WeasyPrint with the book's stylesheets, fonts and a fetcher that stays inside the project."""
    config: object
    fetcher: object = field(init=False)           # ProjectFetcher
    stylesheets: list = field(init=False)
    font_config: object = field(init=False)       # WeasyPrint's FontConfiguration

    def __post_init__(self):
        from weasyprint.text.fonts import FontConfiguration
        from bookbuild.render.fetcher import ProjectFetcher
        config = self.config
        self.fetcher = ProjectFetcher.of(config)
        self.font_config = FontConfiguration()
        styles = config.styles_dir
        self.stylesheets = [self._css(filename=str(styles / "base.css")),
                            self._css(filename=str(styles / "print.css")),
                            self._css(string=page_css(config), base_url=styles.as_uri() + "/")]
        # For the text of a part whose folios are stamped on later (folios.py): no page numbers.
        self.unfolioed = [self.stylesheets[0],
                          self._css(string=folios.without_folios((styles / "print.css").read_text("utf-8")),
                                    base_url=styles.as_uri() + "/"),
                          self.stylesheets[2]]

    def _css(self, **source):
        from weasyprint import CSS
        return CSS(url_fetcher=self.fetcher, font_config=self.font_config, **source)

    def render(self, markup: str, start: int | None = None, with_folios: bool = True, extra_css: str = "") -> Layout:
        """start: the part's first page (its folios), unless it is laid out without them."""
        from weasyprint import HTML
        extra_css = (start_css(start) if start and with_folios else "") + extra_css
        sheets = (self.stylesheets if with_folios else self.unfolioed) + \
            ([self._css(string=extra_css)] if extra_css else [])
        with weasyprint_says() as warnings:
            document = HTML(string=outward_links(markup), base_url=self.config.styles_dir.as_uri() + "/",
                            url_fetcher=self.fetcher).render(stylesheets=sheets, font_config=self.font_config)
        if warnings:
            # A warning from WeasyPrint means the page is not what the styles say: never ship it.
            raise error("P003", self.config.styles_dir, None, f"WeasyPrint: {warnings[0]}",
                        "fix the rule in styles/ that it names")
        if self.fetcher.refused:
            from bookbuild.render.fetcher import MISSING
            url, why = self.fetcher.refused[0], self.fetcher.reasons[0]
            raise error("P001", self.config.root / "book.yaml", None, f"refused to load {url}: {why}",
                        "add the file, or correct the name in styles/ or the chapter that gives it"
                        if why == MISSING else "styles and documents may only use files inside the project")
        return Layout(document, list(document.pages), _anchors(document.pages))

    def folioed(self, part: Part, markup: str, start: int) -> Part | None:
        """A part laid out without folios, with the folios of its pages from start stamped on;
        None if a sheet of empty pages does not page as the part does (then lay it out whole)."""
        sheet = self.render(folios.sheet_markup(markup, part.pages), start, extra_css=folios.SHEET_CSS)
        if len(sheet.pages) != part.pages:
            return None
        pdf = folios.stamp(part.pdf, sheet.document.write_pdf(**pdf_options(self.config)))
        return Part.from_facts(pdf, part.facts())

    def part(self, layout: Layout) -> Part:
        """Write the layout's PDF; the facts go through JSON so that a Part made now and one read
        from the cache are the same to the last digit."""
        from bookbuild.render import layoutfacts
        short, overflows = layout.faults()
        facts = dict(pages=len(layout.pages), anchors=layout.anchors,
                     starts=[layoutfacts.page_start(page) for page in layout.pages],
                     short=short, overflows=overflows, repaired=layout.repaired, spanned=layout.spanned,
                     bookmarks=layout.document.make_bookmark_tree(scale=0.75, transform_pages=True))
        pdf = tags.lean(layout.document.write_pdf(**pdf_options(self.config)))
        return Part.from_facts(pdf, json.loads(json.dumps(facts)))


def start_css(page: int) -> str:
    # Only @page :first resets the folio of a separately rendered part (see FIELD-NOTES);
    # the reset applies to that first page itself.
    return f"@page :first {{ counter-reset: page {page} }}"


def page_css(config, context: dict | None = None) -> str:
    """The page geometry and the @font-face rules, from book.yaml's output options."""
    return html.render(config, "print/page.css.j2", html.PRINT, **(context or _page_context(config)))


def styles_version(config) -> str:
    """A digest of everything but the markup that shapes a Part: the code, the stylesheets, the
    font files and the PDF options. Needs no WeasyPrint, so a parent process can key the cache
    before it forks its layout workers. The machine's fonts (fallbacks such as Noto CJK, tens of
    megabytes) count by path, size and time: a system update that changes one lays out again."""
    styles, context = config.styles_dir, _page_context(config)
    fonts = [Path(font["path"]).read_bytes() for font in context["fonts"]]
    system = [f"{path}:{path.stat().st_size}:{path.stat().st_mtime_ns}" for path in context["system_fonts"]]
    return cache.digest(cache.code_version(), (styles / "base.css").read_bytes(), (styles / "print.css").read_bytes(),
                        page_css(config, context), repr(pdf_options(config)), *fonts, *system)


def outward_links(markup: str) -> str:
    """Links to ids this part does not hold point outward, for the merge to join them."""
    own = set(_ID.findall(markup))
    return _HREF.sub(lambda m: m.group(0) if m.group(1) in own else f'href="{OUTWARD}{m.group(1)}"', markup)


@contextmanager
def weasyprint_says():
    """Collect WeasyPrint's warnings for the duration of a render (or of reading a stylesheet)."""
    collected: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: collected.append(record.getMessage())
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield collected
    finally:
        logger.removeHandler(handler)


def _anchors(pages) -> dict[str, int]:
    anchors: dict[str, int] = {}
    for index, page in enumerate(pages):
        for anchor in page.anchors:
            anchors.setdefault(anchor, index)
    return anchors


def _page_context(config) -> dict:
    output = config.output
    families = [output.fonts.body] + list(output.fonts.fallback)
    found = faces(families, config.styles_dir, config.root / "book.yaml")
    fonts = [{"family": f.family, "style": f.style, "weight": f.weight, "url": f.path.as_uri(), "path": str(f.path)}
             for f in static_faces(found) if not f.system]
    stack = ", ".join(f'"{family}"' for family in families) + ", serif"
    return dict(page_size=output.page_size, gutter=output.gutter, bleed=output.bleed,
                crop_marks=output.crop_marks, fonts=fonts, font_stack=stack,
                system_fonts=sorted({f.path for f in found if f.system}))


def pdf_options(config) -> dict:
    variant = config.output.pdf_variant
    options = {"pdf_identifier": config.identifier.encode("utf-8"), "full_fonts": False}
    if variant != "none":
        options["pdf_variant"] = variant
    return options
