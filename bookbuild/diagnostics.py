"""Diagnostics: the only way problems reach a user (file, line, code, message, what to do)."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: str
    file: str
    line: int | None
    message: str
    hint: str = ""

    def format(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        text = f"{where}: {self.severity} {self.code}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class BookError(Exception):
    """A problem in the user's input: reported as one line each, exit status 1."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))


def error(code: str, file: Path | str, line: int | None, message: str, hint: str = "") -> BookError:
    return BookError(Diagnostic(code, ERROR, display_path(file), line, message, hint))


def display_path(path: Path | str) -> str:
    """Paths are shown relative to the working directory when they are inside it. A link is shown
    by its own name, not its target's: it is the file the editor named (and C012's fault)."""
    path = Path(path)
    try:
        real = path.parent.resolve() / path.name if path.is_symlink() else path.resolve()
        return str(real.relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):
        return str(path)


# Warnings found while reading (raw HTML ignored, a link removed) go to whoever is collecting:
# a build or a check. Reading stays a plain function; nobody collecting means nobody asked.
MAX_ALIKE = 20          # warnings of one code in one file; the rest are counted in one line


class _Collector(list):
    def __init__(self):
        super().__init__()
        self.seen: set[Diagnostic] = set()
        self.alike: dict[tuple[str, str], int] = {}

    def add(self, diagnostic: Diagnostic) -> None:
        if diagnostic in self.seen:
            return
        self.seen.add(diagnostic)
        key = (diagnostic.file, diagnostic.code)
        self.alike[key] = self.alike.get(key, 0) + 1
        if self.alike[key] <= MAX_ALIKE:
            self.append(diagnostic)

    def close(self) -> None:
        for (file, code), count in self.alike.items():
            if count > MAX_ALIKE:
                self.append(Diagnostic(code, WARNING, file, None, f"{count - MAX_ALIKE} more warnings like the "
                                       "ones above", "fix those and run again to see them"))


_collectors: list[_Collector] = []


@contextmanager
def collecting():
    """Gather the warnings reported by warn() inside the block, in order, each once."""
    found = _Collector()
    _collectors.append(found)
    try:
        yield found
    finally:
        _unregister(found)
        found.close()


class _Recorder(list):
    def add(self, diagnostic: Diagnostic) -> None:
        self.append(diagnostic)

    def close(self) -> None:
        pass


@contextmanager
def recording():
    """Every warning reported inside the block, none left out (to be said again with warn()
    when a kept result is used instead of the work that gave them)."""
    found = _Recorder()
    _collectors.append(found)
    try:
        yield found
    finally:
        _unregister(found)


def _unregister(found: list) -> None:
    # By identity: collectors are lists, and two that hold the same warnings are equal.
    del _collectors[next(i for i, c in enumerate(_collectors) if c is found)]


def warn(diagnostic: Diagnostic) -> None:
    for found in _collectors:
        found.add(diagnostic)
