"""Citations from metadata through a CSL style (citeproc-py): source notes, Sources entries, how to cite."""

import json
import shutil
from pathlib import Path

import pytest

from bookbuild import config as config_mod
from bookbuild import sources
from bookbuild.diagnostics import BookError
from bookbuild.enrich import citations
from bookbuild.model import Link, Span, plain_text, walk_inlines
from tests.helpers import REPO
from tests.unit.test_config import MINIMAL

KHRUSHCHEV_TITLE = ("Record of Conversation of N. S. Khrushchev with CC CCP Chairman Mao Zedong, Deputy Chairma Liu "
                    "Shaoqi, Zhou Enlai, Zhu De, Lin Biao, Politburo Members Peng Zhen and Chen Yi, and Secretariat "
                    "Member Wang Jiaxiang")
BENEDIKTOV_TITLE = ("Entry from the Journal of Soviet ambassador to India Benediktov, Conversation with Indian "
                    "Foreign Ministry General-Secretary R.K. Nehru")
URL = "https://digitalarchive.wilsoncenter.org/document/118883"

DEFAULT = {
    "doc-1959-10-02-khrushchev-mao": (
        f"\u201c{KHRUSHCHEV_TITLE},\u201d trans. David Wolff, October 2, 1959, copy on Reel 17, Volkogonov "
        f"Collection, Library of Congress, Washington, DC, APRF, Wilson Center Digital Archive, {URL}.",
        f"\u201c{KHRUSHCHEV_TITLE}.\u201d Translated by David Wolff. October 2, 1959. Copy on Reel 17. Volkogonov "
        f"Collection, Library of Congress, Washington, DC. APRF. Wilson Center Digital Archive. {URL}."),
    "doc-1962-11-02-benediktov-nehru": (
        f"\u201c{BENEDIKTOV_TITLE},\u201d trans. Kathryn Weathersby, November 2, 1962, f. 90, op. 24, d. 5, p. 44, "
        "ll. 120\u201312, Archive of Foreign Policy, Russian Federation (AVPRF), obtained by James Hershberg, "
        "Wilson Center Digital Archive.",
        f"\u201c{BENEDIKTOV_TITLE}.\u201d Translated by Kathryn Weathersby. November 2, 1962. f. 90, op. 24, d. 5, "
        "p. 44, ll. 120\u201312. Archive of Foreign Policy, Russian Federation (AVPRF). Obtained by James "
        "Hershberg. Wilson Center Digital Archive."),
}

MLA = {
    "doc-1959-10-02-khrushchev-mao": (
        f"Wolff, David, translator. \u201c{KHRUSHCHEV_TITLE}.\u201d 2 Oct. 1959, APRF, Volkogonov Collection, "
        f"Library of Congress, Washington, DC, copy on Reel 17. Wilson Center Digital Archive, {URL}."),
}


def cited(root: Path):
    """(config, {document id: (source note, Sources entry)}) of a project, by the citations pass alone."""
    cfg = config_mod.load(root)
    book = citations.run(sources.read_book(cfg), cfg)
    return cfg, {doc.id: (plain_text(doc.source_note.blocks[0].inlines), plain_text(doc.sources_entry))
                 for doc in book.documents}, book


def project(tmp_path: Path, extra: str = "", chapters: dict[str, str] | None = None) -> Path:
    (tmp_path / "chapters").mkdir()
    (tmp_path / "book.yaml").write_text(MINIMAL + "contents:\n  introduction: null\n" + extra)
    if chapters is None:
        for path in (REPO / "chapters").glob("19*.md"):
            shutil.copy(path, tmp_path / "chapters" / path.name)
    for name, text in (chapters or {}).items():
        (tmp_path / "chapters" / name).write_text(text)
    shutil.copytree(REPO / "styles" / "csl", tmp_path / "styles" / "csl")
    return tmp_path


def test_default_style_for_both_records_of_the_reader():
    cfg, found, book = cited(REPO)
    assert found == DEFAULT
    # rich text in the model: the URL is a link the writers render as they render any note's
    note = book.documents[0].source_note.blocks[0].inlines
    links = [n for n in walk_inlines(note) if isinstance(n, Link)]
    assert [link.href for link in links] == [URL]
    assert isinstance(links[0].children[0], Span) and links[0].children[0].kind == "url"


def test_the_default_is_the_project_chicago_style_not_the_stock_one(tmp_path):
    """The stock style lists the record under its translator and drops the online archive: the gap."""
    _, stock, _ = cited(project(tmp_path, "citation_style: chicago-notes-bibliography\n"))
    note = stock["doc-1959-10-02-khrushchev-mao"][0]
    assert note.startswith("David Wolff, trans., \u201cRecord") and "Wilson Center Digital Archive" not in note
    assert note.count("Wolff") == 1     # the substituted translator is not named again ("trans. David Wolff")


