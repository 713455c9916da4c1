"""The cover is drawn once for what it shows and kept: the same bytes from the cache, drawn again
when its title (or anything it is drawn from) changes."""

import pytest

from bookbuild import cache, config as config_mod
from bookbuild.render import cover


@pytest.fixture
def config(project, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return config_mod.load(project)


def test_a_cover_drawn_once_comes_back_from_the_cache(config, monkeypatch):
    drawn = cover.png(config)
    assert drawn.startswith(b"\x89PNG")

    def draw_again(*arguments):
        raise AssertionError("drawn again, though nothing it shows changed")
    monkeypatch.setattr(cover, "_drawn", draw_again)
    assert cover.png(config) == drawn


def test_a_new_title_draws_a_new_cover(config):
    before = cover.png(config)
    revised = config.model_copy(update={"title": config.title + " Revised"})
    assert cover.png(revised) != before


def test_without_the_cache_it_is_drawn_alike(config):
    kept = cover.png(config)
    with cache.bypassed():
        assert cover.png(config) == kept
