"""The enrich passes on small books made in the test."""

import re
from pathlib import Path

import pytest

from bookbuild.build import read
from bookbuild.diagnostics import BookError
from bookbuild.enrich.conventions import SPEAKER
from bookbuild.enrich.typography import alternate_quotes, fix, typeset
from bookbuild.model import IndexMark, NoteRef, Span, plain_text, walk_inlines
from tests.unit.test_config import MINIMAL


def make_book(tmp_path: Path, chapter: str, index: str = "") -> tuple:
    (tmp_path / "chapters").mkdir()
    (tmp_path / "book.yaml").write_text(MINIMAL + "contents:\n  introduction: null\n" + index)
    (tmp_path / "chapters" / "1959-10-02-talk.md").write_text(chapter)
    return read(tmp_path)


RECORD = """\
---
title: A Talk
date: "1959-10-02"
archive: APRF
translator: D. W.
source_url: https://example.org/document/1
---

::: headnote
The editor speaks of Khrushchev.[^h]
:::

KHRUSHCHEV N.S.: You let him go in vain [naprasno]. Nehru--not Mao--said so...[^1]

SUSLOV, M.A.: We have no claims on the Finns.

[^h]: A headnote note.
[^1]: Nehru again.
"""

INDEX = """\
index:
  people:
    - name: "Khrushchev, Nikita S."
      forms: ["KHRUSHCHEV N.S.", "Khrushchev"]
    - name: "Nehru, Jawaharlal"
      forms: [Nehru]
"""


def test_typography_rules():
    assert fix("principles--against") == "principles\u2014against"
    assert fix("one - for the") == "one\u2014for the"
    assert fix("ll. 120-12") == "ll. 120\u201312"
    assert fix("1959-10-02") == "1959-10-02"
    assert fix("wait...") == "wait\u2026"
    assert fix("wait . . . then") == "wait \u2026 then"
    assert fix("R. K.'s note, the Soviets' plan") == "R. K.\u2019s note, the Soviets\u2019 plan"
    assert fix("a 'quote") == "a 'quote"


def test_quotes_inside_quotes_turn_single_and_typesetting_twice_changes_nothing():
    """A title that quotes, set in a style's double quotes, alternates; `watch` keeps documents
    whose titles were typeset, and a title typeset again is the same title."""
    assert alternate_quotes("\u201cTruman\u2019s \u201cSecret\u201d Telegram,\u201d trans.") == \
        "\u201cTruman\u2019s \u2018Secret\u2019 Telegram,\u201d trans."
    assert alternate_quotes("\u201cA\u201d and \u201cB\u201d") == "\u201cA\u201d and \u201cB\u201d"
    assert alternate_quotes("\u201cA \u201cB \u201cC\u201d B\u201d A\u201d") == \
        "\u201cA \u2018B \u201cC\u201d B\u2019 A\u201d"
    for title in ['Mao\'s "Great Leap" -- 1959', "The Soviets' note, 1959-1962...", "A & B <c>", "*Pravda*"]:
        assert typeset(typeset(title)) == typeset(title)
    assert typeset('Mao\'s "Great Leap" -- 1959') == "Mao\u2019s \u201cGreat Leap\u201d\u20141959"


def test_record_titles_get_the_texts_typography(tmp_path):
    book = make_book(tmp_path, "---\ntitle: \"Mao's \\\"Letter\\\" -- 1959\"\nshort_title: \"Mao's letter\"\n"
                               "date: \"1959-10-02\"\n---\n\nText.\n")[1]
    doc = book.documents[0]
    assert (doc.title, doc.running_title) == ("Mao\u2019s \u201cLetter\u201d\u20141959", "Mao\u2019s letter")
    assert "\u201cMao\u2019s \u2018Letter\u2019\u20141959" in plain_text(doc.source_note.blocks[0].inlines)


