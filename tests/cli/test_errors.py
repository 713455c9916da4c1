"""Bad input: one line naming the file and line, exit status 1, no traceback, output/ untouched."""

import subprocess
import sys

import pytest


def run(project, *args):
    return subprocess.run([sys.executable, "-m", "bookbuild", *args, "-C", str(project)],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("command", ["check", "build"])
@pytest.mark.parametrize("edit, expected", [
    (lambda t: t.replace("title:", "titel:", 1), r"book\.yaml:\d+: error C004: unknown key 'titel'.*did you mean 'title'"),
    (lambda t: t.replace("page_size: 6x9in", "page_size: folio"), r"book\.yaml:\d+: error C006: 'output\.page_size'"),
    (lambda t: t.replace("edition: First edition", "edition: [1, 2]"), r"book\.yaml:\d+: error C006: 'edition'"),
    (lambda t: t + "\n  bad: [unclosed\n", r"book\.yaml:\d+: error Y002: malformed YAML"),
])
def test_broken_book_yaml_is_one_line(project, command, edit, expected):
    import re
    path = project / "book.yaml"
    path.write_text(edit(path.read_text()))
    before = {p.name for p in (project / "output").glob("*")} if (project / "output").exists() else set()
    out = run(project, command)
    assert out.returncode == 1
    lines = out.stderr.strip().split("\n")
    assert len(lines) == 1 and re.search(expected, lines[0]), out.stderr
    assert "Traceback" not in out.stderr
    after = {p.name for p in (project / "output").glob("*")} if (project / "output").exists() else set()
    assert after == before


def test_check_reads_the_chapters_when_book_yaml_does_not_load(project):
    """One run of check (an editor's, or CI's) gives every error of reading: book.yaml's own, and
    the chapters' too, though the book cannot be made without book.yaml."""
    import re
    book = project / "book.yaml"
    book.write_text(book.read_text().replace("title:", "titel:", 1))
    chapter = project / "chapters" / "1959-10-02-khrushchev-mao.md"
    chapter.write_text(chapter.read_text().replace("kind:", "knd:", 1))
    out = run(project, "check")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert re.search(r"book\.yaml:\d+: error C004: unknown key 'titel'", out.stderr), out.stderr
    assert re.search(r"khrushchev-mao\.md:\d+: error S004: unknown front-matter key 'knd'", out.stderr), out.stderr
    assert "2 errors, 0 warnings (the lint runs once the book reads without error)" in out.stdout
    chapter.write_text(chapter.read_text().replace("knd:", "kind:", 1))
    out = run(project, "check")
    assert out.returncode == 1 and "1 error, 0 warnings" in out.stdout and "S004" not in out.stderr


def _line_of(path, text: str) -> int:
    return path.read_text(encoding="utf-8").split(text)[0].count("\n") + 1


STYLE_FAULTS = [
    # a '}' left out: CSS nesting would read every later rule as inside this one, without a word
    ("header { margin-bottom: 1.2em; }", "header { margin-bottom: 1.2em;", r"error P006: this '\{' is never closed"),
    # a ';' left out: WeasyPrint drops both declarations and says so only in its log
    ("font-size: 10.5pt; line-height", "font-size: 10.5pt line-height", r"error P003: .*invalid value"),
    ("header { margin-bottom: 1.2em; }", "header { margin-bottom: 1.2em; }\n@font-face { font-family: X; "
     "src: url(fonts/Missing-Regular.ttf) }", r"error P007: url\(fonts/Missing-Regular\.ttf\): there is no such file"),
]


@pytest.mark.parametrize("command", ["check", "build"])
@pytest.mark.parametrize("old, new, expected", STYLE_FAULTS)
def test_a_fault_in_the_stylesheet_is_an_error_at_its_line(project, command, old, new, expected):
    sheet = project / "styles" / "print.css"
    line = _line_of(sheet, old) + (1 if "@font-face" in new else 0)
    sheet.write_text(sheet.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    before = {p.name: p.read_bytes() for p in (project / "output").glob("*")}
    out = run(project, command)
    assert out.returncode == 1, out.stdout + out.stderr
    lines = out.stderr.strip().split("\n")
    assert len(lines) == 1 and re.search(rf"styles/print\.css:{line}: {expected}", lines[0]), out.stderr
    assert {p.name: p.read_bytes() for p in (project / "output").glob("*")} == before


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_file_in_styles_fonts_that_is_no_font_is_named(project, command):
    (project / "styles" / "fonts").mkdir(exist_ok=True)
    (project / "styles" / "fonts" / "Broken-Regular.ttf").write_bytes(b"not a font")
    out = run(project, command)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert re.search(r"styles/fonts/Broken-Regular\.ttf: error F011: not a font file", out.stderr), out.stderr


def test_missing_chapter_names_book_yaml(project):
    path = project / "book.yaml"
    path.write_text(path.read_text().replace("documents: auto", "documents: [nowhere.md]"))
    out = run(project, "check")
    assert out.returncode == 1
    assert "book.yaml" in out.stderr and "nowhere.md" in out.stderr and "not found" in out.stderr


def test_note_call_without_note_names_chapter_and_line(project):
    chapter = project / "chapters" / "1962-11-02-benediktov-nehru.md"
    lines = chapter.read_text().split("\n")
    index = next(i for i, l in enumerate(lines) if l.startswith("At a reception"))
    lines[index] += " A call.[^ghost]"
    chapter.write_text("\n".join(lines))
    out = run(project, "check")
    assert out.returncode == 1
    assert f"1962-11-02-benediktov-nehru.md:{index + 1}: error N003" in out.stderr


def test_unknown_front_matter_key(project):
    chapter = project / "chapters" / "1962-11-02-benediktov-nehru.md"
    chapter.write_text(chapter.read_text().replace("kind: diary entry", "kind: diary entry\nauthr: X", 1))
    out = run(project, "check")
    assert out.returncode == 1
    assert re.search(r"benediktov-nehru\.md:\d+: error S004: unknown front-matter key 'authr'", out.stderr)


import re  # noqa: E402


def test_the_errors_of_every_chapter_and_every_pass_are_reported_at_once(project):
    """An editor fixes them in one go: not one error a run."""
    first = project / "chapters" / "1959-10-02-khrushchev-mao.md"
    second = project / "chapters" / "1962-11-02-benediktov-nehru.md"
    first.write_text(first.read_text().replace("kind:", "knd:", 1))
    second.write_text(second.read_text().replace("kind: diary entry", "kind: diary entry\nauthr: X", 1))
    out = run(project, "check")
    assert out.returncode == 1
    assert re.search(r"khrushchev-mao\.md:\d+: error S004: unknown front-matter key 'knd'", out.stderr), out.stderr
    assert re.search(r"benediktov-nehru\.md:\d+: error S004: unknown front-matter key 'authr'", out.stderr)
    first.write_text(first.read_text().replace("knd:", "kind:", 1))
    second.write_text(second.read_text().replace("\nauthr: X", "", 1))
    intro = project / "chapters" / "introduction.md"
    intro.write_text(intro.read_text() + "\nSee [](#doc-nowhere) and [the quarrel]{index=\"No such entry\"}.\n")
    out = run(project, "build")
    assert out.returncode == 1
    assert "error X010" in out.stderr and "error X001" in out.stderr, out.stderr     # crossrefs, then index


def test_repository_reader_checks_clean():
    from tests.helpers import REPO
    out = subprocess.run([sys.executable, "-m", "bookbuild", "check", "-C", str(REPO)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "0 errors, 0 warnings" in out.stdout


def test_help_lists_the_commands():
    out = subprocess.run([sys.executable, "-m", "bookbuild", "--help"], capture_output=True, text=True)
    for command in ("build", "check", "init", "import"):
        assert command in out.stdout
