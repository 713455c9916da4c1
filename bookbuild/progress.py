"""What a long build tells its user: stage timings (--verbose) and a bar of documents laid out."""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager


class Progress:
    """Silent by default; the CLI turns on the bar (on a terminal, not in CI) and the timings."""

    def __init__(self, bar: bool = False, verbose: bool = False, stream=sys.stderr):
        self.bar, self.verbose, self.stream = bar, verbose, stream
        self.timings: list[tuple[str, float]] = []

    @classmethod
    def for_terminal(cls, verbose: bool) -> "Progress":
        interactive = sys.stderr.isatty() and not os.environ.get("CI")
        return cls(bar=interactive, verbose=verbose)

    @contextmanager
    def stage(self, name: str):
        started = time.monotonic()
        yield
        self.timings.append((name, time.monotonic() - started))
        if self.verbose:
            print(f"  {name:<24} {self.timings[-1][1]:6.2f} s", file=self.stream)

    def document(self, done: int, total: int, title: str) -> None:
        if not self.bar:
            return
        width = 30
        filled = width * done // max(total, 1)
        line = f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {title[:40]:<40}"
        print(line, end="" if done < total else "\n", file=self.stream, flush=True)


QUIET = Progress()
