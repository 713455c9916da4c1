"""`bookbuild import`: Wilson Center Digital Archive records (structured or web-page copy) to chapters."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bookbuild.diagnostics import display_path
from bookbuild.outputs import write_atomically
from bookbuild.importers import structured, webpage
from bookbuild.importers.common import FormatError, Record, decode, paragraphs
from bookbuild.importers.frontmatter import front_matter
from bookbuild.importers.names import key_words, slug_word

__all__ = ["ImportResult", "Record", "chapter_name", "import_files", "parse_record", "render_chapter"]

HEADNOTE = "::: headnote\nTODO: write the headnote (who, when, why it matters, what to read for).\n:::\n"
_EXPECTED = ("expected a Wilson Center record: a structured one (**date**, **title**, **Citation:** ...) "
             "or a copy of its web page (date, title, text, 'Document Information')")


@dataclass
class ImportResult:
    source: Path
    target: Path | None                 # chapter file written (or that would be written)
    dropped: list[tuple[int, str]] = field(default_factory=list)   # furniture and boilerplate
    doubtful: list[tuple[int, str]] = field(default_factory=list)  # reported, not fixed
    error: str | None = None            # one line naming the file and what was expected
    written: bool = False
    text: str = ""                      # the chapter file's text (what --dry-run shows)


def import_files(paths: list[Path], chapters_dir: Path, *, force: bool = False,
                 dry_run: bool = False) -> list[ImportResult]:
    """Import each file on its own: one that fails leaves the others to import."""
    claimed: dict[Path, tuple[Path, dict]] = {}     # target -> (source, record), within this import
    return [_import_one(Path(path), Path(chapters_dir), force, dry_run, claimed) for path in paths]


def _import_one(source: Path, chapters_dir: Path, force: bool, dry_run: bool,
                claimed: dict[Path, tuple[Path, dict]]) -> ImportResult:
    try:
        record = parse_record(_read(source), source)
    except FormatError as exc:
        return ImportResult(source, None, error=str(exc))
    target = _target(chapters_dir, record, claimed)
    result = ImportResult(source, target, record.dropped, record.doubtful, text=render_chapter(record))
    if target in claimed:
        result.error = (f"{display_path(source)}: would write {display_path(target)}, as "
                        f"{display_path(claimed[target][0])} of this import does; import them separately")
    elif target.exists() and not force:
        result.error = (f"{display_path(source)}: {display_path(target)} already exists; "
                        "use --force to overwrite it")
    else:
        claimed[target] = (source, record.meta)
        if not dry_run:
            try:
                write_atomically(target, result.text.encode("utf-8"))
                result.written = True
            except OSError as exc:
                result.error = f"{display_path(source)}: cannot write {display_path(target)} ({exc.strerror})"
    return result


def _target(chapters_dir: Path, record: Record, claimed: dict[Path, tuple[Path, dict]]) -> Path:
    """chapter_name(record), or NAME-2.md, NAME-3.md ... when another record already has the name
    (two conversations of the same people on the same day): a re-import finds its own file."""
    stem = chapter_name(record).removesuffix(".md")
    for number in itertools.count(1):
        target = chapters_dir / (f"{stem}.md" if number == 1 else f"{stem}-{number}.md")
        held = claimed[target][1] if target in claimed else _front_matter_of(target)
        if held is None or _same_record(held, record.meta):
            return target
    raise AssertionError("unreachable")


def _front_matter_of(path: Path) -> dict | None:
    """The front matter of an existing chapter; None if there is none to read (or no file)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text[4: text.index("\n---\n")]) if text.startswith("---\n") else None
    except (OSError, ValueError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def _same_record(held: dict, meta: dict) -> bool:
    # The record id identifies a record even after an editor corrected the title.
    if held.get("record_id") and meta.get("record_id"):
        return str(held["record_id"]) == meta["record_id"]
    return held.get("title") == meta["title"]


def _read(source: Path) -> str:
    try:
        return decode(source.read_bytes(), source)
    except OSError as exc:
        raise FormatError(f"{display_path(source)}: cannot read ({exc.strerror}); "
                          "expected a readable record file") from None


def parse_record(text: str, source: Path) -> Record:
    """Pure: the text of a record file (either form) to a Record; FormatError if it is neither."""
    if text.startswith("\ufeff") or "\r" in text:
        text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    paras = paragraphs(text)
    if not paras:
        raise FormatError(f"{display_path(source)}: empty file; {_EXPECTED}")
    form = (structured if structured.looks_structured(paras)
            else webpage if webpage.looks_webpage(paras) else None)
    if form is None:
        raise FormatError(f"{display_path(source)}: not a record in a known form; {_EXPECTED}")
    try:
        return form.parse(paras, source)
    except FormatError as exc:
        raise FormatError(f"{display_path(source)}: {exc}") from None


def render_chapter(record: Record) -> str:
    """The chapter file: front matter, the headnote placeholder, the record text."""
    return f"---\n{front_matter(record.meta)}---\n\n{HEADNOTE}\n{record.body}"


def chapter_name(record: Record) -> str:
    """'1959-10-02-khrushchev-mao.md': the date, then the first two participants' family names
    (or up to three words of the title)."""
    words = [word for word in key_words(record.meta["title"], record.meta.get("participants", [])) if word]
    if not words:
        words = [f"record-{record.meta['record_id']}" if record.meta.get("record_id") else "record"]
    slug = slug_word("-".join(words))[:60].strip("-")
    return f"{record.date_text or 'undated'}-{slug}.md"
