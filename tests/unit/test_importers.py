"""bookbuild.importers: Wilson Center records (structured and web-page forms) to chapter files."""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st
from markdown_it import MarkdownIt
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from bookbuild import yamlfile
from bookbuild.importers import (HEADNOTE, ImportResult, chapter_name, import_files, parse_record,
                                 render_chapter)
from bookbuild.importers.citation import parse_citation, parse_locator, reference_ranges
from bookbuild.importers.common import FormatError, Para, kind_from_label, kind_from_title, parse_date
from bookbuild.importers.frontmatter import KEYS, front_matter
from bookbuild.importers.markdown import body_markdown, unescape
from bookbuild.importers.names import participants

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "records"
STRUCTURED = DATA / "000_9c80d045cea0f9fb.txt"
WEBPAGE = DATA / "002_ddd7b8b5415ec7e3.txt"
SAMPLES = [(STRUCTURED, "1959-10-02-khrushchev-mao.md"), (WEBPAGE, "1962-11-02-benediktov-nehru.md")]
EDITORIAL_KEYS = {"short_title", "participants"}      # an editor refines these after the import


# ---- helpers -------------------------------------------------------------------------------
def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def parse(text: str, name: str = "record.txt"):
    return parse_record(text, Path(name))


def split_chapter(chapter: str) -> tuple[dict, str, str]:
    """(front matter, headnote block, body) of a chapter file."""
    assert chapter.startswith("---\n")
    end = chapter.index("\n---\n")
    meta = yaml.safe_load(chapter[4:end + 1])
    rest = chapter[end + 5:]
    assert rest.startswith("\n::: headnote\n")
    close = rest.index("\n:::\n")
    return meta, rest[1:close + 5], rest[close + 6:]


def blocks(text: str) -> list[str]:
    """The paragraphs of a record text, for building variants."""
    return [block for block in re.split(r"\n\s*\n", text.strip("\n")) if block.strip()]


def join(parts: list[str]) -> str:
    return "\n\n".join(parts) + "\n"


def sample_body(name: str) -> str:
    return split_chapter(read(ROOT / "chapters" / name))[2]


def normalise(text: str) -> str:
    text = unescape(text).replace("**", "").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip().rstrip(":").lower()


def date_forms(iso: str | None) -> str:
    if not iso or len(iso) != 10:
        return iso or ""
    day = datetime.date.fromisoformat(iso)
    return f"{day:%B} {day.day}, {day.year} {day.day} {day:%B} {day.year}"


CONNECTIVES = {"by", "and", "obtained", "translated", "for", "contributed"}


def assert_nothing_lost(source_text: str, record) -> None:
    """Every non-blank source line not reported as dropped is in the chapter: front matter or body.

    Lines are compared as normalised text; a line parsed into several fields (the web page's
    source sentence) may instead have each of its words there, or in a doubtful spot reported on
    that line, but only if it is a field's line."""
    meta, _, body = split_chapter(render_chapter(record))
    values = [" ".join(v) if isinstance(v, list) else v for v in meta.values()]
    haystack = normalise(" ".join([body, *values, *(k.replace("_", " ") for k in meta),
                                   date_forms(record.date_text)]))
    dropped = {line for line, _ in record.dropped}
    text = source_text.lstrip("\ufeff").replace("\r\n", "\n")
    for number, line in enumerate(text.split("\n"), start=1):
        wanted = normalise(line)
        if not wanted or number in dropped or wanted in haystack:
            continue
        spaced = re.sub(r"(?<=[^\W\d_])(?=\d)", " ", wanted)       # "Record ID118883" as pasted
        words = set(re.findall(r"[\w.'-]+", spaced)) - CONNECTIVES
        assert number in record.field_lines.values(), f"line {number} lost: {line!r}"
        reported = normalise(" ".join(m for at, m in record.doubtful if at == number))
        missing = [word for word in words if word.strip(".") not in haystack + reported]
        assert not missing, f"line {number}: {missing} lost from {line!r}"


def import_one(tmp_path: Path, text: str | bytes, name: str = "record.txt", **options) -> ImportResult:
    source = tmp_path / name
    source.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return import_files([source], tmp_path / "chapters", **options)[0]


# ---- the two samples -----------------------------------------------------------------------
@pytest.mark.parametrize("source,chapter", SAMPLES)
def test_sample_body_equals_the_hand_made_chapter(source, chapter):
    record = parse_record(read(source), source)
    assert split_chapter(render_chapter(record))[2] == sample_body(chapter)


