"""The only reader: chapter files (YAML front matter + Markdown body) into Documents of the model;
the Markdown itself is read by bookbuild/markdown.py."""

from __future__ import annotations

import datetime
import difflib
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bookbuild import cache, markdown, yamlfile
from bookbuild.config import Config, read_text
from bookbuild.diagnostics import BookError, Diagnostic, ERROR, display_path, error, recording, warn
from bookbuild.model import Book, Document, Part

MAX_CHAPTER_BYTES = 2_000_000
HEADNOTE_PLACEHOLDER = "TODO: write the headnote"

# Characters XML 1.0 cannot carry: an EPUB holding one is unreadable, so they are refused by line.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")



class FrontMatter(BaseModel):
    """The keys a chapter file may carry; the importer writes the archive's fields here."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str | None = Field(None, pattern=r"^[a-z][a-z0-9-]*$")
    title: str = Field(min_length=1, pattern=r"\S")
    short_title: str | None = Field(None, pattern=r"\S")
    date: str | None = Field(None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")     # to the day, month or year
    kind: str | None = None
    participants: list[str] = Field(default_factory=list)
    summary: str | None = None
    citation: str | None = None
    archive: str | None = None
    reference: str | None = None
    collection: str | None = None
    translator: str | None = None
    obtained_by: str | None = None
    original_language: str | None = None
    contents_note: str | None = None
    credits: str | None = None
    source_url: str | None = Field(None, pattern=r"^https?://\S+$")

    @field_validator("date")
    @classmethod
    def _real_date(cls, value: str | None) -> str | None:
        if value is not None:
            date_parts(value)                       # 1959-02-30 matches the pattern but is no date
        return value
    record_id: str | None = None
    digital_archive: str | None = Field(None, description="the online archive, e.g. Wilson Center Digital Archive")


def date_parts(iso: str) -> list[int]:
    """'1959-10-02' → [1959, 10, 2]; a record dated to the month or the year alone (archives give
    'November 1962'): [1962, 11], [1962]. ValueError if it names no day, month or year."""
    parts = [int(part) for part in iso.split("-")]
    if len(parts) == 3:
        datetime.date(*parts)
    elif len(parts) == 2 and not 1 <= parts[1] <= 12:
        raise ValueError("month must be in 1..12")
    return parts


def read_book(config: Config) -> Book:
    """Every chapter of the book, in reading order, parsed once; the errors of every chapter
    together (an editor fixes them in one go, not one a build)."""
    intro_name, parts = _contents(config)
    problems: list[Diagnostic] = []

    def read(path: Path, role: str) -> Document | None:
        try:
            return read_document(path, role)
        except BookError as exc:
            problems.extend(exc.diagnostics)
            return None
    intro = read(_chapter_path(config, intro_name, ("contents", "introduction")), "introduction") if intro_name else None
    read_parts = [Part(title, [read(path, "document") for path in paths]) for title, paths in parts]
    if problems:
        raise BookError(problems)
    if config.contents.documents == "auto":
        for part in read_parts:
            part.documents.sort(key=lambda doc: (doc.meta.get("date") or "9999", doc.path.name))
    return Book(config=config, introduction=intro, parts=read_parts)


def _contents(config: Config) -> tuple[str | None, list[tuple[str | None, list[Path]]]]:
    contents = config.contents
    if contents.parts:
        return contents.introduction, [
            (part.title, [_chapter_path(config, name, ("contents", "parts", p, "documents", i))
                          for i, name in enumerate(part.documents)]) for p, part in enumerate(contents.parts)]
    if contents.documents in (None, "auto"):
        skip = {contents.introduction}
        names = sorted(p.name for p in config.chapters_dir.glob("*.md") if p.name not in skip)
        return contents.introduction, [(None, [_chapter_path(config, name, ("contents", "documents"), listed=False)
                                               for name in names])]
    return contents.introduction, [(None, [_chapter_path(config, name, ("contents", "documents", i))
                                           for i, name in enumerate(contents.documents)])]


def _chapter_path(config: Config, name: str, loc: tuple, listed: bool = True) -> Path:
    """A chapter named in book.yaml (or found by `documents: auto`), refused if it leaves chapters/."""
    book_yaml = config.root / "book.yaml"
    path = config.chapters_dir / name
    try:
        if "\0" in name:
            raise ValueError("a NUL character in a file name")
        inside = (not Path(name).is_absolute()
                  and config.chapters_dir.resolve().is_relative_to(config.root.resolve())
                  and path.resolve().is_relative_to(config.chapters_dir.resolve()))
        found = inside and path.is_file()
    except (OSError, ValueError, RuntimeError):        # a link loop, a name too long for the system
        inside, found = True, False
    shown = name if listed else f"chapters/{name}"
    if not inside:
        # '..', an absolute path or a symbolic link out: a build reads nothing outside its project
        raise error("C010", book_yaml, _config_line(config, loc), f"chapter '{shown[:200]}' is outside chapters/",
                    "keep chapter files inside chapters/ (no '..', absolute paths or links out)")
    if not found:
        present = [p.name for p in config.chapters_dir.glob("*.md")] if config.chapters_dir.is_dir() else []
        guess = difflib.get_close_matches(name, present, n=1)
        raise error("C011", book_yaml, _config_line(config, loc), f"chapter '{shown[:200]}' not found in chapters/",
                    f"did you mean '{guess[0]}'?" if guess else "check the file name, or remove it from contents")
    return path


def _config_line(config: Config, loc: tuple) -> int | None:
    """The line of a key of book.yaml (read again: only a failing build needs it)."""
    try:
        _, lines = yamlfile.load(read_text(config.root / "book.yaml"), config.root / "book.yaml")
    except BookError:
        return None
    return yamlfile.line_for(lines, loc)


def read_document(path: Path, role: str) -> Document:
    """A chapter parsed; from the cache when these bytes were parsed before (by this code, from
    this folder), with the warnings that parse gave said again. Errors are never kept."""
    if path.stat().st_size > MAX_CHAPTER_BYTES:
        raise error("F003", path, None, f"larger than {MAX_CHAPTER_BYTES // 1_000_000} MB",
                    "split the chapter")
    try:
        key = cache.digest(cache.code_version(), str(Path.cwd()), str(path), role, path.read_bytes())
    except OSError:
        return _parse(path, role)                      # read_text says what is wrong with the file
    kept = cache.kept_object("documents", key)
    if kept is not None:
        doc, said = kept
        for diagnostic in said:
            warn(diagnostic)
        return doc
    with recording() as said:
        doc = _parse(path, role)
    doc.source_key = key
    cache.keep_object("documents", key, (doc, list(said)))
    return doc


def _parse(path: Path, role: str) -> Document:
    text = read_text(path).replace("\r", "\n")        # read_text has made \r\n into \n: old Mac files
    bad = _NOT_XML.search(text)
    if bad:
        raise error("F004", path, text[: bad.start()].count("\n") + 1,
                    f"control character U+{ord(bad.group()):04X} in the text", "delete it (no book can carry it)")
    meta, meta_lines, body, body_line = _split_front_matter(text, path)
    headnote, body_blocks, notes = markdown.read_body(path, body, body_line)
    doc_id = meta.get("id") or ("introduction" if role == "introduction" else _slug(path.stem))
    return Document(id=doc_id, path=path, role=role, meta=meta, meta_lines=meta_lines,
                    headnote=headnote, body=body_blocks, notes=notes)


def _split_front_matter(text: str, path: Path) -> tuple[dict, dict, str, int]:
    lines_ = text.split("\n")
    if lines_[0].rstrip() != "---":
        raise error("S001", path, 1, "no front matter", "start the file with '---', a 'title:' line and '---'")
    end = next((i for i, line in enumerate(lines_[1:], start=1) if line.rstrip() == "---"), None)
    if end is None:
        raise error("S002", path, 1, "front matter is not closed", "add a line '---' after the front matter")
    data, lines = yamlfile.load("\n".join(lines_[1:end]) + "\n", path, first_line=2)
    if not isinstance(data, dict):
        raise error("S003", path, 2, "front matter must be keys and values", "write 'title: ...' and so on")
    try:
        meta = FrontMatter.model_validate(data).model_dump(exclude_none=True)
    except ValidationError as exc:
        raise BookError([_front_matter_diagnostic(e, path, lines) for e in exc.errors()]) from None
    return meta, lines, "\n".join(lines_[end + 1:]), end + 2


def _front_matter_diagnostic(err: dict, path: Path, lines: dict) -> Diagnostic:
    loc = tuple(err["loc"])
    key = ".".join(str(p) for p in loc)
    line = yamlfile.line_for(lines, loc)
    if err["type"] == "extra_forbidden":
        guess = difflib.get_close_matches(key, list(FrontMatter.model_fields), n=1)
        return Diagnostic("S004", ERROR, display_path(path), line, f"unknown front-matter key '{key}'",
                          f"did you mean '{guess[0]}'?" if guess else f"known keys: {', '.join(FrontMatter.model_fields)}")
    if err["type"] == "missing":
        return Diagnostic("S005", ERROR, display_path(path), line, f"missing front-matter key '{key}'",
                          "add it to the front matter")
    if key == "date":
        reason = (str(err.get("ctx", {}).get("error", "")) or "not written YYYY-MM-DD"
                  if isinstance(err.get("input"), str) else "YAML read it as a number, not text")
        return Diagnostic("S006", ERROR, display_path(path), line, f"front-matter 'date' {err.get('input')!r} is "
                          f"not a date: {reason}", 'write "YYYY-MM-DD" in quotes, or "YYYY-MM" or "YYYY" for a '
                          "record dated to the month or the year")
    return Diagnostic("S006", ERROR, display_path(path), line, f"front-matter '{key}': {err['msg']}",
                      f"got {err.get('input')!r}")


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug if slug and slug[0].isalpha() else f"doc-{slug}"
