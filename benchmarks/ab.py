"""Interleaved A/B: the one-word rebuild of a generated reader by another version of bookbuild
and by this one, alternately, so that the machine's drift (a second of it from one minute to the
next on the 2-core machines) falls on both alike.

    python benchmarks/ab.py REV [--documents 300] [--runs 5] [--format epub] [--work DIR]

REV is a git revision of this repository (checked out into a worktree). Each version gets a copy
of the same reader and a cache of its own, built once clean to warm it; then, --runs times, the
middle document's next "the" becomes "this" in both copies, and each version rebuilds its copy.
Prints both lists of wall seconds and their means.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402
from run import VENV_BIN, measure, one_word_edit  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rev", help="the other version: a git revision of this repository")
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--format", choices=["epub", "pdf"], help="build one format only")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bookbuild-ab"))
    args = parser.parse_args(argv)
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    other = args.work / "other-code"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-f", str(other), args.rev],
                   check=True, capture_output=True)
    try:
        generate(args.work / "reader", args.documents)
        sides = {"before": other, "after": REPO}
        user_fonts = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "bookbuild" / "fonts"
        for side in sides:
            shutil.copytree(args.work / "reader", args.work / side)
            if user_fonts.is_dir():            # font instances are made once a font, not per book
                shutil.copytree(user_fonts, args.work / f"cache-{side}" / "bookbuild" / "fonts")
        extra = ["--format", args.format] if args.format else []
        for side, code in sides.items():                       # clean builds: the caches warmed
            _build(args.work, side, code, extra)
        times: dict[str, list[float]] = {side: [] for side in sides}
        for _ in range(args.runs):
            for side, code in sides.items():
                one_word_edit(args.work / side)
                times[side].append(_build(args.work, side, code, extra))
        for side, seconds in times.items():
            print(f"{side:7s} {' '.join(f'{s:.2f}' for s in seconds)}  mean {sum(seconds) / len(seconds):.2f} s")
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(other)], capture_output=True)


def _build(work: Path, side: str, code: Path, extra: list[str]) -> float:
    """Wall seconds of a build of the side's reader by the code in folder code, with its own cache."""
    env = dict(os.environ, XDG_CACHE_HOME=str(work / f"cache-{side}"), PYTHONPATH=str(code))
    return measure([str(VENV_BIN / "python"), "-m", "bookbuild", "build", *extra], work / side, env)["seconds"]


if __name__ == "__main__":
    main()
