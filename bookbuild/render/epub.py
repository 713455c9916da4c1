"""EPUB 3 package with ebooklib: our own XHTML kept byte for byte, nav with page-list, reproducible zip."""

from __future__ import annotations

import datetime
import io
import json
import re
import zipfile

from ebooklib import epub

from bookbuild.enrich import document_blocks
from bookbuild.model import Book, IndexMark, walk_inlines
from bookbuild.pagemap import PageMap
from bookbuild.render import cover, html, markups, pagebreaks, registry
from bookbuild.render.indexview import has_index, index_groups

XHTML = "application/xhtml+xml"
ACCESSIBILITY = [
    ("schema:accessMode", "textual"),
    ("schema:accessMode", "visual"),                  # the cover, a picture of its title
    ("schema:accessModeSufficient", "textual"),
    ("schema:accessibilityFeature", "structuralNavigation"),
    ("schema:accessibilityFeature", "tableOfContents"),
    ("schema:accessibilityFeature", "index"),
    ("schema:accessibilityFeature", "readingOrder"),
    ("schema:accessibilityFeature", "printPageNumbers"),          # Ace 1.4 knows this one,
    ("schema:accessibilityFeature", "pageBreakMarkers"),          # the vocabulary's name today
    ("schema:accessibilityFeature", "alternativeText"),
    ("schema:accessibilityFeature", "displayTransformability"),
    ("schema:accessibilityFeature", "pageNavigation"),
    ("schema:accessibilityHazard", "none"),
]
SUMMARY = ("Text with headings, linked notes, {index}the print edition's page numbers; no images other "
           "than the cover, no audio, no scripts.")


def write(book: Book, config, page_map: PageMap, created: str) -> bytes:
    hrefs = _hrefs(book, page_map)
    breaks = pagebreaks.place(book, page_map, _markable(book, hrefs))
    package = _package(book, config, created)
    person_links = {name: f"persons.xhtml#{key}" for name, key in registry.links(config).items()}
    spine = []
    for uid, name, template, doc, context in _pages(book, page_map, hrefs):
        context.setdefault("hrefs", hrefs)
        markup = _markup(book, template, doc, breaks=breaks, person_links=person_links, **context)
        item = epub.EpubItem(uid=uid, file_name=f"{name}.xhtml", media_type=XHTML, content=markup.encode())
        package.add_item(item)
        spine.append(item)
    css = (config.styles_dir / "base.css").read_bytes() + b"\n" + (config.styles_dir / "epub.css").read_bytes()
    package.add_item(epub.EpubItem(uid="css", file_name="css/book.css", media_type="text/css", content=css))
    image = epub.EpubItem(uid="cover-image", file_name="images/cover.png", media_type="image/png",
                          content=cover.png(config))
    image.properties = ["cover-image"]
    package.add_item(image)
    package.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})
    nav = _nav(book, config, _page_list(page_map, breaks, hrefs), hrefs)
    package.add_item(nav)
    package.add_item(epub.EpubNcx())
    package.toc = [epub.Link(href, title, f"toc-{n}") for n, (title, href, _) in enumerate(_toc(book, hrefs))]
    package.spine = spine[:2] + [nav] + spine[2:]
    return _reproducible(package, created, config.language)


def _markup(book: Book, template: str, doc, **context) -> str:
    """One file of the EPUB; a document's kept from a build before if nothing that makes it changed."""
    def make() -> str:
        return html.render(book.config, f"epub/{template}.xhtml.j2", html.EPUB, doc, **context)
    if template != "document":
        return make()
    return markups.kept(book, doc, html.EPUB, _breaks_in(doc, context["breaks"]), make)


def _breaks_in(doc, breaks: pagebreaks.Breaks) -> str:
    """The page markers a document's markup holds (its own and its blocks'), to key it."""
    ids = [doc.id] + [block.id for block in document_blocks(doc)]
    return json.dumps([(i, breaks[i]) for i in ids if i in breaks])


