"""Generate a large reader project from the repository's two records, for tests and benchmarks.

    python benchmarks/generate.py DIR --documents 100 [--seed 7]

DIR gets book.yaml (the repository's, with its index registry), styles/ (copied) and
chapters/: the introduction and N documents made from the two records: paragraphs shuffled
and recombined, dates, titles and ids varied, editor's notes in every document (some of them
long, 150+ words), explicit index marks from the registry. The same arguments give the same
project, byte for byte.
"""

from __future__ import annotations

import argparse
import datetime
import random
import re
import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
RECORDS = ("1959-10-02-khrushchev-mao.md", "1962-11-02-benediktov-nehru.md")
SPEAKER = re.compile(r"^([A-Z][A-Z .,']+):\s")
KINDS = ["conversation record", "memorandum of conversation", "diary entry", "telegram", "report"]
TITLE_FORMS = ["{title}", "Extract from the {title}", "{title} (second copy)", "{title} (variant text)",
               "{title}, as circulated"]


def read_chapter(path: Path) -> tuple[dict, list[str], list[str]]:
    """Front matter, headnote paragraphs and body paragraphs of a record chapter."""
    text = path.read_text(encoding="utf-8")
    _, front, rest = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    head, body = rest.split("\n:::\n", 1)
    headnote = head.split("::: headnote\n", 1)[1]
    return meta, _paragraphs(headnote), _paragraphs(body)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[a-z0-9\]\)][.!?])\s+(?=[A-Z])", text) if s]


def _depth_zero_ends(text: str) -> list[int]:
    """Positions just after a sentence's full stop, outside brackets and quotations."""
    ends, depth, quotes = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth = max(0, depth - 1)
        elif ch in "\"“”":
            quotes += 1
        elif ch == "." and depth == 0 and quotes % 2 == 0 and i > 3 and text[i - 1].islower() \
                and (i + 1 == len(text) or text[i + 1] == " "):
            ends.append(i + 1)
    return ends


class Material:
    """The two records, the introduction and the registry, as pools to draw from."""

    def __init__(self, repo: Path = REPO):
        self.records = [read_chapter(repo / "chapters" / name) for name in RECORDS]
        self.book = yaml.safe_load((repo / "book.yaml").read_text(encoding="utf-8"))
        intro = (repo / "chapters" / "introduction.md").read_text(encoding="utf-8")
        intro_body = intro.split("---\n", 2)[2]
        prose = [re.sub(r"\[\^\d+\]", "", p) for p in _paragraphs(intro_body) if not p.startswith(("#", "[^"))]
        prose += [p for _, headnote, _ in self.records for p in headnote]
        prose += [re.sub(r"^\[\^\d+\]:\s*", "", p) for p in _paragraphs(intro_body) if p.startswith("[^")]
        self.sentences = [s for p in prose for s in _sentences(p) if 6 <= len(s.split()) <= 60
                          and "[" not in s and "*" not in s]
        self.terms = [(term["name"], form) for kind in ("people", "places", "organisations", "topics")
                      for term in self.book["index"].get(kind, []) for form in term.get("forms", [])[:1]
                      if "see" not in term]


def note_text(rng: random.Random, material: Material, words: int) -> str:
    sentences: list[str] = []
    while sum(len(s.split()) for s in sentences) < words:
        sentences.append(rng.choice(material.sentences))
    return " ".join(sentences)