@pytest.mark.parametrize("source,chapter", SAMPLES)
def test_sample_front_matter_matches_the_hand_made_chapter(source, chapter):
    record = parse_record(read(source), source)
    hand_made = split_chapter(read(ROOT / "chapters" / chapter))[0]
    ours = split_chapter(render_chapter(record))[0]
    assert {k: v for k, v in ours.items() if k not in EDITORIAL_KEYS} == \
        {k: v for k, v in hand_made.items() if k not in EDITORIAL_KEYS}


@pytest.mark.parametrize("source,chapter", SAMPLES)
def test_sample_chapter_name(source, chapter):
    assert chapter_name(parse_record(read(source), source)) == chapter


def test_structured_sample_fields():
    meta = parse_record(read(STRUCTURED), STRUCTURED).meta
    assert meta["title"].startswith("Record of Conversation of N. S. Khrushchev with CC CCP Chairman")
    assert "Deputy Chairma Liu Shaoqi" in meta["title"] and "\n" not in meta["title"]
    assert meta["participants"] == ["N. S. Khrushchev", "Mao Zedong", "Liu Shaoqi", "Zhou Enlai", "Zhu De",
                                    "Lin Biao", "Peng Zhen", "Chen Yi", "Wang Jiaxiang"]
    assert (meta["archive"], meta["reference"], meta["collection"]) == (
        "APRF", "copy on Reel 17", "Volkogonov Collection, Library of Congress, Washington, DC")
    assert (meta["translator"], meta["record_id"], meta["contents_note"]) == (
        "David Wolff", "118883", "Translation - English")
    assert meta["source_url"] == "https://digitalarchive.wilsoncenter.org/document/118883"


def test_webpage_sample_fields():
    meta = parse_record(read(WEBPAGE), WEBPAGE).meta
    assert meta["kind"] == "diary entry" and meta["participants"] == ["Benediktov", "R.K. Nehru"]
    assert meta["archive"] == "Archive of Foreign Policy, Russian Federation (AVPRF)"
    assert meta["reference"] == "f. 90, op. 24, d. 5, p. 44, ll. 120-12"
    assert (meta["obtained_by"], meta["translator"]) == ("James Hershberg", "Kathryn Weathersby")
    assert meta["summary"].startswith("Journal entry by Benediktov") and "record_id" not in meta


def test_samples_doubtful_spots_and_dropped_lines():
    structured = parse_record(read(STRUCTURED), STRUCTURED)
    lines = {line: message for line, message in structured.doubtful}
    assert "[naprasno]" in lines[57] and "not joined" in lines[57]
    assert "Chairma" in lines[5] and "']'" in lines[119]
    assert structured.dropped == []
    web = parse_record(read(WEBPAGE), WEBPAGE)
    assert [line for line, _ in web.dropped] == [1, 31, 37, 39, 41, 48]
    assert {line for line, _ in web.doubtful} == {25, 34, 48}   # ellipsis, "120-12", empty Record ID


@pytest.mark.parametrize("source", [STRUCTURED, WEBPAGE])
def test_samples_lose_nothing(source):
    text = read(source)
    assert_nothing_lost(text, parse_record(text, source))


@pytest.mark.parametrize("source,chapter", SAMPLES)
def test_chapter_reads_back_through_bookbuild_sources(tmp_path, source, chapter):
    sources = pytest.importorskip("bookbuild.sources")
    record = parse_record(read(source), source)
    path = tmp_path / chapter
    path.write_text(render_chapter(record), encoding="utf-8")
    document = sources.read_document(path, "document")
    assert {k: v for k, v in document.meta.items() if v} == record.meta
    from bookbuild.model import plain_text, walk_blocks
    leaves = [plain_text(b.inlines) for b in walk_blocks(document.body) if b.inlines]
    letters = lambda text: re.sub(r"\W+", "", text)       # typographer quotes and dashes aside
    paragraphs = [re.sub(r"^\d+\. ", "", unescape(p)) for p in blocks(record.body)]
    assert [letters(t) for t in leaves] == [letters(p) for p in paragraphs]


# ---- variants of the structured form -------------------------------------------------------
def structured_blocks() -> list[str]:
    return blocks(read(STRUCTURED))


def label_at(parts: list[str], label: str) -> int:
    return parts.index(f"**{label}:**")


def without_field(parts: list[str], label: str) -> list[str]:
    at = label_at(parts, label)
    return parts[:at] + parts[at + 2:]


STRUCTURED_BODY = sample_body("1959-10-02-khrushchev-mao.md")


