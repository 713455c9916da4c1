"""Finds the files of the configured OFL font families: styles/fonts first, then fontpkg packages."""

from __future__ import annotations

import hashlib
import importlib
import os
import pkgutil
import subprocess
import tempfile
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

from bookbuild import cache
from bookbuild.config import line_naming
from bookbuild.diagnostics import error
from bookbuild.enrich import leaf_blocks
from bookbuild.model import Book, plain_text

FONT_SUFFIXES = (".ttf", ".otf", ".woff2", ".woff")


@dataclass(frozen=True)
class Face:
    family: str
    style: str          # normal | italic
    path: Path
    system: bool = False    # known to fontconfig: WeasyPrint finds it by name, no @font-face needed
    index: int = 0          # face number inside a .ttc collection
    weight: int | None = None   # a static instance of a variable font; None: the file's own weight


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
    return [styles_dir / "fonts", cache_dir()] + sorted({face.path.parent for face in _package_faces()})


# Static instances of variable fonts, made once and kept. WeasyPrint 70 instances a variable font
# with fontTools at every PDF write, once per size and weight used (measured: 23 instances, half
# the write time of the 31-page reader), and the instances differ only in optical size.
WEIGHTS = (400, 600, 700)          # the weights styles/*.css use: normal, semi-bold, bold
OPTICAL_SIZE = 11                  # points: text size; headings keep the text cut


def cache_dir() -> Path:
    """Per user, not per project: an instance depends only on the font file (and a build writes
    nothing into the project but output/)."""
    return cache.root() / "fonts"


def static_faces(found: list[Face]) -> list[Face]:
    """Each variable face as static instances at WEIGHTS; other faces as they are."""
    out = []
    for face in found:
        if face.system or "fvar" not in TTFont(face.path, fontNumber=face.index, lazy=True):
            out.append(face)
            continue
        digest = hashlib.sha256(face.path.read_bytes()).hexdigest()[:16]
        out += [replace(face, path=_instance(face.path, digest, weight), weight=weight) for weight in WEIGHTS]
    return out


def _instance(path: Path, digest: str, weight: int) -> Path:
    """The cached static instance of a variable font; digest names the font file's content."""
    target = cache_dir() / f"{path.stem.split('[')[0]}-{weight}-{digest}.ttf"
    if target.is_file():
        return target
    from fontTools.varLib.instancer import instantiateVariableFont
    font = TTFont(path, recalcTimestamp=False)
    axes = {axis.axisTag: (axis.minValue, axis.maxValue) for axis in font["fvar"].axes}
    location = {tag: min(max(value, axes[tag][0]), axes[tag][1])
                for tag, value in (("wght", weight), ("opsz", OPTICAL_SIZE)) if tag in axes}
    static = instantiateVariableFont(font, location, updateFontNames=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written whole or not at all: two builds at once may make the same instance.
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    with os.fdopen(handle, "wb") as stream:
        static.save(stream)
    os.chmod(temporary, 0o644)
    os.replace(temporary, target)
    return target


@lru_cache(maxsize=4)
def _project_faces(folder: Path) -> list[Face]:
    faces_ = []
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        if path.suffix.lower() in FONT_SUFFIXES:
            try:
                font = TTFont(path, lazy=True)
                family = font["name"].getBestFamilyName()
                italic = bool(font["OS/2"].fsSelection & 1)
            except Exception as exc:      # noqa: BLE001 - fontTools says what is wrong in many ways
                raise error("F011", path, None, f"not a font file that can be read ({exc})",
                            "replace it with the font's .ttf or .otf file, or remove it from styles/fonts/") from None
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


# Characters the templates print whatever the text (folios, quotes, dashes, the copyright sign).
TEMPLATE_CHARACTERS = "·–—‘’“”…©‐0123456789ivxlcdm"


def check_glyphs(book: Book, config) -> None:
    """Refuse text that the book's fonts cannot draw: it would print as empty boxes."""
    families = [config.output.fonts.body] + list(config.output.fonts.fallback)
    found = faces(families, config.styles_dir, config.root / "book.yaml")
    places = [(doc.path, block.line, plain_text(block.inlines)) for doc in book.all_documents
              for block in leaf_blocks(doc)]
    places += [(doc.path, 2, " ".join(str(v) for v in doc.meta.values())) for doc in book.all_documents]
    places.append((config.root / "book.yaml", None, config.title + (config.subtitle or "") + TEMPLATE_CHARACTERS))
    absent = missing(set("".join(text for _, _, text in places)), found)
    if absent:
        # the first in the order of the book, not the lowest code point
        path, line, text = next(p for p in places if any(c in absent for c in p[2]))
        char = next(c for c in text if c in absent)
        more = f", nor {len(absent) - 1} other character{'s' if len(absent) > 2 else ''} of the text" \
            if len(absent) > 1 else ""
        having = families_with(char, config.styles_dir)
        others = f" and {len(having) - 4} more, which `fc-list :charset={ord(char):x} family` lists" \
            if len(having) > 4 else ""
        hint = (f"add a font family that has it to output.fonts.fallback in book.yaml; installed here: "
                f"{', '.join(repr(family) for family in having[:4])}{others}" if having else
                "no font installed here has it: put the OFL files of a font that has it, such as a Noto font "
                "of its script, in styles/fonts/, and name its family in output.fonts.fallback in book.yaml")
        raise error("F010", path, line, f"no book font has the character {char!r} (U+{ord(char):04X}){more}",
                    hint)


def families_with(char: str, styles_dir: Path) -> list[str]:
    """The font families the book could use that have char: styles/fonts/, font packages, and the
    machine's (fontconfig's answer: reading every system font's table would take seconds)."""
    own = {face.family for face in _project_faces(styles_dir / "fonts") + _package_faces()
           if ord(char) in _cmap(face.path, face.index)}
    try:
        listing = subprocess.run(["fc-list", f":charset={ord(char):x}", "--format", "%{family[0]}\n"],
                                 capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        listing = ""
    return sorted(own | {family for family in listing.splitlines() if family})
