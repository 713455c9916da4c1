"""A rebuild after an edit lays out only what the edit moved, and gives the bytes a clean build
of the same sources gives (a clean build: another folder, --no-cache; parallel or not)."""

import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from bookbuild import cache
from tests.helpers import copy_project


pytestmark = pytest.mark.usefixtures("own_cache")     # conftest.py: a cache of its own


def build(root, *options):
    out = subprocess.run([sys.executable, "-m", "bookbuild", "build", "-C", str(root), *options],
                         capture_output=True, text=True, env=os.environ.copy(), timeout=600)
    assert out.returncode == 0, out.stderr
    counts = re.search(r"(\d+) pages, .* (\d+) parts? laid out(?:, (\d+) given new folios)?, (\d+) from the cache",
                       out.stdout)
    pages, laid_out, refolioed, reused = (int(n or 0) for n in counts.groups())
    return {**products_of(root), "pages": pages}, laid_out, reused, refolioed


def products_of(root) -> dict[str, bytes]:
    """The files in output/, by suffix."""
    return {p.suffix: p.read_bytes() for p in (root / "output").glob("*.*")}


def clean_build_of(root, target, *options):
    shutil.copytree(root, target, ignore=shutil.ignore_patterns("output"))
    (target / "output").mkdir()
    products, _, reused, _ = build(target, "--no-cache", *options)
    assert reused == 0
    return products


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_rebuild_after_a_one_word_edit_lays_out_one_document(tmp_path):
    root = copy_project(tmp_path / "edited")
    build(root)
    shutil.rmtree(root / "output")          # else nothing is done at all (test_up_to_date)
    products, laid_out, reused, refolioed = build(root)
    assert laid_out == refolioed == 0 and reused > 5       # nothing changed: every part from the cache
    record = sorted((root / "chapters").glob("1962*.md"))[0]
    edit(record, "in great detail", "in great depth")
    products, laid_out, reused, refolioed = build(root)
    assert laid_out == 1 and refolioed == 0                # that document; its pages did not move
    assert products == clean_build_of(root, tmp_path / "clean")


def test_rebuild_after_index_terms_change_in_book_yaml_equals_a_clean_build(tmp_path):
    """The print markup holds no index marks (render/marks.py), so the text of a part whose marks
    changed is the same: its layout must still not come from the cache with the old marks' pages."""
    root = copy_project(tmp_path / "edited")
    build(root)
    edit(root / "book.yaml", 'forms: ["ZHOU ENLAI", "Zhou Enlai", "Zhou"]', 'forms: ["ZHOU ENLAI", "Zhou Enlai"]')
    products, *_ = build(root)
    assert products == clean_build_of(root, tmp_path / "clean")


def test_rebuild_after_an_edit_that_adds_pages_equals_a_clean_build(tmp_path):
    root = copy_project(tmp_path / "edited")
    before, _, _, _ = build(root)
    first = sorted((root / "chapters").glob("1959*.md"))[0]
    text = first.read_text(encoding="utf-8")
    # not the headnote's last paragraph: its closing ':::' twenty times over is an error (S021)
    paragraph = next(p for p in text.split("\n\n") if len(p) > 400 and ":::" not in p and not p.startswith(("#", "---")))
    edit(first, paragraph, "\n\n".join([paragraph] * 20))
    products, laid_out, reused, refolioed = build(root)
    assert products["pages"] > before["pages"]
    # The document is laid out, and the contents and index whose page numbers it changed; the
    # parts after it (the other document, Sources) only take the folios of their new first pages.
    assert 1 <= laid_out <= 3 and refolioed >= 1
    # in one process, one part after another: the workers change nothing
    assert products == clean_build_of(root, tmp_path / "clean", "--jobs", "1")


def test_page_counts_lost_from_the_cache_change_nothing(tmp_path, monkeypatch):
    """The page counts kept beside the layouts spare reading the kept texts: without them the
    counts come from those texts, and nothing is laid out again."""
    from bookbuild import build as pipeline
    root = copy_project(tmp_path / "reader")
    first, _, _, _ = build(root)
    del first["pages"]
    monkeypatch.setattr(cache.Store, "get_pages", lambda self, name: None)
    shutil.rmtree(root / "output")
    result = pipeline.build(root)
    assert result.page_map.parts_laid_out == 0
    assert {path.suffix: path.read_bytes() for path in result.outputs.values()} == first


