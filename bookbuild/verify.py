"""Checks of the print edition before anything is written: text past the margin, a lone line at a
page turn, a font not embedded."""

from __future__ import annotations

import re

import pikepdf

from bookbuild.diagnostics import Diagnostic, ERROR, display_path
from bookbuild.enrich import leaf_blocks
from bookbuild.model import Book
from bookbuild.pagemap import PageMap


def run(book: Book, config, page_map: PageMap, pdf_fonts: dict[str, bool] | None) -> list[Diagnostic]:
    """pdf_fonts: fonts() of the PDF when one was made, read by the merge from the document it
    wrote (opening the written PDF again took 0.6 s of a 300-document rebuild)."""
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
    if pdf_fonts is not None:
        problems += unembedded_fonts(pdf_fonts, config)
    return problems


def _block_places(book: Book) -> dict[str, tuple[str, int]]:
    places = {}
    for doc in book.all_documents:
        path = display_path(doc.path)         # once a document: it resolves the path on disk
        places.update({block.id: (path, block.line) for block in leaf_blocks(doc)})
    return places


def unembedded_fonts(pdf_fonts: dict[str, bool], config) -> list[Diagnostic]:
    missing = sorted(name for name, embedded in pdf_fonts.items() if not embedded)
    return [Diagnostic("V001", ERROR, display_path(config.root / "book.yaml"), None,
                       f"font {name} is not embedded in the PDF", "use an OFL font shipped with the project")
            for name in missing]


def fonts(document: pikepdf.Pdf) -> dict[str, bool]:
    """Every font the PDF's pages use, their forms' too (the stamped folios), and whether its file
    is embedded. pikepdf (qpdf), each font object read once: pypdf took 16 s on a 356-page reader."""
    found: dict[str, bool] = {}
    seen: set[tuple[int, int]] = set()
    for page in document.pages:
        for font in fonts_of(page.obj.get("/Resources")):
            if font.is_indirect:
                if font.objgen in seen:
                    continue
                seen.add(font.objgen)
            for descendant in font.get("/DescendantFonts") or [font]:
                descriptor = descendant.get("/FontDescriptor")
                name = re.sub(r"^/?([A-Z]{6}\+)?", "", str(descendant.get("/BaseFont", font.get("/BaseFont"))))
                embedded = descriptor is not None and any(k in descriptor
                                                          for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                found[name] = found.get(name, True) and embedded
    return found


def fonts_of(resources, depth: int = 0):
    """The fonts of a resource dictionary and of the forms it draws (forms may nest; a few deep)."""
    if resources is None or depth > 4:
        return
    yield from (resources.get("/Font") or {}).values()
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.get("/Subtype") == "/Form":
            yield from fonts_of(xobject.get("/Resources"), depth + 1)
