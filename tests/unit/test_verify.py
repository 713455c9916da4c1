"""verify: the fonts of the PDF, on its pages and in the forms they draw (the stamped folios)."""

from types import SimpleNamespace
from pathlib import Path

import pikepdf

from bookbuild import verify


def _pdf_with(font_on_page: bool, font_in_form: bool) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    embedded = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.TrueType, BaseFont=pikepdf.Name("/ABCDEF+Book-Serif"),
        FontDescriptor=pikepdf.Dictionary(FontFile2=pdf.make_stream(b"glyphs"))))
    bare = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    form = pdf.make_stream(b"", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                           Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F2=bare if font_in_form else embedded)))
    pdf.pages[0].obj.Resources = pikepdf.Dictionary(
        Font=pikepdf.Dictionary(F1=bare if font_on_page else embedded), XObject=pikepdf.Dictionary(Folio=form))
    return pdf


def test_fonts_embedded_or_not_on_pages_and_in_forms():
    assert verify.fonts(_pdf_with(False, False)) == {"Book-Serif": True}
    assert verify.fonts(_pdf_with(True, False)) == {"Book-Serif": True, "Helvetica": False}
    assert verify.fonts(_pdf_with(False, True)) == {"Book-Serif": True, "Helvetica": False}


def test_an_unembedded_font_is_an_error_naming_it():
    config = SimpleNamespace(root=Path("reader"))
    problems = verify.unembedded_fonts(verify.fonts(_pdf_with(False, True)), config)
    assert [(p.code, p.message) for p in problems] == [("V001", "font Helvetica is not embedded in the PDF")]
