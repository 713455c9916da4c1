"""Trim sizes, the binding gutter, crop marks and bleed, and the PDF/A option."""

import re
import subprocess
import sys

import pikepdf
import pytest
from pypdf import PdfReader

from bookbuild.scaffold import init
from tests.helpers import REPO

POINTS = {"a4": (595.28, 841.89), "letter": (612, 792), "6x9in": (432, 648)}


def build(tmp_path, output: str):
    root = tmp_path / "reader"
    init(root)
    for chapter in sorted((REPO / "chapters").glob("19*.md")):
        (root / "chapters" / chapter.name).write_text(chapter.read_text())
    book = root / "book.yaml"
    book.write_text(re.sub(r"output:\n(  .*\n)+", "output:\n" + output, book.read_text()))
    out = subprocess.run([sys.executable, "-m", "bookbuild", "build", "--format", "pdf", "-C", str(root)],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    return next(root.glob("output/*.pdf"))


@pytest.mark.parametrize("size", ["a4", "letter"])
def test_trim_size_presets(tmp_path, size):
    pdf = build(tmp_path, f"  page_size: {size}\n")
    box = PdfReader(pdf).pages[0].trimbox
    assert (float(box.width), float(box.height)) == pytest.approx(POINTS[size], abs=0.5)


def test_crop_marks_bleed_and_pdf_a(tmp_path):
    pdf = build(tmp_path, "  page_size: a4\n  crop_marks: true\n  bleed: 3mm\n  pdf_variant: pdf/a-3b\n")
    page = PdfReader(pdf).pages[2]
    bleed = 3 / 25.4 * 72
    assert float(page.trimbox.width) == pytest.approx(595.28, abs=0.5)
    assert float(page.bleedbox.width) == pytest.approx(595.28 + 2 * bleed, abs=0.5)
    assert float(page.mediabox.width) >= float(page.bleedbox.width)
    with pikepdf.open(pdf) as document:
        meta = document.open_metadata()
        assert meta.get("pdfaid:part") == "3" and meta.get("pdfaid:conformance") == "B"
        assert "/OutputIntents" in document.Root
    assert subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True).returncode == 0


def test_the_gutter_widens_the_inside_margin(tmp_path):
    def left_edge(page) -> float:
        xs = []
        page.extract_text(visitor_text=lambda text, cm, tm, font, size: xs.append(tm[4] * cm[0] + cm[4])
                          if text.strip() else None)
        return min(xs)
    narrow = PdfReader(build(tmp_path / "a", "  page_size: 6x9in\n  gutter: 0in\n"))
    wide = PdfReader(build(tmp_path / "b", "  page_size: 6x9in\n  gutter: 0.5in\n"))
    opening = next(i for i, page in enumerate(narrow.pages) if page.extract_text().startswith("Document 2"))
    first = opening + 1
    assert (first % 2, narrow.page_labels[first]) == (1, str(int(narrow.page_labels[opening]) + 1))
    # the page after an opening is a verso: its inside margin is on the right, its left edge stays;
    # the next is a recto: the gutter pushes its text to the right by half an inch.
    assert left_edge(wide.pages[first]) == pytest.approx(left_edge(narrow.pages[first]), abs=1)
    assert left_edge(wide.pages[first + 1]) - left_edge(narrow.pages[first + 1]) == pytest.approx(36, abs=1)
