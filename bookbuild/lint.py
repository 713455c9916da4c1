"""`bookbuild check`: the book read and enriched without rendering, then the apparatus lint.

Each rule has a stable code: A001 headnote, A002 entry never found, A003 no source for the source
note, A004 name or abbreviation not in the registry, A005 note call inside punctuation, A006 Ibid.
or op. cit. in a note, A007 translator not credited, A008 title too long for a running head, A009
chapter file not in the contents, A010 a placeholder of `bookbuild init`'s example left, A011 a
record with no text. Errors of reading (C, S, N, X, I, F codes) come first and stop the lint; when
book.yaml itself does not load, the chapters are still read, and their errors said with its own."""

from __future__ import annotations

import re
from pathlib import Path

from bookbuild import yamlfile
from bookbuild.config import line_naming, read_text
from bookbuild.diagnostics import BookError, Diagnostic, ERROR, WARNING, collecting, display_path
from bookbuild.enrich import leaf_blocks
from bookbuild.model import IndexMark, NoteRef, Span, Text, plain_text, walk_inlines
from bookbuild.render import stylesheets
from bookbuild.render.fonts import check_glyphs
from bookbuild.scaffold import INTRODUCTION_PLACEHOLDER, PLACEHOLDERS
from bookbuild.sources import HEADNOTE_PLACEHOLDER, read_document

ABBREVIATION = re.compile(r"(?<![\w.])[A-Z]{2,6}(?![\w.])")
MAX_RUNNING_TITLE = 60        # characters: one line of running head in 6x9in small type
IBID = re.compile(r"\b(ibid|op\.\s*cit|loc\.\s*cit)\b", re.IGNORECASE)


class Findings(list):
    """check's diagnostics; `linted` is false when errors of reading stopped it before the lint."""
    linted = True


def check(root: Path) -> Findings:
    from bookbuild.build import configure, read      # the build says some of the lint (said_by_build)
    failed: list[Diagnostic] = []
    with collecting() as noticed:           # what reading the chapters noticed (raw HTML, links)
        try:
            config = configure(root)
        except BookError as exc:
            failed = exc.diagnostics + _chapters_alone(root)
        else:
            try:
                config, book = read(root, config=config)
                check_glyphs(book, config)      # fonts: a missing family or glyph stops the build later
                styles = stylesheets.faults(config)
            except BookError as exc:
                failed = exc.diagnostics
    if failed:
        stopped = Findings(list(noticed) + [d for d in failed if d not in noticed])
        stopped.linted = False
        return stopped
    problems = Findings(list(noticed) + styles + said_by_build(book, config))
    for doc in book.all_documents:
        problems += _unregistered(doc) + _calls_in_punctuation(doc) + _ibid(doc)
    problems += _unused(book, config)
    return problems


def said_by_build(book, config) -> list[Diagnostic]:
    """The warnings a build gives too: what a book should not go out with unseen (a placeholder
    headnote, the example's names, a record with no text or no source, a translator uncredited, a
    title too long for a running head, a chapter left out). They cost a build 0.03 s at 300
    documents; the rest of the lint (the registry, note calls, Ibid., entries never found: 0.3 s)
    is check's alone."""
    problems: list[Diagnostic] = []
    for doc in book.documents:
        problems += _headnote(doc) + _no_text(doc) + _source(doc) + _translator(doc) + _long_title(doc)
    return problems + _left_out(book, config) + _placeholders(book, config)


def _chapters_alone(root: Path) -> list[Diagnostic]:
    """The errors of the chapters read without the book.yaml that did not load: an editor, or CI,
    sees them all at once. The chapters that book.yaml's contents name, if it parses that far,
    else every file of chapters/ (not one that links out of it)."""
    chapters = root / "chapters"
    try:
        if not chapters.is_dir() or not chapters.resolve().is_relative_to(root.resolve()):
            return []
        introduction, named = _contents_as_written(root)
        paths = [chapters / name for name in named] if named else sorted(chapters.glob("*.md"))
        paths = [p for p in paths if p.is_file() and p.resolve().is_relative_to(chapters.resolve())]
    except (OSError, RuntimeError, ValueError):
        return []
    if introduction and (chapters / introduction).is_file():
        paths = [chapters / introduction] + [p for p in paths if p.name != introduction]
    problems: list[Diagnostic] = []
    for path in paths:
        try:
            read_document(path, "introduction" if path.name == introduction else "document")
        except BookError as exc:
            problems += exc.diagnostics
    return problems


