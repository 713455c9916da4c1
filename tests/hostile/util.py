"""Helpers for hostile input: a small project from `bookbuild init`, read in-process or run by the CLI."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from bookbuild.diagnostics import BookError, collecting

FRONT = '---\ntitle: "A hostile record"\ndate: "1950-01-01"\narchive: "Some Archive"\nreference: "box 1"\n---\n\n'


def make_project(target: Path) -> Path:
    from bookbuild.scaffold import init
    init(target)
    return target


def chapter(root: Path, body: str, name: str = "x.md", front: str = FRONT) -> Path:
    path = root / "chapters" / name
    path.write_text(front + body, encoding="utf-8")
    return path


def read(root: Path):
    """(book, warnings) or raises BookError: everything a build does before layout."""
    from bookbuild.build import read as read_book
    with collecting() as warnings:
        _, book = read_book(root)
    return book, warnings


def problems(root: Path) -> list[str]:
    """The formatted errors of reading the project ([] when it reads)."""
    try:
        read(root)
    except BookError as exc:
        return [d.format() for d in exc.diagnostics]
    return []


def run(root: Path, *args, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bookbuild", *args, "-C", str(root)], cwd=root,
                          capture_output=True, text=True, timeout=timeout)


def tree_hashes(root: Path, skip: tuple[str, ...] = ("output",)) -> dict[str, str]:
    """sha256 of every file under root (symbolic links by their target), except the skipped folders."""
    hashes = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] in skip:
            continue
        if path.is_symlink():
            hashes[str(rel)] = "link:" + str(path.readlink())
        elif path.is_file():
            hashes[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            hashes[str(rel)] = "dir"
    return hashes