def test_typography_skips_only_texts_a_rule_cannot_match():
    """fix tests for a rule's strings before it searches: on texts made of the characters the
    rules look at, it gives what every rule applied without that test gives."""
    import random
    from bookbuild.enrich.typography import RULES

    def every_rule(text: str) -> str:
        for pattern, replacement, _ in RULES:
            text = pattern.sub(replacement, text)
        return text

    rng = random.Random(7)
    texts = ["".join(rng.choice("a1 -.\"“(,") for _ in range(rng.randint(1, 12))) for _ in range(20000)]
    changed = [t for t in texts if every_rule(t) != t]
    assert len(changed) > 200
    assert [fix(t) for t in texts] == [every_rule(t) for t in texts]


def test_speaker_labels():
    for label in ("KHRUSHCHEV N.S.:", "SUSLOV, M.A.:", "ZHOU ENLAI:"):
        assert SPEAKER.match(label + " text").group(1) == label
    assert SPEAKER.match("TOP SECRET copy") is None


def test_source_note_is_note_one_then_markdown_notes(tmp_path):
    config, book = make_book(tmp_path, RECORD, INDEX)
    doc = book.documents[0]
    assert doc.number == 1 and doc.source_note.number == 1
    assert "\u201cA Talk,\u201d trans. D. W., October 2, 1959, APRF, " in plain_text(doc.source_note.blocks[0].inlines)
    assert [n.number for n in doc.notes] == [2, 3]
    refs = [n.number for b in doc.headnote + doc.body for n in walk_inlines(b.inlines) if isinstance(n, NoteRef)]
    assert refs == [2, 3]


def test_turns_brackets_and_index_marks(tmp_path):
    config, book = make_book(tmp_path, RECORD, INDEX)
    first = book.documents[0].body[0]
    assert first.attrs["class"] == "turn"
    spans = [n for n in walk_inlines(first.inlines) if isinstance(n, Span)]
    assert spans[0].kind == "speaker" and any(s.kind == "editorial" for s in spans)
    marks = [n for n in walk_inlines(first.inlines) if isinstance(n, IndexMark)]
    assert [m.entry for m in marks] == ["Khrushchev, Nikita S.", "Nehru, Jawaharlal"]
    khrushchev = next(e for e in book.index if e.name.startswith("Khrushchev"))
    assert len(khrushchev.marks) == 2          # the headnote's mention and the speaker label
    assert "Nehru\u2014not Mao\u2014said so\u2026" in plain_text(first.inlines)


def test_editorial_insertion_quoting_the_records_brackets(tmp_path):
    text = RECORD.replace("We have no claims", 'We have [a "trivial [border] incident," he said] no claims')
    config, book = make_book(tmp_path, text, INDEX)
    spans = [n for n in walk_inlines(book.documents[0].body[1].inlines) if isinstance(n, Span) and n.kind == "editorial"]
    assert [plain_text(s.children) for s in spans] == ["[a \u201ctrivial [border] incident,\u201d he said]"]


def test_explicit_index_marker_and_unknown_entry(tmp_path):
    config, book = make_book(tmp_path, RECORD.replace("claims on the Finns", "[claims]{index=\"Nehru, Jawaharlal\"}"),
                             INDEX)
    nehru = next(e for e in book.index if e.name.startswith("Nehru"))
    assert len(nehru.marks) == 3


def test_unknown_explicit_entry_is_an_error_with_line(tmp_path):
    (tmp_path / "b").mkdir()
    with pytest.raises(BookError, match=r"1959-10-02-talk.md:15: error X001: index entry 'Nobody'"):
        make_book(tmp_path, RECORD.replace("claims on the Finns", "[claims]{index=\"Nobody\"}"), INDEX)
    with pytest.raises(BookError, match=r"did you mean 'Nehru, Jawaharlal'\?"):
        make_book(tmp_path / "b", RECORD.replace("claims on the Finns", "[claims]{index=\"Nehru, Jawarhalal\"}"), INDEX)


