"""Bounded: safe YAML (no tags, no aliases, no bombs, limited size and depth) and pathological Markdown
that ends in an error naming file and line, or in a book, within a time limit: never a hang."""

from __future__ import annotations

import time

import pytest

from tests.hostile.util import FRONT, chapter, problems, run

BODY_LINE = FRONT.count("\n") + 1          # the first line of a chapter's body after FRONT


def _timed_problems(root, limit: float) -> list[str]:
    started = time.monotonic()
    found = problems(root)
    assert time.monotonic() - started < limit, f"took {time.monotonic() - started:.1f} s"
    return found


# ---- YAML ---------------------------------------------------------------------------------
BILLION_LAUGHS = """
lol: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
lol2: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
lol3: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
lol4: [*c, *c, *c, *c, *c, *c, *c, *c, *c]
"""


def _append(root, text: str) -> int:
    """Append to book.yaml; the line number of the first appended line."""
    path = root / "book.yaml"
    before = path.read_text()
    path.write_text(before + text)
    return before.count("\n") + 1


@pytest.mark.parametrize("text, offset, message", [
    (BILLION_LAUGHS, 2, "Y002: malformed YAML: aliases (*name) are not allowed"),
    ("\nedition: !!python/object/apply:os.system ['touch /tmp/pwned']\n", 1, "Y002: malformed YAML: could not determine a constructor"),
    ("\nedition: !!python/name:os.system\n", 1, "Y002: malformed YAML: could not determine a constructor"),
    ("\nedition: !custom x\n", 1, "Y002: malformed YAML: could not determine a constructor"),
    ("\nsubtitle: " + "[" * 5000 + "]" * 5000 + "\n", 1, "Y002: malformed YAML: nested more than 40 levels deep"),
    ("\nsubtitle: " + "{a: " * 3000 + "b" + "}" * 3000 + "\n", 1, "Y002: malformed YAML: nested more than 40 levels deep"),
    ("\ntitle: Again\n", 1, "Y003: key 'title' given twice (first on line 2)"),
    ("\n<<: {title: merged}\n", 1, "Y002: malformed YAML: merge keys (<<) are not allowed"),
], ids=["billion-laughs", "python-apply", "python-name", "custom-tag", "deep-lists", "deep-maps", "duplicate",
        "merge"])
def test_hostile_book_yaml(small, text, offset, message):
    line = _append(small, text) + offset
    found = _timed_problems(small, 10)
    assert len(found) == 1 and f"book.yaml:{line}: error {message}" in found[0], found


def test_book_yaml_over_the_size_limit(small):
    _append(small, "\n# " + "x" * 1_100_000 + "\n")
    found = _timed_problems(small, 10)
    assert len(found) == 1 and "book.yaml: error Y001: YAML is larger than 1000 kB" in found[0], found


@pytest.mark.parametrize("front, line, message", [
    ("---\ntitle: &t T\nsummary: *t\n---\n", 3, "Y002: malformed YAML: aliases"),
    ("---\ntitle: !!python/object/new:os.system [ls]\n---\n", 2, "Y002: malformed YAML: could not determine a constructor"),
    ("---\ntitle: T\nsummary: " + "[" * 3000 + "]" * 3000 + "\n---\n", 3, "Y002: malformed YAML: nested more than"),
    ("---\ntitle: T\ntitle: U\n---\n", 3, "Y003: key 'title' given twice (first on line 2)"),
], ids=["alias", "python-tag", "deep", "duplicate"])
def test_hostile_front_matter(small, front, line, message):
    chapter(small, "Text.\n", front=front)
    found = _timed_problems(small, 10)
    assert len(found) == 1 and f"chapters/x.md:{line}: error {message}" in found[0], found


# ---- Markdown -----------------------------------------------------------------------------
@pytest.mark.parametrize("body, message", [
    ("word " * 1_000_000 + "\n", "F003: larger than 2 MB"),                    # a 5 MB line
    ("word " * 300_000 + "\n", f"{BODY_LINE}: error S015: a paragraph of 1,499,999 characters"),
    ("*" * 10_000 + "a" + "*" * 10_000 + "\n", f"{BODY_LINE}: error S012: inline markup nested more than 20"),
    ("<b>" * 100 + "deep\n", f"{BODY_LINE}: error S012: inline markup nested more than 20"),
    ("|" + "a|" * 2000 + "\n|" + "-|" * 2000 + "\n|" + "b|" * 2000 + "\n",
     f"{BODY_LINE}: error S014: a table of 2000 columns"),
    ("word\n\n" * 25_000, "error S016: more than 20,000 paragraphs"),
    ("Fine.\n\nAn escape \x1b[31m in a terminal colour.\n", f"{BODY_LINE + 2}: error F004: control character U+001B"),
], ids=["5MB-line", "1.5MB-paragraph", "nested-emphasis", "nested-html", "2000-columns", "25000-paragraphs",
        "control-character"])
def test_pathological_markdown_is_an_error_in_time(small, body, message):
    chapter(small, body)
    found = _timed_problems(small, 30)
    assert len(found) == 1 and message in found[0] and "chapters/x.md" in found[0], found


@pytest.mark.parametrize("body", [
    "- " * 10_000 + "x\n",                          # 10,000 nested lists on one line
    "".join("  " * i + "- item\n" for i in range(300)),   # nested by indentation
    "> " * 10_000 + "x\n",                          # 10,000 nested quotes
    "[" * 10_000 + "x" + "]" * 10_000 + "\n",
    "`" * 50_000 + "\n",
    "".join(f"w[^{i}] " for i in range(1000)) + "\n\n" + "".join(f"[^{i}]: n{i}\n" for i in range(1000)),
], ids=["10000-lists-one-line", "300-lists-indented", "10000-quotes", "10000-brackets", "50000-backticks",
        "1000-notes"])
def test_pathological_markdown_that_reads(small, body):
    """Read (and enriched) within the limit: markdown-it caps nesting at 20, the model at 24."""
    chapter(small, body)
    found = _timed_problems(small, 30)
    assert found == [], found


def test_pathological_markdown_whole_build_ends(small):
    """Nested lists and quotes 10,000 deep and a 20,000-character unbroken word, laid out: a book or
    an error naming the chapter, in a bounded time, never a hang or a traceback."""
    chapter(small, "- " * 10_000 + "x\n\n" + "> " * 10_000 + "y\n\n" + "z" * 20_000 + "\n")
    started = time.monotonic()
    out = run(small, "build", timeout=240)
    assert time.monotonic() - started < 240
    assert "Traceback" not in out.stderr and "internal error" not in out.stderr, out.stderr
    assert out.returncode in (0, 1)
    if out.returncode == 1:
        assert "chapters/x.md:" in out.stderr, out.stderr
        assert not list((small / "output").glob("*.*"))


def test_five_megabyte_chapter_is_refused_by_the_cli(small):
    chapter(small, "word " * 1_000_000 + "\n")
    out = run(small, "build")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.strip().endswith("chapters/x.md: error F003: larger than 2 MB (split the chapter)")
