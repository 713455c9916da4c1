"""Nothing lost: products are written to a temporary file and renamed; a build killed with SIGKILL in
the middle of layout, or a writer killed in the middle of a file, leaves the previous good files whole,
and the next build is correct. A build never writes a source."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from bookbuild.outputs import STALE_SECONDS, write_atomically
from tests.hostile.util import chapter, run, tree_hashes

PARAGRAPH = ("The delegation met again in the afternoon and went over the draft once more, line by line, "
             "until every clause had been read aloud and agreed. ") * 4


def _long_record(root: Path, paragraphs: int) -> None:
    chapter(root, "\n\n".join(f"{i}. {PARAGRAPH}" for i in range(paragraphs)) + "\n", name="1950-01-01-long.md")


def _valid(output: Path) -> None:
    with zipfile.ZipFile(output / "reader.epub") as epub:
        assert epub.testzip() is None
        assert epub.read("mimetype") == b"application/epub+zip"
    assert len(PdfReader(output / "reader.pdf").pages) > 5


def test_build_killed_in_layout_keeps_the_previous_files(small):
    assert run(small, "build").returncode == 0
    output = small / "output"
    good = tree_hashes(output, skip=())
    _long_record(small, 1500)             # long enough that layout takes several seconds
    sources = tree_hashes(small)
    process = subprocess.Popen([sys.executable, "-m", "bookbuild", "build", "--verbose", "-C", str(small)],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=small)
    try:
        started = time.monotonic()
        for line in process.stderr:               # --verbose prints each stage as it ends
            if "enrich" in line:
                break
            assert time.monotonic() - started < 120
        time.sleep(1.0)                           # well inside "lay out the PDF"
        assert process.poll() is None, "the build ended before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    assert tree_hashes(output, skip=()) == good           # whole, byte for byte, and no temporary files
    assert tree_hashes(small) == sources                  # the build wrote no source
    (small / "chapters" / "1950-01-01-long.md").unlink()
    out = run(small, "build")
    assert out.returncode == 0, out.stderr
    assert tree_hashes(output, skip=()) == good           # the next build: correct (and reproducible)
    _valid(output)


WRITER = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {repo!r})
    from pathlib import Path
    from bookbuild import outputs
    real_fsync = os.fsync
    def slow_fsync(fd):
        print("writing", flush=True)
        time.sleep(60)                   # killed here: half the bytes written, not yet renamed
    os.fsync = slow_fsync
    outputs.write_atomically(Path({target!r}), b"new" * 1_000_000)
""")


def test_writer_killed_mid_file_keeps_the_previous_file(tmp_path):
    target = tmp_path / "output" / "book.pdf"
    target.parent.mkdir()
    target.write_bytes(b"%PDF-old and whole")
    repo = str(Path(__file__).resolve().parents[2])
    process = subprocess.Popen([sys.executable, "-c", WRITER.format(repo=repo, target=str(target))],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "writing"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    assert target.read_bytes() == b"%PDF-old and whole"
    leftovers = list(target.parent.glob(".book.pdf.*.tmp"))
    assert len(leftovers) == 1                        # what SIGKILL leaves: a temporary beside it
    old = time.time() - STALE_SECONDS - 60
    os.utime(leftovers[0], (old, old))                # ... from a build long gone
    write_atomically(target, b"%PDF-new")
    assert target.read_bytes() == b"%PDF-new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["book.pdf"]   # the stale one removed


def test_a_recent_temporary_of_another_build_is_left_alone(tmp_path):
    target = tmp_path / "book.epub"
    busy = tmp_path / ".book.epub.abc123.tmp"         # a concurrent build (watch) writing right now
    busy.write_bytes(b"partial")
    write_atomically(target, b"epub")
    assert busy.exists() and target.read_bytes() == b"epub"


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "book.pdf"
    target.write_bytes(b"old")

    def full_disk(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["book.pdf"]


def test_interrupted_build_says_output_is_kept(small):
    """Ctrl-C (SIGINT) during layout: status 130, one line, previous files whole."""
    assert run(small, "build").returncode == 0
    good = tree_hashes(small / "output", skip=())
    _long_record(small, 1500)
    # A shell without job control starts background commands with SIGINT ignored, and Python then
    # never installs its handler: the build gets Ctrl-C as a terminal would give it.
    process = subprocess.Popen([sys.executable, "-m", "bookbuild", "build", "--verbose", "-C", str(small)],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=small,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    for line in process.stderr:
        if "enrich" in line:
            break
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    rest = process.stderr.read()
    process.wait(60)
    assert process.returncode == 130, rest
    assert "interrupted: output/ keeps its previous files" in rest and "Traceback" not in rest
    assert tree_hashes(small / "output", skip=()) == good


def _processes_building(root: Path) -> list[int]:
    """Processes running a build of root: the build and its forked workers (same command line)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes() if entry.name.isdigit() else b""
        except OSError:
            continue
        if b"bookbuild" in command and str(root).encode() in command:
            found.append(int(entry.name))
    return found


def test_a_killed_build_leaves_no_worker_behind(small):
    """Layout workers (and the merging process) are forked; killed outright, the build must take
    them with it, not leave them laying out pages for nobody."""
    _long_record(small, 700)
    chapter(small, "\n\n".join(f"{i}. {PARAGRAPH}" for i in range(700)) + "\n", name="1950-01-02-long.md")
    process = subprocess.Popen([sys.executable, "-m", "bookbuild", "build", "--verbose", "--jobs", "2",
                                "-C", str(small)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               text=True, cwd=small)
    try:
        for line in process.stderr:
            if "enrich" in line:
                break
        started = time.monotonic()
        while len(_processes_building(small)) < 4 and time.monotonic() - started < 60:
            time.sleep(0.1)
        assert len(_processes_building(small)) >= 4, "the build never had its merging process and two workers"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
        started = time.monotonic()
        while _processes_building(small) and time.monotonic() - started < 10:
            time.sleep(0.1)
        assert _processes_building(small) == []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
