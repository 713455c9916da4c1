"""A build with nothing changed since the last one does nothing (bookbuild/lastbuild.py); any
change to what a build reads, or to what it wrote into output/, makes it build again."""

import os
import subprocess
import sys

import pytest

from bookbuild import build as pipeline, lastbuild
from bookbuild.config import load
from tests.helpers import copy_project


pytestmark = pytest.mark.usefixtures("own_cache")     # conftest.py: a cache of its own


def cli_build(root, *options):
    out = subprocess.run([sys.executable, "-m", "bookbuild", "build", "-C", str(root), *options],
                         capture_output=True, text=True, env=os.environ.copy(), timeout=600)
    assert out.returncode == 0, out.stderr
    return out


def products(root):
    return {path.name: (path.read_bytes(), path.stat().st_mtime_ns) for path in (root / "output").glob("*.*")}


def test_a_build_with_nothing_changed_writes_nothing_and_says_its_warnings_again(tmp_path):
    root = copy_project(tmp_path / "reader")
    record = sorted((root / "chapters").glob("1962*.md"))[0]
    record.write_text(record.read_text(encoding="utf-8") + "\nA line before<script>x</script>\n",
                      encoding="utf-8")
    first = cli_build(root)
    assert "H001" in first.stderr and "wrote" in first.stdout
    before = products(root)
    second = cli_build(root)
    assert "nothing changed since the last build" in second.stdout
    assert second.stdout.count("up to date: ") == 2 and "wrote" not in second.stdout
    assert second.stderr == first.stderr                    # the same warning, said again
    assert products(root) == before                          # not written again: same bytes, same time
    pages = int(first.stdout.split(" pages,")[0].rsplit("\n", 1)[-1])
    assert second.stdout.startswith("up to date") and f"{pages} pages, nothing changed" in second.stdout


def _touch_chapter(root):
    path = sorted((root / "chapters").glob("1959*.md"))[0]
    path.write_text(path.read_text(encoding="utf-8").replace(" the ", " this ", 1), encoding="utf-8")


def _new_style_file(root):
    (root / "styles" / "notes.txt").write_text("an editor's note in styles/")


def _book_yaml(root):
    path = root / "book.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")


def _altered_product(root):
    with open(next((root / "output").glob("*.pdf")), "ab") as product:
        product.write(b"\n")


def _removed_product(root):
    next((root / "output").glob("*.epub")).unlink()


def _build_time(root, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")


def _elsewhere(root, monkeypatch):
    monkeypatch.chdir(root)            # messages name files from the folder a build runs in


CHANGES = [_touch_chapter, _new_style_file, _book_yaml, _altered_product, _removed_product]


@pytest.mark.parametrize("change", CHANGES + [_build_time, _elsewhere], ids=lambda f: f.__name__.strip("_"))
def test_any_change_to_what_a_build_reads_or_wrote_means_a_build(tmp_path, monkeypatch, change):
    root = copy_project(tmp_path / "reader")
    pipeline.build(root, jobs=1)
    config = load(root)
    assert lastbuild.up_to_date(config, pipeline.FORMATS, lastbuild.inputs(config))
    if change in CHANGES:
        change(root)
    else:
        change(root, monkeypatch)
    config = load(root)
    assert lastbuild.up_to_date(config, pipeline.FORMATS, lastbuild.inputs(config)) is None
    result = pipeline.build(root, jobs=1)
    assert not result.up_to_date and result.page_map.parts_reused > 0


def test_a_record_holds_every_format_built_from_the_same_inputs(tmp_path):
    root = copy_project(tmp_path / "reader")
    assert not pipeline.build(root, ("epub",), jobs=1).up_to_date
    assert not pipeline.build(root, jobs=1).up_to_date                   # no PDF yet
    assert pipeline.build(root, ("epub",), jobs=1).up_to_date            # both are in the record
    assert pipeline.build(root, ("pdf",), jobs=1).up_to_date
    _touch_chapter(root)
    assert not pipeline.build(root, ("epub",), jobs=1).up_to_date
    assert not pipeline.build(root, ("pdf",), jobs=1).up_to_date         # its PDF was of other inputs
    assert pipeline.build(root, jobs=1).up_to_date                       # the EPUB's and the PDF's record
    result = pipeline.build(root, jobs=1, use_cache=False)
    assert not result.up_to_date and result.page_map.parts_reused == 0


def test_a_link_out_of_the_project_is_not_read(tmp_path, monkeypatch):
    """The record names a link out of styles/ by where it points; the file there is not read."""
    from pathlib import Path
    root = copy_project(tmp_path / "reader")
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("not the project's")
    (root / "styles" / "notes.txt").symlink_to(outside)
    read, real_read = [], Path.read_bytes

    def reading(path):
        read.append(path.resolve())
        return real_read(path)
    monkeypatch.setattr(Path, "read_bytes", reading)
    config = load(root)
    before = lastbuild.inputs(config)
    assert before is not None and outside.resolve() not in read
    (root / "styles" / "notes.txt").unlink()
    (root / "styles" / "notes.txt").symlink_to(tmp_path / "other.txt")
    assert lastbuild.inputs(config) != before
