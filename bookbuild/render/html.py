"""Model → XHTML through the Jinja2 templates of styles/: the only emitter of markup."""

from __future__ import annotations

import re

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from bookbuild.enrich.citations import display_date, how_to_cite_inlines
from bookbuild.model import (Block, CrossRef, Document, IndexMark, LineBreak, Link, Note, NoteRef, Span, Text,
                             plain_text)
from bookbuild.render.marks import MarkPlaces, countable

PRINT, EPUB = "print", "epub"
SPAN_TAGS = {"em": "em", "strong": "strong", "code": "code", "strike": "s", "sup": "sup", "sub": "sub"}


def _escape(text) -> str:
    """markupsafe's escaping, on plain strings: the Renderer builds str and wraps it in Markup once,
    because Markup's own % and + escaped and re-wrapped every piece (a third of a rebuild's time)."""
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("'", "&#39;").replace('"', "&#34;"))


@dataclass
class Renderer:
    """Renders blocks and inlines for one medium; notes go to the page foot (print) or an aside.
    Public methods return Markup for the templates; the private ones return escaped str."""
    medium: str
    doc: Document | None = None
    repairs: dict[str, str] | None = None     # block id -> class (print: note placement repairs)
    breaks: dict | None = None                # element id -> [(offset, page label)] (EPUB page-list)
    person_links: dict | None = None          # index entry -> href of its Persons entry (EPUB)
    hrefs: dict | None = None                 # id -> file#id (EPUB cross-references)
    xref_pages: dict | None = None            # id -> print page label (print cross-references)
    # Print: index marks inside blocks are not elements, their places are recorded (render/marks.py);
    # without it (the EPUB, a part laid out again with anchors) each mark is a span with an id.
    mark_places: MarkPlaces | None = None

    def __post_init__(self):
        self._pending: list[tuple[int, str]] = []
        self._offset = 0
        self._element: str | None = None          # the element whose characters are being counted
        self._count = 0

    def pagebreaks(self, element_id: str) -> Markup:
        """Markers for print pages that begin at an element (sections, index entries)."""
        return Markup("".join(self._marker(label) for _, label in (self.breaks or {}).get(element_id, [])))

    def inlines(self, nodes) -> Markup:
        return Markup(self._inlines(nodes))

    def blocks(self, blocks: list[Block]) -> Markup:
        return Markup(self._blocks(blocks))

    def noteref(self, note: Note) -> Markup:
        return Markup(self._noteref(note))

    def notes(self, doc: Document) -> list[tuple[Note, Markup]]:
        """EPUB: the notes of a document, each with its rendered blocks."""
        notes = ([doc.source_note] if doc.source_note else []) + doc.notes
        return [(note, self.blocks(note.blocks)) for note in notes]

    def _marker(self, label: str) -> str:
        label = _escape(label)
        return f'<span epub:type="pagebreak" role="doc-pagebreak" id="page-{label}" aria-label="{label}"/>'

    def _text(self, text: str) -> str:
        """Text, with the page markers that fall inside it (offsets count the block's plain text)."""
        out, start = [], self._offset
        while self._pending and self._pending[0][0] <= start + len(text):
            offset, label = self._pending.pop(0)
            cut = max(0, offset - start)
            out += [_escape(text[:cut]), self._marker(label)]
            text, start = text[cut:], start + cut
        self._offset = start + len(text)
        return "".join(out) + _escape(text)

    def _inlines(self, nodes) -> str:
        out, previous = [], None
        for node in nodes:
            if isinstance(node, NoteRef) and isinstance(previous, NoteRef):
                out.append(self._call_separator())
            out.append(self._inline(node))
            previous = node
        return "".join(out)

    def _call_separator(self) -> str:
        """A comma between note calls side by side: '3,4,5', not '345', a note the page has not.
        Print counts it as the calls are counted (render/marks.py); the EPUB counts neither."""
        if self.medium == PRINT:
            self._counted(",")
        return '<span class="noteref-sep">,</span>'

    def _inline(self, node) -> str:
        if isinstance(node, Text):
            self._counted(node.text)
            return self._text(node.text) if self._pending else _escape(node.text)
        if isinstance(node, Span):
            return self._span(node)
        if isinstance(node, Link):
            return f'<a href="{_escape(node.href)}">{self._inlines(node.children)}</a>'
        if isinstance(node, IndexMark):
            # print: the mark's place is recorded, the term is not an element; an empty mark has
            # no character of its own to find on a page, so it keeps its span
            placed = self.mark_places is not None and self._element is not None and \
                countable(plain_text(node.children)) > 0
            if placed:
                self.mark_places.marks[node.id] = (self._element, self._count)
                self.mark_places.totals[self._element] = 0           # counted to the end: _end_counting
            inner = self._inlines(node.children)
            href = (self.person_links or {}).get(node.entry) if node.first else None
            if href:        # the first mention of a person in a document leads to who they were
                inner = f'<a class="person" href="{_escape(href)}">{inner}</a>'
            return inner if placed else f'<span class="ix" id="{_escape(node.id)}">{inner}</span>'
        if isinstance(node, NoteRef):
            return self._noteref(self.note_by_number(node.number))
        if isinstance(node, CrossRef):
            return self._crossref(node)
        if isinstance(node, LineBreak):
            self._offset += 1
            return "<br/>"
        raise TypeError(f"no markup for {type(node).__name__}")

    def _span(self, node: Span) -> str:
        if node.kind == "lang":
            lang = _escape(node.lang)
            return f'<span lang="{lang}" xml:lang="{lang}">{self._inlines(node.children)}</span>'
        if node.kind == "url" and not self._pending:
            self._counted(plain_text(node.children))
            return f'<span class="url">{breakable_url(plain_text(node.children))}</span>'
        tag = SPAN_TAGS.get(node.kind, "span")
        cls = "" if node.kind in SPAN_TAGS else f' class="{_escape(node.kind)}"'
        return f"<{tag}{cls}>{self._inlines(node.children)}</{tag}>"

    def _crossref(self, ref: CrossRef) -> str:
        """EPUB: a link to the place. Print: the name and the page, e.g. 'Document 2 (p. 7)'."""
        if not ref.children:
            self._counted(ref.text)
        words = self._inlines(ref.children) if ref.children else _escape(ref.text)
        if self.medium == EPUB:
            return f'<a class="xref" href="{_escape((self.hrefs or {}).get(ref.anchor, "#"))}">{words}</a>'
        page = (self.xref_pages or {}).get(ref.anchor, "00")    # 00: a first layout, before pages are known
        where = f" (p.\u00a0{page})"
        self._counted(where)
        return f'<a class="xref" href="#{_escape(ref.anchor)}">{words}{_escape(where)}</a>'

    def note_by_number(self, number: int) -> Note:
        notes = ([self.doc.source_note] if self.doc.source_note else []) + self.doc.notes
        return notes[number - 1]

    def _noteref(self, note: Note) -> str:
        note_id = _escape(note.id)
        if self.medium == EPUB:
            return (f'<a class="noteref" epub:type="noteref" role="doc-noteref" id="{note_id}-ref" '
                    f'href="#{note_id}">{note.number:d}</a>')
        # Print: the call, then the note itself, which WeasyPrint floats to the page's foot.
        call, number = f"{note.number:d}", f"{note.number:d}."
        self._counted(call)
        outer = self._counting(note.id, number)
        body = self._note_paragraphs(note.blocks)
        self._end_counting(outer)
        source = " source-note" if note.is_source else ""
        return (f'<a class="noteref" id="{note_id}-ref" href="#{note_id}">{call}</a>'
                f'<span class="footnote{source}" id="{note_id}"><span class="fn-num">{number}</span> {body}</span>')

    def _note_paragraphs(self, blocks: list[Block], marker: str = "") -> str:
        """A print note's blocks as inline spans (the note floats inline), one a paragraph; the
        first paragraph of a list item leads with its bullet or number."""
        out = []
        for block in blocks:
            if block.inlines:
                self._counted(marker)
                out.append(f'<span class="fn-p">{_escape(marker)}{self._inlines(block.inlines)}</span>')
            else:
                start = block.attrs.get("start", "1")
                start = int(start) if start.isdigit() else 1
                for n, item in enumerate(block.blocks):
                    lead = {"ol": f"{start + n}. ", "ul": "\u2022 "}.get(block.kind, "")
                    out.append(self._note_paragraphs([item] if item.inlines else item.blocks, marker + lead))
                    marker = ""
            marker = ""
        return "".join(out)

    def _counted(self, text: str) -> None:
        if self._element is not None:
            self._count += countable(text)

    def _counting(self, element: str | None, opening: str) -> tuple[str | None, int] | None:
        """Count the characters of element (print, with mark places), from those of the text its
        markup opens with; returns what was being counted before, for _end_counting."""
        if self.mark_places is None or not element:
            return None
        outer = (self._element, self._count)
        self._element, self._count = element, countable(opening)
        return outer

    def _end_counting(self, outer: tuple[str | None, int] | None) -> None:
        if outer is None:
            return
        if self._element in self.mark_places.totals:            # it holds marks
            self.mark_places.totals[self._element] = self._count
        self._element, self._count = outer

    def _blocks(self, blocks: list[Block]) -> str:
        return "\n".join([self._block(block) for block in blocks])

    def _block(self, block: Block) -> str:
        attrs = f' id="{_escape(block.id)}"' if block.id else ""
        classes = " ".join(c for c in (block.attrs.get("class"), (self.repairs or {}).get(block.id)) if c)
        if classes:
            attrs += f' class="{_escape(classes)}"'
        if block.attrs.get("start") and block.attrs["start"] != "1":
            attrs += f' start="{_escape(block.attrs["start"])}"'
        if block.kind == "hr":
            return f"<hr{attrs}/>"
        if block.kind == "pre":
            return f"<pre{attrs}>{self._inlines(block.inlines)}</pre>"
        if block.inlines:
            self._pending, self._offset = sorted((self.breaks or {}).get(block.id, [])), 0
            outer = self._counting(block.id, "")
            inner = self._inlines(block.inlines) + "".join(self._marker(label) for _, label in self._pending)
            self._end_counting(outer)
            self._pending = []
        else:
            inner = self._blocks(block.blocks)
        return f"<{block.kind}{attrs}>{inner}</{block.kind}>"


