"""Model → XHTML through the Jinja2 templates of styles/: the only emitter of markup."""

from __future__ import annotations

import re

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from bookbuild.enrich.citations import display_date, how_to_cite_inlines
from bookbuild.model import (Block, CrossRef, Document, IndexMark, LineBreak, Link, Note, NoteRef, Span, Text,
                             plain_text)

PRINT, EPUB = "print", "epub"
SPAN_TAGS = {"em": "em", "strong": "strong", "code": "code", "strike": "s", "sup": "sup", "sub": "sub"}


@dataclass
class Renderer:
    """Renders blocks and inlines for one medium; notes go to the page foot (print) or an aside."""
    medium: str
    doc: Document | None = None
    repairs: dict[str, str] | None = None     # block id -> class (print: note placement repairs)
    breaks: dict | None = None                # element id -> [(offset, page label)] (EPUB page-list)
    person_links: dict | None = None          # index entry -> href of its Persons entry (EPUB)
    hrefs: dict | None = None                 # id -> file#id (EPUB cross-references)
    xref_pages: dict | None = None            # id -> print page label (print cross-references)

    def __post_init__(self):
        self._pending: list[tuple[int, str]] = []
        self._offset = 0

    def pagebreaks(self, element_id: str) -> Markup:
        """Markers for print pages that begin at an element (sections, index entries)."""
        return Markup("").join(self._marker(label) for _, label in (self.breaks or {}).get(element_id, []))

    def _marker(self, label: str) -> Markup:
        return Markup('<span epub:type="pagebreak" role="doc-pagebreak" id="page-%s" aria-label="%s"/>'
                      ) % (label, label)

    def _text(self, text: str) -> Markup:
        """Text, with the page markers that fall inside it (offsets count the block's plain text)."""
        out, start = Markup(""), self._offset
        while self._pending and self._pending[0][0] <= start + len(text):
            offset, label = self._pending.pop(0)
            cut = max(0, offset - start)
            out += escape(text[:cut]) + self._marker(label)
            text, start = text[cut:], start + cut
        self._offset = start + len(text)
        return out + escape(text)

    def inlines(self, nodes) -> Markup:
        return Markup("").join(self.inline(node) for node in nodes)

    def inline(self, node) -> Markup:
        if isinstance(node, Text):
            return self._text(node.text) if self._pending else escape(node.text)
        if isinstance(node, Span):
            if node.kind == "lang":
                return Markup('<span lang="%s" xml:lang="%s">%s</span>') % (node.lang, node.lang,
                                                                        self.inlines(node.children))
            if node.kind == "url" and not self._pending:
                return Markup('<span class="url">%s</span>') % breakable_url(plain_text(node.children))
            tag = SPAN_TAGS.get(node.kind, "span")
            cls = "" if node.kind in SPAN_TAGS else Markup(' class="%s"') % node.kind
            return Markup("<%s%s>%s</%s>") % (Markup(tag), cls, self.inlines(node.children), Markup(tag))
        if isinstance(node, Link):
            return Markup('<a href="%s">%s</a>') % (node.href, self.inlines(node.children))
        if isinstance(node, IndexMark):
            inner = self.inlines(node.children)
            href = (self.person_links or {}).get(node.entry) if node.first else None
            if href:        # the first mention of a person in a document leads to who they were
                inner = Markup('<a class="person" href="%s">%s</a>') % (href, inner)
            return Markup('<span class="ix" id="%s">%s</span>') % (node.id, inner)
        if isinstance(node, NoteRef):
            return self.noteref(self.note_by_number(node.number))
        if isinstance(node, CrossRef):
            return self.crossref(node)
        if isinstance(node, LineBreak):
            self._offset += 1
            return Markup("<br/>")
        raise TypeError(f"no markup for {type(node).__name__}")

    def crossref(self, ref: CrossRef) -> Markup:
        """EPUB: a link to the place. Print: the name and the page, e.g. 'Document 2 (p. 7)'."""
        words = self.inlines(ref.children) if ref.children else escape(ref.text)
        if self.medium == EPUB:
            return Markup('<a class="xref" href="%s">%s</a>') % ((self.hrefs or {}).get(ref.anchor, "#"), words)
        page = (self.xref_pages or {}).get(ref.anchor, "00")    # 00: a first layout, before pages are known
        return Markup('<a class="xref" href="#%s">%s (p.\u00a0%s)</a>') % (ref.anchor, words, page)

    def note_by_number(self, number: int) -> Note:
        notes = ([self.doc.source_note] if self.doc.source_note else []) + self.doc.notes
        return notes[number - 1]

    def noteref(self, note: Note) -> Markup:
        if self.medium == EPUB:
            return Markup('<a class="noteref" epub:type="noteref" role="doc-noteref" id="%s-ref" href="#%s">'
                          '%d</a>') % (note.id, note.id, note.number)
        # Print: the call, then the note itself, which WeasyPrint floats to the page's foot.
        body = Markup("").join(Markup('<span class="fn-p">%s</span>') % self.inlines(b.inlines)
                               for b in note.blocks)
        return Markup('<a class="noteref" id="%s-ref" href="#%s">%d</a><span class="footnote%s" id="%s">'
                      '<span class="fn-num">%d.</span> %s</span>') % (
            note.id, note.id, note.number, " source-note" if note.is_source else "", note.id,
            note.number, body)

    def blocks(self, blocks: list[Block]) -> Markup:
        return Markup("\n").join(self.block(block) for block in blocks)

    def block(self, block: Block) -> Markup:
        attrs = Markup(' id="%s"') % block.id if block.id else Markup("")
        classes = " ".join(c for c in (block.attrs.get("class"), (self.repairs or {}).get(block.id)) if c)
        if classes:
            attrs += Markup(' class="%s"') % classes
        if block.attrs.get("start") and block.attrs["start"] != "1":
            attrs += Markup(' start="%s"') % block.attrs["start"]
        if block.kind == "hr":
            return Markup("<hr%s/>") % attrs
        if block.kind == "pre":
            return Markup("<pre%s>%s</pre>") % (attrs, self.inlines(block.inlines))
        if block.inlines:
            self._pending, self._offset = sorted((self.breaks or {}).get(block.id, [])), 0
            inner = self.inlines(block.inlines) + Markup("").join(self._marker(l) for _, l in self._pending)
            self._pending = []
        else:
            inner = self.blocks(block.blocks)
        tag = Markup(block.kind)
        return Markup("<%s%s>%s</%s>") % (tag, attrs, inner, tag)

    def notes(self, doc: Document) -> list[tuple[Note, Markup]]:
        """EPUB: the notes of a document, each with its rendered blocks."""
        notes = ([doc.source_note] if doc.source_note else []) + doc.notes
        return [(note, self.blocks(note.blocks)) for note in notes]


