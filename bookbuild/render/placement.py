"""Notes on the pages of their calls: lay out a part, find a note set after its call's page, make
room for it (WeasyPrint leaves some notes late or drops them: see FIELD-NOTES), or refuse."""

from __future__ import annotations

from typing import Callable

from bookbuild.diagnostics import error
from bookbuild.enrich import leaf_blocks
from bookbuild.model import Document, NoteRef, walk_inlines
from bookbuild.pagemap import roman
from bookbuild.render.typesetter import Layout, Typesetter

# Layouts of one part before a note that WeasyPrint keeps setting on the wrong page stops the build.
MAX_REPAIRS = 16


def layout_verified(setter: Typesetter, doc: Document, markup: Callable[[dict], str], start: int | None,
                    roman_folios: bool = False, with_folios: bool = True) -> Layout:
    """Lay out a part and check every note against its call; repair the page, or refuse."""
    repairs: dict[str, str] = {}
    repaired: set[str] = set()
    for _ in range(MAX_REPAIRS):
        layout = setter.render(markup(repairs), start, with_folios)
        misplaced = [n for n in _notes(doc) if layout.anchors.get(n.id) != layout.anchors.get(f"{n.id}-ref")]
        if not misplaced:
            layout.repaired = len({layout.anchors[f"{note_id}-ref"] for note_id in repaired})
            return layout
        # Moving a paragraph on shifts every page after it: repair the first misplaced note only,
        # then lay out again. Every note already has footnote-policy: line (print.css); the
        # classes that used to set a policy on the calling paragraph never reached its notes (the
        # property is not inherited) and cost two layouts a note, so repairs start with room.
        note = misplaced[0]
        repaired.add(note.id)
        if not _repair(doc, note, repairs, layout):
            folios_from = (start or 1) if with_folios else None
            where = _page(layout.anchors.get(f"{note.id}-ref", 0), folios_from, roman_folios, doc)
            # The number is what the page prints, the label what the editor wrote: both find it.
            name = "the source note" if note.is_source else f"note {note.number} ([^{note.label}])"
            raise error("P002", doc.path, note.line, f"{name} cannot be set on {where}, the page of its call",
                        "shorten the note (a note cannot run on to the next page), or split the paragraph "
                        "that calls it")
    raise error("P002", doc.path, None, "notes could not be set on the pages of their calls",
                "shorten the longest notes of this document")


def _page(index: int, start: int | None, roman_folios: bool, doc: Document) -> str:
    """A page of the part by its folio, counted from start; by its place in the document when the
    part is laid out without folios (start None: its folios are not known yet), named by the
    document's number, which the contents lead to (a bare "page 3" is looked for in the book)."""
    if start is None:
        return f"page {index + 1} of Document {doc.number}" if doc.number else f"the document's page {index + 1}"
    return f"page {roman(start + index) if roman_folios else start + index}"


def _caller(doc: Document, note):
    return next((b for b in leaf_blocks(doc, with_notes=False) if _calls(b, note.number)), None)


def _repair(doc: Document, note, repairs: dict[str, str], layout: Layout) -> bool:
    """One more repair for a note set after its call's page (or lost): room made on the call's
    page by moving its last paragraph on; failing that, the calling paragraph opens the next page."""
    blocks = leaf_blocks(doc, with_notes=False)
    caller = _caller(doc, note)
    call_page = layout.anchors.get(f"{note.id}-ref")
    after = blocks[blocks.index(caller) + 1:] if caller is not None else blocks
    movable = [b for b in after if layout.anchors.get(b.id) == call_page and repairs.get(b.id) != "fn-break"]
    if movable:
        repairs[movable[-1].id] = "fn-break"
        return True
    # The call is in the last lines of the page and nothing follows it there: the calling
    # paragraph opens the next page, with its note (unless it already opens a page).
    if caller is not None and repairs.get(caller.id) != "fn-break" and not _opens_page(layout, caller.id):
        repairs[caller.id] = "fn-break"
        return True
    return False


def _opens_page(layout: Layout, block_id: str) -> bool:
    """The block's first line is the first line of a page's text."""
    from bookbuild.render import layoutfacts
    page = layout.anchors.get(block_id)
    return page is not None and block_id in layoutfacts.page_start(layout.pages[page])[0]


def _calls(block, number: int) -> bool:
    return any(isinstance(n, NoteRef) and n.number == number for n in walk_inlines(block.inlines))


def _notes(doc: Document):
    return ([doc.source_note] if doc.source_note else []) + doc.notes

