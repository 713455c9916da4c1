"""The body of a chapter: Markdown (markdown-it-py) and the raw HTML it allows, read into model
blocks, inlines and notes with their source lines. sources.py reads the file and its front matter."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from bookbuild.diagnostics import BookError, Diagnostic, ERROR, WARNING, display_path, error, warn
from bookbuild.model import Block, CrossRef, IndexMark, LineBreak, Link, Note, NoteRef, Span, Text

MAX_BLOCK_CHARS = 100_000       # one paragraph, heading or table cell: longer is a conversion accident
MAX_TABLE_COLUMNS = 30          # more cannot be set on a page of a book
MAX_INLINE_DEPTH = 20           # *emphasis* inside [links] inside ...: deeper is no text an editor writes
MAX_BLOCK_DEPTH = 24            # lists in quotes in lists ...
MAX_BLOCKS = 20_000             # paragraphs, items, cells of one chapter: about 600 pages

# Raw HTML in Markdown. A few harmless inline tags become the model's own nodes; active content is
# removed with what it contains; other HTML tags are ignored (their text kept); anything else that
# looks like a tag (an archive's "<illegible>") is kept as text. Each is a warning with its line.
HTML_INLINE = {"i": "em", "em": "em", "cite": "em", "b": "strong", "strong": "strong", "sup": "sup",
               "sub": "sub", "span": "lang", "br": "br"}
HTML_ACTIVE = frozenset("""script style iframe frame frameset object embed applet noscript noembed template
    textarea svg math canvas audio video img picture source track form input button select option
    link meta base head title xmp plaintext portal dialog param area""".split())
HTML_KNOWN = frozenset("""a abbr address article aside bdi bdo big blink blockquote body caption center code col
    colgroup dd del details dfn div dl dt fieldset figcaption figure font footer h1 h2 h3 h4 h5 h6 header
    hr html ins kbd label legend li main mark marquee menu nav ol p pre q rp rt ruby s samp section small
    strike summary table tbody td tfoot th thead time tr tt u ul var wbr""".split())
HTML_VOID = frozenset("area base br col embed frame hr img input link meta param source track wbr".split())
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[\s/][^>]*)?)>", re.S)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
LINK_SCHEMES = ("http", "https", "mailto")


def read_body(path: Path, body: str, first_line: int) -> tuple[list[Block], list[Block], list[Note]]:
    """(headnote, body, notes) of a chapter whose Markdown begins at first_line of path."""
    md = _markdown()
    tokens = md.parse(body, env := {})
    _refuse_twice_defined(path, first_line, env["note_definitions"])
    reader = _Reader(path, first_line, body, md)
    headnote, blocks = reader.blocks(tokens)
    return headnote, blocks, reader.notes(tokens, env)


def _markdown() -> MarkdownIt:
    # Raw HTML is read tag by tag into the model (_Reader._html_inline): none is ever passed through.
    md = MarkdownIt("commonmark", {"typographer": True, "html": True})
    md.enable(["smartquotes", "table", "strikethrough"])
    md.use(footnote_plugin).use(container_plugin, name="headnote")
    md.core.ruler.before("footnote_tail", "note_definitions", _note_definitions)
    md.use(attrs_plugin, spans=True, after=("span_close",))
    md.validateLink = lambda url: True           # every link reaches _Reader._opening, which decides
    return md


def curled(text: str) -> str:
    """Plain text from book.yaml (a person's identification, a term's expansion) with its quotes
    curled as the Markdown reader curls a chapter's; every other character is taken literally."""
    escaped = _PUNCTUATION.sub(r"\\\1", text)
    tokens = _inline_reader().parseInline(escaped)[0].children or []
    return "".join(token.content for token in tokens)


@lru_cache(maxsize=1)
def _inline_reader() -> MarkdownIt:
    return _markdown()


# The signs of inline Markdown (emphasis, links, code, HTML, entities): escaped, they stay characters.
# Not the rest of punctuation: an escape ends a run of text, and the quote after "R. K." would not curl.
_PUNCTUATION = re.compile(r"([\\`*_\[\]<>&!~])")


_ALIGN = re.compile(r"text-align:\s*(left|center|right)")


def _note_definitions(state) -> None:
    """Every note definition's label and line, before the footnote plugin keeps the last of a
    label alone (a second '[^1]:' would silently take the place of the first)."""
    state.env["note_definitions"] = [(token.meta["label"], token.map[0]) for token in state.tokens
                                     if token.type == "footnote_reference_open"]


