"""No escape: WeasyPrint loads only the project's files; paths of book.yaml stay inside the project."""

from __future__ import annotations

import os
import re
import socket
import threading

import pytest

from bookbuild.render.fetcher import ProjectFetcher
from tests.hostile.util import problems, run, tree_hashes


# ---- the fetcher: the only door WeasyPrint has ----------------------------------------------
@pytest.fixture
def fetcher(small):
    return ProjectFetcher([small])


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/x.css", "https://example.org/font.woff2", "ftp://example.org/x",
    "file:///etc/passwd", "file://localhost/etc/passwd", "file:///proc/self/environ",
    "data:text/css;base64," + "QUFB" * 1000, "data:image/svg+xml,<svg/>", "javascript:alert(1)",
    "/etc/passwd", "x.css",
])
def test_fetcher_refuses_what_is_not_a_project_file(fetcher, url):
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    assert fetcher.refused and fetcher.refused[-1].startswith(url[:50])


def test_fetcher_refuses_dot_dot_and_links_out(fetcher, small, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (small / "styles" / "out.css").symlink_to(secret)
    for url in [(small / "styles" / ".." / ".." / "secret.txt").as_uri(),
                (small / "styles").as_uri() + "/%2e%2e/%2e%2e/secret.txt",
                (small / "styles" / "out.css").as_uri()]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 3


def test_fetcher_refuses_a_fifo_and_a_huge_file(fetcher, small):
    fifo = small / "styles" / "pipe.css"
    os.mkfifo(fifo)                         # reading it would block the build for ever
    with pytest.raises(ValueError):
        fetcher.fetch(fifo.as_uri())
    huge = small / "styles" / "huge.css"
    with open(huge, "wb") as handle:
        handle.truncate(30_000_000)         # sparse: no disk used
    with pytest.raises(ValueError):
        fetcher.fetch(huge.as_uri())


def test_fetcher_serves_a_project_file(fetcher, small):
    response = fetcher.fetch((small / "styles" / "base.css").as_uri())
    body = response.read()
    assert body == (small / "styles" / "base.css").read_bytes()
    assert not fetcher.refused


class _Listener:
    """A local port that records whether anything connected to it (a stand-in for the network)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.stop = True
        self.thread.join(2)
        self.sock.close()


@pytest.mark.parametrize("rule", [
    '@import url("http://127.0.0.1:{port}/x.css");',
    'body {{ background: url("https://127.0.0.1:{port}/x.png") }}',
    '@import url("{secret}");',
    'body {{ background: url("data:image/png;base64,iVBORw0KGgo=") }}',
])
def test_a_stylesheet_that_reaches_out_stops_the_build_and_loads_nothing(small, tmp_path, rule):
    """http(s)://, file:// outside and data: in the project's own CSS: an error naming the URL,
    no connection made, nothing written."""
    listener = _Listener()
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    rule = rule.format(port=listener.port, secret=secret.as_uri())
    try:
        css = small / "styles" / "print.css"
        css.write_text(rule + "\n" + css.read_text())
        before = tree_hashes(small, skip=())
        out = run(small, "build")
    finally:
        listener.close()
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stderr
    url = rule.split('"')[1]
    assert re.search(r"error P00\d: .*refuse[sd]? to load " + re.escape(url[:40]), out.stderr), out.stderr
    assert listener.connections == 0
    assert tree_hashes(small, skip=()) == before         # nothing written, not even output/


# ---- paths in book.yaml ---------------------------------------------------------------------
def _contents(small, text: str) -> None:
    path = small / "book.yaml"
    path.write_text(path.read_text().replace("  introduction: introduction.md\n  documents: auto", text))


@pytest.mark.parametrize("contents, code, name", [
    ("  introduction: ../book.yaml", "C010", "../book.yaml"),
    ("  introduction: /etc/passwd", "C010", "/etc/passwd"),
    ("  introduction: introduction.md\n  documents: [../../../../etc/passwd]", "C010", "../../../../etc/passwd"),
    ("  introduction: introduction.md\n  documents: [chapters/../../book.yaml]", "C010", "chapters/../../book.yaml"),
    ("  introduction: introduction.md\n  parts:\n    - title: One\n      documents: [/dev/zero]", "C010", "/dev/zero"),
    ("  introduction: introduction.md\n  documents: [nowhere.md]", "C011", "nowhere.md"),
    ("  introduction: introduction.md\n  documents: [\"a\\0b.md\"]", "C011", "a\0b.md"),
    ("  introduction: introduction.md\n  documents: [\".\"]", "C011", "."),
])
def test_chapter_paths_leaving_chapters_are_refused_by_line(small, contents, code, name):
    _contents(small, contents)
    lines = (small / "book.yaml").read_text().split("\n")
    marker = name.replace("\0", "\\0")
    expected = next(i for i, line in enumerate(lines, 1)
                    if (f"introduction: {marker}" in line or f"[{marker}]" in line or f'["{marker}"]' in line))
    found = problems(small)
    assert len(found) == 1 and f"book.yaml:{expected}: error {code}: chapter '{name}" in found[0], found


def test_a_chapter_linked_out_is_refused(small, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Secret\n---\n\nThe secret.\n")
    (small / "chapters" / "zz-secret.md").symlink_to(secret)        # found by documents: auto
    found = problems(small)
    assert len(found) == 1 and "error C010: chapter 'chapters/zz-secret.md' is outside chapters/" in found[0]


def test_a_link_inside_chapters_is_fine(small):
    (small / "chapters" / "also.md").symlink_to("1945-07-24-potsdam-telegram.md")
    found = problems(small)
    assert not any("C010" in p for p in found), found


def test_a_link_loop_is_an_error_not_a_hang(small):
    (small / "chapters" / "loop.md").symlink_to("loop.md")
    found = problems(small)
    assert len(found) == 1 and "C011: chapter 'chapters/loop.md' not found" in found[0], found


@pytest.mark.parametrize("folder", ["chapters", "styles", "output"])
def test_project_folders_linked_out_are_refused(small, tmp_path, folder):
    elsewhere = tmp_path / "elsewhere"
    (small / folder).rename(elsewhere)
    (small / folder).symlink_to(elsewhere)
    out = run(small, "check")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert f"error C012: {folder}/ is a link out of the project" in out.stderr, out.stderr


@pytest.mark.parametrize("name", ["csl/chicago-notes-bibliography-archival.csl", "templates/base.xhtml.j2", "print.css"])
def test_a_file_of_styles_linked_out_is_refused(small, tmp_path, name):
    """The citation style or a template linked out would be read from elsewhere, and the build's
    record, which knows only the link, would not see it change: a rebuild would keep what the old
    file made (a Sources entry in the old style beside the new)."""
    path = small / "styles" / name
    elsewhere = tmp_path / "elsewhere" / path.name
    elsewhere.parent.mkdir()
    path.rename(elsewhere)
    path.symlink_to(elsewhere)
    out = run(small, "build")
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert f"styles/{name}: error C012: styles/{name} is a link out of the project" in out.stderr, out.stderr
    assert not (small / "output").exists() or not any((small / "output").iterdir())


def test_a_file_of_styles_linked_within_the_project_is_fine(small):
    (small / "styles" / "also.css").symlink_to("print.css")
    assert not any("C012" in p for p in problems(small))


def test_book_yaml_linked_out_is_refused(small, tmp_path):
    elsewhere = tmp_path / "book.yaml"
    (small / "book.yaml").rename(elsewhere)
    (small / "book.yaml").symlink_to(elsewhere)
    found = problems(small)
    assert len(found) == 1 and "book.yaml: error C012: book.yaml is a link out of the project" in found[0], found


def test_a_build_never_writes_outside_output(small, tmp_path):
    """Sources, styles and book.yaml byte for byte the same after a build, and nothing new beside them."""
    before = tree_hashes(small)
    out = run(small, "build")
    assert out.returncode == 0, out.stderr
    assert tree_hashes(small) == before
    assert sorted(p.name for p in (small / "output").iterdir()) == ["reader.epub", "reader.pdf"]
    out = run(small, "check")
    assert tree_hashes(small) == before


def test_a_link_is_named_by_its_own_path_not_its_target(small, monkeypatch):
    """Run from the project's parent with the target beside it, the fault was put on the target."""
    target = small.parent / "print-out.css"
    (small / "styles" / "print.css").rename(target)
    (small / "styles" / "print.css").symlink_to(target)
    monkeypatch.chdir(small.parent)
    found = problems(small)
    assert found and found[0].startswith(f"{small.name}/styles/print.css: error C012"), found
