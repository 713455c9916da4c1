"""A generated reader of 300+ pages and 400+ notes, built once and read back from the written files.

The checks read the PDF itself (link annotations, named destinations, page labels, page text,
content streams, pdffonts, qpdf) rather than trusting the build's page map, which is only
used to find the entries that the PDF is then searched for. Run with `pytest -m slow`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.helpers import REPO, index_forms, normalise

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate  # noqa: E402

pytestmark = pytest.mark.slow

DOCUMENTS = 64


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    from bookbuild.build import build
    root = generate(tmp_path_factory.mktemp("large") / "reader", DOCUMENTS)
    cwd = os.getcwd()
    os.chdir(root)
    started = time.perf_counter()
    try:
        result = build(root)
    finally:
        os.chdir(cwd)
    seconds = time.perf_counter() - started
    path = result.outputs["pdf"]
    reader = PdfReader(path)
    texts = _pdftotext_pages(path)
    notes = [note for doc in result.book.all_documents
             for note in ([doc.source_note] if doc.source_note else []) + doc.notes]
    print(f"\nlarge reader: {DOCUMENTS} documents, {len(reader.pages)} pages, {len(notes)} notes, "
          f"{result.page_map.repaired_pages} pages repaired for notes, built in {seconds:.1f} s")
    return root, result, reader, texts, notes


def _pdftotext_pages(path: Path, *options: str) -> list[str]:
    """Poppler's text of each page (reading order: the index's columns one after the other)."""
    out = subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True)
    pages = out.stdout.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _destinations(reader: PdfReader) -> dict[str, int]:
    return {str(name): reader.get_destination_page_number(dest)
            for name, dest in reader.named_destinations.items()}


def _note_links(reader: PdfReader) -> dict[str, list[int]]:
    """Named destination of every internal link -> the pages its link annotations sit on."""
    links: dict[str, list[int]] = {}
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
                links.setdefault(str(annot["/Dest"]), []).append(index)
    return links


def _words(note) -> int:
    from bookbuild.model import plain_text
    return sum(len(plain_text(block.inlines).split()) for block in note.blocks)


def test_size_pages_notes_and_long_notes(large):
    root, result, reader, texts, notes = large
    assert len(reader.pages) >= 300
    assert len(texts) == len(reader.pages)
    assert len(notes) >= 400
    long_notes = [n for n in notes if _words(n) >= 150]
    assert len(long_notes) >= DOCUMENTS // 4


def test_no_note_lost_and_every_note_on_the_page_of_its_call(large):
    """From the PDF: the call is a link annotation to the note's named destination; both on one page,
    and that page's text holds the note's number at a line start and its opening words."""
    root, result, reader, texts, notes = large
    dests = _destinations(reader)
    links = _note_links(reader)
    lost, moved, unread = [], [], []
    for note in notes:
        if note.id not in dests:
            lost.append(note.id)
            continue
        calls = links.get(note.id, [])
        if len(calls) != 1 or calls[0] != dests[note.id]:
            moved.append((note.id, calls, dests[note.id]))
            continue
        page = normalise(texts[calls[0]])
        from bookbuild.model import plain_text
        opening = " ".join(normalise(plain_text(note.blocks[0].inlines)).split()[:5])
        if f"{note.number}. {opening}" not in page:
            unread.append((note.id, calls[0]))
    assert lost == []
    assert moved == []
    assert unread == []


def test_page_labels_roman_front_matter_then_arabic_from_the_first_document(large):
    root, result, reader, texts, notes = large
    labels = list(reader.page_labels)
    first = _destinations(reader)[f"{result.book.documents[0].id}-title"]
    assert first > 2
    romans = labels[:first]
    assert romans == [_roman(n) for n in range(1, first + 1)]
    assert labels[first:] == [str(n) for n in range(1, len(labels) - first + 1)]
    assert "Document 1" in texts[first]


def _roman(number: int) -> str:
    from bookbuild.pagemap import roman
    return roman(number)


def test_documents_open_on_rectos_and_blank_versos_are_really_blank(large):
    root, result, reader, texts, notes = large
    dests = _destinations(reader)
    starts = [dests[f"{doc.id}-title"] for doc in result.book.documents]
    assert all(index % 2 == 0 for index in starts)          # PDF page 1 is a recto
    blanks = [i for i, text in enumerate(texts) if not text.strip()]
    assert len(blanks) >= DOCUMENTS // 4                      # documents of odd length leave one
    for index in blanks:
        assert index % 2 == 1, index                         # only versos are left blank
        content = reader.pages[index].get_contents()
        data = content.get_data() if content is not None else b""
        assert not re.search(rb"\b(Tj|TJ)\b", data), index   # no running head, no folio, nothing
        assert not reader.pages[index].get("/Annots")
    # Every page before a document's first page ends the previous part or is one of those blanks.
    for start in starts[1:]:
        assert texts[start - 1].strip() or start - 1 in blanks


def test_every_font_is_embedded(large):
    path = large[1].outputs["pdf"]
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = out.strip().split("\n")[2:]
    assert rows
    for row in rows:
        assert re.search(r"\byes\s+yes\s+(yes|no)\s+\d+\s+\d+\s*$", row), row


def test_no_widows_orphans_or_overflow(large):
    """The layout's own checks (paragraph fragments of one line at a page turn, text past the margin)."""
    page_map = large[1].page_map
    assert page_map.short_fragments == []
    assert page_map.overflows == []


