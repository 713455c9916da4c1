"""The only reader: chapter files (YAML front matter + Markdown) into Documents of the model."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bookbuild import yamlfile
from bookbuild.config import Config, read_text
from bookbuild.diagnostics import BookError, Diagnostic, ERROR, display_path, error
from bookbuild.model import (Block, Book, CrossRef, Document, IndexMark, LineBreak, Link, Note, NoteRef, Part,
                             Span, Text)

MAX_CHAPTER_BYTES = 2_000_000
HEADNOTE_PLACEHOLDER = "TODO: write the headnote"


class FrontMatter(BaseModel):
    """The keys a chapter file may carry; the importer writes the archive's fields here."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str | None = Field(None, pattern=r"^[a-z][a-z0-9-]*$")
    title: str
    short_title: str | None = None
    date: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$")
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
            datetime.date.fromisoformat(value)      # 1959-02-30 matches the pattern but is no date
        return value
    record_id: str | None = None
    digital_archive: str | None = Field(None, description="the online archive, e.g. Wilson Center Digital Archive")


def read_book(config: Config) -> Book:
    """Every chapter of the book, in reading order, parsed once."""
    intro_name, parts = _contents(config)
    intro = read_document(_chapter_path(config, intro_name), "introduction") if intro_name else None
    read_parts = [Part(title, [read_document(path, "document") for path in paths]) for title, paths in parts]
    if config.contents.documents == "auto":
        for part in read_parts:
            part.documents.sort(key=lambda doc: (doc.meta.get("date") or "9999", doc.path.name))
    return Book(config=config, introduction=intro, parts=read_parts)


def _contents(config: Config) -> tuple[str | None, list[tuple[str | None, list[Path]]]]:
    contents = config.contents
    if contents.parts:
        return contents.introduction, [
            (part.title, [_chapter_path(config, name) for name in part.documents]) for part in contents.parts]
    if contents.documents in (None, "auto"):
        skip = {contents.introduction}
        names = sorted(p.name for p in config.chapters_dir.glob("*.md") if p.name not in skip)
        return contents.introduction, [(None, [_chapter_path(config, name) for name in names])]
    return contents.introduction, [(None, [_chapter_path(config, name) for name in contents.documents])]


def _chapter_path(config: Config, name: str) -> Path:
    path = (config.chapters_dir / name)
    inside = path.resolve().is_relative_to(config.chapters_dir.resolve())
    if not inside or Path(name).is_absolute():
        # '..', an absolute path or a symbolic link out: a build reads nothing outside its project
        raise error("C010", config.root / "book.yaml", None, f"chapter '{name}' is outside chapters/",
                    "keep chapter files inside chapters/ (no '..', absolute paths or links out)")
    if not path.is_file():
        raise error("C011", config.root / "book.yaml", None, f"chapter '{name}' not found in chapters/",
                    "check the file name, or remove it from contents")
    return path


def read_document(path: Path, role: str) -> Document:
    if path.stat().st_size > MAX_CHAPTER_BYTES:
        raise error("F003", path, None, f"larger than {MAX_CHAPTER_BYTES // 1_000_000} MB",
                    "split the chapter")
    text = read_text(path)
    meta, meta_lines, body, body_line = _split_front_matter(text, path)
    tokens = _markdown().parse(body, env := {})
    reader = _Reader(path, body_line, body)
    headnote, body_blocks = reader.blocks(tokens)
    notes = reader.notes(tokens, env)
    doc_id = meta.get("id") or ("introduction" if role == "introduction" else _slug(path.stem))
    return Document(id=doc_id, path=path, role=role, meta=meta, meta_lines=meta_lines,
                    headnote=headnote, body=body_blocks, notes=notes)


def _split_front_matter(text: str, path: Path) -> tuple[dict, dict, str, int]:
    if not text.startswith("---\n"):
        raise error("S001", path, 1, "no front matter", "start the file with '---', a 'title:' line and '---'")
    end = text.find("\n---\n", 3)
    if end < 0:
        raise error("S002", path, 1, "front matter is not closed", "add a line '---' after the front matter")
    data, lines = yamlfile.load(text[4:end + 1], path, first_line=2)
    if not isinstance(data, dict):
        raise error("S003", path, 2, "front matter must be keys and values", "write 'title: ...' and so on")
    try:
        meta = FrontMatter.model_validate(data).model_dump(exclude_none=True)
    except ValidationError as exc:
        raise BookError([_front_matter_diagnostic(e, path, lines) for e in exc.errors()]) from None
    body_line = text[: end + 5].count("\n") + 1
    return meta, lines, text[end + 5:], body_line


def _front_matter_diagnostic(err: dict, path: Path, lines: dict) -> Diagnostic:
    loc = tuple(err["loc"])
    key = ".".join(str(p) for p in loc)
    line = yamlfile.line_for(lines, loc)
    if err["type"] == "extra_forbidden":
        known = ", ".join(FrontMatter.model_fields)
        return Diagnostic("S004", ERROR, display_path(path), line, f"unknown front-matter key '{key}'",
                          f"known keys: {known}")
    if err["type"] == "missing":
        return Diagnostic("S005", ERROR, display_path(path), line, f"missing front-matter key '{key}'",
                          "add it to the front matter")
    hint = "write dates as YYYY-MM-DD in quotes" if key == "date" else f"got {err.get('input')!r}"
    return Diagnostic("S006", ERROR, display_path(path), line, f"front-matter '{key}': {err['msg']}", hint)


