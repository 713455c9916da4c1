"""Clear errors: each broken input is one line naming the file, the line and what to do, exit
status 1, no traceback (--debug shows it), and output/ untouched."""

from __future__ import annotations

import re

import pytest

from tests.hostile.util import FRONT, chapter, run, tree_hashes

RECORD = "1945-07-24-potsdam-telegram.md"


def _edit(root, name, old, new):
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(root, name, text) -> int:
    lines = (root / name).read_bytes().split(b"\n")
    return next(i for i, line in enumerate(lines, 1) if text.encode() in line)


def malformed_front_matter(root):
    _edit(root, f"chapters/{RECORD}", 'kind: telegram', 'kind: "telegram')
    return f"chapters/{RECORD}", r"error Y002: malformed YAML", None


def unclosed_front_matter(root):
    chapter(root, "", front='---\ntitle: "Never closed"\n\nText.\n')
    return "chapters/x.md:1", r"error S002: front matter is not closed \(add a line '---'", None


def no_front_matter(root):
    chapter(root, "Just text.\n", front="")
    return "chapters/x.md:1", r"error S001: no front matter", None


def empty_chapter(root):
    chapter(root, "", front="")
    return "chapters/x.md:1", r"error S001: no front matter", None


def front_matter_not_a_mapping(root):
    chapter(root, "Text.\n", front="---\n- a list\n---\n")
    return "chapters/x.md:2", r"error S003: front matter must be keys and values", None


def missing_title(root):
    chapter(root, "Text.\n", front="---\ndate: \"1950-01-01\"\n---\n")
    return "chapters/x.md:2", r"error S005: missing front-matter key 'title'", None


def wrong_type(root):
    chapter(root, "Text.\n", front="---\ntitle: T\nparticipants: 5\n---\n")
    return "chapters/x.md:3", r"error S006: front-matter 'participants'", None


def impossible_date(root):
    chapter(root, "Text.\n", front="---\ntitle: T\ndate: \"1959-02-30\"\n---\n")
    return "chapters/x.md:3", r"error S006: front-matter 'date'.*YYYY-MM-DD", None


def unknown_front_matter_key(root):
    chapter(root, "Text.\n", front="---\ntitle: T\nauthr: Someone\n---\n")
    return "chapters/x.md:3", r"error S004: unknown front-matter key 'authr' \(known keys: id, title", None


def misspelt_front_matter_key(root):
    chapter(root, "Text.\n", front="---\ntitle: T\ntranslater: Someone\n---\n")
    return "chapters/x.md:3", r"error S004: unknown front-matter key 'translater' \(did you mean 'translator'\?\)", None


def empty_title(root):
    chapter(root, "Text.\n", front='---\ntitle: ""\n---\n')
    return "chapters/x.md:2", r"error S006: front-matter 'title'", None


def unclosed_headnote(root):
    chapter(root, "::: headnote\nThe editor speaks.\n\nThe record begins.\n")
    return "chapters/x.md:8", r"error S020: '::: headnote' is never closed \(end the headnote with a line ':::'\)", None


def stray_fence(root):
    chapter(root, "The record begins.\n:::\n\nIt ends.\n")
    return "chapters/x.md:9", r"error S021: a ':::' line that closes no block \(remove it, or open the headnote", None


def unknown_block(root):
    chapter(root, "::: warning\nThe record begins.\n:::\n")
    return "chapters/x.md:8", r"error S021: .::: warning' is not a block bookbuild knows", None


def missing_chapter(root):
    _edit(root, "book.yaml", "documents: auto", "documents: [missing.md]")
    line = _line_of(root, "book.yaml", "missing.md")
    return f"book.yaml:{line}", r"error C011: chapter 'missing.md' not found in chapters/ \(check the file name", None


def misspelt_chapter(root):
    _edit(root, "book.yaml", "documents: auto", f"documents: [{RECORD.replace('telegram', 'telegarm')}]")
    line = _line_of(root, "book.yaml", "telegarm")
    return f"book.yaml:{line}", rf"error C011: .* not found in chapters/ \(did you mean '{RECORD}'\?\)", None


