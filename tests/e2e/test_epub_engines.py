"""The reader's EPUB read by engines that are not ours: DAISY Ace (axe in Chromium), Pandoc,
and headless Chromium drawing chapters.

Ace and Chromium are installed outside the repository by `.ci/install-ace` (`make ace`); the tests
that need them skip, saying so, when they are absent. Pandoc comes with pypandoc-binary (test extra).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import REPO, normalise, xhtml_text

ACE_PREFIX = Path(os.environ.get("ACE_PREFIX", "/opt/bookbuild-ace"))
ACE = ACE_PREFIX / "node_modules" / ".bin" / "ace-cli"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--mute-audio"]
RECORDS = sorted((REPO / "chapters").glob("19*.md"))


@pytest.fixture(scope="module")
def reader_epub(built_reader) -> Path:
    root, result = built_reader
    return result.outputs["epub"]


@pytest.fixture(scope="module")
def extracted(reader_epub, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("epub-extracted")
    with zipfile.ZipFile(reader_epub) as archive:
        archive.extractall(target)
    return target


# --- DAISY Ace ---------------------------------------------------------------------------------

def _violations(report: dict) -> list[dict]:
    found = []
    for subject in report.get("assertions", []):
        for item in subject.get("assertions", []):
            if item.get("earl:result", {}).get("earl:outcome") == "pass":
                continue
            test, result = item.get("earl:test", {}), item.get("earl:result", {})
            found.append({"file": subject.get("earl:testSubject", {}).get("url", "?"),
                          "rule": test.get("dct:title", "?"), "impact": test.get("earl:impact", "?"),
                          "what": " ".join(result.get("dct:description", "").split())[:240],
                          "where": ", ".join(result.get("earl:pointer", {}).get("css", [])[:2])})
    return found


def test_ace_reports_no_violations(request, tmp_path):
    if not ACE.exists():
        pytest.skip(f"DAISY Ace is not installed at {ACE}: run `make ace` (.ci/install-ace)")
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium, which Ace drives, is not at {CHROMIUM}: run `make ace`")
    reader_epub, built_reader = request.getfixturevalue("reader_epub"), request.getfixturevalue("built_reader")
    out = tmp_path / "ace"
    # Ace's puppeteer runner always launches Chromium with --no-sandbox, so running as root works.
    env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=str(CHROMIUM), PUPPETEER_SKIP_DOWNLOAD="1",
               HOME=str(tmp_path))                        # Ace keeps its config and logs under HOME
    run = subprocess.run([str(ACE), "-E", "-s", "-f", "-o", str(out), str(reader_epub)],
                         capture_output=True, text=True, env=env, timeout=300)
    report_file = out / "report.json"
    assert report_file.exists(), f"Ace wrote no report (exit {run.returncode}):\n{run.stdout}\n{run.stderr}"
    report = json.loads(report_file.read_text())
    violations = _violations(report)
    by_impact = Counter(v["impact"] for v in violations)
    listing = "\n".join(f"  [{v['impact']}] {v['file']}: {v['rule']}: {v['what']} ({v['where']})"
                        for v in violations)
    assert violations == [], f"Ace found {len(violations)} violations {dict(by_impact)}:\n{listing}"
    assert report["earl:result"]["earl:outcome"] == "pass"
    assert run.returncode == 0, run.stdout + run.stderr       # -E: exit 2 on any violation
    # Ace read every content document of the spine, not just the package.
    checked = {s["earl:testSubject"]["url"] for s in report["assertions"]}
    documents = {f"{doc.id}.xhtml" for doc in built_reader[1].book.all_documents}
    assert documents | {"index.xhtml", "nav.xhtml", "sources.xhtml"} <= checked, checked
    assert not report["a11y-metadata"]["empty"]
    for prop in ("schema:accessMode", "schema:accessibilityFeature", "schema:accessibilityHazard",
                 "schema:accessibilitySummary", "schema:accessModeSufficient", "dcterms:conformsTo"):
        assert prop in report["a11y-metadata"]["present"], prop


# --- Pandoc ------------------------------------------------------------------------------------

def _markdown_text(text: str) -> str:
    """A Markdown paragraph of the sources as a reader sees it: note calls, spans' attributes,
    link targets and emphasis marks gone."""
    text = re.sub(r"\[\^[^\]]+\]", "", text)                  # note calls
    text = re.sub(r"\[([^\]]*)\]\{[^}]*\}", r"\1", text)      # [words]{index="..."}
    text = re.sub(r"\[([^\]]+)\]\(#[^)]*\)", r"\1", text)     # [your words](#doc-id)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    text = re.sub(r"(?<![\w*])[*_]{1,2}(?=\S)|(?<=\S)[*_]{1,2}(?![\w*])", "", text)
    return text


def _source_parts(path: Path) -> tuple[list[str], list[str]]:
    """(headnote paragraphs, record paragraphs) of a chapter file, list numbers removed."""
    text = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    head, body = text.split("::: headnote", 1)[1].split("\n:::\n", 1)
    body = re.sub(r"(?m)^\[\^[^\]]+\]:.*(\n(?: {4}|\t).*)*", "", body)     # note definitions
    def paragraphs(block):
        return [_markdown_text(re.sub(r"^\d+\.\s+", "", p.strip())) for p in re.split(r"\n\s*\n", block)
                if p.strip()]
    return paragraphs(head), paragraphs(body)


def _pandoc_words(text: str) -> str:
    text = re.sub(r"\[\d+\]", "", text)                        # Pandoc's plain note calls
    return normalise(text)


@pytest.fixture(scope="module")
def pandoc_text(reader_epub) -> str:
    pypandoc = pytest.importorskip("pypandoc")
    return pypandoc.convert_file(str(reader_epub), "plain", format="epub", extra_args=["--wrap=none"])


def test_pandoc_reads_every_record_paragraph_and_headnote(pandoc_text):
    text = _pandoc_words(pandoc_text)
    checked, missing = 0, []
    for path in RECORDS:
        headnote, body = _source_parts(path)
        assert headnote and len(body) >= 5, path.name
        for para in headnote + body:
            checked += 1
            if normalise(para) not in text:
                missing.append(f"{path.name}: {para[:70]}")
    assert checked >= 50
    assert missing == [], "Pandoc's reading of the EPUB lacks:\n" + "\n".join(missing)


def test_pandoc_reads_every_title_and_note(pandoc_text, built_reader):
    """Each document's title, as a heading, and the words of every note, source notes included."""
    result = built_reader[1]
    text = _pandoc_words(pandoc_text)
    headings = {_pandoc_words(line) for line in pandoc_text.splitlines()}
    for doc in result.book.all_documents:
        assert normalise(doc.title) in headings, doc.title
        for note in ([doc.source_note] if doc.source_note else []) + doc.notes:
            words = normalise(html.unescape(xhtml_text(_note_markup(doc.id, note.id, built_reader))))
            assert words and words in text, (doc.id, note.id, words[:80])


