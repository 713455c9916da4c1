"""bookbuild: annotated readers of archival records, as EPUB and print PDF."""

__version__ = "0.1.0"
