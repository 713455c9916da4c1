"""Worker processes, forked so that they share what the parent has read: they ignore Ctrl-C (the
parent handles it) and die with their parent; after an error they are stopped, not waited for."""

from __future__ import annotations

import contextvars
import ctypes
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

PR_SET_PDEATHSIG = 1

_JOBS: contextvars.ContextVar[int | None] = contextvars.ContextVar("jobs", default=None)


def count(jobs: int | None = None) -> int:
    """How many workers: jobs, else the build's --jobs (limited()), else one a core this process may run on."""
    return jobs or _JOBS.get() or len(os.sched_getaffinity(0))


@contextmanager
def limited(jobs: int | None):
    """Within it count() is jobs: --jobs holds for every stage that works in parallel."""
    token = _JOBS.set(jobs)
    try:
        yield
    finally:
        _JOBS.reset(token)


def pool(workers: int, initializer=None) -> ProcessPoolExecutor:
    """fork: nothing is pickled but the jobs and their results."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_start, initargs=(initializer, os.getpid()))


def _start(initializer, parent: int) -> None:
    follow_parent(parent)
    if initializer is not None:
        initializer()


def follow_parent(parent: int) -> None:
    """Ctrl-C is the parent's to handle; a parent killed outright takes its workers with it (Linux)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:          # it died before the death signal was asked for
        os._exit(1)


def stop(executor: ProcessPoolExecutor, failed: bool) -> None:
    """After an error or Ctrl-C the work under way is not wanted, and shutdown() would wait for
    it: the executor has no public way to stop its workers. Once they are stopped, shutdown()
    waits only for the executor's own thread to see them gone, and must: a thread left to close
    its pipe while Python exits races Python 3.11's exit hook, which writes to that pipe and
    printed "OSError: [Errno 9] Bad file descriptor" after a build's error (seen once in CI)."""
    if failed:
        for process in list(getattr(executor, "_processes", {}).values()):
            process.terminate()
    executor.shutdown(wait=True, cancel_futures=True)
