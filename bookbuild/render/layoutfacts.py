"""What a laid-out page holds, read from WeasyPrint's boxes: where it begins, lines per paragraph,
text past the margin, how much of an element's text it holds (index marks: render/marks.py).
Only the PDF writer looks inside boxes; everything else uses anchors."""

from __future__ import annotations

import re

from weasyprint.formatting_structure import boxes

from bookbuild.render.marks import countable

BLOCK_ID = re.compile(r"-b\d+$")       # our leaf blocks' ids (enrich.ids)


def page_start(page) -> tuple[list[str], str]:
    """Where a page begins: the ids around its first text (outermost first), and its first line.

    The EPUB's page-list puts its marker there, so 'page 12' in the EPUB is where page 12 begins."""
    ids: list[str] = []

    def first_line(box):
        if isinstance(box, (boxes.MarginBox, boxes.FootnoteAreaBox)):
            return None
        element_id = box.element.get("id") if getattr(box, "element", None) is not None else None
        pushed = bool(element_id) and (not ids or ids[-1] != element_id)
        if pushed:
            ids.append(element_id)
        if isinstance(box, boxes.LineBox) and _text(box).strip():
            _first_text_ids(box, ids)
            return _text(box)
        for child in getattr(box, "children", None) or []:
            found = first_line(child)
            if found is not None:
                return found
        if pushed:
            ids.pop()
        return None

    text = first_line(page._page_box)
    return (ids, text.strip()) if text is not None else ([], "")


def _first_text_ids(box, ids: list[str]) -> bool:
    """Extend ids with those of the inline boxes that hold the line's first text."""
    if isinstance(box, boxes.TextBox):
        return bool(box.text.strip())
    for child in getattr(box, "children", None) or []:
        element_id = child.element.get("id") if getattr(child, "element", None) is not None else None
        if element_id:
            ids.append(element_id)
        if _first_text_ids(child, ids):
            return True
        if element_id:
            ids.pop()
    return False


def _text(box) -> str:
    if isinstance(box, boxes.TextBox):
        return box.text
    return "".join(_text(child) for child in getattr(box, "children", None) or []
                   if not isinstance(child, boxes.FootnoteAreaBox))


def line_counts(box, current: str | None = None, counts: dict | None = None) -> dict[str, int]:
    """Lines of each leaf block (our ids end in -bN) on this page."""
    counts = {} if counts is None else counts
    if isinstance(box, (boxes.MarginBox, boxes.FootnoteAreaBox)):
        return counts
    element_id = box.element.get("id") if getattr(box, "element", None) is not None else None
    if element_id and BLOCK_ID.search(element_id) and isinstance(box, boxes.BlockBox):
        current = element_id
    if isinstance(box, boxes.LineBox):
        if current:
            counts[current] = counts.get(current, 0) + 1
        return counts
    for child in getattr(box, "children", None) or []:
        line_counts(child, current, counts)
    return counts


def overflowing(box, right: float, current: str = "") -> list[tuple[str, str]]:
    """(block id, text) of text boxes that reach past the right edge of the text block."""
    if isinstance(box, boxes.MarginBox):
        return []
    element_id = box.element.get("id") if getattr(box, "element", None) is not None else None
    current = element_id if element_id and BLOCK_ID.search(element_id) else current
    if isinstance(box, boxes.TextBox) and box.position_x + box.width > right + 0.5:
        return [(current, box.text)]
    return [hit for child in getattr(box, "children", None) or [] for hit in overflowing(child, right, current)]


_GENERATED = ("::before", "::after", "::marker", "::footnote-call", "::footnote-marker")


def element_characters(pages, elements: set[str]) -> dict[str, list[tuple[int, int]]]:
    """For each of the elements: (page index, characters of its text on that page), in page order,
    counted as render/marks.py counts them. Generated content is not the element's text, nor is a
    table's header or footer repeated on the pages after its first."""
    counts: dict[str, dict[int, int]] = {}

    def walk(box, current: str | None, page: int, repeated: bool) -> None:
        if (box.element_tag or "").endswith(_GENERATED):
            return
        element = getattr(box, "element", None)
        element_id = element.get("id") if element is not None else None
        if element_id in elements:
            current = element_id
        if isinstance(box, boxes.TableRowGroupBox) and (box.is_header or box.is_footer):
            repeated = True
        if isinstance(box, boxes.TextBox):
            if current is not None:
                on_page = counts.setdefault(current, {})
                if not (repeated and any(earlier < page for earlier in on_page)):
                    on_page[page] = on_page.get(page, 0) + countable(box.text)
            return
        for child in getattr(box, "children", None) or []:
            walk(child, current, page, repeated)

    if elements:
        for index, page in enumerate(pages):
            walk(page._page_box, None, index, False)
    return {element: sorted(on_page.items()) for element, on_page in counts.items()}
