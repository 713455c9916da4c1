"""The layout process made ready while the book is read (render/ready.py): it is given the one
document a job names, its errors are the build's, and when it could not make its Typesetter
the build's process does the job."""

from pathlib import Path

import pytest

from bookbuild import config as config_mod
from bookbuild.diagnostics import BookError, error
from bookbuild.model import Book, Document, Part
from bookbuild.render.ready import ReadyLayout


def _book(config) -> Book:
    docs = [Document(id=name, path=Path(f"chapters/{name}.md"), role="document", meta={"title": name},
                     meta_lines={}, headnote=[], body=[], notes=[]) for name in ("first", "second", "third")]
    return Book(config, None, [Part(None, docs)])


def _which(setter, book, make, spec, extra):
    """A job: what the ready process was given."""
    return spec, [doc.id for doc in book.documents], extra, make(), type(setter).__name__


def _fails(setter, book, make, spec):
    raise error("P002", book.documents[spec[1]].path, 7, "note 3 cannot be set", "shorten the note")


def _answer() -> str:
    return "made"


def test_it_is_given_the_one_document_of_the_job(project):
    config = config_mod.load(project)
    with ReadyLayout() as ready:
        ready.start(config, "0")
        outcome = ready.run((_which, ("document", 1, "second"), "context"), _book(config), _answer)
    assert outcome == (("document", 0), ["second"], "context", "made", "Typesetter")


def test_its_errors_are_the_builds(project):
    config = config_mod.load(project)
    with ReadyLayout() as ready:
        ready.start(config, "0")
        with pytest.raises(BookError) as raised:
            ready.run((_fails, ("document", 2, "third")), _book(config), _answer)
    assert [d.format() for d in raised.value.diagnostics] == [
        "chapters/third.md:7: error P002: note 3 cannot be set (shorten the note)"]


def test_without_a_typesetter_or_not_started_or_not_a_document_it_leaves_the_job(project):
    (project / "styles" / "fonts").mkdir(exist_ok=True)
    (project / "styles" / "fonts" / "Broken-Regular.ttf").write_bytes(b"not a font")
    config = config_mod.load(project)
    with ReadyLayout() as ready:
        assert ready.run((_which, ("document", 0, "first"), None), _book(config), _answer) is None
        ready.start(config, "0")
        assert ready.run((_which, ("document", 0, "first"), None), _book(config), _answer) is None
        assert ready.run((_which, ("sources",), None), _book(config), _answer) is None