def test_a_second_style_in_book_yaml_changes_the_output(tmp_path):
    _, found, _ = cited(project(tmp_path, "citation_style: modern-language-association\n"))
    note, entry = found["doc-1959-10-02-khrushchev-mao"]
    assert note == MLA["doc-1959-10-02-khrushchev-mao"]
    assert entry == note                # an in-text style: the source note is the full reference
    assert found != DEFAULT


def test_a_style_by_path_or_by_name_in_styles_csl(tmp_path):
    root = project(tmp_path, "citation_style: styles/csl/house.csl\n")
    shutil.copy(root / "styles" / "csl" / f"{citations.DEFAULT_STYLE}.csl", root / "styles" / "csl" / "house.csl")
    _, by_path, _ = cited(root)
    (root / "book.yaml").write_text((root / "book.yaml").read_text().replace("styles/csl/house.csl", "house"))
    _, by_name, _ = cited(root)
    assert by_path == by_name == DEFAULT


@pytest.mark.parametrize("value, expected", [
    ("chicago-note-bibliography",
     r"book.yaml:10: error C030: unknown citation style 'chicago-note-bibliography' "
     r"\(did you mean 'chicago-notes-bibliography'"),
    ("styles/csl/nothing.csl", r"book.yaml:10: error C030: citation_style 'styles/csl/nothing.csl' not found"),
    ("../elsewhere.csl", r"book.yaml:10: error C030: citation_style '../elsewhere.csl' is not inside the "
                         r"project's styles/ folder"),
    ("Chicago Style", r"book.yaml:10: error C030: citation_style 'Chicago Style' is neither a style name nor"),
])
def test_a_bad_style_is_an_error_naming_book_yaml_and_the_line(tmp_path, value, expected):
    root = project(tmp_path, f"citation_style: {value}\n")
    with pytest.raises(BookError, match=expected):
        config_mod.load(root)


def test_a_broken_csl_file_is_an_error_naming_it_and_its_line(tmp_path):
    root = project(tmp_path, "citation_style: styles/csl/broken.csl\n")
    (root / "styles" / "csl" / "broken.csl").write_text('<?xml version="1.0"?>\n<style>\n<info>\n</style>\n')
    with pytest.raises(BookError, match=r"broken.csl:4: error C031: not a readable CSL file"):
        config_mod.load(root)


def test_how_to_cite_this_reader():
    cfg = config_mod.load(REPO)
    assert plain_text(citations.how_to_cite_inlines(cfg)) == (
        "The bookbuild Editors, ed. Tibet, India and the Sino-Soviet Quarrel: Two Soviet Records, 1959 and 1962: "
        "An Annotated Reader. bookbuild Course Readers, 2026.")
    italic = [n for n in citations.how_to_cite_inlines(cfg) if isinstance(n, Span)]
    assert [(s.kind, plain_text(s.children)) for s in italic] == [
        ("em", "Tibet, India and the Sino-Soviet Quarrel: Two Soviet Records, 1959 and 1962: An Annotated Reader")]


def test_how_to_cite_names_people_and_editions(tmp_path):
    root = project(tmp_path, chapters={})
    text = (root / "book.yaml").read_text().replace("  - name: Ed Itor\n",
                                                    "  - name: Ann Smith\n  - name: Bob Jones\n")
    (root / "book.yaml").write_text(text + "edition: Second edition\n")
    assert plain_text(citations.how_to_cite_inlines(config_mod.load(root))) == (
        "Smith, Ann, and Bob Jones, eds. A Reader. Second edition. P, 2026.")


def test_minimal_metadata_still_gets_a_sensible_citation(tmp_path):
    root = project(tmp_path, chapters={"notes.md": "---\ntitle: Notes on a Meeting\n---\n\nText.\n"})
    _, found, _ = cited(root)
    assert found == {"notes": ("\u201cNotes on a Meeting,\u201d unpublished manuscript, n.d.",
                               "\u201cNotes on a Meeting,\u201d unpublished manuscript, n.d.")}


def test_a_record_dated_to_the_month_or_the_year(tmp_path):
    """Archives date many records 'November 1962' or '1962' alone: such a date is the record's,
    not an error, in its source note and its entry."""
    root = project(tmp_path, chapters={
        "a.md": '---\ntitle: A Telegram\ndate: "1962-11"\narchive: AVPRF\n---\n\nText.\n',
        "b.md": '---\ntitle: A Report\ndate: "1962"\narchive: AVPRF\n---\n\nText.\n',
        "c.md": '---\ntitle: A Diary\ndate: "1962-11-02"\narchive: AVPRF\n---\n\nText.\n'})
    config, found, book = cited(root)
    assert found["a"] == ("\u201cA Telegram,\u201d November 1962, AVPRF.", "\u201cA Telegram.\u201d November 1962. AVPRF.")
    assert found["b"][0] == "\u201cA Report,\u201d 1962, AVPRF."
    assert citations.display_date("1962-11") == "November 1962" and citations.display_date("1962") == "1962"


