"""The book's PDF from its parts' PDFs: pages in order, one structure tree, one set of named
destinations, links between parts joined, one outline, page labels.

pikepdf (qpdf) rather than pypdf: pypdf's clone-and-write took 5 s for 76 pages and grew with the
page count, and it cannot copy a structure tree with its page references kept."""

from __future__ import annotations

import hashlib
import io
import itertools
import multiprocessing
import os
import queue
import threading
import warnings
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import unquote

import pikepdf

from bookbuild import verify, workers
from bookbuild.diagnostics import BookError, error
from bookbuild.render.typesetter import OUTWARD, Part


class Beside:
    """The merge in a process of its own, started before the layout. The parts before the index
    reach it (head) as soon as they are known and it merges them while the index is laid out;
    the rest follow (tail), and it finishes while this process writes the EPUB. With `beside`
    false it merges here, in result().

    A plain forked process and two pipes, not a pool: it is forked before the layout workers, and
    a pool's thread, forked into them, could hold a lock they then wait for."""

    def __init__(self, config, beside: bool):
        self.config, self.beside = config, beside
        self._process = self._to = self._back = None
        self._sent, self._done = 0, False
        self._front_pages = 0
        self._parts: list[Part] = []               # all of them, to merge here

    def __enter__(self):
        if self.beside:
            context = multiprocessing.get_context("fork")
            (receiving, self._to), (self._back, sending) = context.Pipe(False), context.Pipe(False)
            self._process = context.Process(target=_merge_job, daemon=True, args=(
                receiving, sending, (self._to, self._back), self.config, os.getpid()))
            self._process.start()
            receiving.close()
            sending.close()
        return self

    def head(self, parts: list[Part], front_pages: int) -> None:
        """The parts before the index, in page order, and the count of front-matter pages."""
        self._sent, self._front_pages = len(parts), front_pages
        if self._process is not None:
            self._send((parts, front_pages))

    def tail(self, parts: list[Part]) -> None:
        """All the parts in page order (the head's first, sent already): the merge can finish."""
        if self._process is None:
            self._parts = parts
        else:
            self._send(parts[self._sent:])

    def result(self) -> "Merged":
        """The merged PDF of the parts of tail()."""
        if self._process is None:
            return merge(self._parts, self._front_pages, self.config)
        try:
            outcome = self._back.recv()
        except EOFError:
            raise RuntimeError("the merging process ended without a result") from None
        self._done = True
        if isinstance(outcome, list):
            raise BookError(outcome)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def _send(self, message) -> None:
        try:
            self._to.send(message)
        except BrokenPipeError:          # it stopped, and says why in the pipe back: result() reads it
            pass

    def __exit__(self, kind, *exc):
        if self._process is not None:
            if not self._done:
                self._process.terminate()          # an error, or Ctrl-C: its work is not wanted
            self._process.join()
            self._to.close()
            self._back.close()


def _merge_job(receiving, sending, parents_ends, config, parent: int) -> None:
    """Merge the head's parts, then the rest; send the Merged PDF, the diagnostics of the error
    that stopped it (a BookError may not unpickle), or the exception, for the parent to raise."""
    workers.follow_parent(parent)
    for end in parents_ends:
        end.close()
    try:
        head, front_pages = receiving.recv()
        sending.send(merge(itertools.chain(head, _read_ahead(receiving)), front_pages, config))
    except BookError as exc:
        sending.send(exc.diagnostics)
    except EOFError:                     # the build stopped before the merge: nothing to send
        pass
    except Exception as exc:             # a bug: the parent reports it as the build's own
        sending.send(RuntimeError(f"the merge failed: {type(exc).__name__}: {exc}"))


def _read_ahead(receiving):
    """The rest of the parts, read by a thread as soon as they are sent, so that the sender (the
    build's process, about to write the EPUB) never waits for this merge to want them."""
    box: queue.Queue = queue.Queue(1)

    def read() -> None:
        try:
            box.put(receiving.recv())
        except EOFError:
            box.put(None)

    threading.Thread(target=read, daemon=True).start()

    def rest():
        parts = box.get()
        if parts is None:
            raise EOFError
        yield from parts
    return rest()


@dataclass
class Merged:
    pdf: bytes
    fonts: dict[str, bool]           # verify.fonts of the document written: its fonts, embedded or not


def merge(parts: Iterable[Part], front_pages: int, config) -> Merged:
    """parts in page order; the first gives the catalog (language, metadata, viewer preferences)."""
    parts = iter(parts)
    first = next(parts)
    book = pikepdf.open(io.BytesIO(first.pdf))
    tree = _Tree(book)
    names = _names(book, book)
    bookmarks = _shifted(first.bookmarks, 0)
    bare: dict[bytes, int] = {}           # PDF of a part with nothing to point at -> its first page here
    for part in parts:
        offset = len(book.pages)
        if part.pdf in bare:
            _repeat_pages(book, bare[part.pdf], part.pages)
            continue
        # Each part is closed once copied: the copies keep what they need (qpdf --check decodes
        # every stream of the result, the tests read every page's text), and keeping all parts
        # open till the save raised the 300-document merge's peak from 1.0 to 1.45 GB.
        with pikepdf.open(io.BytesIO(part.pdf)) as source:
            if _bare(source) and not part.bookmarks:
                bare[part.pdf] = offset
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
