"""Finds the files of the configured OFL font families: styles/fonts first, then fontpkg packages."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

from bookbuild.diagnostics import error

FONT_SUFFIXES = (".ttf", ".otf", ".woff2", ".woff")


@dataclass(frozen=True)
class Face:
    family: str
    style: str          # normal | italic
    path: Path


def faces(families: list[str], styles_dir: Path, config_file: Path) -> list[Face]:
    found = _project_faces(styles_dir / "fonts") + _package_faces()
    out = []
    for family in families:
        matches = [face for face in found if face.family.casefold() == family.casefold()]
        if not matches:
            known = sorted({face.family for face in found})
            raise error("C020", config_file, None, f"font family '{family}' is not installed",
                        f"put its OFL files in styles/fonts/, or choose one of: {', '.join(known)}")
        out.extend(matches)
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