def test_note_errors(tmp_path):
    with pytest.raises(BookError, match=r"talk.md:13: error N003: note call \[\^2\] has no note"):
        make_book(tmp_path, RECORD.replace("so...[^1]", "so...[^2]"), INDEX)


def test_uncalled_note_is_an_error(tmp_path):
    with pytest.raises(BookError, match=r"talk.md:18: error N001: note \[\^1\] is never called"):
        make_book(tmp_path, RECORD.replace("so...[^1]", "so..."), INDEX)


def test_a_note_defined_twice_is_an_error_not_a_lost_note(tmp_path):
    """The footnote reader keeps one text a label: the second definition took the first's place
    and the editor's note was gone from both books without a word."""
    twice = RECORD.replace("[^1]: Nehru again.", "[^1]: Nehru again.\n\n[^1]: A second note.")
    with pytest.raises(BookError, match=r"talk.md:20: error N004: note \[\^1\] is defined twice \(first on line 18\)"):
        make_book(tmp_path, twice, INDEX)


def test_front_matter_errors_name_the_line(tmp_path):
    with pytest.raises(BookError, match=r"talk.md:3: error S006: front-matter 'date'.*YYYY-MM-DD"):
        make_book(tmp_path, RECORD.replace('"1959-10-02"', '"2 Oct 1959"'), INDEX)


@pytest.mark.parametrize("target, hint", [
    ("doc-1959-10-02-tlak", "did you mean 'doc-1959-10-02-talk'?"),
    ("doc-1959-10-02-talk:h1", "did you mean 'doc-1959-10-02-talk:h'?"),
    ("doc-1959-10-02-tlak:h", "did you mean 'doc-1959-10-02-talk:h'?"),
])
def test_a_misspelt_cross_reference_gets_a_suggestion(tmp_path, target, hint):
    with pytest.raises(BookError) as caught:
        make_book(tmp_path, RECORD.replace("on the Finns.", f"on the Finns, see [](#{target})."))
    [problem] = caught.value.diagnostics
    assert problem.code == "X010" and problem.line == 15 and problem.hint == hint
    if target == "doc-1959-10-02-talk:h1":          # the document is there, not the note: say which
        assert problem.message.endswith("document 'doc-1959-10-02-talk' has no note [^h1]")


def test_the_registry_glosses_get_the_chapters_typography(tmp_path):
    """An identification in book.yaml is typeset as chapter text is: its quotes curled, dashes and
    ellipses set; Markdown's other signs are the gloss's own characters."""
    from bookbuild.render import registry
    index = INDEX.replace('      forms: [Nehru]\n', '      forms: [Nehru]\n      identification: '
                          '"the plain \\"Nehru\\" of the records, 1947-64; *not* [Motilal] ... or R. K.\'s"\n')
    config, _ = make_book(tmp_path, RECORD, index)
    [nehru] = registry.persons(config)
    assert nehru.gloss == ("the plain \u201cNehru\u201d of the records, 1947\u201364; *not* [Motilal] \u2026 "
                           "or R. K.\u2019s")


def test_a_table_keeps_the_alignment_of_its_columns(tmp_path):
    """|---:| right-aligns a column (figures), in both formats: the cells carry it as a class."""
    from bookbuild.render import html
    table = "\n| Year | Troops |\n|:-----|-------:|\n| 1959 | 1,200 |\n"
    config, book = make_book(tmp_path, RECORD.replace("SUSLOV, M.A.: We have no claims on the Finns.\n",
                                                      "SUSLOV, M.A.: We have no claims on the Finns.\n" + table), INDEX)
    doc = book.documents[0]
    cells = [cell for block in doc.body if block.kind == "table" for part in block.blocks for row in part.blocks
             for cell in row.blocks]
    assert [cell.attrs.get("class") for cell in cells] == ["align-left", "align-right"] * 2
    for medium in (html.PRINT, html.EPUB):
        markup = html.Renderer(medium, doc).blocks(doc.body)
        assert re.search(r'<td id="[^"]+" class="align-right">1,200</td>', markup), markup
