"""No active content: raw HTML goes through an allow-list into the model; the rest is removed, ignored
or kept as text, each with a warning naming file and line; links only to http(s), mailto and #ids."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bookbuild.render.html import EPUB, Renderer
from tests.hostile.util import chapter, problems, read, run

HOSTILE = """\
Allowed: <i>italic</i>, <b>bold</b>, x<sup>2</sup>, H<sub>2</sub>O, <span lang="fr">le mot juste</span>,<br>next.

Script: before<script>alert("inline")</script>after.

<script>
document.write("block");
</script>

Frames: <iframe src="https://evil.example/"></iframe><object data="x.swf"></object><embed src="x.swf">end.

Handlers: <b onclick="alert(1)" style="color:red">clicked</b> <span lang="de" onmouseover="x()">Wort</span>.

Images: <img src="https://evil.example/track.png" onerror="alert(1)"> <svg onload="alert(1)"><circle/></svg>gone.

Links: [one](javascript:alert(1)) [two](JAVASCRIPT:alert(1)) [three](data:text/html;base64,PHNjcmlwdD4=)
[four](file:///etc/passwd) [five](vbscript:msgbox) [six](https://example.org/ok) [seven](mailto:ed@example.org)
<a href="javascript:alert(1)">eight</a> [nine](&#106;avascript:alert(1)) [ten](other.html).

Style: <style>body { background: url(https://evil.example/x) }</style>kept.

Comment: <!-- an editor's note to self -->done. Archive: <illegible> word. <div>Block tag</div>

<form action="https://evil.example/"><input name="q"><button>Go</button></form>

Last paragraph.
"""


def _render(doc) -> str:
    renderer = Renderer(EPUB, doc, hrefs={})
    return str(renderer.blocks(doc.body))


def test_allowed_tags_become_the_models_own_markup(small):
    chapter(small, HOSTILE)
    book, warnings = read(small)
    doc = next(d for d in book.documents if d.path.name == "x.md")
    markup = _render(doc)
    assert "<em>italic</em>" in markup and "<strong>bold</strong>" in markup
    assert "x<sup>2</sup>" in markup and "H<sub>2</sub>O" in markup
    assert '<span lang="fr" xml:lang="fr">le mot juste</span>' in markup and "<br/>next" in markup
    assert '<span lang="de" xml:lang="de">Wort</span>' in markup
    assert '<strong>clicked</strong>' in markup


def test_active_content_is_never_in_the_markup(small):
    chapter(small, HOSTILE)
    book, warnings = read(small)
    doc = next(d for d in book.documents if d.path.name == "x.md")
    markup = _render(doc)
    lowered = markup.lower()
    for bad in ("<script", "alert", "document.write", "<iframe", "<object", "<embed", "<img", "<svg", "<style",
                "evil.example", "onclick", "onerror", "onload", "onmouseover", "style=", "javascript:", "data:",
                "file:", "vbscript", "<form", "<input", "<button", "<!--", "editor's note to self", "<div"):
        assert bad not in lowered, (bad, markup)
    # the words around what was removed are kept; links refused keep their words
    for kept in ("beforeafter", "end.", "gone.", "kept.", "done.", "Block tag", "Last paragraph",
                 "one", "two", "three", "four", "five", "eight", "nine", "ten"):
        assert kept in markup, (kept, markup)
    assert '<a href="https://example.org/ok">six</a>' in markup
    assert '<a href="mailto:ed@example.org">seven</a>' in markup
    assert "&lt;illegible&gt;" in markup          # an archive's angle brackets are text, not a tag


def test_each_removal_is_a_warning_naming_file_and_line(small):
    path = chapter(small, HOSTILE)
    lines = path.read_text().split("\n")

    def line_of(text):
        return next(i for i, line in enumerate(lines, 1) if text in line)
    _, warnings = read(small)
    found = {(w.code, w.line, w.message) for w in warnings}
    assert all(w.file.endswith("chapters/x.md") and w.severity == "warning" for w in warnings)
    expected = [
        ("H001", line_of("before<script>"), "<script> removed with its content"),
        ("H001", lines.index("<script>") + 1, "<script> removed with its content"),
        ("H001", line_of("<iframe"), "<iframe> removed with its content"),
        ("H001", line_of("<iframe"), "<object> removed with its content"),
        ("H001", line_of("<iframe"), "<embed> removed"),
        ("H001", line_of("<img"), "<img> removed"),
        ("H001", line_of("<style>"), "<style> removed with its content"),
        ("H001", line_of("<form"), "<form> removed with its content"),
        ("H004", line_of("onclick"), "attribute onclick, style of <b> dropped"),
        ("H004", line_of("onmouseover"), "attribute onmouseover of <span> dropped"),
        ("H002", line_of("<div>"), "<div> ignored, its text kept"),
        ("H003", line_of("<illegible>"), "'<illegible>' is not HTML: kept as text"),
        ("L001", line_of("Links:"), "link to 'javascript:alert(1)' removed, its words kept"),
        ("L001", line_of("Links:"), "link to 'data:text/html;base64,PHNjcmlwdD4=' removed, its words kept"),
        ("L001", line_of("Links:"), "link to 'other.html' removed, its words kept"),
        ("H002", line_of("Links:"), "<a> ignored, its text kept"),
    ]
    for code, line, message in expected:
        assert any(c == code and l == line and m.startswith(message) for c, l, m in found), (code, line, message,
                                                                                              sorted(found))
    assert not any(m.startswith("<img> removed with") for _, _, m in found)
    assert not any("comment" in m or "<!--" in m for _, _, m in found)   # comments go silently


def test_check_reports_the_warnings_and_passes(small):
    path = chapter(small, "Text <script>alert(1)</script> and <u>under</u>.\n")
    line = path.read_text().split("\n").index("Text <script>alert(1)</script> and <u>under</u>.") + 1
    out = run(small, "check")
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    assert f"chapters/x.md:{line}: warning H001: <script> removed with its content" in out.stderr
    assert f"chapters/x.md:{line}: warning H002: <u> ignored, its text kept" in out.stderr


@pytest.mark.parametrize("body, message", [
    ("![a picture](https://evil.example/x.png)\n", "S010: images are not supported"),
    ("![a picture](../../etc/passwd)\n", "S010: images are not supported"),
    ('[text]{index="Potsdam" onclick="alert(1)"} and [x]{onclick="alert(1)"}\n', "S011"),
])
def test_images_and_attribute_spans_are_errors(small, body, message):
    chapter(small, body)
    found = problems(small)
    assert len(found) == 1 and "chapters/x.md:8: error " + message in found[0], found


def test_the_built_epub_has_no_active_content(small):
    """A whole build of the hostile chapter: EPUBCheck-relevant facts read from the EPUB itself."""
    chapter(small, HOSTILE, front='---\ntitle: "A <script>alert(1)</script> title & more"\ndate: "1950-01-01"\n'
                                  'archive: "Some Archive"\nreference: "box 1"\n---\n\n')
    out = run(small, "build", "--format", "epub")
    assert out.returncode == 0, out.stderr
    assert "warning H001" in out.stderr and "warning L001" in out.stderr
    with zipfile.ZipFile(small / "output" / "reader.epub") as epub:
        names = epub.namelist()
        opf = next(epub.read(n).decode() for n in names if n.endswith(".opf"))
        xhtml = {n: epub.read(n).decode() for n in names if n.endswith((".xhtml", ".html"))}
    assert "scripted" not in opf and "remote-resources" not in opf
    assert not [n for n in names if n.endswith((".js", ".svg", ".png", ".jpg", ".gif")) and "cover" not in n]
    everything = "\n".join(xhtml.values())
    lowered = everything.lower()
    for bad in ("<script", "<iframe", "<object", "<embed", "<img src=\"http", "onclick=", "onerror=",
                "onload=", "javascript:", "evil.example", "<style"):
        assert bad not in lowered, bad
    record = next(text for text in xhtml.values() if "Last paragraph" in text)
    assert "<sup>2</sup>" in record and '<span lang="fr" xml:lang="fr">le mot juste</span>' in record
    assert "A &lt;script&gt;alert(1)&lt;/script&gt; title &amp; more" in everything
    assert re.search(r'<a href="https://example.org/ok">six</a>', record)
    checked = subprocess.run([str(Path(sys.executable).parent / "epubcheck"), str(small / "output" / "reader.epub")],
                             capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0 and "WARNING" not in checked.stdout + checked.stderr, checked.stdout + checked.stderr


def test_thousands_of_warnings_are_summed_up(small):
    chapter(small, "<illegible> word.\n\n" * 3000)
    _, warnings = read(small)
    assert len(warnings) == 21
    assert warnings[-1].message == "2980 more warnings like the ones above" and warnings[-1].code == "H003"
