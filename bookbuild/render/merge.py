"""The book's PDF from its parts' PDFs: pages in order, one structure tree, one set of named
destinations, links between parts joined, one outline, page labels.

pikepdf (qpdf) rather than pypdf: pypdf's clone-and-write took 5 s for 76 pages and grew with the
page count, and it cannot copy a structure tree with its page references kept."""

from __future__ import annotations

import hashlib
import io
import sys
import warnings
from dataclasses import dataclass
from urllib.parse import unquote

import pikepdf

from bookbuild import verify
from bookbuild.diagnostics import BookError, error
from bookbuild.render import workers
from bookbuild.render.typesetter import OUTWARD, Part

_JOB: dict = {}                # set before the fork: the merging process inherits the parts


class Beside:
    """The merge in a process of its own, started now, so that the EPUB is written meanwhile
    (a rebuild that lays out little spends most of its time merging). `result()` waits for it;
    with `beside` false it merges here, when asked."""

    def __init__(self, parts: list[Part], front_pages: int, config, beside: bool):
        self.job, self.beside = (parts, front_pages, config), beside
        self._pool = None

    def result(self) -> "Merged":
        if self._pool is None:
            return merge(*self.job)
        outcome = self._future.result()
        if not isinstance(outcome, Merged):
            raise BookError(outcome)
        return outcome

    def __enter__(self):
        # Started here, not in __init__: whatever follows the fork is inside the with block, so
        # __exit__ stops the merge on an error or Ctrl-C.
        if self.beside:
            _JOB["job"] = self.job
            self._pool = workers.pool(1)
            try:
                self._future = self._pool.submit(_merge_job)
            except BaseException:
                self.__exit__(*sys.exc_info())
                raise
        return self

    def __exit__(self, kind, *exc):
        if self._pool is not None:
            workers.stop(self._pool, failed=kind is not None)
            _JOB.clear()


def _merge_job():
    """The Merged PDF, or the diagnostics of the error that stopped it (an exception may not unpickle)."""
    try:
        return merge(*_JOB["job"])
    except BookError as exc:
        return exc.diagnostics


@dataclass
class Merged:
    pdf: bytes
    fonts: dict[str, bool]           # verify.fonts of the document written: its fonts, embedded or not


def merge(parts: list[Part], front_pages: int, config) -> Merged:
    """parts in page order; the first gives the catalog (language, metadata, viewer preferences)."""
    book = pikepdf.open(io.BytesIO(parts[0].pdf))
    tree = _Tree(book)
    names = _names(book, book)
    bookmarks = _shifted(parts[0].bookmarks, 0)
    bare: dict[int, int] = {}             # id of a part with nothing to point at -> its first page here
    for part in parts[1:]:
        offset = len(book.pages)
        if id(part) in bare:
            _repeat_pages(book, bare[id(part)], part.pages)
            continue
        # Each part is closed once copied: the copies keep what they need (qpdf --check decodes
        # every stream of the result, the tests read every page's text), and keeping all parts
        # open till the save raised the 300-document merge's peak from 1.0 to 1.45 GB.
        with pikepdf.open(io.BytesIO(part.pdf)) as source:
            if _bare(source) and not part.bookmarks:
                bare[id(part)] = offset
                _copy_bare_pages(book, source)
                continue
            tree.append(book, source)
            for name, destination in _names(book, source).items():
                names.setdefault(name, destination)
        bookmarks += _shifted(part.bookmarks, offset)
    _join_links(book, names, config)
    book.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(
        Names=pikepdf.Array([item for name in sorted(names) for item in (pikepdf.String(name), names[name])])))
    _outline(book, bookmarks)
    _name_subsets(book)
    _label_pages(book, front_pages)
    out = io.BytesIO()
    # deterministic_id keeps the first /ID entry (the book's identifier) and derives the second
    # from the content: two builds of the same sources are byte-identical.
    book.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return Merged(out.getvalue(), verify.fonts(book))


class _Tree:
    """One /Document element over every part's kids; each part's parent-tree keys moved past
    the ones before it, on its pages and annotations alike."""

    def __init__(self, book: pikepdf.Pdf):
        self.tagged = "/StructTreeRoot" in book.Root           # not with pdf_variant none or PDF/A-b
        root = book.Root.get("/StructTreeRoot")
        self.document = root.K[0] if self.tagged else None
        self.nums = root.ParentTree.Nums if self.tagged else None
        self.next_key = _next_key(self.nums) if self.tagged else 0

    def append(self, book: pikepdf.Pdf, source: pikepdf.Pdf) -> None:
        if not self.tagged:
            _copy_pages(book, source)
            return
        offset, first = self.next_key, len(book.pages)
        root = source.Root.StructTreeRoot
        kids = root.K[0].K
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and "/P" in kid:
                del kid["/P"]                 # else copying a kid copies its old parent, and that one's tree
        _copy_pages(book, source)         # the pages first: the kids' /Pg then point at the copies
        for page in book.pages[first:]:
            _shift(page.obj, "/StructParents", offset)
            for annotation in page.obj.get("/Annots", []):
                _shift(annotation, "/StructParent", offset)
        for kid in book.copy_foreign(source.make_indirect(kids)):
            kid.P = self.document
            self.document.K.append(kid)
        nums = book.copy_foreign(source.make_indirect(root.ParentTree.Nums))
        for index in range(0, len(nums), 2):
            self.nums.append(int(nums[index]) + offset)
            self.nums.append(nums[index + 1])
        self.next_key = offset + _next_key(nums)