@pytest.mark.parametrize("label,gone", [
    ("Citation", {"citation", "archive", "reference", "collection", "translator", "source_url", "record_id",
                  "digital_archive"}),
    ("Summary", {"summary"}), ("Credits", {"credits"}), ("Original Language", {"original_language"}),
])
def test_structured_field_missing(label, gone):
    text = join(without_field(structured_blocks(), label))
    record = parse(text)
    full = parse_record(read(STRUCTURED), STRUCTURED).meta
    assert set(full) - set(record.meta) == gone
    assert record.body == STRUCTURED_BODY
    assert_nothing_lost(text, record)


def test_structured_contents_missing_is_doubtful_but_reads_the_text():
    text = join(without_field(structured_blocks(), "Contents"))
    record = parse(text)
    assert record.meta["original_language"] == "Russian" and "contents_note" not in record.meta
    assert record.body == STRUCTURED_BODY
    assert any("Contents" in message for _, message in record.doubtful)


def test_structured_date_and_title_from_the_citation_when_missing():
    parts = structured_blocks()
    record = parse(join(parts[2:]))
    assert record.meta["date"] == "1959-10-02"
    assert record.meta["title"] == parse_record(read(STRUCTURED), STRUCTURED).meta["title"]
    assert record.body == STRUCTURED_BODY


def test_structured_fields_reordered():
    parts = structured_blocks()
    fields = [parts[i:i + 2] for i in range(2, 12, 2)]        # (label, value) pairs
    shuffled = [fields[4], fields[1], fields[3], fields[0], fields[2]]
    text = join(parts[:2] + [p for pair in shuffled for p in pair] + parts[12:])
    record = parse(text)
    assert record.meta == parse_record(read(STRUCTURED), STRUCTURED).meta
    assert record.body == STRUCTURED_BODY
    assert any("'credits'" in message for _, message in record.doubtful)     # the last field now


def test_structured_inline_values_and_unknown_field():
    text = read(STRUCTURED).replace("**Original Language:**\n\nRussian", "**Original Language:** Russian")
    text = text.replace("**Credits:**", "**Keywords:**\n\nTibet; India\n\n**Credits:**")
    record = parse(text)
    assert record.meta["original_language"] == "Russian"
    assert any("keywords" in message for _, message in record.doubtful)
    assert [t for _, t in record.dropped] == ["**Keywords:**", "Tibet; India"]
    assert_nothing_lost(text, record)


def test_structured_bold_label_in_the_text_stays_text():
    text = read(STRUCTURED).replace("MAO ZEDONG: No, they", "**Note:** see above.\n\nMAO ZEDONG: No, they")
    record = parse(text)
    assert "\\*\\*Note:\\*\\* see above.\n\nMAO ZEDONG: No, they are" in record.body
    assert record.meta == parse_record(read(STRUCTURED), STRUCTURED).meta


def test_structured_signature_keeps_its_line_break():
    text = read(STRUCTURED).rstrip("\n") + "\n\nN. Khrushchev\n2 October 1959\n"
    assert parse(text).body.endswith("\n\nN. Khrushchev\\\n2 October 1959\n")


@pytest.mark.parametrize("source", [STRUCTURED, WEBPAGE])
@pytest.mark.parametrize("mangle", [
    lambda t: t.replace("\n", "\r\n"),
    lambda t: "\ufeff" + t,
    lambda t: "\n\n\n" + t.replace("\n\n", "\n\n\n\n") + "\n\n\n",
    lambda t: "\ufeff" + re.sub(r"\n", "  \r\n", t),                     # trailing spaces too
], ids=["crlf", "bom", "blank-lines", "bom-crlf-spaces"])
def test_layout_variants_give_the_same_chapter(source, mangle):
    original = parse_record(read(source), source)
    text = mangle(read(source))
    record = parse(text)
    assert (record.meta, record.body) == (original.meta, original.body)
    assert_nothing_lost(text, record)


def test_import_file_with_crlf_and_bom(tmp_path):
    data = b"\xef\xbb\xbf" + STRUCTURED.read_bytes().replace(b"\n", b"\r\n")
    result = import_one(tmp_path, data)
    assert result.written and result.error is None
    assert split_chapter(result.target.read_text(encoding="utf-8"))[2] == STRUCTURED_BODY


