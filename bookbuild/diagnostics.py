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
    """Paths are shown relative to the working directory when they are inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# Warnings found while reading (raw HTML ignored, a link removed) go to whoever is collecting:
# a build or a check. Reading stays a plain function; nobody collecting means nobody asked.
_collectors: list[list[Diagnostic]] = []


@contextmanager
def collecting():
    """Gather the warnings reported by warn() inside the block, in order, each once."""
    found: list[Diagnostic] = []
    _collectors.append(found)
    try:
        yield found
    finally:
        _collectors.remove(found)


def warn(diagnostic: Diagnostic) -> None:
    for found in _collectors:
        if diagnostic not in found:
            found.append(diagnostic)
