"""THE pipeline, in order: config → sources → enrich → render (PDF first, then EPUB) → verify."""

from __future__ import annotations

import datetime
import gc
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bookbuild import cache, config as config_mod, lastbuild, lint, sources, verify, workers
from bookbuild.diagnostics import BookError, Diagnostic, ERROR, WARNING, collecting, display_path, error
from bookbuild.enrich import citations, conventions, crossrefs, ids, index, notes, typography, unenriched
from bookbuild.model import Book
from bookbuild.outputs import write_atomically
from bookbuild.pagemap import PageMap
from bookbuild.progress import QUIET, Progress
from bookbuild.render import epub, markups, pdf
from bookbuild.render.merge import Beside
from bookbuild.render.ready import ReadyLayout
from bookbuild.warm import Kept, Warm

PASSES = (ids.run, conventions.run, typography.run, citations.run, notes.run, crossrefs.run, index.run)
FORMATS = ("epub", "pdf")


@dataclass
class BuildResult:
    outputs: dict[str, Path] = field(default_factory=dict)
    page_map: PageMap | None = None
    book: Book | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    up_to_date: bool = False             # nothing changed since the last build: nothing was done


def read(root: Path, progress: Progress = QUIET, config=None, warm: Warm | None = None, setting: str | None = None):
    """Config (unless given) and the enriched book: everything a build or a check needs before
    rendering. warm: the documents `watch` kept from its last build, in this setting. Given the
    setting (a build's), the others are looked for in the cache, where builds before kept them
    (warm.py); `check`, which gives none, enriches every chapter."""
    kept = Kept(setting)
    with progress.stage("read config and sources"), collector_paused():
        config = config or configure(root)
        book = sources.read_book(config)
        if warm is not None:
            warm.reuse(book, setting)
        kept.reuse(book)
    with progress.stage("enrich"):
        fresh = unenriched(book.all_documents)
        book = enrich(book, config)
        kept.keep(fresh)
    return config, book


def enrich(book: Book, config) -> Book:
    """The passes in order. After a pass finds errors the later ones still run, to find theirs:
    all are reported at once. What a later pass then fails on is a consequence of the errors
    found, which are what to fix."""
    problems: list[Diagnostic] = []
    for step in PASSES:
        try:
            book = step(book, config)
        except BookError as exc:
            problems += exc.diagnostics
        except Exception:           # noqa: BLE001 - see the docstring
            if not problems:
                raise
            break
    if problems:
        raise BookError(problems)
    for doc in book.all_documents:
        doc.enriched = True
    return book


def configure(root: Path):
    stay_inside(root)
    return config_mod.load(root)


def stay_inside(root: Path) -> None:
    """book.yaml, chapters/, styles/ and output/ are the project's own: a link out of it is refused,
    and so is a link out among the files of styles/ (a template, a style or a font read from
    elsewhere, where the build's record and caches, which know only the link, would not see it
    change). A chapter linked out is refused where chapters are read (sources.py)."""
    inside = root.resolve()
    for path in (root / config_mod.CONFIG_NAME, root / "chapters", root / "styles", root / "output"):
        if _links_out(path, inside):
            name = path.name if path.suffix else f"{path.name}/"
            raise error("C012", path, None, f"{name} is a link out of the project",
                        f"make {name} part of the project: a build reads and writes nothing outside it")
    for path in sorted((root / "styles").rglob("*")):
        if _links_out(path, inside):
            name = path.relative_to(root).as_posix()
            raise error("C012", path, None, f"{name} is a link out of the project",
                        "put a copy of the file in its place: a build reads nothing outside the project")


def _links_out(path: Path, inside: Path) -> bool:
    try:
        return path.is_symlink() and not path.resolve().is_relative_to(inside)
    except (OSError, RuntimeError):                 # a link loop
        return True


def build(root: Path, formats: tuple[str, ...] = FORMATS, progress: Progress = QUIET,
          jobs: int | None = None, use_cache: bool = True, warm: Warm | None = None) -> BuildResult:
    """warm: what `watch` keeps from one build for the next (warm.py)."""
    # --no-cache: nothing read from the cache, nothing kept; --jobs: the processes of every stage
    with cache.bypassed(not use_cache), workers.limited(jobs), long_lived(), ReadyLayout() as ready, \
            cache.journal() as kept:
        before = lastbuild.snapshot(root)
        try:
            result = _build(root, formats, progress, jobs, ready, warm)
        except BookError:
            _moved_under(root, before, kept, warm)
            raise
        moved = None if result.up_to_date else _moved_under(root, before, kept, warm)
        if moved:
            result.diagnostics.append(Diagnostic(
                "O002", WARNING, display_path(moved), None, "changed while the book was built: the files "
                "written may hold it as it was before", "build again; `bookbuild watch` does so itself"))
        if cache.active():
            cache.prune(time.time())
    return result


def _moved_under(root: Path, before: tuple, kept: list[Path], warm: Warm | None) -> str | None:
    """The first source file saved, added or removed since `before`, or None. What the build kept
    is then taken back as far as it may have been keyed by the sources at one moment and made
    from them at another, for a later build that finds the first again to take it:
    - a chapter is read once, and all that is made from it is keyed by the bytes read, but the
      build's record is keyed by the chapters as they were when it began: the record goes, if
      this build kept one (a build that failed keeps none, and the last one's stands);
    - book.yaml and styles/ are read at several moments (the config, the setting that keys the
      cache, templates, stylesheets): everything this build kept goes."""
    moved = sorted(set(lastbuild.snapshot(root)) ^ set(before))
    if not moved:
        return None
    if all(Path(path).is_relative_to(root / "chapters") for path, *_ in moved):
        cache.forget([path for path in kept if path == lastbuild.entry(root)])
    else:
        cache.forget(kept)
        if warm is not None:
            warm.forget()
    return moved[0][0]


