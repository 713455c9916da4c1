"""Worker pools stopped after an error leave nothing running that Python's exit could race."""

import time

from bookbuild import workers


def _sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_a_pool_stopped_after_an_error_is_gone_when_stop_returns():
    """stop(failed=True) ends the work under way at once, and returns only when the executor's
    thread has ended: a thread still closing its pipe at exit made Python 3.11 print
    "OSError: [Errno 9] Bad file descriptor" after a build's error (CI, once in 467 tests)."""
    executor = workers.pool(2)
    futures = [executor.submit(_sleep, 60) for _ in range(4)]
    deadline = time.monotonic() + 30
    while not any(f.running() for f in futures):
        assert time.monotonic() < deadline, "no work began"
        time.sleep(0.01)
    thread, processes = executor._executor_manager_thread, list(executor._processes.values())
    began = time.monotonic()
    workers.stop(executor, failed=True)
    assert time.monotonic() - began < 10, "stop waited for the work it should have stopped"
    assert not thread.is_alive()
    assert not any(process.is_alive() for process in processes)


def test_a_pool_stopped_after_its_work_is_gone_when_stop_returns():
    executor = workers.pool(2)
    assert list(executor.map(_sleep, [0.01] * 4)) == [0.01] * 4
    thread = executor._executor_manager_thread
    workers.stop(executor, failed=False)
    assert not thread.is_alive()
