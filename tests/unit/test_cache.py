"""The layout store: what goes in comes out; a damaged or half-written entry is a miss, not an error."""

import os
import time

from bookbuild import cache


def test_an_entry_comes_back_as_it_went_in(tmp_path):
    store = cache.Store(tmp_path)
    key = cache.digest("markup", "start 7")
    assert store.get(key) is None
    store.put(key, b"%PDF-1.7 bytes", {"pages": 3, "anchors": {"a": 0}})
    pdf, facts = store.get(key)
    assert pdf == b"%PDF-1.7 bytes" and facts["pages"] == 3 and facts["anchors"] == {"a": 0}


def test_a_damaged_entry_is_a_miss(tmp_path):
    store = cache.Store(tmp_path)
    key = cache.digest("x")
    store.put(key, b"%PDF original", {"pages": 1})
    (tmp_path / key[:2] / f"{key}.pdf").write_bytes(b"%PDF truncat")      # the PDF no longer matches
    assert store.get(key) is None
    (tmp_path / key[:2] / f"{key}.json").write_text("{not json", encoding="utf-8")
    assert store.get(key) is None


def test_page_counts_and_pruning(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    store = cache.Store(cache.root() / "layouts")
    old, new = cache.digest("old"), cache.digest("new")
    store.put(old, b"%PDF old", {"pages": 2})
    store.put(new, b"%PDF new", {"pages": 4})
    store.put_pages(new, 4)
    cache.keep_object("documents", old, {"parsed": "long ago"})
    assert store.get_pages(new) == 4 and store.get_pages(old) is None
    stale = time.time() - (cache.KEEP_DAYS + 1) * 86400
    for path in [*(cache.root() / "layouts" / old[:2]).glob(f"{old}.*"),
                 cache.root() / "documents" / old[:2] / f"{old}.pickle"]:
        os.utime(path, (stale, stale))
    cache.prune(time.time())
    assert store.get(old) is None and store.get(new) is not None
    assert cache.kept_object("documents", old) is None
    assert list((cache.root() / "layouts" / old[:2]).glob(f"{old}.*")) == []


def test_pruning_looks_once_a_day(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    store = cache.Store(cache.root() / "layouts")
    now = time.time()
    cache.prune(now)                                  # looks, finds nothing to remove
    old = cache.digest("old")
    store.put(old, b"%PDF old", {"pages": 2})
    stale = now - (cache.KEEP_DAYS + 1) * 86400
    for path in (cache.root() / "layouts" / old[:2]).glob(f"{old}.*"):
        os.utime(path, (stale, stale))
    cache.prune(now + 3600)                           # an hour later: does not look
    assert store.get(old) is not None
    for path in (cache.root() / "layouts" / old[:2]).glob(f"{old}.*"):
        os.utime(path, (stale, stale))                # get() marked it used
    cache.prune(now + (cache.PRUNE_EVERY_HOURS + 1) * 3600)
    assert store.get(old) is None


def test_no_folder_means_no_cache(tmp_path):
    store = cache.Store(None)
    store.put("k", b"%PDF", {})
    assert store.get("k") is None and store.get_pages("k") is None


def test_digest_separates_its_parts():
    assert cache.digest("ab", "c") != cache.digest("a", "bc")


def test_a_chapter_parsed_before_comes_from_the_cache_with_its_warnings(tmp_path, monkeypatch):
    from bookbuild import markdown, sources
    from bookbuild.diagnostics import collecting
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    chapter = tmp_path / "doc.md"
    chapter.write_text("---\ntitle: A record\n---\n\nText <script>x()</script> and more.\n", encoding="utf-8")
    with collecting() as first_warnings:
        first = sources.read_document(chapter, "document")
    assert [d.code for d in first_warnings] == ["H001"]

    def no_parsing(*args):
        raise AssertionError("parsed again")
    monkeypatch.setattr(markdown, "read_body", no_parsing)
    with collecting() as second_warnings:
        second = sources.read_document(chapter, "document")
    assert second == first and list(second_warnings) == list(first_warnings)
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    try:
        sources.read_document(chapter, "document")        # changed bytes: parsed again
        raise RuntimeError("the changed chapter was not parsed")
    except AssertionError as exc:
        assert "parsed again" in str(exc)


def test_no_cache_reads_and_keeps_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calls = []
    compute = lambda: calls.append(1) or ["note", "entry"]          # noqa: E731
    assert cache.remembered("citations", "k1", compute) == ["note", "entry"]
    assert cache.remembered("citations", "k1", compute) == ["note", "entry"] and len(calls) == 1
    cache.keep_object("documents", "k2", {"a": 1})
    with cache.bypassed():
        assert not cache.active()
        assert cache.remembered("citations", "k1", compute) == ["note", "entry"] and len(calls) == 2
        assert cache.kept_object("documents", "k2") is None
        cache.keep_object("documents", "k3", {"b": 2})
    assert cache.active() and cache.kept_object("documents", "k2") == {"a": 1}
    assert cache.kept_object("documents", "k3") is None


def test_a_changed_system_font_changes_the_layouts_key(tmp_path, monkeypatch):
    """A fallback family found by fontconfig (Noto CJK from a system package) is no file of the
    project: its path, size and time of change are in the key, so an update lays out again."""
    import shutil
    from bookbuild.config import load
    from bookbuild.render import fonts
    from bookbuild.render.typesetter import styles_version
    from tests.helpers import copy_project
    root = copy_project(tmp_path / "reader")
    book = root / "book.yaml"
    book.write_text(book.read_text().replace("  gutter: 0.25in", "  gutter: 0.25in\n  fonts:\n"
                                             "    fallback: [\"Machine Serif\"]"))
    installed = tmp_path / "MachineSerif.ttf"
    shutil.copy(next(f.path for f in fonts._package_faces()), installed)
    monkeypatch.setattr(fonts, "_system_faces", lambda: [fonts.Face("Machine Serif", "normal", installed, system=True)])
    config = load(root)
    before = styles_version(config)
    assert styles_version(config) == before
    os.utime(installed, ns=(0, 10**18))
    assert styles_version(config) != before


def test_the_code_version_counts_the_citation_styles_bookbuild_falls_back_on():
    """A project with no copy of its citation style is cited in bookbuild's own: a change to that
    file must not leave a rebuild with chapters enriched, or markups made, in the old style."""
    from bookbuild.enrich import citations
    builtin = sorted(citations.BUILTIN_CSL.glob("*.csl"))
    assert builtin and set(builtin) <= set(cache.code_files())


def test_the_entries_kept_within_a_journal_are_taken_back_by_forget(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    store = cache.Store(tmp_path / "layouts")
    store.put(cache.digest("before"), b"%PDF before", {"pages": 1})
    with cache.journal() as kept:
        store.put(cache.digest("within"), b"%PDF within", {"pages": 1})
        cache.keep_object("enriched", cache.digest("document"), ["a", "document"])
    store.put(cache.digest("after"), b"%PDF after", {"pages": 1})
    assert len(kept) == 3                            # the part's PDF and facts, the document
    cache.forget(kept)
    assert store.get(cache.digest("within")) is None and cache.kept_object("enriched", cache.digest("document")) is None
    assert store.get(cache.digest("before")) and store.get(cache.digest("after"))
