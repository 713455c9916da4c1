"""Post-build checks of the products: notes on their pages, index locators, embedded fonts."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from bookbuild.diagnostics import Diagnostic, ERROR, display_path
from bookbuild.enrich import leaf_blocks
from bookbuild.model import Book
from bookbuild.pagemap import PageMap


def run(book: Book, config, page_map: PageMap, products: dict[str, bytes]) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    where = _block_places(book)
    first_overflow: dict[tuple, tuple[int, str, int]] = {}
    for page, block, text in page_map.overflows:        # one line per source line, however wide
        place = where.get(block, (display_path(config.styles_dir), None))
        seen = first_overflow.get(place)
        first_overflow[place] = (seen[0], seen[1], seen[2] + 1) if seen else (page, text, 1)
    problems += [Diagnostic("V010", ERROR, *place,
                            f"text overflows the text block on page {page_map.labels[page]}: {text[:40]!r}"
                            + (f" and {count - 1} more pieces of it" if count > 1 else ""),
                            "allow a break in it (a long URL or word), or check styles/print.css")
                 for place, (page, text, count) in first_overflow.items()]
    problems += [Diagnostic("V011", ERROR, *where.get(block, (display_path(config.styles_dir), None)),
                            f"the paragraph leaves {lines} line alone at the turn of page {page_map.labels[page]}",
                            "widows and orphans are set in styles/print.css")
                 for page, block, lines in page_map.short_fragments]
    if "pdf" in products:
        reader = PdfReader(io.BytesIO(products["pdf"]))
        problems += unembedded_fonts(reader, config)
    return problems


def _block_places(book: Book) -> dict[str, tuple[str, int]]:
    return {block.id: (display_path(doc.path), block.line) for doc in book.all_documents
            for block in leaf_blocks(doc)}


def unembedded_fonts(reader: PdfReader, config) -> list[Diagnostic]:
    missing = sorted(name for name, embedded in fonts(reader).items() if not embedded)
    return [Diagnostic("V001", ERROR, display_path(config.root / "book.yaml"), None,
                       f"font {name} is not embedded in the PDF", "use an OFL font shipped with the project")
            for name in missing]


def fonts(reader: PdfReader) -> dict[str, bool]:
    """Every font the PDF uses, and whether its file is embedded."""
    found: dict[str, bool] = {}
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts") or [font]:
                descendant = descendant.get_object()
                descriptor = descendant.get("/FontDescriptor")
                name = str(descendant.get("/BaseFont", font.get("/BaseFont")))
                embedded = bool(descriptor) and any(k in descriptor.get_object()
                                                    for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                found[re.sub(r"^[A-Z]{6}\+", "", name)] = found.get(name, True) and embedded
    return found
