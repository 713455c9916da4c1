"""Parts with titles, in both formats; titles with the text's typography; the EPUB's cover drawn
from the metadata."""

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from tests.helpers import copy_project, epub_files, pdf_pages

PARTS = """  parts:
    - title: 'Mao''s "Great Leap" -- Beijing, 1959'
      documents: [1959-10-02-khrushchev-mao.md]
    - title: "War on the Frontier, 1962"
      documents: [1962-11-02-benediktov-nehru.md]"""


@pytest.fixture(scope="module")
def with_parts(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("parts") / "reader")
    book = root / "book.yaml"
    text = re.sub(r"  documents: auto.*", PARTS, book.read_text()).replace(
        "    role: editor\n", "    role: editor\n  - name: Kathryn Weathersby\n    role: translator\n", 1)
    book.write_text(re.sub(r"(?m)^subtitle: .*", """subtitle: 'Two Soviet Records, 1959-1962: The Editors'' "Annotated" Reader'""",
                           text))
    chapter = root / "chapters" / "1962-11-02-benediktov-nehru.md"
    chapter.write_text(re.sub(r"(?m)^title: .*\nshort_title: .*", """title: 'Benediktov''s "Journal" -- Conversation with R.K. Nehru'
short_title: 'Benediktov''s journal, 1962'""", chapter.read_text(), count=1))
    out = subprocess.run([sys.executable, "-m", "bookbuild", "build", "-C", str(root)], capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    return next(root.glob("output/*.pdf")), next(root.glob("output/*.epub"))


def test_part_title_pages_open_on_rectos_with_blank_versos(with_parts):
    pdf, _ = with_parts
    pages, labels = pdf_pages(pdf), list(PdfReader(pdf).page_labels)
    for number, title in ((1, "Mao\u2019s \u201cGreat Leap\u201d\u2014Beijing, 1959"), (2, "War on the Frontier, 1962")):
        index = next(i for i, t in enumerate(pages) if t.startswith(f"Part {number}\n"))
        assert title in pages[index] and index % 2 == 0 and pages[index + 1].strip() == ""
        contents = next(t for t in pages if t.startswith("Contents"))
        assert re.search(rf"Part {number}\. {re.escape(title)} {labels[index]}\b", contents.replace("\n", " "))


def test_titles_from_book_yaml_and_front_matter_are_typeset_as_the_text(with_parts):
    """Straight quotes, apostrophes and double hyphens in the book's subtitle, a part's title and a
    record's title and short title print as the chapters' text does, in both formats; in the source
    note, where the style sets the title in double quotes, the title's own quotes turn single."""
    pdf, epub = with_parts
    text = re.sub(r"\s+", " ", " ".join(pdf_pages(pdf)))
    files = epub_files(epub)
    shown = ["1959\u20131962: The Editors\u2019 \u201cAnnotated\u201d Reader",       # title page, copyright
             "Mao\u2019s \u201cGreat Leap\u201d\u2014Beijing, 1959",                    # part page, contents
             "Benediktov\u2019s \u201cJournal\u201d\u2014Conversation",                 # the heading
             "Benediktov\u2019s journal, 1962",                                         # running head, contents
             "\u201cBenediktov\u2019s \u2018Journal\u2019\u2014Conversation"]           # source note, Sources
    for form in shown:
        assert form in text, form
        assert any(form in xhtml for xhtml in files.values()), form
    assert "Editors' " not in text and "Benediktov's" not in text and " -- " not in text
    assert "Benediktov\u2019s journal, 1962" in files["EPUB/nav.xhtml"]
    assert "1959\u20131962: The Editors\u2019 \u201cAnnotated\u201d Reader" in files["EPUB/content.opf"]


def test_the_title_page_and_cover_credit_each_person_in_their_role(with_parts, built_reader):
    """'Edited by' the editors, 'Translated by' the translators: a translator listed in book.yaml
    was called an editor ('The bookbuild Editors, Kathryn Weathersby, editors')."""
    pdf, epub = with_parts
    title_page = next(t for t in pdf_pages(pdf) if "Two Soviet Records" in t and "Contents" not in t)
    assert "Edited by The bookbuild Editors\nTranslated by Kathryn Weathersby" in title_page, title_page
    cover = epub_files(epub)["EPUB/cover.xhtml"]
    assert ". Edited by The bookbuild Editors. Translated by Kathryn Weathersby. bookbuild Course Readers." in cover
    repository = pdf_pages(built_reader[1].outputs["pdf"])
    assert any("Edited by The bookbuild Editors" in t and ", editor" not in t for t in repository[:4])


def test_parts_in_the_epub_nav_and_epubcheck(with_parts):
    _, epub = with_parts
    files = epub_files(epub)
    assert 'epub:type="part"' in files["EPUB/part-1.xhtml"]
    assert re.search(r'<a href="part-2.xhtml#part-2-title">Part 2\. War on the Frontier, 1962</a>\s*<ol>',
                     files["EPUB/nav.xhtml"])
    out = subprocess.run([str(Path(sys.executable).parent / "epubcheck"), str(epub)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_cover_is_drawn_from_the_metadata(built_reader):
    root, result = built_reader
    with zipfile.ZipFile(result.outputs["epub"]) as archive:
        opf = archive.read("EPUB/content.opf").decode()
        image = Image.open(io.BytesIO(archive.read("EPUB/images/cover.png")))
        cover = archive.read("EPUB/cover.xhtml").decode()
    assert re.search(r'<item [^>]*href="images/cover.png"[^>]*properties="cover-image"', opf)
    assert image.size == (1600, 2400) and len(image.getcolors(1 << 16) or []) > 10
    assert 'role="doc-cover"' in cover and "Cover: Tibet, India and the Sino-Soviet Quarrel" in cover