NON_LATIN = """**March 5, 1950**

**Record of Conversation of Comrade Stalin with Zhou Enlai about «Дружба»**

**Citation:**

"Record of Conversation of Comrade Stalin with Zhou Enlai about «Дружба»", March 5, 1950, Wilson Center \
Digital Archive, PRC FMA 105-00944-03, 1-3. Obtained and translated by Chen Jian. \
<https://digitalarchive.wilsoncenter.org/document/117001>

**Original Language:**

Chinese

**Contents:**

Original Scan

Translation - English

СТАЛИН: Мы поддерживаем договор — это «важно».

周恩来：我们同意。毛泽东同志也同意。

Ünïcödé dîäcrïtics: Đặng, Łódź, Ærø.
"""


def test_non_latin_record_kept_exactly():
    record = parse(NON_LATIN)
    meta = record.meta
    assert meta["title"] == "Record of Conversation of Comrade Stalin with Zhou Enlai about «Дружба»"
    assert (meta["archive"], meta["reference"]) == ("PRC FMA", "105-00944-03, 1-3")
    assert meta["obtained_by"] == meta["translator"] == "Chen Jian"
    assert meta["contents_note"] == "Original Scan, Translation - English"
    assert meta["participants"] == ["Stalin", "Zhou Enlai"]
    assert record.body == ("СТАЛИН: Мы поддерживаем договор — это «важно».\n\n"
                           "周恩来：我们同意。毛泽东同志也同意。\n\nÜnïcödé dîäcrïtics: Đặng, Łódź, Ærø.\n")
    assert split_chapter(render_chapter(record))[0]["title"] == meta["title"]
    assert chapter_name(record) == "1950-03-05-stalin-zhou.md"
    assert_nothing_lost(NON_LATIN, record)


def test_cyrillic_title_gives_a_transliterated_file_name():
    text = NON_LATIN.replace("**Record of Conversation of Comrade Stalin with Zhou Enlai about «Дружба»**",
                             "**Запись беседы Сталина**")
    record = parse(text)
    assert record.meta["title"] == "Запись беседы Сталина"
    assert chapter_name(record) == "1950-03-05-zapis-besedy-stalina.md"
    chinese = parse(text.replace("**Запись беседы Сталина**", "**周恩来谈话记录**"))
    assert chapter_name(chinese) == "1950-03-05-record-117001.md"


# ---- variants of the web-page form ---------------------------------------------------------
def web_blocks() -> list[str]:
    return blocks(read(WEBPAGE))


WEB_BODY = sample_body("1962-11-02-benediktov-nehru.md")


@pytest.mark.parametrize("drop", ["Skip to content", "Document Information", "Original Uploaded Date",
                                  "Record ID", "Diary Entry"])
def test_web_furniture_missing(drop):
    text = join([part for part in web_blocks() if part != drop])
    record = parse(text)
    original = parse_record(read(WEBPAGE), WEBPAGE)
    assert record.body == WEB_BODY
    assert record.meta["summary"] == original.meta["summary"]
    assert record.meta["archive"] == original.meta["archive"]
    assert record.meta["kind"] == "diary entry"         # from the title when the kind line is gone
    assert_nothing_lost(text, record)


@pytest.mark.parametrize("kind_line,kind", [("Memorandum of Conversation", "memorandum of conversation"),
                                            ("Telegram", "telegram"), ("Record of Conversation",
                                                                       "conversation record")])
def test_web_kind_line(kind_line, kind):
    text = join([kind_line if part == "Diary Entry" else part for part in web_blocks()])
    assert parse(text).meta["kind"] == kind


@pytest.mark.parametrize("record_id", ["Record ID\n\n118883", "Record ID118883", "Record ID: 118883"])
def test_web_record_id_and_upload_date(record_id):
    text = read(WEBPAGE).replace("Original Uploaded Date\n", "Original Uploaded Date\n\n2011-11-30\n")
    text = text.replace("Record ID", record_id)
    record = parse(text)
    assert record.meta["record_id"] == "118883"
    assert "2011-11-30" in [t for _, t in record.dropped]
    assert not any("Record ID" in message for _, message in record.doubtful)
    assert_nothing_lost(text, record)


