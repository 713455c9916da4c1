"""Plain data of a book: Book ▸ Parts ▸ Documents ▸ blocks and inlines, notes, index marks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Union


# ---- inlines -------------------------------------------------------------------------------
@dataclass
class Text:
    text: str


@dataclass
class Span:
    """Styled run: em, strong, code, speaker (a turn's label), editorial ([bracketed] insertion);
    from raw HTML also sup, sub and lang (a run in another language, `lang` its BCP 47 tag)."""
    kind: str
    children: list["Inline"]
    lang: str = ""


@dataclass
class Link:
    href: str
    children: list["Inline"]


@dataclass
class LineBreak:
    pass


@dataclass
class NoteRef:
    """A call to a note; `number` is set by enrich.notes."""
    label: str
    line: int
    number: int = 0


@dataclass
class IndexMark:
    """A located mention of an index entry: the PDF records its page, the EPUB links to its id."""
    entry: str          # the entry's key (its name)
    children: list["Inline"]
    line: int
    id: str = ""
    first: bool = False  # the entry's first mark in its document (enrich.index): the EPUB links it to Persons


@dataclass
class CrossRef:
    """A reference by id to a document or a note; enrich.crossrefs resolves it."""
    target: str             # "doc-id" or "doc-id:note-label", as the editor wrote it
    line: int
    text: str = ""          # "Document 2", "note 3 to Document 2"
    anchor: str = ""        # the id it points to (a document's title or a note's call)
    children: list = field(default_factory=list)   # the editor's own words for the link, if any


Inline = Union[Text, Span, Link, LineBreak, NoteRef, IndexMark, CrossRef]


# ---- blocks --------------------------------------------------------------------------------
@dataclass
class Block:
    """p, h2..h6, blockquote, ol, ul, li, hr, pre. Leaf blocks hold inlines, containers blocks."""
    kind: str
    line: int
    inlines: list[Inline] = field(default_factory=list)
    blocks: list["Block"] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)
    id: str = ""


@dataclass
class Note:
    label: str
    line: int
    blocks: list[Block]
    number: int = 0
    id: str = ""
    is_source: bool = False


# ---- documents and the book ----------------------------------------------------------------
@dataclass
class Document:
    """One chapter file: the introduction or a record, renderable on its own."""
    id: str
    path: Path
    role: str                       # "introduction" or "document"
    meta: dict                      # validated front matter
    meta_lines: dict                # front-matter key path -> line, for diagnostics
    headnote: list[Block]
    body: list[Block]
    notes: list[Note]
    number: int = 0                 # Document 1, 2, ... (records only)
    source_note: Note | None = None
    sources_entry: list[Inline] = field(default_factory=list)
    source_key: str = ""            # what it was read from, by what code (sources.read_document)
    enriched: bool = False          # the per-document passes have run on it (kept so: warm.py)

    @property
    def title(self) -> str:
        return self.meta["title"]

    @property
    def running_title(self) -> str:
        return self.meta.get("short_title") or self.meta["title"]


@dataclass
class Part:
    title: str | None
    documents: list[Document]


@dataclass
class IndexEntry:
    """An entry of the back-of-book index, after enrich.index found its marks."""
    name: str
    sort_key: str
    kind: str
    marks: list[str] = field(default_factory=list)        # IndexMark ids, in book order
    see: str | None = None
    see_also: list[str] = field(default_factory=list)
    sub: list["IndexEntry"] = field(default_factory=list)


@dataclass
class Book:
    config: object                  # bookbuild.config.Config
    introduction: Document | None
    parts: list[Part]
    index: list[IndexEntry] = field(default_factory=list)
    markup_key: str = ""            # what the keys of its documents' markups share (render/markups.py); "": none kept

    @property
    def documents(self) -> list[Document]:
        return [doc for part in self.parts for doc in part.documents]

    @property
    def all_documents(self) -> list[Document]:
        return ([self.introduction] if self.introduction else []) + self.documents


def walk_inlines(inlines: list[Inline]):
    """Every inline, depth first, with its parent list (for passes that split text)."""
    for node in inlines:
        yield node
        children = getattr(node, "children", None)
        if children:
            yield from walk_inlines(children)


def walk_blocks(blocks: list[Block]):
    for block in blocks:
        yield block
        yield from walk_blocks(block.blocks)


def plain_text(inlines: list[Inline]) -> str:
    out = []
    for node in inlines:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, LineBreak):
            out.append("\n")
        elif hasattr(node, "children"):
            out.append(plain_text(node.children))
    return "".join(out)