def _refuse_twice_defined(path: Path, first_line: int, definitions: list[tuple[str, int]]) -> None:
    first: dict[str, int] = {}
    problems = []
    for label, line in definitions:
        if label in first:
            problems.append(Diagnostic("N004", ERROR, display_path(path), line + first_line,
                                       f"note [^{label}] is defined twice (first on line {first[label]})",
                                       "give one of them a label of its own, and call it where it belongs"))
        first.setdefault(label, line + first_line)
    if problems:
        raise BookError(problems)


def _safe_link(href: str) -> bool:
    """Links of a book go to the web or to an address: no javascript:, data:, file: or relative paths."""
    try:
        parsed = urlparse(href)
    except ValueError:
        return False
    scheme = parsed.scheme.lower()
    return (scheme in ("http", "https") and bool(parsed.hostname)) or (scheme == "mailto" and bool(parsed.path))


_FENCE = re.compile(r":::\s*(\S.*)?")


def _closed(tokens: list[Token], index: int) -> bool:
    """Whether the container opened at tokens[index] is closed by a ':::' line of its own."""
    depth = 0
    for token in tokens[index:]:
        depth += token.nesting if token.type.startswith("container_") else 0
        if depth == 0:
            return bool(token.markup)       # markdown-it's closing at the end of the file has none
    return False