def test_web_telegram_with_other_archive():
    parts = web_blocks()
    parts[1:3] = ["March 3, 1956",
                  "Telegram from Hungarian Ambassador Kurimszky Sándor to the Foreign Ministry"]
    parts[parts.index("Document Information") + 1] = (
        "Hungarian National Archives (MOL), XIX-J-1-j Korea, 5. doboz, 11/f, 00823/1956. "
        "Translated for NKIDP by Balázs Szalontai.")
    parts[parts.index("Diary Entry")] = "Telegram"
    text = join(parts)
    record = parse(text)
    meta = record.meta
    assert (meta["date"], meta["kind"]) == ("1956-03-03", "telegram")
    assert meta["archive"] == "Hungarian National Archives (MOL)"
    assert meta["reference"] == "XIX-J-1-j Korea, 5. doboz, 11/f, 00823/1956"
    assert meta["translator"] == "Balázs Szalontai" and "obtained_by" not in meta
    assert meta["participants"] == ["Kurimszky Sándor"]
    assert record.body == WEB_BODY
    assert_nothing_lost(text, record)


def test_web_title_before_the_date_and_unknown_furniture():
    parts = web_blocks()
    parts[0:3] = ["Skip to content", "Wilson Center Digital Archive", parts[2], parts[1]]
    text = join(parts)
    record = parse(text)
    assert record.meta["title"].startswith("Entry from the Journal") and record.meta["date"] == "1962-11-02"
    assert record.body == WEB_BODY
    assert [t for _, t in record.dropped][:2] == ["Skip to content", "Wilson Center Digital Archive"]
    assert_nothing_lost(text, record)


def test_web_without_summary_reports_the_doubtful_summary():
    parts = web_blocks()
    del parts[parts.index("Document Information") - 1]
    record = parse(join(parts))
    assert record.meta["summary"].startswith("6. ")
    assert any("summary" in message for _, message in record.doubtful)


def test_web_partial_date_is_reported_not_guessed():
    text = read(WEBPAGE).replace("November 2, 1962", "November 1962")
    record = parse(text)
    assert "date" not in record.meta and record.date_text == "1962-11"
    assert chapter_name(record) == "1962-11-benediktov-nehru.md"
    assert any("1962-11" in message for _, message in record.doubtful)


# ---- files that are not records ------------------------------------------------------------
NOT_RECORDS = {
    "empty.txt": b"",
    "blank.txt": b"\n \n\t\n",
    "bom-only.txt": b"\xef\xbb\xbf\r\n",
    "binary.bin": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "latin1.txt": "**October 2, 1959**\n\n**Caf\u00e9 conversation**\n\n**Citation:**\n\nx\n".encode("latin-1"),
    "utf16.txt": "**October 2, 1959**\n".encode("utf-16"),
    "notes.txt": b"Some notes of mine.\n\nNothing like an archive record.\n",
}


@pytest.mark.parametrize("name", NOT_RECORDS)
def test_not_a_record_is_one_line_naming_the_file(tmp_path, name):
    result = import_one(tmp_path, NOT_RECORDS[name], name)
    assert result.error and "\n" not in result.error
    assert name in result.error and "expected" in result.error
    assert not result.written and not (tmp_path / "chapters").exists()


def test_errors_do_not_stop_the_other_files(tmp_path):
    paths = []
    for name, data in NOT_RECORDS.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    paths.insert(3, STRUCTURED)
    paths.append(tmp_path / "missing.txt")
    paths.append(WEBPAGE)
    results = import_files(paths, tmp_path / "chapters")
    assert [r.written for r in results] == [p in (STRUCTURED, WEBPAGE) for p in paths]
    assert "missing.txt" in results[-2].error
    assert sorted(p.name for p in (tmp_path / "chapters").iterdir()) == [name for _, name in SAMPLES]


def test_parse_record_raises_format_error_for_neither_form():
    with pytest.raises(FormatError, match="notes.txt.*expected"):
        parse_record("Dear diary,\n\ntoday nothing happened.\n", Path("notes.txt"))


# ---- writing: refuse, force, dry run, atomic -----------------------------------------------
def test_import_writes_the_rendered_chapter(tmp_path):
    result = import_files([STRUCTURED], tmp_path / "chapters")[0]
    assert result.written and result.error is None
    assert result.target == tmp_path / "chapters" / "1959-10-02-khrushchev-mao.md"
    expected = render_chapter(parse_record(read(STRUCTURED), STRUCTURED))
    assert result.target.read_text(encoding="utf-8") == expected
    assert [p.name for p in result.target.parent.iterdir()] == [result.target.name]   # no temp file left
    assert HEADNOTE in result.target.read_text(encoding="utf-8")


