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
