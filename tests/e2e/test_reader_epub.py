"""The repository's reader as an EPUB: EPUBCheck clean, notes, text, index links."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_reader_pdf import record_paragraphs
from tests.helpers import epub_files, normalise, xhtml_text


@pytest.fixture(scope="module")
def epub(built_reader):
    root, result = built_reader
    return result.outputs["epub"], epub_files(result.outputs["epub"]), result


def test_epubcheck_reports_no_errors_and_no_warnings(epub):
    path = epub[0]
    epubcheck = Path(sys.executable).parent / "epubcheck"
    out = subprocess.run([str(epubcheck), str(path)], capture_output=True, text=True)
    text = out.stdout + out.stderr
    assert out.returncode == 0, text
    assert not re.search(r"\b(ERROR|WARNING|FATAL)\b", text), text


def test_every_record_paragraph_is_in_the_epub(epub):
    path, files, result = epub
    text = normalise(" ".join(xhtml_text(c) for n, c in files.items() if n.endswith(".xhtml")))
    missing = [p[:60] for p in record_paragraphs() if normalise(p) not in text]
    assert missing == []


def test_notes_are_footnotes_with_back_links(epub):
    path, files, result = epub
    doc = result.book.documents[0]
    markup = files[f"EPUB/{doc.id}.xhtml"]
    refs = re.findall(r'<a class="noteref" epub:type="noteref" role="doc-noteref" id="([^"]+)-ref" '
                      r'href="#([^"]+)">', markup)
    assert refs and all(a == b for a, b in refs)
    for ref, _ in refs:
        assert '<aside class="note' in markup and f'id="{ref}"' in markup
        assert f'href="#{ref}-ref" role="doc-backlink"' in markup
    source = re.search(rf'<aside class="note source-note"[^>]*id="{doc.id}-n1">(.*?)</aside>', markup, re.S)
    assert source and "Wilson Center Digital Archive" in source.group(1)


def test_language_everywhere_and_navigation(epub):
    path, files, result = epub
    opf = files["EPUB/content.opf"]
    assert 'xml:lang="en-US"' in opf and "<dc:language>en-US</dc:language>" in opf
    for name, content in files.items():
        if name.endswith(".xhtml"):
            assert 'lang="en-US" xml:lang="en-US"' in content, name
    nav = files["EPUB/nav.xhtml"]
    assert 'epub:type="toc"' in nav and 'epub:type="landmarks"' in nav
    assert "EPUB/toc.ncx" in files


def test_index_locators_link_to_marks_that_hold_the_term(epub):
    path, files, result = epub
    index = files["EPUB/index.xhtml"]
    links = re.findall(r'epub:type="index-locator" href="([^"#]+)#([^"]+)"', index)
    assert len(links) > 50
    for file, anchor in links:
        target = files[f"EPUB/{file}"]
        assert re.search(rf'<span class="ix" id="{anchor}">', target), anchor


def test_page_list_markers_stand_where_the_print_pages_begin(epub, built_reader):
    """'Page 12' in the EPUB is where page 12 of the PDF begins: the words after each marker
    are the first words of that PDF page."""
    from tests.helpers import pdf_labels, pdf_pages
    path, files, result = epub
    pdf = result.outputs["pdf"]
    pages, labels = pdf_pages(pdf), pdf_labels(pdf)
    nav = files["EPUB/nav.xhtml"]
    entries = re.findall(r'<li><a href="([^"#]+)#page-([^"]+)">([^<]+)</a></li>', nav)
    assert [label for _, label, _ in entries] == labels        # every page, in order
    assert 'property="pageBreakSource"' in files["EPUB/content.opf"]
    checked = 0
    for file, label, _ in entries:
        markup = files[f"EPUB/{file}"]
        assert f'<span epub:type="pagebreak" role="doc-pagebreak" id="page-{label}" aria-label="{label}"/>' in markup
        page_text = normalise(pages[labels.index(label)])
        rest = markup.split(f'id="page-{label}"', 1)[1].split(">", 1)[1]
        if rest.startswith('<span epub:type="pagebreak"'):
            continue        # a page with nothing of its own in the EPUB (blank, printed contents): marked with the next
        after = normalise(xhtml_text(rest))
        words = after.split()[1:4]                               # the first word may be cut by hyphenation
        if len(words) == 3:
            assert " ".join(words) in page_text[:400], (label, words, page_text[:120])
            checked += 1
    assert checked >= len([p for p in pages if p.strip()]) - 8


def test_accessibility_metadata(epub):
    opf = epub[1]["EPUB/content.opf"]
    for prop in ("accessMode", "accessModeSufficient", "accessibilityFeature", "accessibilityHazard",
                 "accessibilitySummary"):
        assert f'property="schema:{prop}"' in opf
    assert "EPUB Accessibility 1.1 - WCAG 2.1 Level AA" in opf


def test_persons_and_terms_lists_and_first_mention_links(epub):
    path, files, result = epub
    persons, terms = files["EPUB/persons.xhtml"], files["EPUB/terms.xhtml"]
    assert '<dt id="person-khrushchev-nikita-s">Khrushchev, Nikita S.' in persons
    assert re.search(r'<dt id="term-tass">TASS</dt>\s*<dd>[^<]*Telegraph Agency', terms)
    doc = files[f"EPUB/{result.book.documents[0].id}.xhtml"]
    links = re.findall(r'<a class="person" href="persons.xhtml#([^"]+)">', doc)
    assert "person-khrushchev-nikita-s" in links and len(links) == len(set(links))   # first mention only
    for target in links:
        assert f'<dt id="{target}">' in persons


def test_copyright_page_is_true_of_each_medium(epub, built_reader):
    """The EPUB embeds no font, so only the print edition is "set in" the body face."""
    path, files, result = epub
    markup = next(c for n, c in files.items() if n.endswith("copyright.xhtml"))
    assert "The print edition is set in Source Serif 4" in xhtml_text(markup)
    assert f"<em>{result.book.config.title}" in markup        # how to cite: the title in italics
    from tests.helpers import pdf_pages
    assert any("Set in Source Serif 4" in page for page in pdf_pages(result.outputs["pdf"]))
    opf = next(c for n, c in files.items() if n.endswith(".opf"))
    assert f'<meta property="a11y:certifiedBy">{result.book.config.publisher}</meta>' in opf
