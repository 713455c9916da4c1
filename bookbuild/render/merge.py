"""The book's PDF from its parts' PDFs: pages in order, one structure tree, one set of named
destinations, links between parts joined, one outline, page labels.

pikepdf (qpdf) rather than pypdf: pypdf's clone-and-write took 5 s for 76 pages and grew with the
page count, and it cannot copy a structure tree with its page references kept."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import queue
import threading
import warnings
from dataclasses import dataclass
from urllib.parse import unquote

import pikepdf

from bookbuild import verify, workers
from bookbuild.diagnostics import BookError, error
from bookbuild.render.typesetter import OUTWARD, Part


class Beside:
    """The merge in a process of its own, started before the layout. The body's parts reach it
    (add) as soon as they are known, in page order: after an edit, the parts before the edited
    document while it is laid out; then the front matter (front), known once every page count
    is; then the index (add), while this process writes the EPUB; close() says that was all.
    With `beside` false the same calls are kept and made here, in result(): the same bytes.

    A plain forked process and two pipes, not a pool: it is forked before the layout workers, and
    a pool's thread, forked into them, could hold a lock they then wait for."""

    def __init__(self, config, beside: bool):
        self.config, self.beside = config, beside
        self._process = self._to = self._back = None
        self._done = False
        self._calls: list[tuple] = []              # all of them, to merge here

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

    def add(self, parts: list[Part]) -> None:
        """Parts that follow the pages so far."""
        self._call(("add", parts))

    def front(self, parts: list[Part], front_pages: int) -> None:
        """The front matter, to go before every page so far, and its count of pages."""
        self._call(("front", parts, front_pages))

    def close(self) -> None:
        """Every part has been given: the merge can finish."""
        self._call(("close",))

    def result(self) -> "Merged":
        """The merged PDF of the parts given."""
        if self._process is None:
            merging = Merging(self.config)
            for call in self._calls:
                merging.take(call)
            return merging.finish()
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

    def _call(self, call: tuple) -> None:
        if self._process is None:
            self._calls.append(call)
            return
        try:
            self._to.send(call)
        except BrokenPipeError:          # it stopped, and says why in the pipe back: result() reads it
            pass

    def __exit__(self, kind, *exc):
        if self._process is not None:
            if self._done:
                # Its result is here: what it has left to do is to free the merged book's objects,
                # a third of a second of a 300-document rebuild; the kernel frees them at once.
                self._process.kill()
            else:
                self._process.terminate()          # an error, or Ctrl-C: its work is not wanted
            self._process.join()
            self._to.close()
            self._back.close()


def _merge_job(receiving, sending, parents_ends, config, parent: int) -> None:
    """Make the calls as they come, till close(); send the Merged PDF, the diagnostics of the
    error that stopped it (a BookError may not unpickle), or the exception, for the parent to raise."""
    workers.follow_parent(parent)
    for end in parents_ends:
        end.close()
    try:
        merging = Merging(config)
        for call in _read_ahead(receiving):
            merging.take(call)
        sending.send(merging.finish())
    except BookError as exc:
        sending.send(exc.diagnostics)
    except EOFError:                     # the build stopped before the merge: nothing to send
        pass
    except Exception as exc:             # a bug: the parent reports it as the build's own
        sending.send(RuntimeError(f"the merge failed: {type(exc).__name__}: {exc}"))


def _read_ahead(receiving):
    """The calls till close(), read by a thread as soon as they are sent, so that the sender (the
    build's process, laying out or writing the EPUB) never waits for this merge to want them."""
    box: queue.Queue = queue.Queue()

    def read() -> None:
        try:
            while True:
                call = receiving.recv()
                box.put(call)
                if call[0] == "close":
                    return
        except EOFError:
            box.put(None)

    threading.Thread(target=read, daemon=True).start()
    while True:
        call = box.get()
        if call is None:
            raise EOFError
        if call[0] == "close":
            return
        yield call


@dataclass
class Merged:
    pdf: bytes
    fonts: dict[str, bool]           # verify.fonts of the document written: its fonts, embedded or not


# Catalog entries the merge makes itself; the others are the front matter's (language, metadata,
# viewer preferences, marked content).
_MADE = {"/Type", "/Pages", "/Names", "/Outlines", "/StructTreeRoot", "/PageLabels"}


