"""Reading the products as a reader would: PDF text per page, EPUB files, normalised text."""

from __future__ import annotations

import re
import shutil
import unicodedata
import zipfile
from pathlib import Path

from pypdf import PdfReader

REPO = Path(__file__).resolve().parent.parent
# The book font draws the hyphen-minus with its hyphen glyph, so a PDF's text shows U+2010 for both
# the text's hyphens and the typesetter's: comparisons drop hyphens and dashes altogether.
QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "—": " ", "–": " ", "…": "...",
                        "\u00a0": " ", "\u2010": "", "-": "", "\u00ad": ""})


def copy_project(target: Path) -> Path:
    """The repository's reader, copied so a test can build or break it freely."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "book.yaml", target / "book.yaml")
    shutil.copytree(REPO / "chapters", target / "chapters")
    shutil.copytree(REPO / "styles", target / "styles")
    return target


def normalise(text: str) -> str:
    """Text as words: hyphenation at line ends undone, quotes, dashes and spaces made plain."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\u2010\u00ad-]\s*\n\s*", "", text)     # a word hyphenated at a line end
    text = re.sub(r"\s+-\s+|--", " ", text)      # a typescript's dashes, as the book's dashes
    text = text.translate(QUOTES)
    text = re.sub(r"\.\s*\.\s*\.", "...", text)
    return re.sub(r"\s+", " ", text).strip()


def pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def pdf_labels(path: Path) -> list[str]:
    return list(PdfReader(path).page_labels)


def epub_files(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8", "replace") for name in archive.namelist()}


def xhtml_text(markup: str) -> str:
    """Text of an XHTML file as read aloud: notes and note calls left out, inline tags joined."""
    body = re.sub(r"(?s)<aside.*?</aside>", " ", markup)
    body = re.sub(r'(?s)<a class="noteref".*?</a>', "", body)
    body = re.sub(r"</?(span|a|em|strong|code|s|wbr)\b[^>]*>", "", body)
    return re.sub(r"<[^>]+>", " ", body).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


def index_forms(root: Path) -> dict[str, list[str]]:
    """Every index entry of a project's book.yaml (sub-entries too) → the forms the text uses, normalised."""
    from bookbuild.config import load
    forms, stack = {}, [term for _, term in load(root).index.all_terms()]
    while stack:
        term = stack.pop()
        forms[term.name] = [normalise(f) for f in term.match_forms]
        stack.extend(term.sub)
    return forms
