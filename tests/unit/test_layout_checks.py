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
