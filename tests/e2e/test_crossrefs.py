"""Cross-references by id: 'Document 2 (p. 7)' in print, a link in the EPUB; a dangling one is an error."""

import re
import subprocess
import sys

import pytest
from pypdf import PdfReader

from bookbuild.scaffold import init
from tests.helpers import REPO, epub_files, pdf_pages

SENTENCE = ("See [](#doc-1962-11-02-benediktov-nehru), [](#doc-1945-07-24-potsdam-telegram:1) and "
            "[the Beijing talk](#doc-1959-10-02-khrushchev-mao).")


def bookbuild(*args):
    return subprocess.run([sys.executable, "-m", "bookbuild", *map(str, args)], capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    root = tmp_path_factory.mktemp("xref") / "reader"
    init(root)
    for chapter in sorted((REPO / "chapters").glob("19*.md")):
        (root / "chapters" / chapter.name).write_text(chapter.read_text())
    intro = root / "chapters" / "introduction.md"
    intro.write_text(intro.read_text().replace("This reader gathers one record from 1945.", SENTENCE))
    return root


def test_print_names_the_document_and_its_page_and_the_epub_links_it(reader):
    out = bookbuild("build", "-C", reader)
    assert out.returncode == 0, out.stderr
    pdf = next(reader.glob("output/*.pdf"))
    pages, labels = pdf_pages(pdf), list(PdfReader(pdf).page_labels)
    text = " ".join(" ".join(pages).split())
    match = re.search(r"See Document 3 \(p\. (\d+)\), note 2 to Document 1 \(p\. (\d+)\) and the Bei(?:- )?jing "
                      r"talk \(p\. (\d+)\)", text)        # the line may end in "Bei-"
    assert match, text[:2000]
    doc3, note, beijing = (labels.index(n) for n in match.groups())
    assert pages[doc3].startswith("Document 3") and pages[beijing].startswith("Document 2")
    assert "The conference at Potsdam continues." in pages[note]
    files = epub_files(next(reader.glob("output/*.epub")))
    assert ('<a class="xref" href="doc-1962-11-02-benediktov-nehru.xhtml#doc-1962-11-02-benediktov-nehru-title">'
            'Document\u00a03</a>') in files["EPUB/introduction.xhtml"]      # never parted at a line end


def test_a_reference_to_nothing_names_file_and_line(reader):
    intro = reader / "chapters" / "introduction.md"
    intro.write_text(intro.read_text().replace("[](#doc-1962-11-02-benediktov-nehru)", "[](#doc-1963)"))
    out = bookbuild("check", "-C", reader)
    assert out.returncode == 1
    assert re.search(r"introduction\.md:5: error X010: cross-reference to 'doc-1963' names no document", out.stderr)