def test_a_clean_build_lays_out_each_text_once_and_stamps_it(tmp_path, monkeypatch):
    """Without the cache too: every part of the body is laid out once, without folios, and its
    folios are stamped on at its first page (nothing is laid out at a guessed page, then again)."""
    from bookbuild import build as pipeline
    from bookbuild.render import pdf
    calls = []
    make = pdf._make

    def counted(setter, book, spec, start, context, with_folios=True):
        calls.append((spec[0], with_folios))
        return make(setter, book, spec, start, context, with_folios)
    monkeypatch.setattr(pdf, "_make", counted)
    result = pipeline.build(copy_project(tmp_path / "reader"), jobs=1, use_cache=False)
    body = [kind for kind, with_folios in calls if kind in ("part", "document", "sources")]
    assert sorted(body) == sorted(["sources"] + ["document"] * len(result.book.documents)
                                  + ["part"] * sum(1 for part in result.book.parts if part.title))
    assert all(not with_folios for kind, with_folios in calls if kind in ("part", "document", "sources"))
    assert result.page_map.parts_refolioed == 0 and result.page_map.parts_laid_out == len(calls)


def test_a_build_leaves_the_collector_as_it_found_it(tmp_path):
    """The build freezes what lives before it and its book (build.long_lived); after it, done or
    failed, nothing stays frozen: a long process (watch) may collect the book it no longer holds."""
    import gc
    from bookbuild import build as pipeline
    from bookbuild.diagnostics import BookError
    root = copy_project(tmp_path / "reader")
    pipeline.build(root, ("epub",), jobs=1)
    assert gc.get_freeze_count() == 0
    (root / "book.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(BookError):
        pipeline.build(root, jobs=1)
    assert gc.get_freeze_count() == 0


def test_a_rebuild_lays_out_the_edited_document_in_the_process_made_ready(tmp_path):
    """render/ready.py: the build's own process never imports WeasyPrint for a one-word edit
    (the process forked as the build began lays the document out), the document is sent there
    before the layout's checks (Layouts.foresee) and laid out once, and the bytes are a clean
    build's."""
    root = copy_project(tmp_path / "edited")
    build(root)
    edit(root / "chapters" / "1962-11-02-benediktov-nehru.md", "in great detail", "in great depth")
    script = ("import sys; from bookbuild.cli import main; from bookbuild.render.ready import ReadyLayout\n"
              "sent, send = [], ReadyLayout.send\n"
              "ReadyLayout.send = lambda self, job, *rest: sent.append(job[0].__name__) or send(self, job, *rest)\n"
              "from bookbuild.render import pdf; check = pdf.check_glyphs\n"
              "pdf.check_glyphs = lambda *arguments: sent.append('checks') or check(*arguments)\n"
              "code = main(sys.argv[1:])\n"
              "print('weasyprint imported:', 'weasyprint' in sys.modules, 'sent:', sent); sys.exit(code)")
    out = subprocess.run([sys.executable, "-c", script, "build", "-C", str(root)], capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr
    assert "1 part laid out" in out.stdout
    assert "weasyprint imported: False sent: ['_text', 'checks', '_placed']" in out.stdout
    clean = clean_build_of(root, tmp_path / "clean")
    assert products_of(root) == {k: v for k, v in clean.items() if k != "pages"}


SAVED_MEANWHILE = """
import sys
from bookbuild import lastbuild
from bookbuild.cli import main
setting = lastbuild.book_setting

def saved_meanwhile(config):
    path = config.root / "book.yaml"
    text = path.read_text(encoding="utf-8").replace("Sino-Soviet Quarrel", "Quarrel", 1)
    path.write_text(text.replace('"Zhou Enlai", "Zhou"]', '"Zhou Enlai"]', 1), encoding="utf-8")
    lastbuild.book_setting = setting
    return setting(config)

lastbuild.book_setting = saved_meanwhile
sys.exit(main(sys.argv[1:]))
"""


def test_a_save_while_the_book_is_built_leaves_nothing_of_that_build_kept(tmp_path):
    """book.yaml saved after the build read it and before it worked out its setting from the files
    (made to happen there: the script saves it from inside lastbuild.book_setting): a new title,
    and an index form fewer. The book is built from the old book.yaml but its record and
    documents would be keyed by the new one: the next build would find the book "up to date"
    with the old title, and, its record gone, would take the documents enriched with the old
    forms. The build says so, keeps nothing, and the next build is a clean build's."""
    root = copy_project(tmp_path / "edited")
    build(root)
    out = subprocess.run([sys.executable, "-c", SAVED_MEANWHILE, "build", "-C", str(root)],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert re.search(r"book\.yaml: warning O002: changed while the book was built", out.stderr), out.stderr
    assert 'title: "Tibet, India and the Quarrel"' in (root / "book.yaml").read_text(encoding="utf-8")
    again = subprocess.run([sys.executable, "-m", "bookbuild", "build", "-C", str(root)],
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "nothing changed" not in again.stdout, again.stdout + again.stderr
    assert products_of(root) == {k: v for k, v in clean_build_of(root, tmp_path / "clean").items() if k != "pages"}
    with zipfile.ZipFile(root / "output" / "tibet-india-sino-soviet-quarrel.epub") as epub:
        assert "<dc:title>Tibet, India and the Quarrel</dc:title>" in epub.read("EPUB/content.opf").decode()


CHAPTER_SAVED_MEANWHILE = """
import sys
from bookbuild import sources
from bookbuild.cli import main
read_book = sources.read_book

def saved_meanwhile(config):
    path = config.root / "chapters" / "1962-11-02-benediktov-nehru.md"
    path.write_text(path.read_text(encoding="utf-8").replace("in great detail", "in great depth", 1), encoding="utf-8")
    return read_book(config)

sources.read_book = saved_meanwhile
sys.exit(main(sys.argv[1:]))
"""


def test_a_chapter_saved_while_the_book_is_built_takes_back_its_record_and_nothing_else(tmp_path):
    """A chapter saved after the build took the digest of its inputs and before it read the
    chapters: the book holds the new text, its record the old inputs. Undo the save, and the
    next build would find the book "up to date", with the new text. The record goes; the layouts
    stay (all that is made from a chapter is keyed by the bytes read): the build after the undo,
    and the one after the save is made again, lay out nothing and give a clean build's bytes."""
    root = copy_project(tmp_path / "edited")
    build(root)
    chapter = root / "chapters" / "1962-11-02-benediktov-nehru.md"
    original = chapter.read_bytes()
    shutil.rmtree(root / "output")                             # something for the build to do
    out = subprocess.run([sys.executable, "-c", CHAPTER_SAVED_MEANWHILE, "build", "-C", str(root)],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert re.search(r"1962-11-02-benediktov-nehru\.md: warning O002: changed while the book was built",
                     out.stderr), out.stderr
    assert "in great depth" in chapter.read_text(encoding="utf-8")
    saved = chapter.read_bytes()
    chapter.write_bytes(original)                              # the save undone
    products, laid_out, *_ = build(root)                       # not "up to date": it builds
    assert laid_out == 0
    assert products == clean_build_of(root, tmp_path / "clean")
    chapter.write_bytes(saved)                                 # and made again
    products, laid_out, *_ = build(root)
    assert laid_out == 0                                       # its layout kept by the build it moved under
    assert products == clean_build_of(root, tmp_path / "clean-saved")


def test_a_build_that_fails_while_a_chapter_is_saved_leaves_the_last_record(tmp_path):
    """It kept no record of its own: the last good build's stands, and the sources put back as
    they were then are up to date."""
    root = copy_project(tmp_path / "edited")
    build(root)
    intro, nehru = root / "chapters" / "introduction.md", root / "chapters" / "1962-11-02-benediktov-nehru.md"
    originals = {path: path.read_bytes() for path in (intro, nehru)}
    intro.write_text(intro.read_text(encoding="utf-8") + "\nA call with no note.[^missing]\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", CHAPTER_SAVED_MEANWHILE, "build", "-C", str(root)],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 1 and "error N003" in out.stderr, out.stderr
    for path, data in originals.items():
        path.write_bytes(data)
    again = subprocess.run([sys.executable, "-m", "bookbuild", "build", "-C", str(root)],
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "nothing changed since the last build" in again.stdout, again.stdout
