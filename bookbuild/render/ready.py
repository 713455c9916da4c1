"""A layout process made ready while the book is read. After an edit, a rebuild lays out one
document; in a new process that layout first pays for WeasyPrint's import and the Typesetter
(nearly a second), after the book has been read and enriched. Forked as the build begins, this
process pays for them on the other core meanwhile, and then lays out that one document.

It is given a book of the one document, pickled (a few milliseconds), not the book: it was forked
before the book was read. What it makes is what the build's own process would make: the same
functions, the same Typesetter, the same build time for fontTools (SOURCE_DATE_EPOCH). If it
could not make its Typesetter (a fault in the styles or fonts), it says so and the build's
process does the work, and meets the fault where it reports it."""

from __future__ import annotations

import multiprocessing
import os

from bookbuild import workers
from bookbuild.diagnostics import BookError
from bookbuild.model import Book, Part as BookPart
from bookbuild.render.typesetter import Typesetter

_NOT_READY = "not ready"


class ReadyLayout:
    """start(config, epoch) forks the process; run(job, book, make) is a Layouts job of one
    document done there, or None when it cannot be (not started, not a document, no
    Typesetter): the caller then does it. send() and receive() are run() in two halves, for a
    caller with work of its own to do meanwhile. Leaving the `with` stops the process."""

    def __init__(self):
        self._process = self._pipe = None

    def __enter__(self):
        return self

    def start(self, config, epoch: str) -> None:
        context = multiprocessing.get_context("fork")
        self._pipe, theirs = context.Pipe()
        self._process = context.Process(target=_serve, daemon=True,
                                         args=(theirs, self._pipe, config, epoch, os.getpid()))
        self._process.start()
        theirs.close()

    @property
    def started(self) -> bool:
        return self._process is not None

    def run(self, job: tuple, book: Book, make):
        return self.receive() if self.send(job, book, make) else None

    def send(self, job: tuple, book: Book, make) -> bool:
        """Whether the job went to the process: its outcome is then receive()'s, to be read."""
        function, spec, *arguments = job
        if self._process is None or spec[0] != "document":
            return False
        alone = Book(book.config, None, [BookPart(None, [book.documents[spec[1]]])])
        self._pipe.send((function, alone, make, (("document", 0), *arguments)))
        return True

    def receive(self):
        """The outcome of the job sent, as run() gives it."""
        kind, outcome = self._pipe.recv()
        if kind == "error":
            raise BookError(outcome)
        if kind == "failed":
            raise outcome
        return outcome if kind == "done" else None

    def __exit__(self, *exc):
        if self._process is not None:
            self._process.terminate()           # idle, or working for a build that has stopped
            self._process.join()
            self._pipe.close()


def _serve(pipe, parents_end, config, epoch: str, parent: int) -> None:
    workers.follow_parent(parent)
    parents_end.close()
    os.environ["SOURCE_DATE_EPOCH"] = epoch     # as build.source_date() sets it for the layout
    try:
        setter = Typesetter(config)
    except Exception:                           # noqa: BLE001 - the build's process meets it and says it
        setter = None
    while True:
        try:
            function, book, make, arguments = pipe.recv()
        except EOFError:
            return
        if setter is None:
            pipe.send((_NOT_READY, None))
            continue
        try:
            pipe.send(("done", function(setter, book, make, *arguments)))
        except BookError as exc:                # a BookError may not unpickle: its diagnostics do
            pipe.send(("error", exc.diagnostics))
        except Exception as exc:                # noqa: BLE001 - a bug: the build reports it as its own
            pipe.send(("failed", RuntimeError(f"the layout failed: {type(exc).__name__}: {exc}")))
