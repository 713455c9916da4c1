"""Finds the files of the configured OFL font families: styles/fonts first, then fontpkg packages."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

from bookbuild.config import line_naming
from bookbuild.diagnostics import error

FONT_SUFFIXES = (".ttf", ".otf", ".woff2", ".woff")


@dataclass(frozen=True)
class Face:
    family: str
    style: str          # normal | italic
    path: Path
    system: bool = False    # known to fontconfig: WeasyPrint finds it by name, no @font-face needed
    index: int = 0          # face number inside a .ttc collection


def faces(families: list[str], styles_dir: Path, config_file: Path) -> list[Face]:
    found = _project_faces(styles_dir / "fonts") + _package_faces() + _system_faces()
    out = []
    for family in families:
        matches = [face for face in found if face.family.casefold() == family.casefold()]
        if not matches:
            known = sorted({face.family for face in found})
            raise error("C020", config_file, line_naming(config_file, family), f"font family '{family}' is not installed",
                        f"put its OFL files in styles/fonts/, or choose one of: {', '.join(known)}")
        out.extend(matches)
    return out


def missing(chars: set[str], found: list[Face]) -> set[str]:
    """Characters that no face of the book's fonts can draw (they would print as boxes)."""
    covered: set[int] = set()
    for face in found:
        covered |= _cmap(face.path, face.index)
    return {c for c in chars if ord(c) not in covered and not c.isspace() and ord(c) >= 0x20}


@lru_cache(maxsize=32)
def _cmap(path: Path, index: int) -> frozenset[int]:
    return frozenset(TTFont(path, fontNumber=index, lazy=True).getBestCmap() or {})


@lru_cache(maxsize=1)
def _system_faces() -> list[Face]:
    """Fonts installed on the machine (fontconfig's list), for fallback families such as Noto CJK."""
    try:
        listing = subprocess.run(["fc-list", "--format", "%{family[0]}\t%{style[0]}\t%{index}\t%{file}\n"],
                                 capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    out = []
    for line in sorted(set(listing.splitlines())):
        family, style, index, path = (line.split("\t") + ["", "", "", ""])[:4]
        if path.lower().endswith(FONT_SUFFIXES + (".ttc", ".otc")):
            out.append(Face(family, "italic" if "italic" in style.lower() else "normal", Path(path),
                            system=True, index=int(index or 0)))
    return out


def font_roots(styles_dir: Path) -> list[Path]:
    """Folders the PDF writer may read fonts from."""
    return [styles_dir / "fonts"] + sorted({face.path.parent for face in _package_faces()})


@lru_cache(maxsize=4)
def _project_faces(folder: Path) -> list[Face]:
    faces_ = []
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        if path.suffix.lower() in FONT_SUFFIXES:
            font = TTFont(path, lazy=True)
            family = font["name"].getBestFamilyName()
            italic = bool(font["OS/2"].fsSelection & 1)
            faces_.append(Face(family, "italic" if italic else "normal", path))
    return faces_


@lru_cache(maxsize=1)
def _package_faces() -> list[Face]:
    """Families shipped as PyPI `fontpkg-*` packages (each has FAMILY and files/)."""
    faces_ = []
    for module in sorted(m.name for m in pkgutil.iter_modules() if m.name.startswith("fontpkg_")):
        package = importlib.import_module(module)
        family = getattr(package, "FAMILY", None)
        root = Path(getattr(package, "ROOT", Path(package.__file__).parent))
        for path in sorted((root / "files").glob("*")):
            if family and path.suffix.lower() in FONT_SUFFIXES:
                style = "italic" if "italic" in path.name.lower() else "normal"
                faces_.append(Face(family, style, path))
    return faces_
