"""The only door WeasyPrint has to files: the project's own and the fonts', nothing remote."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint.urls import URLFetcher, URLFetcherResponse

MAX_RESOURCE_BYTES = 20_000_000


class ProjectFetcher(URLFetcher):
    """Serves file:// URLs inside the allowed roots; records and refuses everything else."""

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols=("file",))
        self.roots = [root.resolve() for root in roots]
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        path = Path(unquote(parsed.path)).resolve() if parsed.scheme == "file" else None
        if path is None or not any(path.is_relative_to(root) for root in self.roots):
            self.refused.append(url if len(url) < 200 else url[:200] + "…")
            raise ValueError(f"bookbuild refuses to load {url[:200]}")
        if not path.is_file() or path.stat().st_size > MAX_RESOURCE_BYTES:
            self.refused.append(url)
            raise ValueError(f"missing or too large: {url}")
        return URLFetcherResponse(url, body=path.read_bytes())