@pytest.mark.parametrize("date, reason", [("1962-13", "month must be in 1..12"), ("1962-02-30", "day is out of range"),
                                          ("Nov. 1962", "not written YYYY-MM-DD"), (1962, "as a number")])
def test_a_date_that_is_none_says_why_and_how_to_write_it(tmp_path, date, reason):
    written = f'"{date}"' if isinstance(date, str) else str(date)
    root = project(tmp_path, chapters={"a.md": f'---\ntitle: T\ndate: {written}\n---\n\nText.\n'})
    with pytest.raises(BookError) as raised:
        cited(root)
    [found] = raised.value.diagnostics
    assert (found.code, found.line) == ("S006", 3) and reason in found.message and '"YYYY-MM"' in found.hint


def test_an_archives_own_lowercase_notation_keeps_its_case_in_the_sources():
    """Chicago's bibliography capitalises the first word after a period ("Box 1, folder 2"), but
    not a fond: "f. 90, op. 24" stays as the archive writes it (it read "F. 90")."""
    for reference, entry in (("f. 90, op. 24, d. 5", "f. 90, op. 24, d. 5."), ("box 1, folder 2", "Box 1, folder 2."),
                             ("vol. 3, no. 2", "Vol. 3, no. 2.")):
        meta = {"title": "T", "archive": "AVPRF", "reference": reference}
        assert entry in plain_text(citations.bibliography_form(meta, citations.load_style(config_mod.load(REPO))))


def test_field_text_is_kept_exactly():
    meta = {"title": "Talks on \u201cthe Thaw\u201d & <after>", "archive": "Smith & Sons",
            "date": "1960-01-05", "source_url": "https://example.org/?a=1&b=2"}
    note = citations.note_form(meta)
    # Every character as written, but the title's own quotes, single inside the style's double ones.
    assert plain_text(note) == ("\u201cTalks on \u2018the Thaw\u2019 & <after>,\u201d January 5, 1960, "
                                "Smith & Sons, https://example.org/?a=1&b=2.")
    assert [n.href for n in walk_inlines(note) if isinstance(n, Link)] == ["https://example.org/?a=1&b=2"]


def test_each_style_renders_with_its_own_macros(tmp_path):
    """citations.py finds each style's macros once (citeproc-py searched the style at every call):
    two styles with a macro of the same name, loaded in one process, each keep their own."""
    root = project(tmp_path, "citation_style: house\n")
    csl = (root / "styles" / "csl" / f"{citations.DEFAULT_STYLE}.csl").read_text()
    assert csl.count('<macro name="title-note">') == 1
    (root / "styles" / "csl" / "house.csl").write_text(csl.replace(
        '<macro name="title-note">', '<macro name="title-note"><text value="HOUSE TITLE"/></macro>\n'
        '<macro name="title-note-unused">'))
    _, default_before, _ = cited(REPO)
    _, house, _ = cited(root)
    _, default_after, _ = cited(REPO)
    note = house["doc-1959-10-02-khrushchev-mao"][0]
    assert "HOUSE TITLE" in note and KHRUSHCHEV_TITLE not in note
    assert default_before == default_after == DEFAULT


def test_a_clean_build_cites_across_the_workers_what_one_process_would(monkeypatch):
    """With no citation kept, enough items are cited by forked workers: each result the same as
    one cited here; with one job (--jobs 1) or few items, nothing is forked."""
    from bookbuild import cache
    from bookbuild import workers
    style = citations.load_style(config_mod.load(REPO))
    items = [json.dumps(citations.csl_item({"title": f"Record {n} of a meeting", "date": f"1960-01-{n:02d}",
                                            "archive": "APRF", "translator": "D. W."}), sort_keys=True)
             for n in range(1, 1 + citations.PARALLEL_FROM + 4)]
    forked = []
    real_pool = workers.pool
    monkeypatch.setattr(workers, "pool", lambda *a, **k: forked.append(a) or real_pool(*a, **k))
    with cache.bypassed():
        with workers.limited(1):
            citations._cite_all(style, items)
        assert forked == [] and citations._WORKED_OUT == {}
        with workers.limited(2):
            citations._cite_all(style, items[:citations.PARALLEL_FROM - 1])
            assert forked == []
            citations._cite_all(style, items)
        assert forked == [(2,)]
        try:
            assert {item: citations._WORKED_OUT[(style.digest, item)] for item in items} == \
                {item: style._cite(json.loads(item)) for item in items}
            taken = style.cite(json.loads(items[0]))               # what the pass asks: the worker's
            assert (style.digest, items[0]) not in citations._WORKED_OUT
            assert taken == style._cite(json.loads(items[0]))
        finally:
            citations._WORKED_OUT.clear()
