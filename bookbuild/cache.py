"""Content-addressed store of laid-out parts (their PDF and page facts), keyed by everything that made them."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import pickle
import tempfile
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

# Entries unused for this long are removed after a build, so the store does not grow for ever.
KEEP_DAYS = 30
# Looking costs a stat of every entry (a third of a second with a 300-document reader's entries
# in it): once a day is enough to keep entries a month.
PRUNE_EVERY_HOURS = 24

_bypassed: list[bool] = [False]
_journals: list[list[Path]] = []          # the entries kept within each journal() open


@contextmanager
def bypassed(bypass: bool = True):
    """Within it nothing is read from the cache or kept in it: `bookbuild build --no-cache`.
    (Font instances are not a cache of work but files the build needs: they are still made.)"""
    _bypassed.append(bypass)
    try:
        yield
    finally:
        _bypassed.pop()


@contextmanager
def journal():
    """The list of the entries kept within it (in this process, where every entry is kept), for
    forget() to take back: what a build keeps from sources that moved under it."""
    written: list[Path] = []
    _journals.append(written)
    try:
        yield written
    finally:
        _journals.pop()


def forget(entries: list[Path]) -> None:
    for path in entries:
        try:
            path.unlink()
        except OSError:
            pass


def object_entry(kind: str, key: str) -> Path:
    """The file keep_object() keeps under key."""
    return _entry(root() / kind, key, ".pickle")


def active() -> bool:
    return not _bypassed[-1]


def root() -> Path:
    """Per user, not per project: a build writes nothing into the project but output/."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "bookbuild"


def digest(*parts: str | bytes) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))      # ("ab", "c") and ("a", "bc") differ
        hasher.update(data)
    return hasher.hexdigest()


@lru_cache(maxsize=1)
def code_version() -> str:
    """bookbuild's own code and the versions of the libraries that lay out and write pages: a
    changed line of the PDF writer must not reuse a layout made by the old one."""
    files = code_files()
    home = Path(__file__).parent.parent
    return digest(*[importlib.metadata.version(name) for name in ("weasyprint", "pydyf", "pikepdf")],
                  *[p.relative_to(home).as_posix() for p in files], *[p.read_bytes() for p in files])


def code_files() -> list[Path]:
    """bookbuild's modules, and the citation styles it cites in when a project has no copy of its
    own (enrich/citations.py, BUILTIN_CSL): a project's styles/ counts in its own setting."""
    package = Path(__file__).parent
    return sorted(package.rglob("*.py")) + sorted((package.parent / "styles" / "csl").glob("*.csl"))


def remembered(kind: str, key: str, compute):
    """compute()'s JSON-able result, kept under root()/kind by key: for work that is slow and
    depends only on what the key names (a citation: the CSL item, the style, the code)."""
    if not active():
        return compute()
    path = _entry(root() / kind, key, ".json")
    try:
        return json.loads(_read(path))
    except (OSError, ValueError):
        pass
    value = compute()
    _keep(path, json.dumps(value).encode("utf-8"))
    return value


def is_remembered(kind: str, key: str) -> bool:
    """Whether remembered() would find key without computing (a damaged entry: it computes)."""
    return active() and _entry(root() / kind, key, ".json").is_file()


def is_kept(kind: str, key: str) -> bool:
    """Whether keep_object() kept something under key (without loading it)."""
    return active() and object_entry(kind, key).is_file()


def kept_object(kind: str, key: str):
    """A Python object kept by keep_object (the chapters parsed, and enriched), or None. The cache
    is the user's own folder, trusted like their chapters; an entry that does not load is a miss."""
    if not active():
        return None
    try:
        return pickle.loads(_read(object_entry(kind, key)))
    except Exception:                                   # noqa: BLE001 - any damage is a miss
        return None


def keep_object(kind: str, key: str, value) -> None:
    if active():
        _keep(object_entry(kind, key), pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def prune(now: float) -> None:
    """Remove the entries no build has read or written for KEEP_DAYS (layouts, parsed and enriched
    chapters, citations; the font instances live in root()/fonts itself, not in two-letter
    folders), if no build has looked for PRUNE_EVERY_HOURS."""
    looked = root() / "pruned"
    try:
        if now - looked.stat().st_mtime < PRUNE_EVERY_HOURS * 3600:
            return
    except OSError:
        pass
    _keep(looked, b"")
    for entry in root().glob("*/??/*"):
        try:
            if now - entry.stat().st_mtime > KEEP_DAYS * 86400:
                entry.unlink()
        except OSError:
            pass


def _entry(folder: Path, key: str, suffix: str) -> Path:
    return folder / key[:2] / f"{key}{suffix}"


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    os.utime(path)                                      # used: prune() keeps it
    return data


def _keep(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(path, data)
    except OSError:
        return                                          # a full disk costs speed, not the build
    if _journals:
        _journals[-1].append(path)


class Store:
    """Laid-out parts, two files an entry: KEY.pdf and KEY.json; and NAME.pages, the page count of
    a part's content whatever its first page. An entry that cannot be read is a miss, never an error."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    def get(self, key: str) -> tuple[bytes, dict] | None:
        if self.folder is None:
            return None
        try:
            facts = json.loads(_read(_entry(self.folder, key, ".json")))
            pdf = _read(_entry(self.folder, key, ".pdf"))
        except (OSError, ValueError):
            return None
        return (pdf, facts) if digest(pdf) == facts.get("pdf_sha256") else None

    def put(self, key: str, pdf: bytes, facts: dict) -> None:
        if self.folder is not None:
            # The PDF first, its facts (with the PDF's hash) last: a half-written entry is a miss.
            _keep(_entry(self.folder, key, ".pdf"), pdf)
            _keep(_entry(self.folder, key, ".json"), json.dumps({**facts, "pdf_sha256": digest(pdf)}).encode("utf-8"))

    def get_pages(self, name: str) -> int | None:
        if self.folder is None:
            return None
        try:
            text = _read(_entry(self.folder, name, ".pages")).decode("ascii")
        except (OSError, UnicodeDecodeError):
            return None
        return int(text) if text.isdigit() else None

    def put_pages(self, name: str, pages: int) -> None:
        if self.folder is not None:
            _keep(_entry(self.folder, name, ".pages"), str(pages).encode("ascii"))


def _write(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
    os.replace(temporary, path)