def test_import_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "chapters" / "1959-10-02-khrushchev-mao.md"
    target.parent.mkdir()
    target.write_text("an editor's work\n", encoding="utf-8")
    result = import_files([STRUCTURED], target.parent)[0]
    assert not result.written and result.target == target
    assert target.name in result.error and "--force" in result.error and "\n" not in result.error
    assert target.read_text(encoding="utf-8") == "an editor's work\n"
    dry = import_files([STRUCTURED], target.parent, dry_run=True)[0]
    assert "--force" in dry.error and target.read_text(encoding="utf-8") == "an editor's work\n"
    forced = import_files([STRUCTURED], target.parent, force=True)[0]
    assert forced.written and forced.error is None
    assert split_chapter(target.read_text(encoding="utf-8"))[2] == STRUCTURED_BODY


def test_dry_run_writes_nothing(tmp_path):
    results = import_files([STRUCTURED, WEBPAGE], tmp_path / "chapters", dry_run=True)
    assert [r.target.name for r in results] == [name for _, name in SAMPLES]
    assert not any(r.written or r.error for r in results)
    assert results[1].dropped and results[1].doubtful
    assert not (tmp_path / "chapters").exists()


def test_two_files_for_one_chapter_in_one_import(tmp_path):
    copy = tmp_path / "copy.txt"
    copy.write_bytes(STRUCTURED.read_bytes())
    first, second = import_files([STRUCTURED, copy], tmp_path / "chapters", force=True)
    assert first.written and not second.written and "copy.txt" in second.error


def test_another_record_with_the_same_name_gets_a_numbered_name(tmp_path):
    chapters = tmp_path / "chapters"
    first = import_files([STRUCTURED], chapters)[0]
    other = read(STRUCTURED).replace("Deputy Chairma Liu", "Deputy Chairman Liu").replace("118883", "118884")
    (tmp_path / "other.txt").write_text(other, encoding="utf-8")
    second = import_files([tmp_path / "other.txt"], chapters)[0]
    assert second.written and second.target.name == "1959-10-02-khrushchev-mao-2.md"
    again = import_files([tmp_path / "other.txt", STRUCTURED], chapters)
    assert [r.target.name for r in again] == [second.target.name, first.target.name]
    assert all("--force" in r.error for r in again)


def test_failed_write_leaves_the_old_chapter_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "chapters" / "1959-10-02-khrushchev-mao.md"
    target.parent.mkdir()
    target.write_text("old\n", encoding="utf-8")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", broken_replace)
    result = import_files([STRUCTURED, WEBPAGE], target.parent, force=True)
    assert "No space left" in result[0].error and not result[0].written
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]


# ---- front matter --------------------------------------------------------------------------
yaml_text = st.text(min_size=1, max_size=300)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(title=yaml_text, summary=yaml_text, reference=yaml_text, names=st.lists(yaml_text, max_size=4))
def test_front_matter_round_trips_any_text(title, summary, reference, names):
    meta = {"title": title, "summary": summary, "reference": reference, "participants": names,
            "date": "1959-10-02", "record_id": "118883"}
    meta = {k: v for k, v in meta.items() if v}
    text = front_matter(meta)
    assert yaml.safe_load(text) == meta
    assert yamlfile.load(text, "chapter.md")[0] == meta        # bookbuild's own strict loader
    assert ("---\n" + text + "---\n").find("\n---\n", 3) == len(text) + 3   # no "---" line inside


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "word", "long-hyphenated-word", "x" * 40, "Ю", "–", "-"]),
                min_size=30, max_size=80).map(" ".join))
def test_long_text_folds_at_96_columns_never_at_hyphens(text):
    out = front_matter({"title": "t", "summary": text})
    lines = [line for line in out.splitlines() if line.startswith("  ")]
    assert len(text) < 90 or lines
    assert all(len(line) <= 96 or " " not in line.strip() for line in lines)
    assert all(not line.rstrip().endswith("-") or line.rstrip().endswith(" -") for line in lines)
    assert yaml.safe_load(out)["summary"] == text


def test_front_matter_keys_and_quoting():
    out = render_chapter(parse_record(read(STRUCTURED), STRUCTURED))
    assert 'date: "1959-10-02"\n' in out and 'record_id: "118883"\n' in out
    assert "summary: >-\n  Record of conversation" in out
    meta = split_chapter(out)[0]
    assert list(meta) == [key for key in KEYS if key in meta]
    with pytest.raises(ValueError):
        front_matter({"title": "t", "headnote": "x"})