def _bare(source: pikepdf.Pdf) -> bool:
    """A part with no tagged content, links or names (a blank page): its pages can stand alone."""
    if any("/Annots" in page.obj for page in source.pages) or "/Names" in source.Root:
        return False
    root = source.Root.get("/StructTreeRoot")
    nums = root.ParentTree.Nums if root is not None else []
    return all(len(nums[index]) == 0 for index in range(1, len(nums), 2))


def _copy_bare_pages(book: pikepdf.Pdf, source: pikepdf.Pdf) -> None:
    first = len(book.pages)
    _copy_pages(book, source)
    for page in book.pages[first:]:
        if "/StructParents" in page.obj:
            del page.obj["/StructParents"]          # it has no marked content: nothing to tag


def _repeat_pages(book: pikepdf.Pdf, first: int, count: int) -> None:
    """The blank verso recurs after every other part: its pages copied again (qpdf makes new page
    objects) rather than its file opened again (132 times in a 300-document reader)."""
    book.pages.extend([book.pages[first + n] for n in range(count)])


def _copy_pages(book: pikepdf.Pdf, source: pikepdf.Pdf) -> None:
    with warnings.catch_warnings():       # it warns that names are not kept: _names() keeps them
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        book.pages.extend(source.pages)


def _next_key(nums) -> int:
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    return max(keys) + 1 if keys else 0


def _shift(obj, key: str, offset: int) -> None:
    if key in obj:
        obj[key] = int(obj[key]) + offset


def _names(book: pikepdf.Pdf, source: pikepdf.Pdf) -> dict[str, object]:
    """The part's named destinations (WeasyPrint writes them as one flat array), copied into book."""
    names = source.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    flat = names.Dests.Names
    if source is not book:
        flat = book.copy_foreign(source.make_indirect(flat))
    return {str(flat[i]): flat[i + 1] for i in range(0, len(flat), 2)}


def _join_links(book: pikepdf.Pdf, names: dict, config) -> None:
    """A link written outward by its part becomes a link to the named destination it meant."""
    for page in book.pages:
        for annotation in page.obj.get("/Annots", []):
            action = annotation.get("/A")
            target = str(action.get("/URI", "")) if action is not None else ""
            if not target.startswith(OUTWARD):
                continue
            name = unquote(target[len(OUTWARD):])
            if name not in names:
                raise error("P005", config.root / "book.yaml", None, f"a link points to #{name}, which is "
                            "nowhere in the book", "correct the link, or give the element it means that id")
            del annotation["/A"]
            annotation.Dest = pikepdf.String(name)
            annotation.Contents = pikepdf.String(name)


def _name_subsets(book: pikepdf.Pdf) -> None:
    """Each part embeds its own subset of a face, and WeasyPrint names a subset after the face
    alone: ABCDEF+Face in one part and ABCDEF+Face in the next hold different glyphs. A viewer or
    a print shop's RIP may take one for the other, so each subset is named after its glyphs."""
    done: set = set()
    streams: dict[str, object] = {}             # the same subset in several parts is kept once
    for page in book.pages:
        fonts = page.obj.get("/Resources", {}).get("/Font", {})
        for key in list(fonts.keys()):
            font = fonts[key]
            if font.objgen in done or "/DescendantFonts" not in font:
                continue
            done.add(font.objgen)
            descendant = font.DescendantFonts[0]
            descriptor = descendant.get("/FontDescriptor")
            stream = descriptor.get("/FontFile2") if descriptor is not None else None
            if stream is None or "+" not in str(descriptor.FontName):
                continue
            tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(stream.read_raw_bytes()).digest()[:6])
            descriptor.FontFile2 = streams.setdefault(tag, stream)
            face = str(descriptor.FontName)[1:].split("+", 1)[1]
            descriptor.FontName = font.BaseFont = descendant.BaseFont = pikepdf.Name(f"/{tag}+{face}")


def _shifted(bookmarks: list, offset: int) -> list:
    return [(label, (page + offset, x, y), _shifted(children, offset), state)
            for label, (page, x, y), children, state in bookmarks]


def _outline(book: pikepdf.Pdf, bookmarks: list) -> None:
    """The parts' outlines as one, as WeasyPrint writes it for a single document."""
    if "/Outlines" in book.Root:
        del book.Root["/Outlines"]
    if not bookmarks:
        return
    root = book.make_indirect(pikepdf.Dictionary())
    items, count = _outline_items(book, bookmarks, root)
    root.Count, root.First, root.Last = count, items[0], items[-1]
    book.Root.Outlines = root


def _outline_items(book: pikepdf.Pdf, bookmarks: list, parent) -> tuple[list, int]:
    items, count = [], len(bookmarks)
    for label, (page, x, y), children, state in bookmarks:
        item = book.make_indirect(pikepdf.Dictionary(
            Title=pikepdf.String(label), Parent=parent,
            Dest=pikepdf.Array([book.pages[page].obj, pikepdf.Name.XYZ, x, y, 0])))
        kids, kids_count = _outline_items(book, children, item)
        item.Count = -kids_count if state == "closed" else kids_count
        count += 0 if state == "closed" else kids_count
        if kids:
            item.First, item.Last = kids[0], kids[-1]
        if items:
            item.Prev, items[-1].Next = items[-1], item
        items.append(item)
    return items, count


def _label_pages(book: pikepdf.Pdf, front_count: int) -> None:
    """Roman folios for the front matter, arabic from 1 for the rest: what a viewer's 'page 1' finds."""
    nums = []
    if front_count:
        nums += [0, pikepdf.Dictionary(S=pikepdf.Name.r, St=1)]
    nums += [front_count, pikepdf.Dictionary(S=pikepdf.Name.D, St=1)]
    book.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array(nums))