def _build(root: Path, formats: tuple[str, ...], progress: Progress, jobs: int | None,
           ready: ReadyLayout, warm: Warm | None) -> BuildResult:
    with collecting() as warnings:          # raw HTML ignored, links removed: reported, not fatal
        with progress.stage("config and last build"):
            config = configure(root)
            setting = lastbuild.book_setting(config) if cache.active() else None
            inputs = lastbuild.inputs(config, setting) if setting else None
            last = lastbuild.up_to_date(config, formats, inputs)
        if last is not None:
            if warm is not None and warm.setting != setting:
                _warm_up(root, config, warm, setting)
            return BuildResult(outputs={fmt: lastbuild.product_path(config, fmt) for fmt in formats},
                               page_map=last.page_map, diagnostics=last.diagnostics, up_to_date=True)
        if _an_edit(config, jobs):
            ready.start(config, _epoch(build_time(config)))
        config, book = read(root, progress, config, warm, setting)
        markups.settle(book, setting)
        gc.freeze()                     # the book lives to the end of the build: see long_lived()
    created = build_time(config)
    products, pdf_fonts = {}, None
    # The PDF's parts are merged into one by another process as they become known, while this one
    # lays out the rest and writes the EPUB (one worker: here, at the end).
    beside = "pdf" in formats and workers.count(jobs) > 1
    with Beside(config, beside) as merging:
        # The PDF is laid out first: contents, index locators and the EPUB page-list come from it.
        with progress.stage("lay out the PDF"), source_date(created):
            page_map = pdf.lay_out(book, config, created, progress.document, jobs=jobs,
                                   merging=merging if "pdf" in formats else None, ready=ready)
        merging.close()
        if "epub" in formats:
            with progress.stage("write the EPUB"):
                epub_bytes = epub.write(book, config, page_map, created)
        if "pdf" in formats:
            with progress.stage("merge the PDF"):
                written = merging.result()
            products["pdf"], pdf_fonts = written.pdf, written.fonts
    if "epub" in formats:
        products["epub"] = epub_bytes
    with progress.stage("verify"):
        diagnostics = warnings + lint.said_by_build(book, config) + verify.run(book, config, page_map, pdf_fonts)
    if any(d.severity == ERROR for d in diagnostics):
        raise BookError(diagnostics)         # nothing is written: output/ keeps the last good files
    result = BuildResult(page_map=page_map, book=book, diagnostics=diagnostics)
    for fmt, data in products.items():
        target = lastbuild.product_path(config, fmt)
        try:
            write_atomically(target, data)
        except OSError as exc:
            raise error("O001", target, None, f"cannot write: {exc.strerror or exc}",
                        "check the disk space, and that output/ is a folder you may write to; "
                        "the previous file is kept") from None
        result.outputs[fmt] = target
    lastbuild.remember(config, inputs, products, page_map, diagnostics)
    if warm is not None:
        warm.keep(book, setting)
    return result


def _warm_up(root: Path, config, warm: Warm, setting: str | None) -> None:
    """`watch` starting on a book built before has nothing to build, but the first edit will want
    every other document enriched: read and enrich them now (as the build before did, without error)."""
    try:
        _, book = read(root, QUIET, config, setting=setting)
    except BookError:
        return
    warm.keep(book, setting)


def _an_edit(config, jobs: int | None) -> bool:
    """Whether to make a layout process ready while the book is read (render/ready.py): a build
    after an earlier one is most often an edit's, with one document to lay out. Not with one core,
    nor where WeasyPrint is imported already (`watch`, after its first build)."""
    return (cache.active() and workers.count(jobs) > 1 and "weasyprint" not in sys.modules
            and lastbuild.built_before(config))


@contextmanager
def long_lived():
    """What lives before the build (modules, fonts; in `watch`, all a long process holds) and the
    book once read live to the end of it: frozen, the collector does not look through them at
    every collection (in a rebuild of 300 documents, a second of `watch`'s eight), and the
    processes forked from this one do not copy the pages it would write to (Python's advice for
    forked workers: gc.freeze). Unfrozen after, so that they may be collected."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def collector_paused():
    """Reading the book makes a million objects (300 documents from the cache) that live to the
    end of the build: the collector, run all the while, looked through them again and again and
    found next to nothing to free (0.8 s against 0.25 s)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def source_date(created: str):
    """fontTools stamps the fonts it instances with the time unless SOURCE_DATE_EPOCH says otherwise."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = _epoch(created)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def _epoch(created: str) -> str:
    moment = datetime.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    return str(int(moment.timestamp()))


def build_time(config) -> str:
    """The build's timestamp: SOURCE_DATE_EPOCH if set, else the book's own date (reproducible)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        moment = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
    else:
        parts = [int(p) for p in config.date.split("-")] + [1, 1]
        moment = datetime.datetime(parts[0], parts[1], parts[2], tzinfo=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
