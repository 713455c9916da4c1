"""What `watch` keeps from one build for the next (bookbuild/warm.py): the documents enriched
before. A rebuild after an edit enriches the edited document alone, and gives, after every
kind of edit, the bytes a clean build gives."""

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
