"""`bookbuild import` from the command line, and the next build taking the new chapter in date order."""

import subprocess
import sys

from bookbuild.build import read
from bookbuild.scaffold import init
from tests.helpers import REPO

RECORDS = sorted((REPO / "tests" / "data" / "records").glob("*.txt"))


def bookbuild(*args):
    return subprocess.run([sys.executable, "-m", "bookbuild", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


def test_import_then_check_then_the_book_has_the_documents_in_date_order(tmp_path):
    root = tmp_path / "reader"
    init(root)
    dry = bookbuild("import", "--dry-run", "-C", root, *RECORDS)
    assert dry.returncode == 0 and "would write" in dry.stdout and "  | ::: headnote" in dry.stdout
    assert sorted(p.name for p in (root / "chapters").iterdir()) == ["1945-07-24-potsdam-telegram.md",
                                                                     "introduction.md"]
    out = bookbuild("import", "-C", root, *RECORDS)
    assert out.returncode == 0, out.stderr
    assert "dropped" in out.stdout and "doubtful" in out.stdout and "[naprasno]" in out.stdout
    check = bookbuild("check", "-C", root)
    # the two records imported, and the example's own (init writes its headnote as a placeholder)
    assert check.returncode == 0 and check.stderr.count("warning A001: the headnote is still a placeholder") == 3
    config, book = read(root)
    assert [d.meta["date"] for d in book.documents] == ["1945-07-24", "1959-10-02", "1962-11-02"]
    again = bookbuild("import", "-C", root, RECORDS[0])
    assert again.returncode == 1 and "already exists; use --force" in again.stderr


def test_a_bad_file_fails_alone(tmp_path):
    root = tmp_path / "reader"
    init(root)
    bad = tmp_path / "notes.txt"
    bad.write_bytes("caf\xe9".encode("latin-1"))
    out = bookbuild("import", "-C", root, bad, RECORDS[1])
    assert out.returncode == 1
    assert len(out.stderr.strip().split("\n")) == 1 and "notes.txt" in out.stderr
    assert "wrote" in out.stdout


def test_a_build_says_what_the_book_should_not_go_out_with(tmp_path):
    """The example of init built as it is: the build writes the book and says, as check does, that
    its headnote is a placeholder and its names the example's; a build with nothing to do says it
    again (the build's record keeps its warnings). check alone says the rest of the lint."""
    root = tmp_path / "reader"
    init(root)
    for _ in range(2):
        out = bookbuild("build", "-C", root)
        assert out.returncode == 0, out.stderr
        assert "warning A001: the headnote is still a placeholder" in out.stderr
        assert "book.yaml:5: warning A010: 'Your Name' is still the example's" in out.stderr
        assert "introduction.md:5: warning A010: the introduction is still the example's" in out.stderr
    assert "up to date" in out.stdout
    check = bookbuild("check", "-C", root)
    said = sorted(line for line in check.stderr.splitlines() if " warning " in line)
    assert said and sorted(line for line in out.stderr.splitlines() if " warning " in line) == said
