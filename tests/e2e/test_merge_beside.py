"""The PDF's parts are merged by a process of its own as they become known: those before the
index while it is laid out, those before an edited document while it is; what stops the merge
stops the build. (That its PDF is the one a merge in the build's own process makes: below, and
test_incremental, --jobs 1.)"""

import time

import pytest

from bookbuild import build as pipeline
from bookbuild.diagnostics import BookError, error
from bookbuild.render import merge as merge_module, pdf

pytestmark = pytest.mark.usefixtures("own_cache")     # conftest.py: what a build lays out is its own


def _saying_when_merging_begins(monkeypatch, begun):
    real_add = merge_module.Merging.add

    def add(self, part):                                         # runs in the merging process
        begun.write_text("a part is here")
        return real_add(self, part)
    monkeypatch.setattr(merge_module.Merging, "add", add)


def _waiting_for(begun) -> bool:
    deadline = time.monotonic() + 30
    while not begun.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return begun.exists()


@pytest.mark.parametrize("formats", [("epub", "pdf"), ("pdf",)])
def test_the_parts_before_the_index_are_merged_while_the_index_is_laid_out(project, monkeypatch, tmp_path, formats):
    begun = tmp_path / "merge-begun"
    _saying_when_merging_begins(monkeypatch, begun)
    real_index, waited = pdf._index, []

    def index_once_the_merge_has_begun(*arguments):
        waited.append(_waiting_for(begun))
        return real_index(*arguments)

    monkeypatch.setattr(pdf, "_index", index_once_the_merge_has_begun)
    result = pipeline.build(project, formats, jobs=2)
    assert waited == [True]
    assert result.outputs["pdf"].read_bytes().startswith(b"%PDF-")


def test_after_an_edit_the_parts_before_it_are_merged_while_it_is_laid_out(project, monkeypatch, tmp_path):
    """The parts kept at their pages before the first document to lay out go to the merge before
    it is laid out; the PDF is the one a merge in one process makes of the same sources."""
    pipeline.build(project, jobs=2)
    second = sorted((project / "chapters").glob("1962*.md"))[0]      # the book's second document
    second.write_text(second.read_text(encoding="utf-8").replace("in great detail", "in great depth", 1),
                      encoding="utf-8")
    begun = tmp_path / "merge-begun"
    _saying_when_merging_begins(monkeypatch, begun)
    real_make, waited = pdf._make, []

    def make_once_the_merge_has_begun(setter, book, spec, *arguments, **options):
        if spec[0] == "document":                                     # the edited one, laid out here
            waited.append(_waiting_for(begun))
        return real_make(setter, book, spec, *arguments, **options)

    monkeypatch.setattr(pdf, "_make", make_once_the_merge_has_begun)
    result = pipeline.build(project, jobs=2)
    assert waited == [True] and result.page_map.parts_laid_out == 1
    monkeypatch.undo()
    merged_beside = result.outputs["pdf"].read_bytes()
    once = pipeline.build(project, jobs=1, use_cache=False)
    assert once.outputs["pdf"].read_bytes() == merged_beside


def _output(project) -> dict:
    return {p.name: p.read_bytes() for p in (project / "output").glob("*")}


def test_a_book_error_in_the_merging_process_is_the_builds(project, monkeypatch):
    before = _output(project)

    def refusing(self):                 # every part has reached it
        raise error("P005", self.config.root / "book.yaml", None, "a link points to #nowhere, which is "
                    "nowhere in the book", "correct the link")

    monkeypatch.setattr(merge_module.Merging, "finish", refusing)
    with pytest.raises(BookError) as raised:
        pipeline.build(project, jobs=2)
    assert [d.code for d in raised.value.diagnostics] == ["P005"]
    assert _output(project) == before


def test_a_failure_in_the_merging_process_is_reported_not_lost(project, monkeypatch):
    before = _output(project)

    def failing(self, part):
        raise ValueError("a part that cannot be read")

    monkeypatch.setattr(merge_module.Merging, "add", failing)
    with pytest.raises(RuntimeError, match="the merge failed: ValueError: a part that cannot be read"):
        pipeline.build(project, jobs=2)
    assert _output(project) == before


def test_the_merge_benchmark_makes_the_built_pdfs_bytes(project):
    """benchmarks/merge.py times a merge of the calls a build made: the calls alone decide the bytes,
    so its merge, made here, is the PDF the build wrote (and its figures are the build's merge)."""
    import hashlib
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import merge as benchmark
    config, calls = benchmark.recorded_calls(project)
    built = hashlib.sha256(next((project / "output").glob("*.pdf")).read_bytes()).hexdigest()[:16]
    times = benchmark.replay(config, calls)
    assert times["digest"] == built
    assert {"copy the parts", "save", "finish"} <= set(times) and times["finish"] >= times["save"] > 0
