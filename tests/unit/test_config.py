"""book.yaml: the schema, and every error against its line with a fix."""

import pytest

from bookbuild import config, yamlfile
from bookbuild.diagnostics import BookError

MINIMAL = """\
title: A Reader
editors:
  - name: Ed Itor
publisher: P
identifier: "urn:uuid:1"
date: "2026-01-01"
rights: R
"""


def load(tmp_path, text):
    (tmp_path / "book.yaml").write_text(text)
    return config.load(tmp_path)


def messages(tmp_path, text):
    with pytest.raises(BookError) as caught:
        load(tmp_path, text)
    return [d.format() for d in caught.value.diagnostics]


def test_minimal_config_has_defaults(tmp_path):
    cfg = load(tmp_path, MINIMAL)
    assert cfg.output.page_size == "6x9in" and cfg.output.pdf_variant == "pdf/ua-1"
    assert cfg.contents.introduction == "introduction.md" and cfg.output_slug == "a-reader"


def test_unknown_key_names_line_and_suggests(tmp_path):
    out = messages(tmp_path, MINIMAL.replace("publisher: P", "publsher: P"))
    assert len(out) == 1
    assert out[0].endswith("book.yaml:4: error C004: unknown key 'publsher' (did you mean 'publisher'?)")


def test_nested_unknown_key_and_wrong_type(tmp_path):
    out = messages(tmp_path, MINIMAL + "output:\n  page_size: A5\n  gutters: 1in\n")
    assert any(":9: error C006: 'output.page_size'" in m for m in out)
    assert any(":10: error C004: unknown key 'output.gutters'" in m and "gutter" in m for m in out)


def test_missing_key(tmp_path):
    out = messages(tmp_path, MINIMAL.replace("rights: R\n", ""))
    assert any("missing key 'rights'" in m for m in out)


def test_index_terms_schema(tmp_path):
    cfg = load(tmp_path, MINIMAL + "index:\n  people:\n    - name: Mao Zedong\n      forms: [Mao]\n"
                                   "    - name: Mao Tse-tung\n      see: Mao Zedong\n")
    people = cfg.index.people
    assert people[0].match_forms == ["Mao"] and people[1].match_forms == []


def test_see_and_see_also_must_name_an_entry(tmp_path):
    out = messages(tmp_path, MINIMAL + "index:\n  places:\n    - name: Soviet Union\n"
                                       "    - name: Russia\n      see_also: [Soviet Unoin]\n"
                                       "    - name: USSR\n      see: Sovet Union\n")
    assert any(":12: error C033: 'Russia' refers to 'Soviet Unoin'" in m and "did you mean 'Soviet Union'" in m
               for m in out), out
    assert any(":14: error C033: 'USSR' refers to 'Sovet Union'" in m for m in out), out


def test_an_entry_listed_twice(tmp_path):
    out = messages(tmp_path, MINIMAL + "index:\n  places:\n    - name: India\n"
                                       "  topics:\n    - name: India\n      forms: [Potsdam]\n")
    assert any(":12: error C032: index entry 'India' is listed twice (also at line 10)" in m for m in out), out


def test_a_length_without_unit_says_which_unit(tmp_path):
    out = messages(tmp_path, MINIMAL + "output:\n  gutter: 0.25\n")
    assert any(":9: error C006" in m and "write '0.25in'" in m for m in out), out


def test_aliases_and_tags_are_refused():
    with pytest.raises(BookError, match="aliases"):
        yamlfile.load("a: &x [1]\nb: *x\n", "f.yaml")
    with pytest.raises(BookError, match="Y002"):
        yamlfile.load("a: !!python/object:os.system ls\n", "f.yaml")


@pytest.mark.parametrize("text, line", [
    ("title: A\nlanguage: [en\nedition: First\n", 2),        # an unclosed list, noticed on line 3
    ("title: A\nsubtitle: 'open\nedition: First\n", 2),       # an unclosed quote, noticed at the end
    ("title: A\nsubtitle \"B\nedition: First\n", 2),         # a key without its colon
    ("title: A\nedition: a: b\n", 2),                        # noticed where it is
    # a double quote left open: YAML reads on to the next quote, lines later, and fails there
    ('title: A\nsubtitle: "An Annotated Reader\nedition: First\npublisher: "P"\nrights: R\n', 2),
    ('title: A\neditors:\n  - name: "Ed Itor\n    role: editor\ndate: "2026"\n', 3),
])
def test_malformed_yaml_names_the_line_where_the_fault_begins(text, line):
    with pytest.raises(BookError) as raised:
        yamlfile.load(text, "f.yaml")
    assert [(d.code, d.line) for d in raised.value.diagnostics] == [("Y002", line)]


def test_a_string_over_lines_is_not_taken_for_a_quote_left_open():
    """A double-quoted value may rightly run over lines: a fault after it is reported where it is."""
    with pytest.raises(BookError) as raised:
        yamlfile.load('title: "A long\n  title"\nedition: a: b\n', "f.yaml")
    [problem] = raised.value.diagnostics
    assert (problem.code, problem.line) == ("Y002", 3) and "not closed" not in problem.message


def test_dates_stay_strings_and_lines_are_recorded():
    data, lines = yamlfile.load("x: 1\nd: 1959-10-02\nl:\n  - a\n  - b\n", "f.yaml")
    assert data["d"] == "1959-10-02"
    assert lines[("d",)] == 2 and lines[("l", 1)] == 5


def test_not_utf8_names_file(tmp_path):
    (tmp_path / "book.yaml").write_bytes(MINIMAL.encode() + b"subtitle: caf\xe9\n")
    with pytest.raises(BookError, match=r"book.yaml:8: error F001: not UTF-8"):
        config.load(tmp_path)


def test_a_chapter_listed_twice_in_the_contents(tmp_path):
    out = messages(tmp_path, MINIMAL + "contents:\n  documents: [a.md, b.md, a.md]\n")
    assert any(":9: error C034: chapter 'a.md' is listed twice in the contents" in m for m in out), out


@pytest.mark.parametrize("edit, expected", [
    (lambda t: t.replace('date: "2026-01-01"', 'date: "01/01/2026"'), ':6: error C006: \'date\': a date such as "2026-01-15"'),
    (lambda t: t.replace('date: "2026-01-01"', 'date: "2026-13-45"'),
     ":6: error C006: 'date': no day of the calendar (month must be in 1..12)"),
    (lambda t: t.replace('date: "2026-01-01"', 'date: "2026-02-30"'), ":6: error C006: 'date': no day of the calendar (day is out of range for month)"),
    (lambda t: t.replace("  - name: Ed Itor", "  - Ed Itor"), ":3: error C006: 'editors.0' needs keys, not 'Ed Itor'"),
])
def test_messages_say_what_to_write(tmp_path, edit, expected):
    out = messages(tmp_path, edit(MINIMAL))
    assert any(expected in m for m in out), out