def duplicate_id(root):
    chapter(root, "One.\n", name="a.md", front="---\ntitle: A\nid: same\narchive: X\n---\n\n")
    chapter(root, "Two.\n", name="b.md", front="---\ntitle: B\nid: same\narchive: X\n---\n\n")
    return "chapters/b.md:3", r"error I001: duplicate document id 'same' \(also .*chapters/a.md", None


def chapter_named_like_the_epubs_own_pages(root):
    chapter(root, "Text.\n", name="nav.md")        # its nav.xhtml would replace the EPUB's navigation
    return "chapters/nav.md", r"error I002: the id 'nav' is taken by the book's own pages \(give the chapter", None


def id_like_the_epubs_own_pages(root):
    chapter(root, "Text.\n", front='---\ntitle: T\nid: titlepage\n---\n\n')
    return "chapters/x.md:3", r"error I002: the id 'titlepage' is taken by the book's own pages", None


def note_call_without_note(root):
    _edit(root, f"chapters/{RECORD}", "The conference at Potsdam continues.", "The conference at Potsdam continues.[^ghost]")
    line = _line_of(root, f"chapters/{RECORD}", "[^ghost]")
    return f"chapters/{RECORD}:{line}", r"error N003: note call \[\^ghost\] has no note \(add a line", None


def note_without_call(root):
    (root / "chapters" / RECORD).write_text((root / "chapters" / RECORD).read_text() + "\n[^lonely]: Nobody calls me.\n")
    line = _line_of(root, f"chapters/{RECORD}", "[^lonely]")
    return f"chapters/{RECORD}:{line}", r"error N001: note \[\^lonely\] is never called", None


def latin1_chapter(root):
    (root / "chapters" / "x.md").write_bytes(FRONT.encode() + "Caf\u00e9 au lait.\n".encode("latin-1"))
    return f"chapters/x.md:{FRONT.count(chr(10)) + 1}", r"error F001: not UTF-8 text \(save the file as UTF-8\)", None


