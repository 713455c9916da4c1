"""Benchmark: bookbuild against Pandoc 3.9 (+ WeasyPrint) on generated readers.

    .venv/bin/python benchmarks/run.py --sizes 100 300 [--work /tmp/bookbuild-bench] [--steps clean word pages epub pandoc]

For each size: a reader of N documents is generated (benchmarks/generate.py), then measured,
each step in its own process (wall time, and peak RSS of that process tree's largest member,
from os.wait4):

    clean build          output/ removed, EPUB + PDF
    one-word edit        a word changed in one document, EPUB + PDF again
    page-count edit      paragraphs added to one document (its page count changes), EPUB + PDF
    EPUB only            bookbuild build --format epub, with nothing changed (the last build's record
                         answers: lastbuild.py), then after a one-word edit
    watch                `bookbuild watch` on the reader, then three one-word edits: the rebuild
                         after each, as watch prints it ("rebuilt in X s"); the first one after
                         watch starts, then the mean of the next two, when watch keeps the
                         documents enriched before (bookbuild/warm.py). The time from the save to
                         that line adds watch's poll of the files (every 0.5 s): in the JSON
    Pandoc EPUB          the same text as one Markdown file, pandoc -o reader.epub
    Pandoc PDF           pandoc -o reader.pdf --pdf-engine=weasyprint (the venv's WeasyPrint 70)

and a table with the ratios (bookbuild / Pandoc) is printed; --json writes the figures.
Pandoc is pypandoc-binary's bundled binary (pypandoc.get_pandoc_path()).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

VENV_BIN = Path(sys.executable).parent


def measure(argv: list[str], cwd: Path, env: dict | None = None) -> dict:
    """Run argv; wall seconds, the peak RSS (MB) of the largest process it started, and the peak
    of the whole process tree's memory (bookbuild's layout workers together: the sum of their
    proportional set sizes, sampled every 0.1 s, so pages shared after the fork count once)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.append(process.stdout.read()))
    reader.start()
    tree_peak = 0
    while _alive(process.pid):
        tree_peak = max(tree_peak, tree_pss(process.pid))
        time.sleep(0.1)
    reader.join()
    output = b"".join(chunks)
    # wait4 reports the child's own peak; its children (weasyprint under pandoc) are reaped by
    # it, and ru_maxrss then covers the largest of them too (Linux: max over waited-for children).
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    text = output.decode("utf-8", "replace")
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({process.returncode}):\n{text[-3000:]}")
    return {"seconds": round(seconds, 2), "peak_mb": round(usage.ru_maxrss / 1024, 1),
            "tree_mb": round(tree_peak / 2**20, 1), "output": text}


def _alive(pid: int) -> bool:
    """Running, not yet a zombie (wait4 reaps it afterwards, for its rusage)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def tree_pss(pid: int) -> int:
    """Bytes: the proportional set size of pid and all its descendants."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                total += next(int(line.split()[1]) * 1024 for line in rollup if line.startswith("Pss:"))
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack += [int(child) for child in children.read().split()]
        except (OSError, StopIteration):
            pass
    return total


def pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", out).group(1))


def bookbuild(root: Path, *extra: str) -> dict:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home(root.parent)))
    return measure([str(VENV_BIN / "bookbuild"), "build", "--verbose", *extra], root, env)


def cache_home(work: Path) -> Path:
    return work / "cache"


def empty_cache(work: Path) -> None:
    """A clean build starts with nothing kept (layouts, chapters parsed and enriched, markups,
    citations, the cover, the last build's record: every kind but the fonts); the font instances
    (made once a font file, not per book) are copied from the user's cache when it has them."""
    home = cache_home(work) / "bookbuild"
    home.mkdir(parents=True, exist_ok=True)
    for kind in home.iterdir():
        if kind.name == "fonts":
            continue
        if kind.is_dir():
            shutil.rmtree(kind)
        else:
            kind.unlink()
    user_fonts = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "bookbuild" / "fonts"
    if user_fonts.is_dir() and not (home / "fonts").exists():
        shutil.copytree(user_fonts, home / "fonts")


def build_summary(result: dict) -> str:
    """The build's last line: 'N pages, K repaired for notes, T s'."""
    lines = [line for line in result["output"].splitlines() if "pages," in line]
    return lines[-1].strip() if lines else ""


