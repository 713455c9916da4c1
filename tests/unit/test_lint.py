"""Every apparatus lint rule, each on a small failing example; the repository's reader passes them all."""

import re
from pathlib import Path

import pytest

from bookbuild.lint import check
from tests.helpers import REPO
from tests.unit.test_enrich import INDEX, RECORD
from tests.unit.test_config import MINIMAL


def lint(tmp_path: Path, chapter: str, index: str = INDEX) -> list[str]:
    (tmp_path / "chapters").mkdir()
    (tmp_path / "book.yaml").write_text(MINIMAL + "contents:\n  introduction: null\n" + index)
    (tmp_path / "chapters" / "1959-10-02-talk.md").write_text(chapter)
    return [d.format() for d in check(tmp_path)]


def test_the_small_record_is_clean(tmp_path):
    assert lint(tmp_path, RECORD.replace("SUSLOV, M.A.", "KHRUSHCHEV N.S.")) == []


@pytest.mark.parametrize("edit, expected", [
    (lambda t: t.replace("The editor speaks of Khrushchev.[^h]", "TODO: write the headnote (who).")
     .replace("[^h]: A headnote note.\n", ""), r"talk.md:10: warning A001: the headnote is still a placeholder"),
    (lambda t: t.replace("archive: APRF\n", "").replace("source_url: https://example.org/document/1\n", ""),
     r"talk.md:1: error A003: no source"),
    (lambda t: t, r"talk.md:15: warning A004: speaker 'SUSLOV, M.A.:' is not in the registry"),
    (lambda t: t.replace("We have no claims", "The NKVD has no claims"),
     r"talk.md:15: warning A004: abbreviation 'NKVD' is not in the registry"),
    (lambda t: t.replace("said so...[^1]", "said so[^1]."), r"talk.md:13: warning A005: note call \[\^1\] stands before '.'"),
    (lambda t: t.replace("[^1]: Nehru again.", "[^1]: Ibid., p. 4."), r"talk.md:18: warning A006: note \[\^1\] says 'Ibid'"),
])
def test_each_rule_names_file_line_and_code(tmp_path, edit, expected):
    import re
    found = lint(tmp_path, edit(RECORD))
    assert any(re.search(expected, line) for line in found), found


def test_entry_never_found(tmp_path):
    found = lint(tmp_path, RECORD, INDEX + "    - name: Nobody\n      forms: [Nobody]\n")
    yaml_lines = (tmp_path / "book.yaml").read_text().splitlines()
    line = next(n for n, text in enumerate(yaml_lines, 1) if "Nobody" in text)
    assert any(f"book.yaml:{line}: warning A002: index entry 'Nobody' is never found" in l for l in found)


def test_unregistered_forms_reported_once_a_document(tmp_path):
    text = RECORD.replace("on the Finns.", "on the Finns.\n\nThe TASS said so.\n\n"
                          "And the agency called TASS spoke again, and TASS once more; `CODE` is only code here.")
    found = [l for l in lint(tmp_path, text) if "A004" in l]
    assert [l for l in found if "'TASS'" in l and "(3 times in this document)" in l], found
    assert len([l for l in found if "'TASS'" in l]) == 1
    assert not [l for l in found if "'CODE'" in l]


def test_translator_must_be_credited(tmp_path, monkeypatch):
    from bookbuild.enrich import citations
    monkeypatch.setattr(citations, "note_form", lambda meta: [citations.Text("A citation that forgets.")])
    found = lint(tmp_path, RECORD)
    assert any("error A007: translator D. W. is named in the front matter but not credited" in l for l in found)


def test_dates_that_do_not_parse(tmp_path):
    found = lint(tmp_path, RECORD.replace('"1959-10-02"', '"1959-02-30"'))
    assert any("talk.md:3: error S006: front-matter 'date'" in line for line in found), found


def test_the_repository_reader_passes_every_rule():
    assert check(REPO) == []


def test_translator_credited_in_another_styles_form(tmp_path):
    """MLA writes "W., D., translator": the family name is what must be credited."""
    found = lint(tmp_path, RECORD.replace("translator: D. W.", "translator: David Wolff"),
                 INDEX + "citation_style: modern-language-association\n")
    assert not [l for l in found if "A007" in l], found


def test_a_long_title_wants_a_short_title(tmp_path):
    long_title = "Record of a Very Long Conversation Between Many Officials on Many Subjects, at Length"
    found = lint(tmp_path, RECORD.replace("title: A Talk", f"title: {long_title}"))
    assert any(re.search(r"talk.md:2: warning A008: the title is too long for a running head", l) for l in found)
    (tmp_path / "b").mkdir()
    found = lint(tmp_path / "b", RECORD.replace("title: A Talk", f"title: {long_title}\nshort_title: A Talk"))
    assert not [l for l in found if "A008" in l]


def test_a_chapter_left_out_of_the_contents(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "1960-01-01-forgotten.md").write_text(RECORD)
    (tmp_path / "book.yaml").write_text(MINIMAL + "contents:\n  introduction: null\n  documents: [1959-10-02-talk.md]\n"
                                        + INDEX)
    (tmp_path / "chapters" / "1959-10-02-talk.md").write_text(RECORD)
    found = [d.format() for d in check(tmp_path)]
    assert any("1960-01-01-forgotten.md: warning A009: this chapter is not in the book" in l for l in found), found
    assert not [l for l in found if "talk.md" in l and "A009" in l]


def test_a_missing_font_is_found_by_check(tmp_path):
    found = lint(tmp_path, RECORD, INDEX + "output:\n  fonts: {body: \"Times New Roman\"}\n")
    assert any(re.search(r"book.yaml:\d+: error C020: font family 'Times New Roman' is not installed", l)
               for l in found), found


def test_the_example_of_init_is_flagged_until_it_is_the_editors_own(tmp_path):
    """A new project builds at once, and check says what of the example is still to replace."""
    from bookbuild.scaffold import init
    init(tmp_path / "new")
    found = {(d.code, Path(d.file).name, d.line) for d in check(tmp_path / "new")}
    assert ("A001", "1945-07-24-potsdam-telegram.md", 13) in found
    assert {("A010", "book.yaml", 5), ("A010", "book.yaml", 7)} <= found
    assert ("A010", "introduction.md", 5) in found             # the example's introduction, where it begins
    assert {(code, name) for code, name, _ in found} == {
        ("A001", "1945-07-24-potsdam-telegram.md"), ("A010", "book.yaml"), ("A010", "1945-07-24-potsdam-telegram.md"),
        ("A010", "introduction.md")}


def test_a_record_with_front_matter_alone_is_flagged_at_its_closing_line(tmp_path):
    found = lint(tmp_path, '---\ntitle: A Talk\ndate: "1959-10-02"\narchive: APRF\n---\n', INDEX)
    assert any("talk.md:5: warning A011: the record has no text" in line for line in found), found
    assert any("talk.md:5: warning A001: no headnote" in line for line in found), found