class Merging:
    """The book's PDF, part by part: add() puts parts after the pages so far; front() puts the
    front matter before them all (it is known last: its contents need every page count), and its
    first part gives the book its catalog entries and document information; finish() writes it.
    The order of the calls alone decides the bytes: the merging process and a merge here agree."""

    def __init__(self, config):
        self.config = config
        self.book: pikepdf.Pdf | None = None
        self.tree: _Tree | None = None
        self.names: dict[str, object] = {}
        self.bookmarks: list = []
        self.bare: dict[bytes, list] = {}      # PDF of a part with nothing to point at -> its pages here
        self.front_pages = 0

    def take(self, call: tuple) -> None:
        """One of Beside's calls: ("add", parts), ("front", parts, front pages) or ("close",)."""
        if call[0] == "add":
            for part in call[1]:
                self.add(part)
        elif call[0] == "front":
            self.front(*call[1:])

    def add(self, part: Part) -> None:
        if self.book is None:
            self.book = pikepdf.open(io.BytesIO(part.pdf))
            self.tree = _Tree(self.book)
            self.names = _names(self.book, self.book)
            self.bookmarks = _shifted(part.bookmarks, 0)
            return
        self.bookmarks += _shifted(part.bookmarks, len(self.book.pages))
        self._copy(part, len(self.book.pages))

    def front(self, parts: list[Part], front_pages: int) -> None:
        self.front_pages = front_pages
        at, rest = 0, _shifted(self.bookmarks, front_pages)
        front_bookmarks: list = []
        for number, part in enumerate(parts):
            front_bookmarks += _shifted(part.bookmarks, at)
            self._copy(part, at, catalog=number == 0)
            at += part.pages
        self.bookmarks = front_bookmarks + rest

    def _copy(self, part: Part, at: int, catalog: bool = False) -> None:
        """The part's pages at page index at (its structure, names and links with them); with
        catalog, its catalog entries and document information become the book's."""
        book = self.book
        if part.pdf in self.bare and not catalog:
            _insert_pages(book, self.bare[part.pdf], at)
            return
        # Each part is closed once copied: the copies keep what they need (qpdf --check decodes
        # every stream of the result, the tests read every page's text), and keeping all parts
        # open till the save raised the 300-document merge's peak from 1.0 to 1.45 GB.
        with pikepdf.open(io.BytesIO(part.pdf)) as source:
            if catalog:
                self._take_catalog(source)
            if _bare(source) and not part.bookmarks:
                _insert_pages(book, source.pages, at)
                pages = [book.pages[at + n] for n in range(part.pages)]
                for page in pages:
                    if "/StructParents" in page.obj:
                        del page.obj["/StructParents"]      # it has no marked content: nothing to tag
                self.bare[part.pdf] = pages
                return
            self.tree.insert(book, source, at)
            for name, destination in _names(book, source).items():
                self.names.setdefault(name, destination)

    def _take_catalog(self, source: pikepdf.Pdf) -> None:
        book = self.book
        # sorted: the order of the copies numbers the objects, and qpdf's object streams follow it
        for key in sorted(set(book.Root.keys()) - _MADE - set(source.Root.keys())):
            del book.Root[key]
        for key in sorted(set(source.Root.keys()) - _MADE):
            value = source.Root[key]          # a direct one made indirect: copy_foreign takes those only
            book.Root[key] = book.copy_foreign(value if value.is_indirect else source.make_indirect(value))
        if "/Info" in source.trailer:
            book.docinfo = book.copy_foreign(source.docinfo)
        if "/ID" in source.trailer:
            book.trailer.ID = pikepdf.Array([pikepdf.String(bytes(v)) for v in source.trailer.ID])

    def finish(self) -> "Merged":
        book = self.book
        _join_links(book, self.names, self.config)
        book.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=pikepdf.Array(
            [item for name in sorted(self.names) for item in (pikepdf.String(name), self.names[name])])))
        _outline(book, self.bookmarks)
        _name_subsets(book)
        _label_pages(book, self.front_pages)
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
        self.front_kids = 0                     # kids of the front matter, first in the document

    def insert(self, book: pikepdf.Pdf, source: pikepdf.Pdf, at: int) -> None:
        """source's pages at page index at, and its kids after those of the pages before them:
        at the end, or (the front matter, given last) after the front's kids so far."""
        front = at < len(book.pages)
        if not self.tagged:
            _insert_pages(book, source.pages, at)
            return
        offset = self.next_key
        root = source.Root.StructTreeRoot
        kids = root.K[0].K
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and "/P" in kid:
                del kid["/P"]                 # else copying a kid copies its old parent, and that one's tree
        _insert_pages(book, source.pages, at)   # the pages first: the kids' /Pg then point at the copies
        for page in book.pages[at:at + len(source.pages)]:
            _shift(page.obj, "/StructParents", offset)
            for annotation in page.obj.get("/Annots", []):
                _shift(annotation, "/StructParent", offset)
        for kid in book.copy_foreign(source.make_indirect(kids)):
            kid.P = self.document
            if front:
                self.document.K.insert(self.front_kids, kid)
                self.front_kids += 1
            else:
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


def _insert_pages(book: pikepdf.Pdf, pages, at: int) -> None:
    """Pages of another PDF, or of this one (a blank verso again: qpdf makes new page objects
    rather than the file being opened again, 132 times in a 300-document reader), at index at."""
    with warnings.catch_warnings():       # it warns that names are not kept: _names() keeps them
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        if at == len(book.pages):
            book.pages.extend(list(pages))
        else:
            for number, page in enumerate(list(pages)):
                book.pages.insert(at + number, page)


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
    a print shop's RIP may take one for the other, so each subset is named after its glyphs: the
    page's fonts and those of the forms drawn on it (the folios stamped on a part's text, one
    subset of digits a part: folios.py)."""
    done: set = set()
    streams: dict[str, object] = {}             # the same subset in several parts is kept once
    for page in book.pages:
        for font in verify.fonts_of(page.obj.get("/Resources")):
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
            # Pango ends a family named with a number with a comma ("Source Serif 4,": not a size),
            # and WeasyPrint keeps it in the PostScript name; a print shop's preflight lists it so.
            face = str(descriptor.FontName)[1:].split("+", 1)[1].rstrip(",")
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
