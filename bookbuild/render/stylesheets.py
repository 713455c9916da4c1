"""The project's stylesheets checked before a layout uses them and by `bookbuild check`.

WeasyPrint drops a declaration it cannot read with a line in its log, and CSS nesting reads a
missing '}' as every later rule nested inside the one left open: either way a typo would make
another book without a word. Here each becomes an error naming the file and the line."""

from __future__ import annotations

import re
from pathlib import Path

from bookbuild import cache
from bookbuild.config import read_text
from bookbuild.diagnostics import BookError, Diagnostic, ERROR, display_path

PRINT_SHEETS = ("base.css", "print.css")           # what WeasyPrint lays the print edition out with
SHEETS = PRINT_SHEETS + ("epub.css",)              # epub.css: the e-readers', not WeasyPrint's to judge
_WHERE = re.compile(r" at (\d+):\d+")               # WeasyPrint's "Ignored `...` at 2:8, invalid value."
_URL = re.compile(r"""url\(\s*(["']?)([^"')]*)\1\s*\)""")
_PLACES = re.compile(r"""/\*.*?(?:\*/|\Z)|"(?:\\.|[^"\\\n])*"?|'(?:\\.|[^'\\\n])*'?|\\.|[{}]""", re.S)


def refuse_faults(config) -> None:
    """Raise the faults of the stylesheets (once for each version of them: kept in the cache)."""
    sheets = [config.styles_dir / name for name in SHEETS]
    files = sorted(path.relative_to(config.styles_dir).as_posix() for path in config.styles_dir.rglob("*"))
    key = cache.digest(cache.code_version(), str(config.styles_dir.resolve()), *files,
                       *[path.read_bytes() if path.is_file() else b"" for path in sheets])
    if cache.kept_object("stylesheets", key) is True:
        return
    found = faults(config)
    if found:
        raise BookError(found)
    cache.keep_object("stylesheets", key, True)


def faults(config) -> list[Diagnostic]:
    """Unbalanced braces, url()s of files that are not in the project, and what WeasyPrint ignores."""
    found: list[Diagnostic] = []
    for name in SHEETS:
        path = config.styles_dir / name
        if not path.is_file():
            continue
        text = read_text(path)
        braces = _braces(path, text)
        found += braces + _missing_files(path, text, config.root)
        if name in PRINT_SHEETS and not braces:
            found += _ignored(path, config)
    return found


def _braces(path: Path, text: str) -> list[Diagnostic]:
    """A '}' that closes nothing, or a '{' never closed (comments and strings skipped)."""
    opened: list[int] = []
    for match in _PLACES.finditer(text):
        if match.group() == "{":
            opened.append(match.start())
        elif match.group() == "}":
            if not opened:
                return [_fault("P006", path, text, match.start(), "this '}' closes no rule",
                               "delete it, or add the rule's opening '{' where it belongs")]
            opened.pop()
    if opened:
        return [_fault("P006", path, text, opened[-1], "this '{' is never closed: every rule after it would "
                       "be read as nested inside it", "add the '}' that ends the rule")]
    return []


def _missing_files(path: Path, text: str, root: Path) -> list[Diagnostic]:
    """url(fonts/x.ttf) and the like: a file of the project that is not there (remote and data:
    URLs are the fetcher's to refuse, by name)."""
    found = []
    for match in _URL.finditer(_without_comments(text)):
        target = match.group(2).strip()
        if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
            continue
        file = (path.parent / target.split("?")[0].split("#")[0]).resolve()
        if not file.is_relative_to(root.resolve()):
            found.append(_fault("P007", path, text, match.start(), f"url({target}) is outside the project",
                                "copy the file into styles/ and name it from there"))
        elif not file.is_file():
            found.append(_fault("P007", path, text, match.start(), f"url({target}): there is no such file",
                                f"add {display_path(file)}, or correct the name"))
    return found


def _without_comments(text: str) -> str:
    """The sheet with its comments and escapes blanked, at the same offsets (lines are counted in
    the sheet itself); strings, which hold url()s' names, kept."""
    def blank(match: re.Match) -> str:
        kept = match.group() in "{}" or match.group()[0] in "\"'"
        return match.group() if kept else " " * len(match.group())
    return _PLACES.sub(blank, text)


def _ignored(path: Path, config) -> list[Diagnostic]:
    """What WeasyPrint would skip of a stylesheet, said in its log as it reads the sheet."""
    from weasyprint import CSS
    from bookbuild.render.fetcher import ProjectFetcher
    from bookbuild.render.typesetter import weasyprint_says
    with weasyprint_says() as said:
        CSS(filename=str(path), url_fetcher=ProjectFetcher.of(config))
    return [Diagnostic("P003", ERROR, display_path(path), int(where.group(1)) if (where := _WHERE.search(message))
                       else None, f"WeasyPrint would ignore it: {message}",
                       "correct the declaration or rule, or delete it") for message in said]


def _fault(code: str, path: Path, text: str, offset: int, message: str, hint: str) -> Diagnostic:
    return Diagnostic(code, ERROR, display_path(path), text.count("\n", 0, offset) + 1, message, hint)