def copyright_context(book) -> dict:
    """What the copyright page says in both formats: how to cite the reader, who translated."""
    translators = sorted({d.meta["translator"] for d in book.documents if d.meta.get("translator")})
    return {"how_to_cite": how_to_cite_inlines(book.config), "translators": translators}


URL_BREAK = re.compile(r"(?<=//)|(?<=:)(?!//)|(?=[/.?#&=_~-])(?<![/:])")


# The title page's order of credits, and what each says before the names.
CREDIT_LINES = (("author", ""), ("editor", "Edited by "), ("translator", "Translated by "),
                ("contributor", "With contributions by "))


def credits(config) -> list[str]:
    """The book's people as its title page and cover credit them, a line a role: 'Edited by A and
    B', 'Translated by C' (a translator is no editor, an organisation takes no ', editor')."""
    lines = []
    for role, words in CREDIT_LINES:
        names = [person.name for person in config.editors if person.role == role]
        if names:
            lines.append(words + (", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]))
    return lines


def breakable_url(url: str) -> str:
    """A URL with line-break opportunities where Chicago puts them (after '//' or ':', before '/',
    '.', '-' and the like), so that it never breaks as 'ht-tps'; escaped."""
    return "<wbr/>".join(_escape(part) for part in URL_BREAK.split(url) if part)


@lru_cache(maxsize=8)
def _environment(templates: Path) -> jinja2.Environment:
    # Markup templates escape what they insert; CSS templates must not (quotes are CSS syntax).
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)),
                             autoescape=lambda name: bool(name) and name.endswith(".xhtml.j2"),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters["display_date"] = display_date
    env.globals["credits"] = credits
    return env


def render(config, template: str, medium: str, doc: Document | None = None, **context) -> str:
    """Render one template of styles/templates for a medium ('print' or 'epub')."""
    env = _environment(config.styles_dir / "templates")
    renderer = Renderer(medium, doc, context.get("repairs"), context.get("breaks"), context.get("person_links"),
                        context.get("hrefs"), context.get("xref_pages"), context.get("mark_places"))
    return env.get_template(template).render(config=config, medium=medium, doc=doc, r=renderer,
                                             **context)
