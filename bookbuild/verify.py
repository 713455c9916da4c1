"""Post-build checks of the products: notes on their pages, index locators, embedded fonts."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from bookbuild.diagnostics import Diagnostic, ERROR, display_path
from bookbuild.model import Book
from bookbuild.pagemap import PageMap


def run(book: Book, config, page_map: PageMap, products: dict[str, bytes]) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    if "pdf" in products:
        reader = PdfReader(io.BytesIO(products["pdf"]))
        problems += unembedded_fonts(reader, config)
    return problems


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
