"""Parts laid out once: taken from the cache when nothing that shapes them changed, else laid out
by worker processes, one a core. A part's text depends on its markup alone; its folios on its
first page, which depends on the page counts of the parts before it. The body's parts are laid
out without folios and kept by their markup, then stamped with the folios of their first page
(_at_start, render/folios.py). A worker may take a part ahead, at the page it will probably start
on: its text is kept whatever that page turns out to be, and only the stamp is redone."""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable

from bookbuild import cache
from bookbuild.diagnostics import BookError
from bookbuild.render import workers
from bookbuild.render.typesetter import Part, Typesetter, start_css, styles_version

# Markup characters a printed page holds, until the build has laid out parts of its own to learn from.
CHARACTERS_A_PAGE = 9000

_WORKER: dict = {}             # set before the fork: the workers inherit the book and the config


class Layouts:
    """make(setter, book, spec, start, context) turns a part's description (a plain tuple) and
    its context (plain data) into a Part, here or in a worker."""

    def __init__(self, config, book, make: Callable, store: cache.Store, jobs: int | None = None):
        self.config, self.book, self.make, self.store = config, book, make, store
        self.version = styles_version(config)
        self.jobs = workers.count(jobs)
        self.memo: dict[str, Part] = {}            # key -> Part, for this build
        self.absent: set[str] = set()              # keys the store does not have
        self.pages: dict[str, int | None] = {}     # name (or a part's "last") -> page count, any start
        self._setter: Typesetter | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._characters = self._pages = 0         # markup and pages of the parts laid out: for guesses
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
        """One part (the front matter, the index, the blank page): by a worker when this build
        has them (this process then never holds a WeasyPrint layout, whose memory it would keep
        through the merge), else here."""
        name = self._name(markup)
        part = self._cached(name, start)
        if part is None:
            if self._pool is not None:
                part = self._pool.submit(_worker_job, spec, start, context).result()
                if not isinstance(part, Part):
                    raise BookError(part)
            else:
                part = self.make(self.setter, self.book, spec, start, context)
            self._keep(name, len(markup), start, part)
        return part

    def sequence(self, specs: list, markups: list[str], context=None, on_done=None) -> list[tuple[int, Part]]:
        """Parts one after another from page 1, each opening on a recto: (first page, Part) each.
        specs are plain tuples (they go to the workers); str(spec) names the part across builds
        (a document's spec holds its id)."""
        run = _Run(specs, [self._name(m) for m in markups], [len(m) for m in markups],
                   [cache.digest(self.version, "last", str(spec)) for spec in specs], context, markups)
        while True:
            starts, exact = self._starts(run)
            missing = [i for i in range(len(specs)) if self._cached(run.names[i], starts[i]) is None]
            if on_done:                            # (parts done, parts, the first one not done)
                on_done(len(specs) - len(missing), len(specs), missing[0] if missing else None)
            if not missing and all(exact):
                return [(start, self._cached(name, start)) for start, name in zip(starts, run.names)]
            if not missing:
                continue        # found at guessed first pages: their page counts now place them exactly
            first = missing[0]
            if not exact[first]:
                continue        # the parts before it were found just now: their page counts place it
            if (first, starts[first]) in run.failed:
                raise run.failed[first, starts[first]]
            if self.jobs == 1 or len(missing) == 1 and not run.flight:
                self._lay_out_here(run, first, starts[first])
            else:
                self._hand_out(run, missing, starts, exact)
                self._receive(run)

    def _lay_out_here(self, run: "_Run", index: int, start: int) -> None:
        text_kept = self._text_kept(run.names[index])
        try:
            part = _at_start(self.setter, self.book, self.make, self.store, run.specs[index], start,
                             run.context, run.names[index], run.markups[index])
        except BookError as exc:
            run.failed[index, start] = exc
            return
        self._keep(run.names[index], run.sizes[index], start, part, run.lasts[index], text_kept)

    def _text_kept(self, name: str) -> bool:
        return self.store.has(_text_key(name))

    def _hand_out(self, run: "_Run", missing: list[int], starts: list[int], exact: list[bool]) -> None:
        """Free workers take the next parts not laid out: at their first page when it is known,
        else (once a part) at the page they will probably start on."""
        busy = {index for index, _, _ in run.flight.values()}
        for i in missing:
            if len(run.flight) >= self.jobs:
                return
            if i in busy or (i, starts[i]) in run.failed or not exact[i] and i in run.ahead:
                continue
            if not exact[i]:
                run.ahead.add(i)
            future = self._submit(run.specs[i], starts[i], run.context, run.names[i], run.markups[i])
            run.flight[future] = (i, starts[i], self._text_kept(run.names[i]))

    def _receive(self, run: "_Run") -> None:
        finished, _ = wait(run.flight, return_when=FIRST_COMPLETED)
        for future in finished:
            index, start, text_kept = run.flight.pop(future)
            outcome = future.result()
            if isinstance(outcome, Part):
                self._keep(run.names[index], run.sizes[index], start, outcome, run.lasts[index], text_kept)
            else:
                run.failed[index, start] = BookError(outcome)

    def _starts(self, run: "_Run") -> tuple[list[int], list[bool]]:
        """Each part's first page, and whether it is exact: it is up to the first part whose page
        count is not known yet; after it, a guess (that part's count in the last build, else
        from its markup's length). A guess decides only what is laid out ahead, never a page."""
        starts, exact, page, known = [], [], 1, True
        for name, size, last in zip(run.names, run.sizes, run.lasts):
            starts.append(page)
            exact.append(known)
            pages = self._pages_of(name)
            if pages is None:
                known = False
                pages = self._pages_of(last) or self._guess(size)
            page += pages + pages % 2               # the next part opens on a recto
        return starts, exact

    def _guess(self, size: int) -> int:
        per_page = self._characters / self._pages if self._pages else CHARACTERS_A_PAGE
        return max(1, round(size / per_page))

    def _name(self, markup: str) -> str:
        """The part's content address: its markup and everything else that shapes it but the start."""
        return cache.digest(self.version, markup)

    def _key(self, name: str, start: int | None) -> str:
        return cache.digest(name, start_css(start) if start else "")

    def _pages_of(self, name: str) -> int | None:
        """A part's page count does not depend on its first page (it always opens on a recto)."""
        if name not in self.pages:
            self.pages[name] = self.store.get_pages(name)
        return self.pages[name]

    def _cached(self, name: str, start: int | None) -> Part | None:
        key = self._key(name, start)
        if key not in self.memo:
            hit = None if key in self.absent else self.store.get(key)
            if hit is None:
                self.absent.add(key)
                return None
            self.memo[key] = Part.from_facts(*hit)
            self.reused += 1
        if self.pages.get(name) is None:
            self.pages[name] = self.memo[key].pages
        return self.memo[key]

    def _keep(self, name: str, size: int, start: int | None, part: Part, last: str | None = None,
              refolioed: bool = False) -> None:
        """refolioed: only the folios were new (the text of the part was kept)."""
        key = self._key(name, start)
        if last:
            self.pages[last] = part.pages
            self.store.put_pages(last, part.pages)
        self.memo[key] = part
        self.absent.discard(key)
        self.pages[name] = part.pages
        self.store.put(key, part.pdf, part.facts())
        self.store.put_pages(name, part.pages)
        if refolioed:
            self.refolioed += 1
            return
        self.laid_out += 1
        self._characters += size
        self._pages += part.pages

    def _submit(self, spec, start: int, context, name: str | None = None, markup: str | None = None):
        if self._pool is None:
            _WORKER.update(config=self.config, book=self.book, make=self.make, store=self.store)
            # fork: the workers share the book as it is now, nothing is pickled but the jobs and
            # their Parts; each worker makes its own Typesetter (fonts, stylesheets) once.
            self._pool = workers.pool(self.jobs, initializer=_worker_start)
        return self._pool.submit(_worker_job, spec, start, context, name, markup)


