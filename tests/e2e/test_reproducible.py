"""Two builds of the same sources, in different folders, give byte-identical files."""

import os
import subprocess
import sys

from tests.helpers import copy_project


def build(root, env=None, *options):
    out = subprocess.run([sys.executable, "-m", "bookbuild", "build", "-C", str(root), *options], capture_output=True,
                         text=True, env={**os.environ, **(env or {})}, timeout=600)
    assert out.returncode == 0, out.stderr
    return {p.suffix: p.read_bytes() for p in (root / "output").glob("*.*")}


def test_two_builds_are_byte_identical(tmp_path):
    first = build(copy_project(tmp_path / "one"))
    second = build(copy_project(tmp_path / "two"), None, "--no-cache")   # laid out again, not taken from the cache
    assert set(first) == {".pdf", ".epub"}
    assert first[".pdf"] == second[".pdf"]
    assert first[".epub"] == second[".epub"]
    # An EPUB-only build lays the PDF out for its page-list but writes none: the same EPUB.
    epub_only = build(copy_project(tmp_path / "three"), None, "--format", "epub")
    assert set(epub_only) == {".epub"} and epub_only[".epub"] == first[".epub"]


def test_source_date_epoch_sets_the_dates(tmp_path):
    products = build(copy_project(tmp_path / "one"), {"SOURCE_DATE_EPOCH": "946684800"})   # 2000-01-01
    import io
    import zipfile
    opf = zipfile.ZipFile(io.BytesIO(products[".epub"])).read("EPUB/content.opf").decode()
    assert "<meta property=\"dcterms:modified\">2000-01-01T00:00:00Z</meta>" in opf
    from pypdf import PdfReader
    info = PdfReader(io.BytesIO(products[".pdf"])).metadata
    assert info.creation_date.isoformat().startswith("2000-01-01T00:00:00")