def _short(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= 60 else text[:59] + "…"


class _InlineState:
    """The open inline nodes while reading a paragraph; each entry remembers who opened it: Markdown
    ("") or an HTML tag, so a stray HTML tag can never close Markdown's emphasis or the paragraph."""

    def __init__(self, path: Path, line: int):
        self.path, self.line = path, line
        self.root: list = []
        self.stack: list[tuple[list, str]] = [(self.root, "")]
        self.dropping: str | None = None

    def add(self, node) -> None:
        self.stack[-1][0].append(node)

    def push(self, node, owner: str) -> None:
        """Open a node (None: a transparent one whose children go to the parent)."""
        if len(self.stack) > MAX_INLINE_DEPTH:
            raise error("S012", self.path, self.line, f"inline markup nested more than {MAX_INLINE_DEPTH} deep",
                        "check the * _ [ ] and HTML tags of this paragraph: some are unbalanced")
        if node is not None:
            self.add(node)
        self.stack.append((node.children if node is not None else self.stack[-1][0], owner))

    def close_markdown(self) -> None:
        while len(self.stack) > 1 and self.stack[-1][1]:       # HTML tags left open close with it
            self.stack.pop()
        if len(self.stack) > 1:
            self.stack.pop()

    def close_html(self, name: str) -> bool:
        for depth in range(len(self.stack) - 1, 0, -1):
            owner = self.stack[depth][1]
            if owner == name:
                del self.stack[depth:]
                return True
            if not owner:
                break
        return False


class _Reader:
    """Turns markdown-it's flat token stream into model blocks, keeping source lines."""

    def __init__(self, path: Path, first_line: int, body: str, md: MarkdownIt):
        self.path, self.first_line, self.body, self.md = path, first_line, body, md
        self.count = 0

    def _counted(self, block: Block) -> Block:
        self.count += 1
        if self.count > MAX_BLOCKS:
            raise error("S016", self.path, block.line, f"more than {MAX_BLOCKS:,} paragraphs, items and cells "
                        "in one chapter", "split the chapter into several files")
        return block

    def line(self, token: Token, fallback: int = 0) -> int:
        return (token.map[0] if token.map else fallback) + self.first_line

    def blocks(self, tokens: list[Token]) -> tuple[list[Block], list[Block]]:
        headnote: list[Block] = []
        body: list[Block] = []
        stack: list[list[Block]] = [body]
        containers: list[Block] = []
        in_notes = 0
        for index, token in enumerate(tokens):
            if token.type == "footnote_block_open":
                in_notes += 1
            elif token.type == "footnote_block_close":
                in_notes -= 1
            if in_notes or token.type.startswith("footnote"):
                continue
            if token.type == "container_headnote_open":
                if not _closed(tokens, index):
                    # markdown-it runs an unclosed container to the end of the file: the whole
                    # record would silently become the headnote.
                    raise error("S020", self.path, self.line(token), "'::: headnote' is never closed",
                                "end the headnote with a line ':::'")
                stack.append(headnote)
            elif token.type == "container_headnote_close":
                stack.pop()
            else:
                self._block_token(token, tokens, index, stack, containers)
        return headnote, body

    def _block_token(self, token, tokens, index, stack, containers) -> None:
        kinds = {"bullet_list": "ul", "ordered_list": "ol", "list_item": "li", "blockquote": "blockquote",
                 "table": "table", "thead": "thead", "tbody": "tbody", "tr": "tr"}
        base = token.type.rsplit("_", 1)[0]
        if token.type.endswith("_open") and base in kinds:
            if len(stack) > MAX_BLOCK_DEPTH:
                raise error("S013", self.path, self.line(token), f"lists and quotes nested more than "
                            f"{MAX_BLOCK_DEPTH} deep", "flatten the structure: no page can show it")
            block = self._counted(Block(kinds[base], self.line(token)))
            if base == "ordered_list" and token.attrGet("start"):
                block.attrs["start"] = str(token.attrGet("start"))
            stack[-1].append(block)
            stack.append(block.blocks)
            containers.append(block)
        elif token.type.endswith("_close") and base in kinds:
            stack.pop()
            block = containers.pop()
            if block.kind == "tr" and len(block.blocks) > MAX_TABLE_COLUMNS:
                raise error("S014", self.path, block.line, f"a table of {len(block.blocks)} columns",
                            f"a page holds at most {MAX_TABLE_COLUMNS}: split the table or make it a list")
        elif token.type in ("paragraph_open", "heading_open", "th_open", "td_open"):
            kind = token.tag if token.type != "paragraph_open" else "p"
            inline = tokens[index + 1]
            line = self.line(token)
            self._check_size(inline.content, line)
            self._refuse_stray_fence(inline.content, line)
            block = Block(kind, line, inlines=self.inlines(inline.children or [], line))
            align = _ALIGN.search(str(token.attrGet("style") or ""))     # a table column's |---:|
            if align:
                block.attrs["class"] = f"align-{align.group(1)}"
            stack[-1].append(self._counted(block))
        elif token.type in ("fence", "code_block"):
            self._check_size(token.content, self.line(token))
            stack[-1].append(self._counted(Block("pre", self.line(token), inlines=[Text(token.content)])))
        elif token.type == "hr":
            stack[-1].append(self._counted(Block("hr", self.line(token))))
        elif token.type == "html_block":
            self._html_block(token, stack)

    def _refuse_stray_fence(self, text: str, line: int) -> None:
        """A ':::' line left in a paragraph: a headnote's close with its opening deleted, or a block
        of a name the reader does not know. As text it would print in the book."""
        for offset, row in enumerate(text.split("\n")):
            fence = _FENCE.fullmatch(row.strip())
            if fence and fence.group(1):
                raise error("S021", self.path, line + offset, f"'::: {fence.group(1)}' is not a block bookbuild knows",
                            "the one block is '::: headnote', closed by a line ':::'")
            if fence:
                raise error("S021", self.path, line + offset, "a ':::' line that closes no block",
                            "remove it, or open the headnote above it with a line '::: headnote'")

    def _check_size(self, text: str, line: int) -> None:
        if len(text) > MAX_BLOCK_CHARS:
            raise error("S015", self.path, line, f"a paragraph of {len(text):,} characters",
                        f"break it into paragraphs of under {MAX_BLOCK_CHARS:,} characters (a blank line between)")

    def _html_block(self, token: Token, stack: list) -> None:
        """A block of raw HTML is read as a paragraph: allowed tags kept, the rest as for inline HTML."""
        line = self.line(token)
        self._check_size(token.content, line)
        children = self.md.parseInline(token.content.strip(), {})[0].children or []
        inlines = self.inlines(children, line)
        if any(not isinstance(node, Text) or node.text.strip() for node in inlines):
            stack[-1].append(Block("p", line, inlines=inlines))

    def inlines(self, tokens: list[Token], line: int) -> list:
        state = _InlineState(self.path, line)
        for token in tokens:
            self._inline_token(token, state, line)
        return state.root

    def _inline_token(self, token: Token, state: "_InlineState", line: int) -> None:
        styles = {"em": "em", "strong": "strong", "s": "strike"}
        kind = token.type
        if state.dropping:          # inside <script> ... </script>: nothing of it is read
            if kind == "html_inline" and re.fullmatch(rf"</{state.dropping}\s*>", token.content, re.I):
                state.dropping = None
            return
        if kind == "text":
            state.add(Text(token.content))
        elif kind == "code_inline":
            state.add(Span("code", [Text(token.content)]))
        elif kind in ("softbreak",):
            state.add(Text(" "))
        elif kind == "hardbreak":
            state.add(LineBreak())
        elif kind == "footnote_ref":
            state.add(NoteRef(token.meta["label"], line))
        elif kind == "html_inline":
            self._html_inline(token.content, state, line)
        elif kind == "image":
            raise error("S010", self.path, line, "images are not supported in chapters yet",
                        "remove the image or describe it in the text")
        elif kind.endswith("_open"):
            state.push(self._opening(token, styles, line), "")
        elif kind.endswith("_close"):
            state.close_markdown()

    def _opening(self, token: Token, styles: dict, line: int):
        tag = token.type[: -len("_open")]
        if tag == "link":
            href = str(token.attrGet("href") or "")
            if href.startswith("#"):            # [](#doc-id) or [](#doc-id:note): a cross-reference
                return CrossRef(unquote(href[1:]), line, children=[])
            if _safe_link(href):
                return Link(href, [])
            self.warn("L001", line, f"link to '{_short(href)}' removed, its words kept",
                      "links go to https://..., http://..., mailto:... or #document-id")
            return None
        if tag == "span":
            term = token.attrGet("index")
            if term is None:
                raise error("S011", self.path, line, "a [text]{...} span needs index=\"Entry name\"",
                            "write [text]{index=\"Entry name\"} to mark an index entry")
            return IndexMark(str(term), [], line)
        return Span(styles.get(tag, tag), [])

    def _html_inline(self, content: str, state: "_InlineState", line: int) -> None:
        """One raw HTML tag: into the model if allowed, removed if active, else ignored or kept as text."""
        if content.startswith("<!--"):
            return                                  # an editor's comment: never printed
        match = _TAG.fullmatch(content)
        if not match:                               # <?...?>, <!DOCTYPE ...>, <![CDATA[...]]>
            self.warn("H001", line, f"'{_short(content)}' removed", "a book carries no markup of this kind")
            return
        closing, name, rest = match.group(1) == "/", match.group(2).lower(), match.group(3)
        self_closing = rest.rstrip().endswith("/")
        if name in HTML_ACTIVE:
            if not closing:
                empty = self_closing or name in HTML_VOID
                if not empty:
                    state.dropping = name
                self.warn("H001", line, f"<{name}> removed" + ("" if empty else " with its content"),
                          "a book carries no scripts, styles, frames, forms or remote media")
            return
        if name in HTML_INLINE:
            self._allowed_tag(name, closing, self_closing, rest, state, line)
        elif name in HTML_KNOWN:
            if not closing:
                self.warn("H002", line, f"<{name}> ignored, its text kept",
                          "write Markdown: *italic*, **bold**, [words](https://...); HTML allowed: "
                          "<i> <em> <b> <strong> <sup> <sub> <br> <span lang=..>")
        else:                                       # no HTML at all: an archive's "<illegible>"
            state.add(Text(content))
            self.warn("H003", line, f"'{_short(content)}' is not HTML: kept as text",
                      "write \\< instead of < to say so and silence this warning")

    def _allowed_tag(self, name, closing, self_closing, rest, state, line) -> None:
        kind = HTML_INLINE[name]
        attributes = {key.lower(): next((v for v in values if v), "") for key, *values in _ATTR.findall(rest)
                      if key != "/"}
        if kind == "br":
            if not closing:
                state.add(LineBreak())
            attributes.clear()
        elif closing:
            if not state.close_html(name):
                self.warn("H002", line, f"</{name}> closes nothing: ignored", f"remove it or add <{name}> before")
            return
        node = None
        if kind == "lang":
            lang = attributes.pop("lang", "") or attributes.pop("xml:lang", "")
            if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", lang):
                node = Span("lang", [], lang=lang)
            else:
                self.warn("H004", line, "<span> without a language: ignored",
                          "write <span lang=\"fr\">...</span> to mark a language, or remove it")
        elif kind != "br":
            node = Span(kind, [])
        if attributes:
            self.warn("H004", line, f"attribute {', '.join(sorted(attributes))} of <{name}> dropped",
                      "only <span lang=..> carries an attribute")
        if kind != "br" and not self_closing:
            state.push(node, name)

    def warn(self, code: str, line: int, message: str, hint: str) -> None:
        warn(Diagnostic(code, WARNING, display_path(self.path), line, message, hint))

    def notes(self, tokens: list[Token], env: dict) -> list[Note]:
        """Notes in the order markdown-it numbered them, plus defined notes with no call."""
        notes: list[Note] = []
        current: Note | None = None
        stack: list[list[Block]] = []
        containers: list[Block] = []
        for index, token in enumerate(tokens):
            if token.type == "footnote_open":
                current = Note(token.meta["label"], self._definition_line(token.meta["label"]), [])
                stack = [current.blocks]
            elif token.type == "footnote_close":
                notes.append(current)
                current = None
            elif current is not None and not token.type.startswith("footnote"):
                self._block_token(token, tokens, index, stack, containers)
        for key, ref in (env.get("footnotes", {}).get("refs") or {}).items():
            if ref == -1:         # defined but never called: kept, so enrich.notes can report it
                notes.append(Note(key[1:], self._definition_line(key[1:]), [], number=-1))
        return notes

    def _definition_line(self, label: str) -> int:
        match = re.search(rf"(?m)^ {{0,3}}\[\^{re.escape(label)}\]:", self.body)
        return self.body[: match.start()].count("\n") + self.first_line if match else self.first_line