def _hrefs(book: Book, page_map: PageMap) -> dict[str, str]:
    """Every id that a link or a page marker may target → 'file.xhtml#id'."""
    hrefs = {"title-page": "titlepage.xhtml#title-page", "copyright": "copyright.xhtml#copyright",
             "sources": "sources.xhtml#sources", "persons": "persons.xhtml#persons", "terms": "terms.xhtml#terms"}
    if has_index(book.index):
        hrefs["index"] = "index.xhtml#index"
    hrefs.update({f"part-{n}": f"part-{n}.xhtml#part-{n}" for n, part in enumerate(book.parts, start=1)})
    for doc in book.all_documents:
        name = f"{doc.id}.xhtml"
        hrefs[doc.id] = f"{name}#{doc.id}"
        hrefs[f"{doc.id}-title"] = f"{name}#{doc.id}-title"
        hrefs[f"source-{doc.id}"] = f"sources.xhtml#source-{doc.id}"
        for note in ([doc.source_note] if doc.source_note else []) + doc.notes:
            hrefs[f"{note.id}-ref"] = f"{name}#{note.id}-ref"
        for block in document_blocks(doc):
            hrefs[block.id] = f"{name}#{block.id}"
            for node in walk_inlines(block.inlines):
                if isinstance(node, IndexMark):
                    hrefs[node.id] = f"{name}#{node.id}"
    for which, _, items in registry.lists(book.config):
        hrefs.update({item.key: f"{which}.xhtml#{item.key}" for item in items})
    for number, group in enumerate(index_groups(book.index, page_map), start=1):
        hrefs[f"ix-group-{number}"] = f"index.xhtml#ix-group-{number}"      # a page may begin at its letter
        for row in _rows(group.rows):
            hrefs[f"ix-{row.key}"] = f"index.xhtml#ix-{row.key}"
    return hrefs


def _markable(book: Book, hrefs: dict[str, str]) -> set[str]:
    """Elements the templates put page markers in (leaf blocks take theirs at the word)."""
    fixed = {"title-page", "copyright", "sources", "index", "persons", "terms"}
    fixed |= {doc.id for doc in book.all_documents}
    fixed |= {f"part-{n}" for n, part in enumerate(book.parts, start=1) if part.title}
    return {key for key in hrefs if key in fixed or key.startswith(("ix-", "source-", "person-", "term-"))}


def _rows(rows):
    for row in rows:
        yield row
        yield from _rows(row.sub)


def _page_list(page_map: PageMap, breaks: dict, hrefs: dict[str, str]) -> list[tuple[str, str]]:
    """The print edition's pages in order, each a link to its marker."""
    where = {label: element for element, marks in breaks.items() for _, label in marks}
    return [(label, hrefs[where[label]].split("#")[0] + f"#page-{label}")
            for label in page_map.labels if label in where]


def _pages(book: Book, page_map: PageMap, hrefs: dict[str, str]):
    yield "cover", "cover", "cover", None, {}
    yield "titlepage", "titlepage", "titlepage", None, {}
    yield "copyright", "copyright", "copyright", None, html.copyright_context(book)
    for which, title, items in registry.lists(book.config):
        yield which, which, "registry", None, {"which": which, "title": title, "items": items}
    if book.introduction:
        yield book.introduction.id, book.introduction.id, "document", book.introduction, {}
    for number, part in enumerate(book.parts, start=1):
        if part.title:
            yield f"part-{number}", f"part-{number}", "part", None, {"number": number, "title": part.title}
        for doc in part.documents:
            yield doc.id, doc.id, "document", doc, {}
    yield "sources", "sources", "sources", None, {"documents": book.documents}
    if has_index(book.index):
        yield "index", "index", "index", None, {"groups": index_groups(book.index, page_map), "hrefs": hrefs}