def _note_markup(doc_id: str, note_id: str, built_reader) -> str:
    """The text of a note as the EPUB holds it, without its number (the back-link)."""
    with zipfile.ZipFile(built_reader[1].outputs["epub"]) as archive:
        markup = archive.read(f"EPUB/{doc_id}.xhtml").decode()
    aside = re.search(rf'<aside [^>]*id="{re.escape(note_id)}">(.*?)</aside>', markup, re.S).group(1)
    return re.sub(r'(?s)<p class="note-backlink">.*?</p>', "", aside)


def test_pandoc_reads_the_whole_index(pandoc_text, reader_epub):
    """Every entry of the EPUB's index, with its locators and cross-references, is a line of the
    index Pandoc reads."""
    with zipfile.ZipFile(reader_epub) as archive:
        index = archive.read("EPUB/index.xhtml").decode()
    entries = []
    for item in re.findall(r'<li class="ix-entry[^>]*>(.*?)(?=<ul|</li>)', index, re.S):
        entries.append(normalise(html.unescape(re.sub(r"<[^>]+>", "", item))))
    assert len(entries) > 40
    start = pandoc_text.rindex("\nIndex\n")
    lines = {normalise(re.sub(r"^\s*[-*]\s+", "", line)) for line in pandoc_text[start:].splitlines()}
    missing = [e for e in entries if e not in lines]
    assert missing == [], "Pandoc's index lacks:\n" + "\n".join(missing)