def test_index_entries_present_and_locators_in_range(large):
    root, result, reader, texts, notes = large
    labels = list(reader.page_labels)
    dests = _destinations(reader)
    index_start = dests["index-title"]
    # The index's text without its pages' own folios (a line holding just the page's label).
    index_text = normalise("\n".join("\n".join(line for line in texts[page].split("\n")
                                               if line.strip() != labels[page])
                                     for page in range(index_start, len(texts))))
    last_arabic = int(labels[index_start - 1])
    forms = index_forms(root)
    checked, missing, out_of_range, not_on_page = 0, [], [], []
    stack = list(result.book.index)
    while stack:
        entry = stack.pop()
        stack.extend(entry.sub)
        if normalise(entry.name) not in index_text:
            missing.append(entry.name)
        for start, _, end, _ in result.page_map.locators(entry.marks):
            for label in filter(None, (start, end)):
                if label not in labels[:index_start]:          # roman (introduction) or arabic, before the index
                    out_of_range.append((entry.name, label))
                    continue
                page = labels.index(label)
                checked += 1
                if forms.get(entry.name) and not any(_on_page(f, texts, page) for f in forms[entry.name]):
                    not_on_page.append((entry.name, label))
    assert missing == []
    assert out_of_range == []
    assert not_on_page == []
    assert checked > 500
    # The printed locators: every arabic number in the index is a page of the main matter.
    printed = [int(n) for n in re.findall(r"(?<![\d(–-])(\d{1,4})(?![\d)])", re.sub(r"\([^)]*\)", "", index_text))]
    assert printed and min(printed) >= 1 and max(printed) <= last_arabic
    romans = set(re.findall(r"(?:(?<=, )|(?<=–))([ivxlc]+)(?=[,–.]|\s|$)", index_text))
    assert romans <= set(labels[:index_start]), romans


def test_index_ranges_never_part_at_their_dash(large):
    """A range "112–113" is one locator: no line of the index ends or begins at its dash, and the
    word joiners that hold it whole are not in the page's text (copied, it reads as printed)."""
    root, result, reader, texts, notes = large
    index_start = _destinations(reader)["index-title"]
    lines = [line.strip() for page in texts[index_start:] for line in page.split("\n") if line.strip()]
    ranges = [line for line in lines if re.search(r"(\d|[ivxlc])–(\d|[ivxlc])", line)]
    assert len(ranges) > 20
    parted = [line for line in lines if line.endswith(("–", "\u2060")) or line.startswith(("–", "\u2060"))]
    assert parted == []
    assert not any("\u2060" in page for page in texts)


def _on_page(form: str, texts: list[str], page: int) -> bool:
    """The form is on the page, or begins at its foot and ends at the top of the next page (maybe
    inside a word hyphenated at the page turn)."""
    text = normalise(texts[page])
    if form in text:
        return True
    following = normalise(texts[page + 1])[:400] if page + 1 < len(texts) else ""
    return any(form[:k] in text and form[k:].strip() in following for k in range(len(form) - 1, 0, -1))


def test_contents_lists_every_document_at_its_page(large):
    root, result, reader, texts, notes = large
    labels = list(reader.page_labels)
    dests = _destinations(reader)
    layout = _pdftotext_pages(result.outputs["pdf"], "-layout")      # titles and their numbers on one line
    contents = "\n".join(layout[dests["contents-title"]:dests[f"{result.book.documents[0].id}-title"]])
    for doc in result.book.documents:
        label = labels[dests[f"{doc.id}-title"]]
        assert re.search(rf"(?m)^\s*{doc.number}\.\s.*?\s{label}\s*$", contents) or \
            re.search(rf"(?s){doc.number}\.\s.{{0,200}}?\s{label}\n", contents), (doc.number, label)


def test_qpdf_finds_no_errors(large):
    out = subprocess.run(["qpdf", "--check", str(large[1].outputs["pdf"])], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "No syntax or stream encoding errors" in out.stdout


def test_epubcheck_reports_no_errors_and_no_warnings(large):
    epubcheck = Path(sys.executable).parent / "epubcheck"
    out = subprocess.run([str(epubcheck), str(large[1].outputs["epub"])], capture_output=True, text=True)
    text = out.stdout + out.stderr
    assert out.returncode == 0, text[-3000:]
    assert not re.search(r"\b(ERROR|WARNING|FATAL)\b", text), text[-3000:]
