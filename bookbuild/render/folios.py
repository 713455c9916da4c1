"""Folios stamped on a part laid out once. A part of the body (a document, a part title, Sources)
lays out the same on whatever recto it starts: only the page numbers in its margins differ. So
its text is laid out with the page counter drawn as nothing (every `counter(page)` of the print
styles as `counter(page, none)`), kept, and for each first page it is given, a sheet of as many
empty pages, started at that page and styled by the same print styles, draws the folios alone,
and is laid over it. An edit that moves later parts by a page then costs each of them a sheet
(a few hundredths of a second) instead of a layout (about a second a document).

What the sheet cannot know: a page style chosen inside the part (an element deeper than the
outermost with its own `page:`) would be drawn with the outermost element's folios. The styles
name pages on outermost elements only; a sheet that pages differently from its part (another
page count) makes the part be laid out whole, with its folios, instead."""

from __future__ import annotations

import io
import re

import pikepdf

from bookbuild.render import tags

_PAGE_COUNTER = re.compile(r"counter\(\s*page\s*(?:,[^)]*)?\)")
_ROOT = re.compile(r"<body[^>]*>\s*<(\w+)([^>]*)>")
_CLASS = re.compile(r'\sclass="[^"]*"')
# WeasyPrint tags what a margin box holds as text (a Span with an MCID): on a sheet laid over a
# page, what it draws is a page number, an artifact, and its MCIDs would belong to no element.
_TEXT = re.compile(rb"\b(?:Tj|TJ)\b")
_FORM = "/BookbuildFolio"


def without_folios(css: str) -> str:
    """The print styles with the page counter drawn as nothing: running heads and everything else stay."""
    return _PAGE_COUNTER.sub("counter(page, none)", css)


def sheet_markup(markup: str, pages: int) -> str:
    """Empty pages under the part's own outermost element (its class names its pages, e.g. plain
    pages for a part title), in a body that sets no running head: only folios are drawn."""
    found = _ROOT.search(markup)
    tag, attrs = (found.group(1), found.group(2)) if found else ("div", "")
    language = re.search(r'<html[^>]*\slang="([^"]*)"', markup)
    cls = _CLASS.search(attrs)
    empty = '<div class="bookbuild-sheet"></div>'
    return (f'<html lang="{language.group(1) if language else "en"}"><head><title>folios</title></head>'
            f'<body><{tag}{cls.group(0) if cls else ""}>{empty * pages}</{tag}></body></html>')


# The part's own layout draws the crop marks, if any: the sheet must not draw them twice.
SHEET_CSS = "div.bookbuild-sheet + div.bookbuild-sheet { break-before: page; } @page { marks: none; }"


def stamp(pdf: bytes, sheet: bytes) -> bytes:
    """The part's pages with the sheet's pages laid over them, page for page."""
    with pikepdf.open(io.BytesIO(pdf)) as part, pikepdf.open(io.BytesIO(sheet)) as folios:
        for number, (page, over) in enumerate(zip(part.pages, folios.pages)):
            content = _content(over)
            if not _TEXT.search(content):
                continue                        # nothing drawn on it (a part title page, a blank)
            # The sheet's page as a form of its own (pikepdf's add_overlay names it at random, and
            # builds must be byte-identical), drawn after the part's own content, state restored.
            resources = part.copy_foreign(folios.make_indirect(over.obj.Resources))
            form = part.make_stream(tags.MARKED.sub(b"/Artifact BMC", content), Type=pikepdf.Name.XObject,
                                    Subtype=pikepdf.Name.Form, BBox=over.obj.MediaBox, Resources=resources)
            # A name a page: WeasyPrint's pages share one resource dictionary.
            name = f"{_FORM}{number}"
            page.add_resource(form, pikepdf.Name.XObject, name=pikepdf.Name(name))
            page.contents_add(part.make_stream(b"q\n"), prepend=True)
            page.contents_add(part.make_stream(f"\nQ\nq {name} Do Q\n".encode("ascii")))
        out = io.BytesIO()
        part.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return out.getvalue()


def _content(page) -> bytes:
    contents = page.obj.get("/Contents")
    if contents is None:
        return b""
    streams = contents if isinstance(contents, pikepdf.Array) else [contents]
    return b"\n".join(stream.read_bytes() for stream in streams)