def middle_document(root: Path) -> Path:
    chapters = sorted(p for p in (root / "chapters").glob("*.md") if p.name != "introduction.md")
    return chapters[len(chapters) // 2]


def one_word_edit(root: Path) -> None:
    path = middle_document(root)
    text = path.read_text(encoding="utf-8")
    body_at = text.index("\n:::\n") + 5
    match = re.compile(r"\bthe\b").search(text, body_at)
    path.write_text(text[:match.start()] + "this" + text[match.end():], encoding="utf-8")


def page_count_edit(root: Path) -> None:
    """Add about 700 words (two pages) of the document's own paragraphs again at its end, before
    its notes: the document grows by two pages, so the total changes whatever the blank versos."""
    path = middle_document(root)
    text = path.read_text(encoding="utf-8")
    head, body = text.split("\n:::\n", 1)
    notes_at = body.find("\n[^")
    main, notes = (body[:notes_at], body[notes_at:]) if notes_at >= 0 else (body, "")
    pool = [p for p in re.split(r"\n\s*\n", main) if p.strip() and "[^" not in p]
    paragraphs: list[str] = []
    while sum(len(p.split()) for p in paragraphs) < 700:
        paragraphs.append(pool[len(paragraphs) % len(pool)])
    added = "\n\n".join(re.sub(r"\{index=[^}]*\}", "", p.strip()) for p in paragraphs)
    path.write_text(head + "\n:::\n" + main.rstrip() + "\n\n" + added + "\n" + notes, encoding="utf-8")


def pandoc_source(root: Path, target: Path) -> Path:
    """The generated reader's text as one Pandoc Markdown file: introduction and documents, each
    a chapter with its headnote, record and notes (labels made unique per document)."""
    import yaml
    book = yaml.safe_load((root / "book.yaml").read_text(encoding="utf-8"))
    chapters = sorted(p for p in (root / "chapters").glob("*.md") if p.name != "introduction.md")
    chapters.sort(key=lambda p: p.name)
    parts = ["---", f"title: {json.dumps(book['title'])}", f"subtitle: {json.dumps(book.get('subtitle', ''))}",
             f"lang: {book.get('language', 'en')}", "---", ""]
    for number, path in enumerate([root / "chapters" / "introduction.md"] + chapters):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.safe_load(front)
        heading = meta["title"] if number == 0 else f"Document {number}. {meta['title']}"
        body = re.sub(r"\[\^([^\]]+)\]", lambda m: f"[^d{number}-{m.group(1)}]", body)
        parts += [f"# {heading}", "", body.strip(), ""]
    target.write_text("\n".join(parts), encoding="utf-8")
    return target


def watch_rebuilds(root: Path, edits: int = 3) -> dict:
    """The seconds of `bookbuild watch`'s rebuild after each of edits one-word edits, as it prints
    them, and from each save to that line; peak memory as measure() gives it."""
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home(root.parent)))
    process = subprocess.Popen([str(VENV_BIN / "bookbuild"), "watch", "--port", "0"], cwd=root, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()
    tree_peak = 0

    def next_rebuild(seen: int) -> float:
        nonlocal tree_peak
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline and process.poll() is None:
            done = [line for line in lines[seen:] if line.startswith("rebuilt in")]
            if done:
                return float(done[0].split()[2])
            tree_peak = max(tree_peak, tree_pss(process.pid))
            time.sleep(0.1)
        raise RuntimeError("watch did not rebuild: " + "".join(lines[-20:]))
    try:
        next_rebuild(0)                                     # watch's own build as it starts
        builds, walls = [], []
        for _ in range(edits):
            time.sleep(1.0)                                 # watch has looked at the files since
            seen, saved = len(lines), time.perf_counter()
            one_word_edit(root)
            builds.append(next_rebuild(seen))
            walls.append(round(time.perf_counter() - saved, 2))
        status = Path(f"/proc/{process.pid}/status").read_text()
        peak = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024
    finally:
        process.terminate()
        process.wait(timeout=60)
    return {"builds": builds, "walls": walls, "peak_mb": round(peak, 1), "tree_mb": round(tree_peak / 2**20, 1),
            "output": ""}


STEPS = ("clean", "word", "pages", "epub", "watch", "pandoc")


def run_size(documents: int, work: Path, steps=STEPS) -> dict:
    root = work / f"reader-{documents}"
    slug = f"generated-reader-{documents}"
    rows: dict[str, dict] = {}
    if "clean" in steps or not (root / "output" / f"{slug}.pdf").exists():
        if root.exists():
            shutil.rmtree(root)
        generate(root, documents)
        empty_cache(work)
        rows["clean build (EPUB+PDF)"] = bookbuild(root)
        rows["clean build (EPUB+PDF)"]["pages"] = pdf_pages(root / "output" / f"{slug}.pdf")
    pages = pdf_pages(root / "output" / f"{slug}.pdf")

    if "word" in steps:
        one_word_edit(root)
        rows["rebuild, one-word edit"] = bookbuild(root)
        rows["rebuild, one-word edit"]["pages"] = pdf_pages(root / "output" / f"{slug}.pdf")
    if "pages" in steps:
        page_count_edit(root)
        rows["rebuild, page-count edit"] = bookbuild(root)
        rows["rebuild, page-count edit"]["pages"] = pdf_pages(root / "output" / f"{slug}.pdf")
    if "epub" in steps:
        rows["EPUB only, nothing changed"] = bookbuild(root, "--format", "epub")
        one_word_edit(root)
        rows["EPUB only, one-word edit"] = bookbuild(root, "--format", "epub")
    if "watch" in steps:
        watched = watch_rebuilds(root)
        rows["watch, first edit after it starts"] = dict(watched, seconds=watched["builds"][0])
        later = watched["builds"][1:]
        rows["watch, later edits (mean)"] = dict(watched, seconds=sum(later) / len(later))
    if "pandoc" in steps:
        import pypandoc
        binary = pypandoc.get_pandoc_path()
        source = pandoc_source(root, work / f"pandoc-{documents}.md")
        env = dict(os.environ, PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
        out_epub, out_pdf = work / f"pandoc-{documents}.epub", work / f"pandoc-{documents}.pdf"
        rows["Pandoc 3.9 EPUB"] = measure([binary, str(source), "-o", str(out_epub)], work, env)
        rows["Pandoc 3.9 PDF (WeasyPrint)"] = measure(
            [binary, str(source), "-o", str(out_pdf), "--pdf-engine=weasyprint"], work, env)
        rows["Pandoc 3.9 PDF (WeasyPrint)"]["pages"] = pdf_pages(out_pdf)
    for name, row in rows.items():
        row["summary"] = build_summary(row) if "Pandoc" not in name else ""
        # bookbuild --verbose prints each stage's time: "  lay out the PDF   222.68 s"
        row["stages"] = {m.group(1): float(m.group(2)) for m in
                         re.finditer(r"(?m)^\s+(\S.*?)\s+(\d+\.\d+) s$", row.pop("output", ""))}
    return {"documents": documents, "pages": pages, "rows": rows}


def table(results: list[dict]) -> str:
    lines = ["| reader | step | wall s | peak MB, largest process | peak MB, all processes | pages | "
             "bookbuild / Pandoc |", "|---|---|---:|---:|---:|---:|---|"]
    for result in results:
        rows = result["rows"]
        pandoc_epub = rows.get("Pandoc 3.9 EPUB")
        pandoc_pdf = rows.get("Pandoc 3.9 PDF (WeasyPrint)")
        pandoc_both = (pandoc_epub["seconds"] + pandoc_pdf["seconds"]) if pandoc_epub and pandoc_pdf else None
        for name, row in rows.items():
            ratio = ""
            if "Pandoc" not in name and pandoc_both:
                if name.startswith("EPUB only"):
                    ratio = f"{row['seconds'] / pandoc_epub['seconds']:.1f}× Pandoc EPUB"
                else:
                    ratio = (f"{row['seconds'] / pandoc_both:.1f}× Pandoc EPUB+PDF; "
                             f"memory {row['tree_mb'] / max(pandoc_epub['tree_mb'], pandoc_pdf['tree_mb']):.1f}×")
            lines.append(f"| {result['documents']} documents | {name} | {row['seconds']:.1f} | "
                         f"{row['peak_mb']:.0f} | {row['tree_mb']:.0f} | {row.get('pages', '')} | {ratio} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300])
    parser.add_argument("--work", type=Path, default=Path("/tmp/bookbuild-bench"))
    parser.add_argument("--steps", nargs="+", choices=STEPS, default=list(STEPS),
                        help="which measurements (default: all); without clean, the reader "
                             "already built in --work is edited and rebuilt")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    for size in args.sizes:
        results.append(run_size(size, args.work, args.steps))
        print(table(results[-1:]), flush=True)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print()
    print(table(results))


if __name__ == "__main__":
    main()