def _contents_as_written(root: Path) -> tuple[str | None, list[str]]:
    """(the introduction's file name, the chapters named) from book.yaml's contents as far as the
    YAML reads; the defaults (introduction.md, every chapter) where it does not say."""
    try:
        data, _ = yamlfile.load(read_text(root / "book.yaml"), root / "book.yaml")
    except BookError:
        data = None
    contents = data.get("contents") if isinstance(data, dict) else None
    contents = contents if isinstance(contents, dict) else {}
    introduction = contents.get("introduction", "introduction.md")
    named = contents.get("documents")
    named = [n for n in named if isinstance(n, str)] if isinstance(named, list) else []
    for part in contents.get("parts") or []:
        if isinstance(part, dict) and isinstance(part.get("documents"), list):
            named += [n for n in part["documents"] if isinstance(n, str)]
    return (introduction if isinstance(introduction, str) else None), named


def _placeholders(book, config) -> list[Diagnostic]:
    """The example of `bookbuild init` in place of the editors' own names, publisher, archive..."""
    yaml_path = config.root / "book.yaml"
    said = [config.publisher] + [editor.name for editor in config.editors]
    found = [Diagnostic("A010", WARNING, display_path(yaml_path), line_naming(yaml_path, placeholder),
                        f"'{placeholder}' is still the example's", "put your own in its place")
             for placeholder in PLACEHOLDERS if any(placeholder in value for value in said)]
    for doc in book.all_documents:
        found += [_diag("A010", WARNING, doc, doc.meta_lines.get((key,)), f"'{placeholder}' is still the example's",
                        "put your own in its place")
                  for key, value in doc.meta.items() for placeholder in PLACEHOLDERS if placeholder in str(value)]
    if book.introduction:
        found += [_diag("A010", WARNING, book.introduction, block.line, "the introduction is still the example's",
                        "write your own introduction in its place")
                  for block in leaf_blocks(book.introduction, with_notes=False)
                  if INTRODUCTION_PLACEHOLDER in plain_text(block.inlines)][:1]
    return found


def _long_title(doc) -> list[Diagnostic]:
    if doc.meta.get("short_title") or len(doc.meta.get("title", "")) <= MAX_RUNNING_TITLE:
        return []
    return [_diag("A008", WARNING, doc, doc.meta_lines.get(("title",)), "the title is too long for a running head "
                  f"and the contents ({len(doc.meta['title'])} characters)",
                  f"add short_title: with at most {MAX_RUNNING_TITLE} characters to the front matter")]


def _left_out(book, config) -> list[Diagnostic]:
    """A chapter file that the contents do not list is not in the book: say so, it is rarely meant."""
    used = {doc.path.resolve() for doc in book.all_documents}
    return [Diagnostic("A009", WARNING, display_path(path), None, "this chapter is not in the book",
                       "list it under contents: in book.yaml (documents: or a part), or move it out of chapters/")
            for path in sorted(config.chapters_dir.glob("*.md")) if path.resolve() not in used]


def _diag(code, severity, doc, line, message, hint) -> Diagnostic:
    return Diagnostic(code, severity, display_path(doc.path), line, message, hint)


def _headnote(doc) -> list[Diagnostic]:
    text = " ".join(plain_text(block.inlines) for block in doc.headnote)
    if doc.headnote and HEADNOTE_PLACEHOLDER not in text:
        return []
    line = doc.headnote[0].line if doc.headnote else (doc.body[0].line if doc.body else _after_front_matter(doc))
    return [_diag("A001", WARNING, doc, line, "the headnote is still a placeholder" if doc.headnote else
                  "no headnote", "write who, when, why it matters and what to read for in ::: headnote")]


def _no_text(doc) -> list[Diagnostic]:
    if doc.body:
        return []
    return [_diag("A011", WARNING, doc, _after_front_matter(doc), "the record has no text, only its front matter",
                  "paste the record's text after the front matter, or `bookbuild import` the record")]


def _after_front_matter(doc) -> int:
    """The line of the '---' that closes the front matter: the last key's line, plus one."""
    return max(doc.meta_lines.values(), default=1) + 1