def _markdown() -> MarkdownIt:
    # Raw HTML is never passed through (it is shown as text): the safest allow-list is none.
    md = MarkdownIt("commonmark", {"typographer": True, "html": False})
    md.enable(["smartquotes", "table", "strikethrough"])
    md.use(footnote_plugin).use(container_plugin, name="headnote")
    md.use(attrs_plugin, spans=True, after=("span_close",))
    md.validateLink = lambda url: not re.match(r"(?i)\s*(javascript|vbscript|data|file):", url)
    return md


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug if slug and slug[0].isalpha() else f"doc-{slug}"


class _Reader:
    """Turns markdown-it's flat token stream into model blocks, keeping source lines."""

    def __init__(self, path: Path, first_line: int, body: str):
        self.path, self.first_line, self.body = path, first_line, body

    def line(self, token: Token, fallback: int = 0) -> int:
        return (token.map[0] if token.map else fallback) + self.first_line

    def blocks(self, tokens: list[Token]) -> tuple[list[Block], list[Block]]:
        headnote: list[Block] = []
        body: list[Block] = []
        stack: list[list[Block]] = [body]
        containers: list[Block] = []
        in_notes = 0
        for index, token in enumerate(tokens):
            if token.type == "footnote_block_open":
                in_notes += 1
            elif token.type == "footnote_block_close":
                in_notes -= 1
            if in_notes or token.type.startswith("footnote"):
                continue
            if token.type == "container_headnote_open":
                stack.append(headnote)
            elif token.type == "container_headnote_close":
                stack.pop()
            else:
                self._block_token(token, tokens, index, stack, containers)
        return headnote, body

    def _block_token(self, token, tokens, index, stack, containers) -> None:
        kinds = {"bullet_list": "ul", "ordered_list": "ol", "list_item": "li", "blockquote": "blockquote",
                 "table": "table", "thead": "thead", "tbody": "tbody", "tr": "tr"}
        base = token.type.rsplit("_", 1)[0]
        if token.type.endswith("_open") and base in kinds:
            block = Block(kinds[base], self.line(token))
            if base == "ordered_list" and token.attrGet("start"):
                block.attrs["start"] = str(token.attrGet("start"))
            stack[-1].append(block)
            stack.append(block.blocks)
            containers.append(block)
        elif token.type.endswith("_close") and base in kinds:
            stack.pop()
            containers.pop()
        elif token.type in ("paragraph_open", "heading_open", "th_open", "td_open"):
            kind = token.tag if token.type != "paragraph_open" else "p"
            inline = tokens[index + 1]
            stack[-1].append(Block(kind, self.line(token), inlines=self.inlines(inline.children or [],
                                                                             self.line(token))))
        elif token.type in ("fence", "code_block"):
            stack[-1].append(Block("pre", self.line(token), inlines=[Text(token.content)]))
        elif token.type == "hr":
            stack[-1].append(Block("hr", self.line(token)))

    def inlines(self, tokens: list[Token], line: int) -> list:
        root: list = []
        stack = [root]
        for token in tokens:
            self._inline_token(token, stack, line)
        return root

    def _inline_token(self, token: Token, stack: list, line: int) -> None:
        styles = {"em": "em", "strong": "strong", "s": "strike"}
        kind = token.type
        if kind == "text":
            stack[-1].append(Text(token.content))
        elif kind == "code_inline":
            stack[-1].append(Span("code", [Text(token.content)]))
        elif kind in ("softbreak",):
            stack[-1].append(Text(" "))
        elif kind == "hardbreak":
            stack[-1].append(LineBreak())
        elif kind == "footnote_ref":
            stack[-1].append(NoteRef(token.meta["label"], line))
        elif kind.endswith("_open"):
            node = self._opening(token, styles, line)
            stack[-1].append(node)
            stack.append(node.children)
        elif kind.endswith("_close"):
            stack.pop()
        elif kind == "image":
            raise error("S010", self.path, line, "images are not supported in chapters yet",
                        "remove the image or describe it in the text")

    def _opening(self, token: Token, styles: dict, line: int):
        tag = token.type[: -len("_open")]
        if tag == "link":
            href = str(token.attrGet("href") or "")
            if href.startswith("#"):            # [](#doc-id) or [](#doc-id:note): a cross-reference
                return CrossRef(unquote(href[1:]), line, children=[])
            return Link(href, [])
        if tag == "span":
            term = token.attrGet("index")
            if term is None:
                raise error("S011", self.path, line, "a [text]{...} span needs index=\"Entry name\"",
                            "write [text]{index=\"Entry name\"} to mark an index entry")
            return IndexMark(str(term), [], line)
        return Span(styles.get(tag, tag), [])

    def notes(self, tokens: list[Token], env: dict) -> list[Note]:
        """Notes in the order markdown-it numbered them, plus defined notes with no call."""
        notes: list[Note] = []
        current: Note | None = None
        stack: list[list[Block]] = []
        containers: list[Block] = []
        for index, token in enumerate(tokens):
            if token.type == "footnote_open":
                current = Note(token.meta["label"], self._definition_line(token.meta["label"]), [])
                stack = [current.blocks]
            elif token.type == "footnote_close":
                notes.append(current)
                current = None
            elif current is not None and not token.type.startswith("footnote"):
                self._block_token(token, tokens, index, stack, containers)
        for key, ref in (env.get("footnotes", {}).get("refs") or {}).items():
            if ref == -1:         # defined but never called: kept, so enrich.notes can report it
                notes.append(Note(key[1:], self._definition_line(key[1:]), [], number=-1))
        return notes

    def _definition_line(self, label: str) -> int:
        match = re.search(rf"(?m)^ {{0,3}}\[\^{re.escape(label)}\]:", self.body)
        return self.body[: match.start()].count("\n") + self.first_line if match else self.first_line
