"""The print checks see what they are for: a lone line at a page turn, text past the margin."""

from bookbuild import config as config_mod
from bookbuild.render.typesetter import Typesetter
from bookbuild.scaffold import init

PARAGRAPH = " ".join(["The conference at Potsdam continues into the evening."] * 30)


def setter(tmp_path, extra_css=""):
    init(tmp_path / "r")
    if extra_css:
        with open(tmp_path / "r" / "styles" / "print.css", "a") as css:
            css.write(extra_css)
    return Typesetter(config_mod.load(tmp_path / "r"))


def page(body: str) -> str:
    return (f'<html lang="en"><body><div style="height: 7.1in"></div>'
            f'<p id="x-b1">{body}</p></body></html>')


def test_a_lone_line_at_a_page_turn_is_found(tmp_path):
    typesetter = setter(tmp_path, "html { widows: 1; orphans: 1; }")
    short, overflows = typesetter.render(page(PARAGRAPH)).faults()
    assert short and short[0][1] == "x-b1" and short[0][2] == 1 and not overflows


def test_the_books_styles_leave_no_lone_line(tmp_path):
    short, overflows = setter(tmp_path).render(page(PARAGRAPH)).faults()
    assert short == [] and overflows == []


def test_text_past_the_margin_is_found(tmp_path):
    typesetter = setter(tmp_path, "p { overflow-wrap: normal; hyphens: none; }")
    short, overflows = typesetter.render(page("A" * 120)).faults()
    assert overflows and overflows[0][1] == "x-b1"


def test_a_records_headings_step_down_and_stay_out_of_the_outline(tmp_path):
    """'###' under '##' in a record: no larger than it (h3's default size was larger than the
    book's h2), and neither is in the PDF's outline, which lists the documents."""
    markup = ('<html lang="en"><body><h1 id="t" data-running="Doc">Doc</h1><h2 id="a">A heading</h2><p>Text.</p>'
              '<h3 id="b">A sub-heading</h3><p>Text.</p><h4 id="c">Lower</h4><p>Text.</p></body></html>')
    layout = setter(tmp_path).render(markup)
    sizes = {}

    def walk(box):
        if getattr(box, "element_tag", None) in ("h2", "h3", "h4"):
            sizes.setdefault(box.element_tag, box.style["font_size"])
        for child in getattr(box, "children", []):
            walk(child)
    walk(layout.pages[0]._page_box)
    assert sizes["h2"] >= sizes["h3"] >= sizes["h4"], sizes
    outline = layout.document.make_bookmark_tree()
    assert [label for label, *_ in outline] == ["Doc"] and not outline[0][2]      # (label, target, children, state)
