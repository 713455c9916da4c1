"""The PDF's parts are merged by a process of its own from when the parts before the index are
known: it merges them while the index is laid out, and what stops it stops the build.
(That its PDF is the one a merge in the build's own process makes: test_incremental, --jobs 1.)"""

import itertools
import time

import pytest

from bookbuild import build as pipeline
from bookbuild.diagnostics import BookError, error
from bookbuild.render import merge as merge_module, pdf


@pytest.mark.parametrize("formats", [("epub", "pdf"), ("pdf",)])
def test_the_parts_before_the_index_are_merged_while_the_index_is_laid_out(project, monkeypatch, tmp_path, formats):
    begun = tmp_path / "merge-begun"
    real_merge = merge_module.merge

    def merge_saying_when_it_begins(parts, front_pages, config):     # runs in the merging process
        parts = iter(parts)
        first = next(parts)
        begun.write_text("the first part is here")
        return real_merge(itertools.chain([first], parts), front_pages, config)

    real_index, waited = pdf._index, []

    def index_once_the_merge_has_begun(*arguments):
        deadline = time.monotonic() + 30
        while not begun.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        waited.append(begun.exists())
        return real_index(*arguments)

    monkeypatch.setattr(merge_module, "merge", merge_saying_when_it_begins)
    monkeypatch.setattr(pdf, "_index", index_once_the_merge_has_begun)
    result = pipeline.build(project, formats, jobs=2)
    assert waited == [True]
    assert result.outputs["pdf"].read_bytes().startswith(b"%PDF-")


def _output(project) -> dict:
    return {p.name: p.read_bytes() for p in (project / "output").glob("*")}


def test_a_book_error_in_the_merging_process_is_the_builds(project, monkeypatch):
    before = _output(project)

    def refusing(parts, front_pages, config):
        list(parts)                     # every part reaches it
        raise error("P005", config.root / "book.yaml", None, "a link points to #nowhere, which is nowhere "
                    "in the book", "correct the link")

    monkeypatch.setattr(merge_module, "merge", refusing)
    with pytest.raises(BookError) as raised:
        pipeline.build(project, jobs=2)
    assert [d.code for d in raised.value.diagnostics] == ["P005"]
    assert _output(project) == before


def test_a_failure_in_the_merging_process_is_reported_not_lost(project, monkeypatch):
    before = _output(project)

    def failing(parts, front_pages, config):
        raise ValueError("a part that cannot be read")

    monkeypatch.setattr(merge_module, "merge", failing)
    with pytest.raises(RuntimeError, match="the merge failed: ValueError: a part that cannot be read"):
        pipeline.build(project, jobs=2)
    assert _output(project) == before