# ---- Markdown escaping ---------------------------------------------------------------------
def markdown():
    """Configured as bookbuild.sources reads chapters, but with the typographer off so that
    the rendered text can be compared character for character."""
    md = MarkdownIt("commonmark", {"typographer": False, "html": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(container_plugin, name="headnote")
    md.use(attrs_plugin, spans=True, after=("span_close",))
    return md


def rendered(text: str) -> list[str]:
    """Each paragraph's text as a reader sees it, list numbers included; other blocks as <tags>."""
    out, counters = [], []
    for token in markdown().parse(text, {}):
        if token.type == "ordered_list_open":
            counters.append(int(token.attrGet("start") or 1))
        elif token.type == "ordered_list_close":
            counters.pop()
        elif token.type == "list_item_open" and counters:
            out.append(f"{counters[-1]}{token.markup} ")
            counters[-1] += 1
        elif token.type == "inline":
            text = "".join(c.content if c.type == "text" else " " if c.type.endswith("break")
                           else f"<{c.type}>" for c in token.children)
            if out and re.fullmatch(r"\d+[.)] ", out[-1]):
                out[-1] += text
            else:
                out.append(text)
        elif token.type not in ("paragraph_open", "paragraph_close", "list_item_close"):
            out.append(f"<{token.type}>")
    return [re.sub(r"\s+", " ", item).strip() for item in out]


def paras_of(lines_per_para: list[list[str]]) -> list[Para]:
    return [Para(i * 10 + 1, lines) for i, lines in enumerate(lines_per_para)]


@pytest.mark.parametrize("line,markdown_line", [
    ("# Heading?", "\\# Heading?"), ("> quoted", "\\> quoted"), ("- item", "\\- item"),
    ("+ item", "\\+ item"), ("* item", "\\* item"), ("---", "\\---"), ("::: headnote", "\\::: headnote"),
    ("see [the text](http://x)", "see [the text\\](http://x)"), ("[x]{index=y}", "[x\\]{index=y}"),
    ("a <b>bold</b> &amp; c", "a \\<b>bold\\</b> \\&amp; c"), ("C:\\path", "C:\\\\path"),
    ("*stress* and _stress_", "\\*stress\\* and \\_stress\\_"), ("snake_case 5 * 3", "snake_case 5 * 3"),
    ("note[^1] ^[x]", "note\\[^1] ^\\[x]"), ("~~struck~~", "\\~\\~struck\\~\\~"), ("`code`", "\\`code\\`"),
    ("[Luchshe by, esli by on byl v grobu.]", "[Luchshe by, esli by on byl v grobu.]"),
    ("KHRUSHCHEV N.S.: [Discusses]", "KHRUSHCHEV N.S.: [Discusses]"),
    ("1. \"After my return", "1. \"After my return"), ("1945. The war", "1945\\. The war"),
])
def test_escapes(line, markdown_line):
    assert body_markdown(paras_of([[line]])) == markdown_line + "\n"
    assert rendered(body_markdown(paras_of([[line]]))) == [line]


def test_numbered_paragraphs_stay_a_list_unless_markdown_would_renumber_them():
    assert body_markdown(paras_of([["1. a"], ["2. b"], ["4. c"]])) == "1. a\n\n2. b\n\n4\\. c\n"
    assert body_markdown(paras_of([["3. a"], ["text"], ["7. b"]])) == "3. a\n\ntext\n\n7. b\n"
    assert body_markdown(paras_of([["a", "2. b", "- c", "==="]])) == "a\\\n2\\. b\\\n\\- c\\\n\\===\n"
    assert body_markdown(paras_of([["Mao Zedong", "January 17, 1950"]])) == "Mao Zedong\\\nJanuary 17, 1950\n"


_PIECES = list("ab 1.#>-+*_~`[](){}<>&;:|=!^\\\"'\t2x@/") + ["amp", "http:", "1. ", "- ", "[^", "](", "**",
                                                         "Ж"]
_LINE = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=12).map("".join).map(str.strip).filter(bool)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_LINE, min_size=1, max_size=3), min_size=1, max_size=4))
def test_escaped_text_renders_as_the_source_text(paragraphs):
    expected = [re.sub(r"\s+", " ", " ".join(lines)).strip() for lines in paragraphs]
    assert rendered(body_markdown(paras_of(paragraphs))) == expected