# --- Chromium ----------------------------------------------------------------------------------

def _screenshot(page: Path, png: Path, tmp: Path, width: int = 800, height: int = 1100) -> None:
    profile = tmp / f"profile-{png.stem}"
    profile.mkdir()
    try:
        run = subprocess.run([str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                              f"--window-size={width},{height}", f"--screenshot={png}", page.as_uri()],
                             capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert png.exists(), f"Chromium drew nothing for {page.name} (exit {run.returncode}): {run.stderr[-800:]}"


def _ink_rows(image) -> list[int]:
    grey = image.convert("L")
    width, height = grey.size
    return [y for y in range(height) if grey.crop((0, y, width, y + 1)).getextrema()[0] < 160]


def _assert_drawn(image, what: str, lines: int = 3) -> None:
    """Not one colour, some but not too much ink, and at least `lines` lines of text."""
    colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 20, f"{what}: {len(colours or [])} colours, nothing drawn"
    grey = image.convert("L")
    dark = sum(grey.histogram()[:160]) / (grey.size[0] * grey.size[1])
    assert 0.002 < dark < 0.5, f"{what}: {dark:.1%} of the picture is ink"
    rows = _ink_rows(image)
    starts = [y for y in rows if y - 1 not in rows]            # the tops of lines of text
    assert len(starts) >= lines, f"{what}: {len(starts)} lines of text"


# What to draw, and how many lines of text each screenful holds at the least.
SHOTS = {"document": ("{first}.xhtml", 30), "index": ("index.xhtml", 30),
         "title page": ("titlepage.xhtml", 4), "contents": ("nav.xhtml", 6)}


def test_chromium_draws_chapters(request, tmp_path):
    """A document, the index, the notes at the end of a document, the title page and the
    contents, as XHTML in Chromium: each a picture with text on it. The PNGs are kept in
    tmp_path for a person to look at."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}: run `make ace` (.ci/install-ace)")
    from PIL import Image
    extracted = request.getfixturevalue("extracted")
    root, result = request.getfixturevalue("built_reader")
    first = result.book.documents[0].id
    pages = extracted / "EPUB"
    for what, (name, lines) in SHOTS.items():
        png = tmp_path / f"{what.replace(' ', '-')}.png"
        _screenshot(pages / name.format(first=first), png, tmp_path)
        assert png.stat().st_size > 8000, f"{what}: a {png.stat().st_size}-byte PNG"
        with Image.open(png) as image:
            assert image.size == (800, 1100), (what, image.size)
            _assert_drawn(image, what, lines)
    # The notes close a document: draw it whole and look at its last screenful.
    with_notes = max(result.book.all_documents, key=lambda d: len(d.notes))
    png = tmp_path / "notes-full.png"
    _screenshot(pages / f"{with_notes.id}.xhtml", png, tmp_path, height=12000)
    with Image.open(png) as image:
        rows = _ink_rows(image)
        assert rows and rows[-1] < image.size[1] - 50, "the document is longer than the window"
        notes = image.crop((0, max(0, rows[-1] - 900), 800, rows[-1] + 20))
        notes.save(tmp_path / "notes.png")
        _assert_drawn(notes, "notes", 4)
