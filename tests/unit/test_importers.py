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
    source sentence) may instead have each of its words there, but only if it is a field's line."""
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
        words = set(re.findall(r"[\w.'-]+", wanted)) - CONNECTIVES
        assert number in record.field_lines.values(), f"line {number} lost: {line!r}"
        missing = [word for word in words if word.strip(".") not in haystack]
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
    assert len(document.body) == len(blocks(record.body))