def binary_chapter(root):
    (root / "chapters" / "x.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    return "chapters/x.md:", r"error F001: not UTF-8 text", None


def latin1_book_yaml(root):
    path = root / "book.yaml"
    path.write_bytes(path.read_bytes().replace(b"publisher: Your Department", "publisher: Département".encode("latin-1")))
    return f"book.yaml:{_line_of(root, 'book.yaml', 'publisher:')}", r"error F001: not UTF-8 text", None


def control_character(root):
    chapter(root, "A bell\x07 rings.\n")
    return f"chapters/x.md:{FRONT.count(chr(10)) + 1}", r"error F004: control character U\+0007 in the text", None


def unknown_book_key(root):
    _edit(root, "book.yaml", "publisher:", "publsher:")
    line = _line_of(root, "book.yaml", "publsher:")
    return f"book.yaml:{line}", r"error C004: unknown key 'publsher' \(did you mean 'publisher'\?\)", None


def unknown_index_entry(root):
    chapter(root, '[them]{index="Nobody Known"}\n')
    return f"chapters/x.md:{FRONT.count(chr(10)) + 1}", r"error X001: index entry 'Nobody Known' is not in book.yaml", None


def no_book_yaml(root):
    (root / "book.yaml").unlink()
    return "book.yaml", r"error C001: no book.yaml here \(run bookbuild in a reader project", None


CASES = [malformed_front_matter, unclosed_front_matter, no_front_matter, empty_chapter, front_matter_not_a_mapping,
         missing_title, wrong_type, impossible_date, unknown_front_matter_key, misspelt_front_matter_key, empty_title,
         unclosed_headnote, stray_fence, unknown_block, missing_chapter, misspelt_chapter, duplicate_id,
         chapter_named_like_the_epubs_own_pages, id_like_the_epubs_own_pages,
         note_call_without_note, note_without_call, latin1_chapter, binary_chapter, latin1_book_yaml,
         control_character,
         unknown_book_key, unknown_index_entry, no_book_yaml]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_one_clear_line_and_status_1(small, case):
    where, message, _ = case(small)
    before = tree_hashes(small, skip=())
    out = run(small, "check")
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stderr and "internal error" not in out.stderr
    lines = out.stderr.strip().split("\n")
    assert len(lines) == 1, out.stderr
    line = lines[0]
    assert where in line and re.search(message, line), line
    assert re.search(r":\d+: error [A-Z]\d{3}: ", line) or case in (no_book_yaml, binary_chapter,
                                                                 chapter_named_like_the_epubs_own_pages), line
    assert line.endswith(")"), line                       # what to do, in parentheses
    assert tree_hashes(small, skip=()) == before           # check writes nothing anywhere


def test_malformed_front_matter_names_its_line(small):
    """A YAML error inside front matter is counted from the file's first line, not the YAML's, at
    the line where the unclosed list begins."""
    chapter(small, "Text.\n", front='---\ntitle: T\nsummary: [unclosed\nkind: x\n---\n')
    out = run(small, "check")
    assert out.returncode == 1
    assert re.fullmatch(r"\S*chapters/x\.md:3: error Y002: malformed YAML: .*\(check indentation.*\)\n",
                        out.stderr), out.stderr


def test_build_keeps_the_previous_output_on_every_error(small):
    """One good build, then a broken chapter: build fails with status 1 and output/ is byte for byte kept."""
    assert run(small, "build").returncode == 0
    good = tree_hashes(small / "output", skip=())
    note_call_without_note(small)
    out = run(small, "build")
    assert out.returncode == 1 and "error N003" in out.stderr and "Traceback" not in out.stderr
    assert tree_hashes(small / "output", skip=()) == good


def test_debug_shows_the_traceback(small):
    missing_chapter(small)
    out = run(small, "check", "--debug")
    assert out.returncode != 0
    assert "Traceback" in out.stderr and "BookError" in out.stderr
    assert "error C011" in out.stderr


def test_output_that_is_a_folder_is_a_clear_error(small):
    (small / "output" / "reader.pdf").mkdir(parents=True)
    out = run(small, "build")
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert re.search(r"output/reader\.pdf: error O001: cannot write: Is a directory \(.*previous file is kept\)",
                     out.stderr), out.stderr


@pytest.mark.parametrize("name, page", [
    # a record's text is laid out before its folios are known; page 2: the calling paragraph was
    # moved on to open the next page (the last repair), and the note does not fit there either
    ("x.md", r"page 2 of Document \d+"),
    ("introduction.md", "page [ivxl]+"),          # the front matter is laid out with its roman folios
])
def test_a_note_too_long_for_its_page_is_an_error_naming_its_line_and_page(small, name, page):
    """A note longer than a page cannot be set on the page of its call: the build stops with the
    note's file and line, the page, what to do, and output/ kept."""
    assert run(small, "build").returncode == 0
    good = tree_hashes(small / "output", skip=())
    path = small / "chapters" / name
    if not path.exists():
        chapter(small, "", name=name)
    long_note = " ".join(["The note goes on about the border, the ministry and the reception."] * 400)
    path.write_text(path.read_text(encoding="utf-8") + f"\nA paragraph that calls a note.[^long]\n\n"
                    f"[^long]: {long_note}\n", encoding="utf-8")
    out = run(small, "build")
    line = _line_of(small, f"chapters/{name}", "[^long]: ")
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert re.fullmatch(rf"\S*chapters/{re.escape(name)}:{line}: error P002: note \d+ \(\[\^long\]\) cannot be set on "
                        rf"{page}, the page of its call \(shorten the note \(a note cannot run on to the next page\), "
                        r"or split the paragraph that calls it\)\n",
                        out.stderr), out.stderr
    assert tree_hashes(small / "output", skip=()) == good
