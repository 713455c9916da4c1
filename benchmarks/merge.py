"""The merge of the PDF's parts, alone: where its time goes after the layout is done.

    python benchmarks/merge.py PROJECT [--runs 3]

Builds PROJECT (a reader built before rebuilds from its cache) with the calls the build makes to
the merging process recorded, then makes the same calls here, --runs times, each in a fresh
merge: the copies of the parts (all of them, as a clean build makes them), then each step of
writing the book, and the bytes' digest (the same every run: the calls alone decide the bytes).
For a change to the merge: its effect on the merge's time, without the layout around it.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

import pikepdf

from bookbuild import verify
from bookbuild.build import build
from bookbuild.render import merge


def recorded_calls(project: Path) -> tuple[object, list[tuple]]:
    calls: list[tuple] = []
    make_call = merge.Beside._call

    def record(self, call: tuple) -> None:
        calls.append(call)
        make_call(self, call)
    merge.Beside._call = record
    try:
        (project / "output").mkdir(exist_ok=True)
        for product in (project / "output").glob("*.pdf"):
            product.unlink()                       # else an unchanged book is not built again
        result = build(project)
    finally:
        merge.Beside._call = make_call
    return result.book.config, calls


def replay(config, calls: list[tuple]) -> dict[str, float]:
    """One merge of the calls: the copies, then Merging.finish with each of its steps timed (the
    rest of it, the named destinations, is what finish took beyond them)."""
    times: dict[str, float] = {}

    def timed(name: str, work):
        def run(*args, **kwargs):
            start = time.perf_counter()
            try:
                return work(*args, **kwargs)
            finally:
                times[name] = round(time.perf_counter() - start, 3)
        return run
    steps = {"join the links": (merge, "_join_links"), "outline": (merge, "_outline"),
             "name the subsets": (merge, "_name_subsets"), "page labels": (merge, "_label_pages"),
             "save": (pikepdf.Pdf, "save"), "read the fonts": (verify, "fonts")}
    originals = {name: getattr(owner, attribute) for name, (owner, attribute) in steps.items()}
    merging = merge.Merging(config)
    timed("copy the parts", lambda: [merging.take(call) for call in calls])()
    for name, (owner, attribute) in steps.items():
        setattr(owner, attribute, timed(name, originals[name]))
    try:
        written = timed("finish", merging.finish)()
    finally:
        for name, (owner, attribute) in steps.items():
            setattr(owner, attribute, originals[name])
    times["digest"] = hashlib.sha256(written.pdf).hexdigest()[:16]
    return times


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    config, calls = recorded_calls(args.project)
    parts = sum(len(call[1]) for call in calls if call[0] in ("add", "front"))
    print(f"{len(calls)} calls, {parts} parts")
    for _ in range(args.runs):
        print(replay(config, calls))


if __name__ == "__main__":
    main()
