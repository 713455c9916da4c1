"""A book with nothing to index (no index: in book.yaml, no marks) has no Index: no empty page
under that heading in print, no entry for it in the contents, no index file, link, landmark or
accessibility claim in the EPUB; and both files still pass their checkers."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from bookbuild.scaffold import init
from tests.helpers import epub_files


@pytest.fixture(scope="module")
def unindexed(tmp_path_factory):
    root = tmp_path_factory.mktemp("unindexed") / "reader"
    init(root)
    book = root / "book.yaml"
    text = book.read_text()
    book.write_text(text[:text.index("\nindex:")] + "\n")
    assert "{index=" not in "".join(p.read_text() for p in (root / "chapters").glob("*.md"))
    out = subprocess.run([sys.executable, "-m", "bookbuild", "build", "-C", str(root)],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    return next(root.glob("output/*.pdf")), next(root.glob("output/*.epub"))


def test_the_pdf_has_no_index_page_and_its_contents_no_index_entry(unindexed):
    pdf, _ = unindexed
    pages = [page.extract_text() for page in PdfReader(pdf).pages]
    contents = next(text for text in pages if text.lstrip().startswith("Contents"))
    assert "Sources" in contents and "Index" not in contents
    assert not any(text.lstrip().startswith("Index") for text in pages)
    assert pages[-1].lstrip().startswith("Sources")          # the book ends with its Sources
    assert subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True).returncode == 0


def test_the_epub_has_no_index_file_link_landmark_or_claim(unindexed):
    _, epub = unindexed
    files = epub_files(epub)
    assert "EPUB/index.xhtml" not in files and "EPUB/sources.xhtml" in files
    assert "index.xhtml" not in "".join(files.values())
    assert 'epub:type="index"' not in files["EPUB/nav.xhtml"]
    opf = files["EPUB/content.opf"]
    assert not re.search(r'property="schema:accessibilityFeature">index<', opf)
    assert "an index" not in opf and 'property="schema:accessibilitySummary"' in opf


def test_the_epub_passes_epubcheck(unindexed):
    _, epub = unindexed
    out = subprocess.run([str(Path(sys.executable).parent / "epubcheck"), str(epub)], capture_output=True, text=True)
    text = out.stdout + out.stderr
    assert out.returncode == 0 and not re.search(r"\b(ERROR|WARNING|FATAL)\b", text), text