def _text_key(name: str) -> str:
    return cache.digest(name, "text without folios")


def _at_start(setter: Typesetter, book, make: Callable, store: cache.Store, spec, start: int, context,
              name: str, markup: str) -> Part:
    """A part of the body at its first page: its text laid out once without folios and kept by
    its name alone, then its folios for this first page stamped on (render/folios.py)."""
    key = _text_key(name)
    hit = store.get(key)
    if hit is not None:
        text = Part.from_facts(*hit)
    else:
        text = make(setter, book, spec, start, context, with_folios=False)
        store.put(key, text.pdf, text.facts())
    return setter.folioed(text, markup, start) or make(setter, book, spec, start, context)


@dataclass
class _Run:
    """One sequence being laid out: the parts, and the jobs under way or failed."""
    specs: list
    names: list[str]                               # content addresses (Layouts._name)
    sizes: list[int]                               # markup lengths, for guessing page counts
    lasts: list[str]                               # where each part's last page count is kept
    context: object
    markups: list[str]
    flight: dict = field(default_factory=dict)     # future -> (index, start, its text kept before)
    failed: dict = field(default_factory=dict)     # (index, start) -> BookError
    ahead: set = field(default_factory=set)        # parts laid out once at a guessed first page


def _worker_start() -> None:
    _WORKER["setter"] = Typesetter(_WORKER["config"])


def _worker_job(spec, start: int, context, name: str | None = None, markup: str | None = None):
    """A Part, or the diagnostics of the error that stopped it (an exception may not unpickle).
    With a name, a part of the body: laid out (or kept) without folios, then stamped at start."""
    try:
        if name is not None:
            return _at_start(_WORKER["setter"], _WORKER["book"], _WORKER["make"], _WORKER["store"], spec,
                             start, context, name, markup)
        return _WORKER["make"](_WORKER["setter"], _WORKER["book"], spec, start, context)
    except BookError as exc:
        return exc.diagnostics
