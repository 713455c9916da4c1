"""The command line: build, check, init, import. A few lines each; the work is elsewhere."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bookbuild import __version__
from bookbuild.diagnostics import BookError, ERROR

DESCRIPTION = """Build annotated readers of archival records.

A reader project holds book.yaml (what goes in, how it looks), chapters/ (the introduction
and one Markdown file per record), styles/ (CSS, templates, fonts) and output/ (the products).
"""
EPILOG = """examples:
  bookbuild build                 EPUB and PDF into output/
  bookbuild build --format epub   the EPUB only
  bookbuild check                 validate book.yaml and chapters without building
  bookbuild watch                 rebuild on every save, preview at http://127.0.0.1:8000/
  bookbuild init my-reader        start a new reader with a working example
  bookbuild import record.txt     turn an archive record into a chapter file
"""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except BookError as exc:
        for diagnostic in exc.diagnostics:
            print(diagnostic.format(), file=sys.stderr)
        if args.debug:
            raise
        return 1
    except KeyboardInterrupt:
        print("interrupted: output/ keeps its previous files", file=sys.stderr)
        return 130
    except Exception as exc:        # a bug of ours, not the user's: one line, and how to see more
        if args.debug:
            raise
        print(f"bookbuild: internal error ({type(exc).__name__}: {exc}); output/ keeps its previous files. "
              "Run again with --debug for the traceback, and report it.", file=sys.stderr)
        return 70


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bookbuild", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"bookbuild {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-C", "--project", type=Path, default=Path("."), metavar="DIR",
                        help="the reader project (default: the current folder)")
    common.add_argument("--debug", action="store_true", help="show the Python traceback of an error")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    build = sub.add_parser("build", parents=[common], help="build the EPUB and the PDF into output/")
    build.add_argument("--format", choices=("epub", "pdf"), help="build one format only")
    build.add_argument("-v", "--verbose", action="store_true", help="show the time each stage takes")
    build.add_argument("-j", "--jobs", type=_positive, metavar="N",
                       help="lay out, cite and merge with N processes (default: one a core)")
    build.add_argument("--no-cache", action="store_true",
                       help="use nothing kept from earlier builds (layouts, chapters parsed and enriched, "
                            "citations) and keep nothing")
    build.set_defaults(run=_build)

    watch = sub.add_parser("watch", parents=[common], help="rebuild on save, preview at http://127.0.0.1:PORT/")
    watch.add_argument("--port", type=int, default=8000, help="port of the preview (0: any free port)")
    watch.set_defaults(run=_watch)

    check = sub.add_parser("check", parents=[common], help="validate book.yaml and the chapters, build nothing")
    check.set_defaults(run=_check)

    init = sub.add_parser("init", help="create a new reader project with a working example")
    init.add_argument("directory", type=Path, help="folder to create (must not exist or be empty)")
    init.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    init.set_defaults(run=_init)

    imp = sub.add_parser("import", parents=[common], help="turn archive records into chapter files")
    imp.add_argument("files", type=Path, nargs="+", metavar="FILE", help="record text files")
    imp.add_argument("--force", action="store_true", help="replace an existing chapter file")
    imp.add_argument("--dry-run", action="store_true", help="show what would be written, write nothing")
    imp.set_defaults(run=_import)
    return parser


# Each command imports its machinery when it runs, so `--help` answers without loading WeasyPrint.
def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return int(text)


def _build(args) -> int:
    from bookbuild.build import FORMATS, build
    from bookbuild.progress import Progress
    started = time.monotonic()
    result = build(args.project, (args.format,) if args.format else FORMATS, Progress.for_terminal(args.verbose),
                   jobs=args.jobs, use_cache=not args.no_cache)
    for diagnostic in result.diagnostics:
        print(diagnostic.format(), file=sys.stderr)
    if any(d.severity == ERROR for d in result.diagnostics):
        return 1
    pages = len(result.page_map.labels) if result.page_map else 0
    if result.up_to_date:
        for path in result.outputs.values():
            print(f"up to date: {path}")
        print(f"{pages} pages, nothing changed since the last build, {time.monotonic() - started:.1f} s")
        return 0
    for fmt, path in result.outputs.items():
        print(f"wrote {path}")
    page_map = result.page_map
    moved = f", {page_map.parts_refolioed} given new folios" if page_map.parts_refolioed else ""
    # render/marks.py: a part whose laid-out text did not count as its markup's was laid out twice
    spanned = f", {page_map.parts_spanned} laid out again for index marks" if page_map.parts_spanned else ""
    laid_out = f"{page_map.parts_laid_out} part{'' if page_map.parts_laid_out == 1 else 's'}"
    print(f"{pages} pages, {page_map.repaired_pages} repaired for notes, {laid_out} laid out{moved}, "
          f"{page_map.parts_reused} from the cache{spanned}, {time.monotonic() - started:.1f} s")
    return 0


def _watch(args) -> int:
    from functools import partial

    from bookbuild.build import build
    from bookbuild.warm import Warm
    from bookbuild.watch import watch
    watch(args.project, args.port, partial(build, warm=Warm()))
    return 0


def _check(args) -> int:
    from bookbuild.lint import check
    if args.debug:                          # lint reports reading errors as lines: read first, so
        from bookbuild.build import read    # --debug shows where one was raised
        read(args.project)
    diagnostics = check(args.project)
    for diagnostic in diagnostics:
        print(diagnostic.format(), file=sys.stderr)
    errors = sum(d.severity == ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    summary = f"{errors} error{'' if errors == 1 else 's'}, {warnings} warning{'' if warnings == 1 else 's'}"
    # Errors of reading stop check before the lint: its warnings are not yet counted.
    print(summary if diagnostics.linted else f"{summary} (the lint runs once the book reads without error)")
    return 1 if errors else 0


def _init(args) -> int:
    from bookbuild.scaffold import init
    init(args.directory)
    print(f"created {args.directory}: cd into it and run `bookbuild build`")
    return 0


def _import(args) -> int:
    from bookbuild.importers import import_files
    chapters = args.project / "chapters"
    results = import_files(args.files, chapters, force=args.force, dry_run=args.dry_run)
    failed = 0
    for result in results:
        if result.error:
            failed += 1
            print(result.error, file=sys.stderr)
            continue
        verb = "would write" if args.dry_run else "wrote"
        print(f"{result.source}: {verb} {result.target}")
        for line, text in result.dropped:
            print(f"  dropped {result.source}:{line}: {text[:70]}")
        for line, message in result.doubtful:
            print(f"  doubtful {result.source}:{line}: {message}")
        if args.dry_run:
            print("\n".join(f"  | {line}" for line in result.text.splitlines()))
    return 1 if failed else 0