# ---- the parts: citations, names, kinds, dates ---------------------------------------------
def test_citation_with_other_archives():
    cited = parse_citation('"Cable from Zhou Enlai", January 22, 1959, History and Public Policy Program '
                           'Digital Archive, PRC FMA 105-00944-03, 1-3. Translated by Anna Beth Keim. '
                           'https://digitalarchive.wilsoncenter.org/document/114356')
    assert (cited["cited_title"], cited["cited_date"]) == ("Cable from Zhou Enlai", "1959-01-22")
    assert (cited["archive"], cited["reference"]) == ("PRC FMA", "105-00944-03, 1-3")
    assert cited["digital_archive"] == "History and Public Policy Program Digital Archive"
    assert cited["translator"] == "Anna Beth Keim" and cited["source_url"].endswith("/114356")
    locator = "RGANI, fond 5, opis 30, delo 335, listy 92-119. Obtained by Charles K. Armstrong."
    assert parse_locator(locator) == {
        "archive": "RGANI", "reference": "fond 5, opis 30, delo 335, listy 92-119",
        "obtained_by": "Charles K. Armstrong"}
    assert parse_locator("Archives of the Chinese Communist Party, Beijing.") == {
        "archive": "Archives of the Chinese Communist Party, Beijing"}


def test_citation_title_with_quotes_inside():
    cited = parse_citation('"Mao on the \u201ctime-servers,\u201d Moscow 1959," October 2, 1959, Wilson Center '
                           'Digital Archive, APRF. Translated by David Wolff.')
    assert cited["cited_title"] == "Mao on the \u201ctime-servers,\u201d Moscow 1959"
    assert (cited["cited_date"], cited["archive"]) == ("1959-10-02", "APRF")


def test_reference_ranges():
    assert reference_ranges("f. 90, op. 24, d. 5, p. 44, ll. 120-12") == ["120-12"]
    assert reference_ranges("pp. 321-28, ll. 92-119, 00823/1956, 105-00944-03") == []


@pytest.mark.parametrize("title,names", [
    ("Memorandum of Conversation between Chinese Premier Zhou Enlai and President Charles de Gaulle",
     ["Zhou Enlai", "Charles de Gaulle"]),
    ("Letter from Mao Zedong to Joseph Stalin", ["Mao Zedong", "Joseph Stalin"]),
    ("Mao Zedong's Conversation with Kim Il Sung on the Korean question", ["Mao Zedong", "Kim Il Sung"]),
    ("Telegram from the Chinese Embassy in Moscow to the Foreign Ministry", []),
    ("Report on the Situation in Tibet", []),
])
def test_participants(title, names):
    assert participants(title)[0] == names


@pytest.mark.parametrize("title,kind", [
    ("Record of Conversation of N. S. Khrushchev with Mao Zedong", "conversation record"),
    ("Entry from the Journal of Soviet ambassador to India Benediktov, Conversation with R.K. Nehru",
     "diary entry"),
    ("Diary of Soviet Ambassador Yudin", "diary entry"), ("Telegram from Pyongyang", "telegram"),
    ("Letter from Mao to Stalin", "letter"), ("Report on Tibet", "document"),
])
def test_kind_from_title(title, kind):
    assert kind_from_title(title) == kind


def test_kind_from_label():
    assert kind_from_label("Diary Entry") == "diary entry"
    assert kind_from_label("Minutes") == "minutes"


@pytest.mark.parametrize("text,iso", [
    ("**October 2, 1959**", "1959-10-02"), ("2 October 1959", "1959-10-02"), ("Sept. 5, 1962", "1962-09-05"),
    ("1962-11-02", "1962-11-02"), ("November 1962", "1962-11"), ("c. 1962", "1962"),
    ("February 30, 1962", None), ("TOP SECRET", None),
])
def test_parse_date(text, iso):
    assert parse_date(text) == iso


# ---- short titles ----------------------------------------------------------------------------
@pytest.mark.parametrize("source, expected", [
    (STRUCTURED, "Khrushchev, Mao and others, 2 October 1959"),
    (WEBPAGE, "Benediktov and Nehru, 2 November 1962"),
])
def test_a_long_archive_title_gets_a_short_title_for_running_heads(source, expected):
    record = parse(read(source), source.name)
    assert len(record.meta["title"]) > 60
    assert record.meta["short_title"] == expected


def test_short_title_without_participants_cuts_at_a_word():
    from bookbuild.importers.names import short_title
    title = "Memorandum on the situation along the northern frontier of the country in the spring"
    assert short_title(title, [], "1960-04") == "Memorandum on the situation along the…, April 1960"
    assert short_title("A short title", [], "1960-04-01") is None


@pytest.mark.parametrize("line", ["<.@a>", "<x.y@z.org>", "a <!-- b -->", "<3 and <-"])
def test_angle_brackets_stay_text(line):
    """Found by the property test: '<.@a>' was an e-mail autolink once imported."""
    assert rendered(body_markdown(paras_of([[line]]))) == [line]