def make_document(number: int, rng: random.Random, material: Material, start: datetime.date,
                  long_every: int) -> tuple[str, str]:
    """(file name, chapter text) of generated document `number` (1-based)."""
    base = (number - 1) % len(material.records)
    meta, headnote, body = material.records[base]
    other = material.records[1 - base][2]
    day = start + datetime.timedelta(days=3 * (number - 1) + rng.randrange(3))
    # Body: the base record's paragraphs, some dropped, a few from the other record, neighbours
    # swapped, two plain paragraphs sometimes joined.
    paragraphs = [p for p in body if rng.random() > 0.35]
    for _ in range(rng.randrange(1, 4)):
        paragraphs.insert(rng.randrange(len(paragraphs) + 1), rng.choice(other))
    for i in range(len(paragraphs) - 1):
        if rng.random() < 0.2:
            paragraphs[i], paragraphs[i + 1] = paragraphs[i + 1], paragraphs[i]
    joined: list[str] = []
    for p in paragraphs:
        if joined and rng.random() < 0.1 and not SPEAKER.match(p) and not re.match(r"\d+\.", p) \
                and not joined[-1].endswith(("]", "...")):
            joined[-1] = joined[-1] + " " + p
        else:
            joined.append(p)
    target_words = rng.randrange(450, 1200)
    kept, count = [], 0
    for p in joined:
        if count > target_words:
            break
        kept.append(re.sub(r"^\d+\.\s+", "", p) if re.match(r"\d+\.\s", p) else p)
        count += len(p.split())
    paragraphs = kept
    # Notes: 5-9 a document, called after a sentence's full stop; one long one in some documents.
    notes: list[str] = []
    candidates = [(i, pos) for i, p in enumerate(paragraphs) for pos in _depth_zero_ends(p)]
    rng.shuffle(candidates)
    chosen: dict[int, list[int]] = {}
    wanted = rng.randrange(5, 10)
    for i, pos in candidates:
        if len(notes) >= wanted:
            break
        if i in chosen and len(chosen[i]) >= 3:
            continue
        chosen.setdefault(i, []).append(pos)
        notes.append("")
    calls = sorted((i, pos) for i, positions in chosen.items() for pos in positions)
    long_note = number % long_every == 0 and calls
    long_at = rng.randrange(len(calls)) if long_note else -1
    texts: list[str] = []
    for k, _ in enumerate(calls):
        if k == long_at:
            text = note_text(rng, material, rng.randrange(150, 190))
        elif rng.random() < 0.25:
            text = note_text(rng, material, rng.randrange(45, 80))      # several sentences
        else:
            text = note_text(rng, material, rng.randrange(10, 30))
        if rng.random() < 0.3:
            name, form = rng.choice(material.terms)
            text += f" Compare [{_plain(form)}]{{index=\"{name}\"}} elsewhere in this reader."
        texts.append(text)
    for k, (i, pos) in sorted(enumerate(calls), key=lambda item: (item[1][0], -item[1][1])):
        paragraphs[i] = paragraphs[i][:pos] + f"[^n{k + 1}]" + paragraphs[i][pos:]
    # Headnote: the base headnote's sentences, reordered within each paragraph.
    head = []
    for p in headnote:
        sentences = _sentences(p)
        rng.shuffle(sentences)
        head.append(" ".join(sentences))
    title = rng.choice(TITLE_FORMS).format(title=meta["title"])
    short = meta["short_title"].rsplit(",", 1)[0]
    front = dict(meta)
    record_id = str(int(meta.get("record_id") or 120000) + number)
    front.update(title=title, short_title=f"{short}, {day.day} {day:%B %Y}", date=day.isoformat(),
                 kind=rng.choice(KINDS), record_id=record_id,
                 source_url=f"https://digitalarchive.wilsoncenter.org/document/{record_id}")
    front.pop("citation", None)          # the citation's date would contradict the varied date
    name = f"{day.isoformat()}-{'khrushchev-mao' if base == 0 else 'benediktov-nehru'}-{number:04d}.md"
    lines = ["---", yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000).strip(), "---", "",
             "::: headnote", "\n\n".join(head), ":::", "", "\n\n".join(paragraphs), ""]
    lines += [f"[^n{k + 1}]: {text}\n" for k, text in enumerate(texts)]
    return name, "\n".join(lines)


def _plain(form: str) -> str:
    return form.replace("[", "").replace("]", "")


def generate(target: Path, documents: int, seed: int = 7, long_every: int = 3, repo: Path = REPO) -> Path:
    """Write a reader project of `documents` documents into target (replacing its chapters)."""
    material = Material(repo)
    target.mkdir(parents=True, exist_ok=True)
    chapters = target / "chapters"
    if chapters.exists():
        shutil.rmtree(chapters)
    chapters.mkdir()
    if (target / "styles").exists():
        shutil.rmtree(target / "styles")
    shutil.copytree(repo / "styles", target / "styles")
    shutil.copy(repo / "chapters" / "introduction.md", chapters / "introduction.md")
    rng = random.Random(seed)
    start = datetime.date(1959, 1, 5)
    for number in range(1, documents + 1):
        name, text = make_document(number, random.Random(rng.randrange(2**32)), material, start, long_every)
        (chapters / name).write_text(text, encoding="utf-8")
    book = (repo / "book.yaml").read_text(encoding="utf-8")
    book = re.sub(r"(?m)^title: .*$", f'title: "A Generated Reader of {documents} Records"', book)
    book = re.sub(r"(?m)^slug: .*$", f"slug: generated-reader-{documents}", book)
    (target / "book.yaml").write_text(book, encoding="utf-8")
    return target


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", type=Path)
    parser.add_argument("--documents", "-n", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--long-every", type=int, default=3, help="a long note in every Kth document")
    args = parser.parse_args(argv)
    generate(args.target, args.documents, args.seed, args.long_every)
    print(f"{args.target}: {args.documents} documents")


if __name__ == "__main__":
    main()
