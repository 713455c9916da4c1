"""The cover image, drawn from the book's metadata with the book's font: no stock art."""

from __future__ import annotations

import importlib.metadata
import io
import textwrap

from PIL import Image, ImageDraw, ImageFont

from bookbuild import cache
from bookbuild.render.fonts import faces
from bookbuild.render.html import credits

SIZE = (1600, 2400)
INK, PAPER, RULE = (250, 246, 236), (92, 28, 36), (214, 180, 120)


def png(config) -> bytes:
    """A PNG of the cover: title, subtitle, credits (html.credits), publisher, on a plain ground with rules.
    Kept in the cache by what it is drawn from: drawing and compressing it takes a third of a
    second, and every EPUB needs it."""
    font_file = _font_file(config)
    people = credits(config)
    key = cache.digest(cache.code_version(), importlib.metadata.version("pillow"), font_file.read_bytes(),
                       config.title, config.subtitle or "", *people, config.publisher)
    image = cache.kept_object("covers", key)
    if not isinstance(image, bytes):
        image = _drawn(config, font_file, people)
        cache.keep_object("covers", key, image)
    return image


def _drawn(config, font_file, people: list[str]) -> bytes:
    image = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    y = 520
    draw.rectangle((140, 380, SIZE[0] - 140, 392), fill=RULE)
    y = _lines(draw, config.title, _font(font_file, 132, 650), y, width=18, gap=30)
    if config.subtitle:
        y = _lines(draw, config.subtitle, _font(font_file, 64, 400), y + 70, width=34, gap=20)
    draw.rectangle((140, y + 90, SIZE[0] - 140, y + 102), fill=RULE)
    y += 190
    for line in people:
        y = _lines(draw, line, _font(font_file, 60, 400), y, width=36, gap=16) + 24
    _lines(draw, config.publisher, _font(font_file, 52, 500), SIZE[1] - 300, width=40, gap=12)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)     # no timestamps: the same bytes every build
    return out.getvalue()


def _font_file(config):
    found = faces([config.output.fonts.body], config.styles_dir, config.root / "book.yaml")
    return next((f.path for f in found if f.style == "normal"), found[0].path)


def _font(path, size: int, weight: int) -> ImageFont.FreeTypeFont:
    font = ImageFont.truetype(str(path), size)
    try:
        axes = font.get_variation_axes()
        font.set_variation_by_axes([weight if a.get("name", b"") in (b"Weight", "Weight") else
                                    min(max(size / 4, a["minimum"]), a["maximum"]) for a in axes])
    except (OSError, AttributeError):
        pass                                          # a static font: its own weight
    return font


def _lines(draw, text: str, font, y: int, width: int, gap: int) -> int:
    for line in textwrap.wrap(text, width=width):
        box = draw.textbbox((0, 0), line, font=font)
        draw.text(((SIZE[0] - (box[2] - box[0])) / 2, y), line, font=font, fill=INK)
        y += box[3] - box[1] + gap
    return y
