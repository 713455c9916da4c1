"""A document's markup is kept from a build before (render/markups.py) only while nothing that
makes it changes: a one-word edit makes the edited document's markups alone, and each thing the
key names, changed with the document's own file left as it was, gives what a clean build gives."""

import pytest

from bookbuild import build as pipeline
from bookbuild.render import html
from tests.e2e.test_incremental import build, clean_build_of, edit
from tests.helpers import copy_project

pytestmark = pytest.mark.usefixtures("own_cache")     # conftest.py: a cache of its own

KHRUSHCHEV = "1959-10-02-khrushchev-mao.md"
NEHRU = "1962-11-02-benediktov-nehru.md"


def documents_rendered(monkeypatch) -> dict[str, set[str]]:
    """The ids of the documents whose markup each template makes, from here on, in this process."""
    made: dict[str, set[str]] = {}
    render = html.render

    def counting(config, template, medium, doc=None, **context):
        if template.endswith("/document.xhtml.j2"):
            made.setdefault(template, set()).add(doc.id)
        return render(config, template, medium, doc, **context)
    monkeypatch.setattr(html, "render", counting)
    return made


def test_a_one_word_edit_makes_the_markups_of_the_edited_document_alone(tmp_path, monkeypatch):
    root = copy_project(tmp_path / "reader")
    pipeline.build(root)
    made = documents_rendered(monkeypatch)
    edit(root / "chapters" / NEHRU, "in great detail", "in great depth")
    pipeline.build(root)
    edited = "doc-1962-11-02-benediktov-nehru"
    assert made == {"print/document.xhtml.j2": {edited}, "epub/document.xhtml.j2": {edited}}


def _title(root):
    edit(root / "book.yaml", 'title: "Tibet', 'title: "Tales of Tibet')


def _template(root):
    edit(root / "styles" / "templates" / "_document.xhtml.j2", '<div class="record">', '<div class="record text">')


def _order(root):
    # documents: auto puts them in date order: the Khrushchev-Mao record becomes Document 2
    edit(root / "chapters" / NEHRU, 'date: "1962-11-02"', 'date: "1958-11-02"')


def _note_numbers(root):
    # the introduction's note 2, to which the Nehru record refers, becomes its note 3
    intro = root / "chapters" / "introduction.md"
    edit(intro, "[^1]", "[^added][^1]")
    intro.write_text(intro.read_text(encoding="utf-8") + "\n[^added]: A note added before the first.\n",
                     encoding="utf-8")


@pytest.mark.parametrize("change", [_title, _template, _order, _note_numbers])
def test_what_the_key_names_changed_gives_a_clean_builds_bytes(tmp_path, change):
    root = copy_project(tmp_path / "reader")
    edit(root / "chapters" / NEHRU, "in great detail", "in great detail (see [](#introduction:2))")
    build(root)
    change(root)
    products, *_ = build(root)
    assert products == clean_build_of(root, tmp_path / "clean")
