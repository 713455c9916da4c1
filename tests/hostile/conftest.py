from pathlib import Path

import pytest

from tests.hostile.util import make_project


@pytest.fixture
def small(tmp_path) -> Path:
    """`bookbuild init`'s example: an introduction and one record (1945-07-24-potsdam-telegram.md)."""
    return make_project(tmp_path / "reader")
