"""Parts laid out once: taken from the cache when nothing that shapes them changed, else laid out
by worker processes, one a core. A part's text depends on its markup alone; its folios on its
first page, which depends on the page counts of the parts before it. So a sequence of parts is
made in two rounds: first every text not kept is laid out without folios, all at once across the
workers, which gives every part's page count and so its first page; then every part not kept at
that first page gets the folios of its pages stamped on its text (render/folios.py)."""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Callable

from bookbuild import cache, workers
from bookbuild.diagnostics import BookError
from bookbuild.render.typesetter import Part, Typesetter, start_css, styles_version

_WORKER: dict = {}             # set before the fork: the workers inherit the book and the config


class Layouts:
    """make(setter, book, spec, start, context, with_folios) turns a part's description (a plain
    tuple) and its context (plain data) into a Part, here or in a worker."""

    def __init__(self, config, book, make: Callable, store: cache.Store, jobs: int | None = None, ready=None):
        self.config, self.book, self.make, self.store = config, book, make, store
        self.ready = ready                         # ready.ReadyLayout: a lone document's layout goes there
        self.version = styles_version(config)
        self.jobs = workers.count(jobs)
        self.memo: dict[str, Part] = {}            # key -> Part made or found by this build
        self.pages: dict[str, int | None] = {}     # name -> page count, whatever the first page
        self._setter: Typesetter | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._foreseen: tuple | None = None        # the job sent to ready by foresee(), not yet received
        self.laid_out = self.reused = 0            # parts laid out by this build; parts from the store
        self.refolioed = 0                         # parts whose kept text only took new folios

    def __enter__(self):
        return self

    def __exit__(self, kind, *exc):
        if self._pool is not None:
            workers.stop(self._pool, failed=kind is not None)

    @property
    def setter(self) -> Typesetter:
        if self._setter is None:
            self._setter = Typesetter(self.config)
        return self._setter

    def one(self, spec, markup: str, start: int | None, context=None) -> Part:
        """A part laid out whole at a known first page (the front matter, the index, the blank page)."""
        key = self._key(self._name(markup), start)
        part = self._found(key)
        if part is None:
            part = self._run({0: (_whole, spec, start, context)})[0]
            self._keep(key, part)
            self.laid_out += 1
        return part

    def foresee(self, plan: Callable[[], tuple[list, list[str]]], context=None) -> None:
        """After an edit, one part of a sequence is new: its text goes to the ready process at
        once, to be laid out there while this one does what comes before it in sequence() (the
        checks, the markups, the parts kept before it): 0.2 s of a one-word rebuild of 300
        documents (benchmarks/ab.py). plan() gives the specs and markups that sequence() will
        then be given, with the same context; it is called only if there is a ready process."""
        if self.ready is None or not self.ready.started or self._foreseen is not None:
            return
        specs, markups = plan()
        missing = [i for i, markup in enumerate(markups) if self._pages_of(self._name(markup)) is None]
        if len(missing) == 1:
            job = (_text, specs[missing[0]], context)
            if self.ready.send(job, self.book, self.make):
                self._foreseen = job

    def sequence(self, specs: list, markups: list[str], context=None, on_done=None,
                 on_first=None) -> list[tuple[int, Part]]:
        """Parts one after another from page 1, each opening on a recto: (first page, Part) each.
        specs are plain tuples (they go to the workers); on_done(parts done, parts, the first
        part not done) follows the texts laid out; on_first(pairs) is given the first parts, all
        kept at their first pages, before anything is laid out (after an edit: those before it)."""
        names = [self._name(markup) for markup in markups]
        if on_first:
            on_first(self._kept_first(names))
        texts = self._texts(specs, names, context, on_done)
        starts = list(self._starts(names))
        keys = [self._key(name, start) for name, start in zip(names, starts)]
        jobs = {i: (_placed, specs[i], starts[i], context, markups[i], texts.get(i) or self._kept_text(names[i]))
                for i, key in enumerate(keys) if self._found(key) is None}
        for i, (part, stamped) in self._run(jobs).items():
            self._keep(keys[i], part)
            if i not in texts:
                self.refolioed += stamped
                self.laid_out += not stamped
        if on_done:
            on_done(len(specs), len(specs), None)
        return [(start, self.memo[key]) for start, key in zip(starts, keys)]

    def _starts(self, names: list[str]):
        """The first page of each part, as far as their page counts are known."""
        page = 1
        for name in names:
            pages = self._pages_of(name)
            if pages is None:
                return
            yield page
            page += pages + pages % 2               # the next part opens on a recto

    def _kept_first(self, names: list[str]) -> list[tuple[int, Part]]:
        """(first page, Part) of the first parts, as long as each is kept at its first page."""
        kept = []
        for name, start in zip(names, self._starts(names)):
            part = self._found(self._key(name, start))
            if part is None:
                break
            kept.append((start, part))
        return kept

    def _texts(self, specs: list, names: list[str], context, on_done) -> dict[int, Part]:
        """The parts whose page count is not known, laid out without folios and kept by name."""
        missing = [i for i, name in enumerate(names) if self._pages_of(name) is None]

        def progress(done: set[int]) -> None:
            remaining = [i for i in missing if i not in done]
            if on_done and remaining:
                on_done(len(specs) - len(remaining), len(specs), remaining[0])

        texts = self._run({i: (_text, specs[i], context) for i in missing}, progress)
        for i, text in texts.items():
            self.store.put(_text_key(names[i]), text.pdf, text.facts())
            self.store.put_pages(names[i], text.pages)
            self.pages[names[i]] = text.pages
            self.laid_out += 1
        return texts

    def _run(self, jobs: dict, progress=None) -> dict:
        """{index: (function, *arguments)} -> {index: result}. Here while no worker has been
        started and there is one worker or one job (a fork and WeasyPrint's import in a worker
        would cost more); else across the workers. The first error stops the rest."""
        results: dict = {}
        if progress:
            progress(set())
        if self._pool is None and self.ready and len(jobs) == 1:
            (index, job), = jobs.items()
            outcome = self._from_ready(job)
            if outcome is not None:
                if progress:
                    progress({index})
                return {index: outcome}
        if self._pool is None and (self.jobs == 1 or len(jobs) <= 1):
            for index, (function, *arguments) in jobs.items():
                results[index] = function(self.setter, self.book, self.make, *arguments)
                if progress:
                    progress(set(results))
            return results
        flight = {self._submit(*job): index for index, job in jobs.items()}
        while flight:
            finished, _ = wait(flight, return_when=FIRST_COMPLETED)
            for future in finished:
                outcome = future.result()
                if isinstance(outcome, list):          # the diagnostics of an error
                    raise BookError(outcome)
                results[flight.pop(future)] = outcome
            if progress:
                progress(set(results))
        return results

    def _from_ready(self, job: tuple):
        """The job done by the ready process (None if it could not be): the one foreseen, or sent now."""
        foreseen, self._foreseen = self._foreseen, None
        if foreseen is not None:
            if foreseen == job:
                return self.ready.receive()
            try:
                self.ready.receive()                # not the job wanted after all: its outcome is not
            except BookError:
                pass
        return self.ready.run(job, self.book, self.make)

    def _submit(self, function: Callable, *arguments):
        if self._pool is None:
            _WORKER.update(config=self.config, book=self.book, make=self.make)
            # fork: the workers share the book as it is now, nothing is pickled but the jobs and
            # their Parts; each worker makes its own Typesetter (fonts, stylesheets) once.
            self._pool = workers.pool(self.jobs, initializer=_worker_start)
        return self._pool.submit(_worker_job, function, *arguments)

    def _name(self, markup: str) -> str:
        """The part's content address: its markup and everything else that shapes it but the start."""
        return cache.digest(self.version, markup)

    def _key(self, name: str, start: int | None) -> str:
        return cache.digest(name, start_css(start) if start else "")

    def _pages_of(self, name: str) -> int | None:
        """Kept beside the layouts, else read from the kept text: a part's page count does not
        depend on its first page (it always opens on a recto)."""
        if name not in self.pages:
            pages = self.store.get_pages(name)
            if pages is None:
                text = self._kept_text(name)
                pages = text.pages if text is not None else None
            self.pages[name] = pages
        return self.pages[name]

    def _kept_text(self, name: str) -> Part | None:
        hit = self.store.get(_text_key(name))
        return Part.from_facts(*hit) if hit is not None else None

    def _found(self, key: str) -> Part | None:
        if key not in self.memo:
            hit = self.store.get(key)
            if hit is None:
                return None
            self.memo[key] = Part.from_facts(*hit)
            self.reused += 1
        return self.memo[key]

    def _keep(self, key: str, part: Part) -> None:
        self.memo[key] = part
        self.store.put(key, part.pdf, part.facts())


def _text_key(name: str) -> str:
    return cache.digest(name, "text without folios")


def _text(setter: Typesetter, book, make: Callable, spec, context) -> Part:
    """A part of the body without folios: the same whatever its first page."""
    return make(setter, book, spec, None, context, with_folios=False)


def _placed(setter: Typesetter, book, make: Callable, spec, start: int, context, markup: str,
            text: Part | None) -> tuple[Part, bool]:
    """(the part at its first page, whether only its folios were stamped on): its text with the
    folios of start, or laid out whole there (no text kept, or a sheet that pages differently)."""
    stamped = setter.folioed(text, markup, start) if text is not None else None
    if stamped is not None:
        return stamped, True
    return make(setter, book, spec, start, context), False


def _whole(setter: Typesetter, book, make: Callable, spec, start: int | None, context) -> Part:
    return make(setter, book, spec, start, context)


def _worker_start() -> None:
    _WORKER["setter"] = Typesetter(_WORKER["config"])


def _worker_job(function: Callable, *arguments):
    """function's result, or the diagnostics of the error that stopped it (an exception may not unpickle)."""
    try:
        return function(_WORKER["setter"], _WORKER["book"], _WORKER["make"], *arguments)
    except BookError as exc:
        return exc.diagnostics
