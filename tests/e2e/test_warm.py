"""What one build keeps for the next (bookbuild/warm.py): the documents enriched before, in
memory for `watch`, in the cache for every build. A rebuild after an edit enriches the edited
document alone, and gives, after every kind of edit, the bytes a clean build gives."""

from pathlib import Path

import pytest

from bookbuild import build as pipeline
from bookbuild.diagnostics import BookError
from bookbuild.enrich import index
from bookbuild.warm import Warm
from tests.e2e.test_incremental import clean_build_of, edit, products_of as products
from tests.helpers import copy_project

pytestmark = pytest.mark.usefixtures("own_cache")     # conftest.py: a cache of its own

NEHRU = "1962-11-02-benediktov-nehru.md"


def enriched_by_the_index_pass(monkeypatch) -> list[str]:
    """The documents whose text the index pass searches from here on."""
    searched: list[str] = []
    find = index._find

    def counting(doc, pattern, by_form):
        searched.append(doc.id)
        return find(doc, pattern, by_form)
    monkeypatch.setattr(index, "_find", counting)
    return searched


def test_a_rebuild_enriches_the_edited_document_alone(tmp_path, monkeypatch):
    root = copy_project(tmp_path / "reader")
    warm = Warm()
    pipeline.build(root, warm=warm)
    searched = enriched_by_the_index_pass(monkeypatch)
    edit(root / "chapters" / NEHRU, "in great detail", "in great depth")
    pipeline.build(root, warm=warm)
    assert searched == ["doc-1962-11-02-benediktov-nehru"]
    assert products(root) == clean(root, tmp_path / "clean")


def test_watch_starting_on_a_built_book_enriches_it_for_the_first_edit(tmp_path, monkeypatch):
    root = copy_project(tmp_path / "reader")
    pipeline.build(root)                                    # built before watch starts
    warm = Warm()
    assert pipeline.build(root, warm=warm).up_to_date       # watch's first build: nothing to write
    searched = enriched_by_the_index_pass(monkeypatch)
    edit(root / "chapters" / NEHRU, "in great detail", "in great depth")
    pipeline.build(root, warm=warm)
    assert searched == ["doc-1962-11-02-benediktov-nehru"]
    assert products(root) == clean(root, tmp_path / "clean")


def test_edits_one_after_another_give_a_clean_builds_bytes(tmp_path):
    """A chapter's words; another chapter's note, which a cross-reference names; the index terms
    of book.yaml (every document's marks change, no file of theirs does); a chapter that does not
    build, then its fix."""
    root = copy_project(tmp_path / "reader")
    intro, nehru = root / "chapters" / "introduction.md", root / "chapters" / NEHRU
    edit(nehru, "in great detail", "in great detail (see [](#introduction:2))")
    warm = Warm()
    pipeline.build(root, warm=warm)

    def note_added():
        edit(intro, "[^1]", "[^added][^1]")
        intro.write_text(intro.read_text(encoding="utf-8") + "\n[^added]: A note added first.\n", encoding="utf-8")
    steps = [lambda: edit(nehru, "in great detail", "in great depth"),
             note_added,
             lambda: edit(root / "book.yaml", 'forms: ["ZHOU ENLAI", "Zhou Enlai", "Zhou"]',
                          'forms: ["ZHOU ENLAI", "Zhou Enlai"]')]
    for number, step in enumerate(steps):
        step()
        pipeline.build(root, warm=warm)
        assert products(root) == clean(root, tmp_path / f"clean{number}"), number
    edit(nehru, "in great depth", "in great depth[^missing]")
    with pytest.raises(BookError):
        pipeline.build(root, warm=warm)
    edit(nehru, "in great depth[^missing]", "in great depth")
    pipeline.build(root, warm=warm)
    assert products(root) == clean(root, tmp_path / "clean-after-the-error")


def clean(root, target) -> dict:
    return {k: v for k, v in clean_build_of(root, target).items() if k != "pages"}


def test_a_build_from_the_command_line_enriches_the_edited_document_alone(tmp_path, monkeypatch):
    """No `watch` process: the documents enriched before are found in the cache, in the setting
    they were enriched in; book.yaml edited, every document is enriched again."""
    root = copy_project(tmp_path / "reader")
    pipeline.build(root)
    searched = enriched_by_the_index_pass(monkeypatch)
    edit(root / "chapters" / NEHRU, "in great detail", "in great depth")
    pipeline.build(root)
    assert searched == ["doc-1962-11-02-benediktov-nehru"]
    assert products(root) == clean(root, tmp_path / "clean")
    searched.clear()
    edit(root / "book.yaml", 'forms: ["ZHOU ENLAI", "Zhou Enlai", "Zhou"]', 'forms: ["ZHOU ENLAI", "Zhou Enlai"]')
    pipeline.build(root)
    assert sorted(searched) == ["doc-1959-10-02-khrushchev-mao", "doc-1962-11-02-benediktov-nehru", "introduction"]
    assert products(root) == clean(root, tmp_path / "clean-after-book-yaml")


def test_a_chapter_that_does_not_enrich_is_not_kept(tmp_path):
    """Its error is found by every build until it is mended, and the book built after is a clean build's."""
    root = copy_project(tmp_path / "reader")
    pipeline.build(root)
    edit(root / "chapters" / NEHRU, "in great detail", "in great detail[^missing]")
    for _ in range(2):
        with pytest.raises(BookError) as raised:
            pipeline.build(root)
        assert [(d.code, Path(d.file).name) for d in raised.value.diagnostics] == [("N003", NEHRU)]
    edit(root / "chapters" / NEHRU, "in great detail[^missing]", "in great detail")
    pipeline.build(root)
    assert products(root) == clean(root, tmp_path / "clean")