def _toc(book: Book, hrefs: dict[str, str]) -> list[tuple[str, str, list]]:
    entries = [(title, f"{which}.xhtml#{which}-title", []) for which, title, _ in registry.lists(book.config)]
    if book.introduction:
        entries.append((book.introduction.title, hrefs[f"{book.introduction.id}-title"], []))
    for number, part in enumerate(book.parts, start=1):
        docs = [(f"{d.number}. {d.running_title}", hrefs[f"{d.id}-title"]) for d in part.documents]
        if part.title:
            entries.append((f"Part {number}. {part.title}", f"part-{number}.xhtml#part-{number}-title", docs))
        else:
            entries.extend((title, href, []) for title, href in docs)
    entries.append(("Sources", "sources.xhtml#sources-title", []))
    if has_index(book.index):
        entries.append(("Index", "index.xhtml#index-title", []))
    return entries


def _nav(book: Book, config, page_list: list, hrefs: dict[str, str]) -> epub.EpubItem:
    first = book.introduction or (book.documents[0] if book.documents else None)
    landmarks = [("cover", "Cover", "cover.xhtml"), ("toc", "Contents", "nav.xhtml#toc"),
                 ("titlepage", "Title page", "titlepage.xhtml")]
    if first:
        landmarks.append(("bodymatter", "Start of content", hrefs[f"{first.id}-title"]))
    landmarks.append(("bibliography", "Sources", "sources.xhtml"))
    if has_index(book.index):
        landmarks.append(("index", "Index", "index.xhtml"))
    markup = html.render(config, "epub/nav.xhtml.j2", html.EPUB, None, toc=_toc(book, hrefs),
                         landmarks=landmarks, page_list=page_list)
    item = epub.EpubItem(uid="nav", file_name="nav.xhtml", media_type=XHTML, content=markup.encode())
    item.properties = ["nav"]
    return item


def _package(book: Book, config, created: str) -> epub.EpubBook:
    package = epub.EpubBook()
    package.set_identifier(config.identifier)
    package.set_title(config.title)
    package.set_language(config.language)
    for number, person in enumerate(config.editors):
        role = {"editor": "edt", "translator": "trl", "author": "aut"}.get(person.role, "ctb")
        package.add_author(person.name, role=role, uid=f"creator{number}")
    package.add_metadata("DC", "publisher", config.publisher)
    package.add_metadata("DC", "date", config.date)
    package.add_metadata("DC", "rights", config.rights)
    if config.subtitle:
        package.add_metadata("DC", "description", config.subtitle)
    indexed = has_index(book.index)
    for prop, value in ACCESSIBILITY:
        if indexed or value != "index":
            package.add_metadata(None, "meta", value, {"property": prop})
    package.add_metadata(None, "meta", SUMMARY.format(index="an index and " if indexed else "and "),
                         {"property": "schema:accessibilitySummary"})
    package.add_metadata(None, "meta", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA",
                         {"property": "dcterms:conformsTo"})
    # The publisher makes the conformance claim; bookbuild's checks (EPUBCheck, Ace in the tests) back it.
    package.add_metadata(None, "meta", config.publisher, {"property": "a11y:certifiedBy"})
    # The page-list's numbers are the print edition's: say which edition that is.
    package.add_metadata(None, "meta", f"{config.identifier} (print edition, PDF)", {"property": "pageBreakSource"})
    return package


def _reproducible(package: epub.EpubBook, created: str, language: str) -> bytes:
    """ebooklib stamps the current time on the package and the zip: rewrite both from `created`."""
    raw = io.BytesIO()
    moment = datetime.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
    # compresslevel 0: the zip is written again below, and compressing it twice took a third of this
    epub.write_epub(raw, package, {"epub3_pages": False, "epub2_guide": False, "epub3_landmark": False,
                                   "mtime": moment, "raise_exceptions": True, "compresslevel": 0})
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith("content.opf"):
                data = re.sub(rb"<package ", f'<package xml:lang="{language}" '.encode(), data, count=1)
            entry = zipfile.ZipInfo(info.filename, date_time=moment.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, data)
    return out.getvalue()