def _source(doc) -> list[Diagnostic]:
    if any(doc.meta.get(key) for key in ("archive", "citation", "source_url")):
        return []
    return [_diag("A003", ERROR, doc, 1, "no source: the source note would name no archive",
                  "add archive: and reference: (or citation: / source_url:) to the front matter")]


def _translator(doc) -> list[Diagnostic]:
    translator = doc.meta.get("translator")
    note = plain_text(doc.source_note.blocks[0].inlines) if doc.source_note else ""
    # Styles write the name their own way ("Wolff, David", "D. Wolff"): the family name must be there.
    if not translator or _family_name(translator) in note:
        return []
    return [_diag("A007", ERROR, doc, doc.meta_lines.get(("translator",)), f"translator {translator} is named "
                  "in the front matter but not credited in the source note", "check the citation's fields")]


def _family_name(name: str) -> str:
    return name.split(",")[0].strip() if "," in name else name.split()[-1]


def _unregistered(doc) -> list[Diagnostic]:
    """Speakers and abbreviations the registry does not know (by the forms it lists), each reported
    once a document, at its first line: a fresh import would otherwise print one warning a turn."""
    first: dict[tuple[str, str], int] = {}
    count: dict[tuple[str, str], int] = {}

    def seen(kind, word, line):
        first.setdefault((kind, word), line)
        count[kind, word] = count.get((kind, word), 0) + 1

    for block in leaf_blocks(doc, with_notes=False):
        if HEADNOTE_PLACEHOLDER in plain_text(block.inlines):
            continue            # A001 already asks for the headnote to be written
        for node in walk_inlines(block.inlines):
            if isinstance(node, Span) and node.kind == "speaker" and not any(
                    isinstance(n, IndexMark) for n in walk_inlines(node.children)):
                seen("speaker", plain_text(node.children), block.line)
        if _mostly_capitals(block):
            continue            # a record's heading or address line in capitals, not abbreviations
        for node in _unmarked_text(block.inlines):
            for word in ABBREVIATION.findall(node.text):
                seen("abbreviation", word, block.line)
    return [_diag("A004", WARNING, doc, line, f"{kind} '{word}' is not in the registry" + _times(count[kind, word]),
                  "add this form to the person's forms: in book.yaml" if kind == "speaker"
                  else "add it under index: terms: with its expansion")
            for (kind, word), line in first.items()]


def _times(n: int) -> str:
    return f" ({n} times in this document)" if n > 1 else ""


def _unmarked_text(inlines):
    """Text outside index marks, code and speaker labels (a speaker is checked as a name, not as capitals)."""
    for node in inlines:
        if isinstance(node, Text):
            yield node
        elif isinstance(node, Span) and node.kind in ("speaker", "code"):
            continue
        elif not isinstance(node, IndexMark) and getattr(node, "children", None):
            yield from _unmarked_text(node.children)


def _mostly_capitals(block) -> bool:
    words = re.findall(r"[A-Za-z]{2,}", plain_text(block.inlines))
    return bool(words) and sum(w.isupper() for w in words) * 3 >= len(words)


def _calls_in_punctuation(doc) -> list[Diagnostic]:
    problems = []
    for block in leaf_blocks(doc, with_notes=False):
        nodes = list(walk_inlines(block.inlines))
        for node, after in zip(nodes, nodes[1:]):
            if isinstance(node, NoteRef) and isinstance(after, Text) and after.text[:1] in ".,;:!?":
                problems.append(_diag("A005", WARNING, doc, node.line, f"note call [^{node.label}] stands before "
                                      f"'{after.text[0]}'", "put the call after the punctuation: word.[^1]"))
    return problems


def _ibid(doc) -> list[Diagnostic]:
    return [_diag("A006", WARNING, doc, note.line, f"note [^{note.label}] says '{match.group(0)}'",
                  "notes are read out of order on e-readers: repeat a short form of the source instead")
            for note in doc.notes for block in note.blocks
            for match in [IBID.search(plain_text(block.inlines))] if match]


def _unused(book, config) -> list[Diagnostic]:
    def entries(items):
        for entry in items:
            yield entry
            yield from entries(entry.sub)
    yaml_path = config.root / "book.yaml"
    return [Diagnostic("A002", WARNING, display_path(yaml_path), line_naming(yaml_path, entry.name),
                       f"index entry '{entry.name}' is never found in the text",
                       "add the form the text uses to its forms:, or remove the entry")
            for entry in entries(book.index) if not entry.marks and not entry.see and not entry.sub]
