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
