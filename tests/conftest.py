import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests run the same examples on every machine, so CI passes or fails on the code, not on
# the draw; `pytest --hypothesis-profile=explore` draws new examples when hunting for bugs.
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.helpers import copy_project  # noqa: E402


@pytest.fixture(scope="session")
def built_reader(tmp_path_factory):
    """The repository's reader built once into a temporary copy: (root, BuildResult)."""
    from bookbuild.build import build
    root = copy_project(tmp_path_factory.mktemp("reader") / "reader")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = build(root)
    finally:
        os.chdir(cwd)
    return root, result


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path / "reader")


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    """A cache of the test's own, so what it lays out does not depend on earlier runs; the font
    instances (made once a font, about a minute) are shared with the user's cache."""
    from bookbuild import cache
    fonts = cache.root() / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "cache" / "bookbuild").mkdir(parents=True)
    (tmp_path / "cache" / "bookbuild" / "fonts").symlink_to(fonts)
