"""Records in other scripts keep their characters, and the PDF has a glyph for each of them."""

import subprocess
import sys

import pytest

from bookbuild.scaffold import init
from tests.helpers import pdf_pages

TEXT = "MAO ZEDONG (毛泽东): Лучше бы, если бы он был в гробу. Rákosi, Nehru’s “time‑servers”."


def project(tmp_path, fallback):
    root = tmp_path / "reader"
    init(root)
    chapter = next((root / "chapters").glob("1945-*.md"))
    chapter.write_text(chapter.read_text().replace("The conference at Potsdam continues.", TEXT))
    if fallback:
        book = root / "book.yaml"
        book.write_text(book.read_text().replace("  gutter: 0.25in", f"  gutter: 0.25in\n  fonts:\n"
                                                 f"    fallback: [\"{fallback}\"]"))
    return root, chapter


def build(root):
    return subprocess.run([sys.executable, "-m", "bookbuild", "build", "-C", str(root)], capture_output=True,
                          text=True, timeout=600)


def test_a_character_no_font_has_stops_the_build_naming_file_and_line(tmp_path):
    root, chapter = project(tmp_path, None)
    out = build(root)
    assert out.returncode == 1
    line = chapter.read_text().split("\n").index(next(l for l in chapter.read_text().split("\n") if "毛泽东" in l)) + 1
    assert f"{chapter.name}:{line}: error F010: no book font has the character '毛' (U+6BDB)" in out.stderr
    assert "fallback" in out.stderr and not list((root / "output").glob("*.pdf"))
    if _installed("6bdb"):                                  # make installs fonts-noto-cjk
        assert "installed here: 'Noto" in out.stderr


def _installed(codepoint: str) -> list[str]:
    return subprocess.run(["fc-list", f":charset={codepoint}", "family"], capture_output=True,
                          text=True).stdout.split()


def test_the_first_character_no_font_has_is_named_with_the_fonts_that_have_it(tmp_path):
    """In the order of the text (not the lowest code point), with how many more, and the families
    installed that have it, or what to do when there is none."""
    root, chapter = project(tmp_path, None)
    chapter.write_text(chapter.read_text().replace(TEXT, "Lhasa (ལྷ་ས) and a snowman ☃."))
    out = build(root)
    assert out.returncode == 1
    assert "error F010: no book font has the character 'ལ' (U+0F63), nor 4 other characters of the text" \
        in out.stderr, out.stderr
    if _installed("f63"):
        assert "installed here:" in out.stderr
    else:
        assert "no font installed here has it: put the OFL files of a font that has it" in out.stderr


@pytest.mark.skipif(subprocess.run(["fc-list", ":family=Noto Serif CJK SC"], capture_output=True,
                                   text=True).stdout.strip() == "", reason="fonts-noto-cjk is installed by make")
def test_with_a_fallback_font_every_character_is_drawn_and_embedded(tmp_path):
    root, chapter = project(tmp_path, "Noto Serif CJK SC")
    out = build(root)
    assert out.returncode == 0, out.stderr
    pdf = next((root / "output").glob("*.pdf"))
    text = " ".join(pdf_pages(pdf))
    for word in ("毛泽东", "Лучше", "гробу", "Rákosi"):
        assert word in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "NotoSerifCJK" in fonts.replace(" ", "") or "Noto-Serif-CJK" in fonts
    assert all(" yes yes " in row for row in fonts.split("\n")[2:] if row.strip())
