"""The last build's record: a build whose inputs are those of the last one, and whose products
are still in output/ as it wrote them, has nothing to do (`make` after `make`, an editor's
save that changed nothing). Kept in the cache, per project; --no-cache ignores it. One record
holds the products of every format built from the same inputs: an EPUB-only build after a full
one finds its EPUB there."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bookbuild import cache
from bookbuild.pagemap import PageMap
from bookbuild.render.typesetter import styles_version

KIND = "builds"


@dataclass
class Record:
    inputs: str                      # inputs() of the build
    products: dict[str, str]         # format -> digest of the file written from those inputs
    page_map: PageMap                # the same for every format: the EPUB's page-list is the PDF's
    diagnostics: list                # its warnings (none depends on the format), said again


def inputs(config, setting: str | None = None) -> str | None:
    """A digest of everything a build reads: its setting (book_setting, given or worked out) and
    chapters/ (every file, by name and bytes). None if a file cannot be read: the build then says why."""
    setting = setting or book_setting(config)
    chapters = _contents(config, sorted(path for path in config.chapters_dir.rglob("*") if path.is_file()))
    return None if setting is None or chapters is None else cache.digest(setting, *chapters)


def book_setting(config) -> str | None:
    """A digest of everything a build reads but its chapters: book.yaml and styles/ (every file, by
    name and bytes), the fonts, bookbuild's code and every installed package's version,
    SOURCE_DATE_EPOCH (the build's timestamp) and the folder it runs from (messages name files
    from there). None if a file cannot be read."""
    files = [config.root / "book.yaml"] + sorted(path for path in config.styles_dir.rglob("*") if path.is_file())
    contents = _contents(config, files)
    if contents is None:
        return None
    return cache.digest(styles_version(config), _packages(), os.environ.get("SOURCE_DATE_EPOCH", ""),
                        str(Path.cwd()), *contents)


def snapshot(root: Path) -> tuple:
    """What the book is made of, by name, size and time of change: `watch` builds when it moves,
    and a build keeps nothing of what it made if it moved while the build read it."""
    paths = [root / "book.yaml"] + sorted((root / "chapters").rglob("*")) + sorted((root / "styles").rglob("*"))
    stamps = []
    for path in paths:
        try:
            if path.is_file():
                status = path.stat()
                stamps.append((str(path), status.st_size, status.st_mtime_ns))
        except OSError:                 # gone since it was listed: it is not part of the book
            pass
    return tuple(stamps)


def _contents(config, files: list[Path]) -> list | None:
    """Each file's name and bytes, or None if one cannot be read."""
    inside = config.root.resolve()
    try:
        return [item for path in files for item in (path.relative_to(config.root).as_posix(), _content(path, inside))]
    except (OSError, ValueError):
        return None


def _content(path: Path, inside: Path) -> bytes | str:
    """A file's bytes; for a link out of the project, where it points: a build reads nothing outside
    (the build refuses such a chapter, and says so)."""
    if path.is_symlink() and not path.resolve().is_relative_to(inside):
        return f"a link to {os.readlink(path)}"
    return path.read_bytes()


def up_to_date(config, formats: tuple[str, ...], digest: str | None) -> Record | None:
    """The last record of these inputs if it has every format asked for, and output/ holds each
    as it was written."""
    record = _last(config, digest)
    if record is None or not set(formats) <= set(record.products):
        return None
    for fmt in formats:
        try:
            if cache.digest(product_path(config, fmt).read_bytes()) != record.products[fmt]:
                return None
        except OSError:
            return None
    return record


def remember(config, digest: str | None, products: dict[str, bytes], page_map: PageMap,
             diagnostics: list) -> None:
    """After a build that wrote products: with the formats built from the same inputs before."""
    if digest is not None:
        last = _last(config, digest)
        shas = {**(last.products if last else {}), **{fmt: cache.digest(data) for fmt, data in products.items()}}
        cache.keep_object(KIND, _name(config), Record(digest, shas, page_map, diagnostics))


def _last(config, digest: str | None) -> Record | None:
    record = cache.kept_object(KIND, _name(config)) if digest is not None else None
    return record if isinstance(record, Record) and record.inputs == digest else None


def built_before(config) -> bool:
    """Whether the project has been built with this cache (from other inputs or the same)."""
    return cache.is_kept(KIND, _name(config))


def entry(root: Path) -> Path:
    """Where the project's record is kept."""
    return cache.object_entry(KIND, _project(root))


def product_path(config, fmt: str) -> Path:
    return config.output_dir / f"{config.output_slug}.{fmt}"


def _name(config) -> str:
    return _project(config.root)


def _project(root: Path) -> str:
    return cache.digest(str(root.resolve()))


@lru_cache(maxsize=1)
def _packages() -> str:
    """Every installed distribution and its version (an upgraded ebooklib writes another EPUB),
    by the names of their metadata folders: reading each one's metadata takes a tenth of a second."""
    names = []
    for entry in sys.path:
        try:
            names += [name for name in os.listdir(entry or ".") if name.endswith((".dist-info", ".egg-info"))]
        except OSError:
            pass
    return "\n".join(sorted(names))