def copyright_context(book) -> dict:
    """What the copyright page says in both formats: how to cite the reader, who translated."""
    translators = sorted({d.meta["translator"] for d in book.documents if d.meta.get("translator")})
    return {"how_to_cite": how_to_cite_inlines(book.config), "translators": translators}


URL_BREAK = re.compile(r"(?<=//)|(?<=:)(?!//)|(?=[/.?#&=_~-])(?<![/:])")


def breakable_url(url: str) -> Markup:
    """A URL with line-break opportunities where Chicago puts them (after '//' or ':', before '/',
    '.', '-' and the like), so that it never breaks as 'ht-tps'."""
    return Markup("<wbr/>").join(escape(part) for part in URL_BREAK.split(url) if part)


@lru_cache(maxsize=8)
def _environment(templates: Path) -> jinja2.Environment:
    # Markup templates escape what they insert; CSS templates must not (quotes are CSS syntax).
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)),
                             autoescape=lambda name: bool(name) and name.endswith(".xhtml.j2"),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters["display_date"] = display_date
    return env


def render(config, template: str, medium: str, doc: Document | None = None, **context) -> str:
    """Render one template of styles/templates for a medium ('print' or 'epub')."""
    env = _environment(config.styles_dir / "templates")
    renderer = Renderer(medium, doc, context.get("repairs"), context.get("breaks"), context.get("person_links"),
                        context.get("hrefs"), context.get("xref_pages"))
    return env.get_template(template).render(config=config, medium=medium, doc=doc, r=renderer,
                                             **context)
