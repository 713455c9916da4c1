"""`python -m bookbuild` runs the command line."""

from bookbuild.cli import main

raise SystemExit(main())
