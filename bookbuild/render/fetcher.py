"""The only door WeasyPrint has to files: the project's own and the fonts', nothing remote."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint.urls import URLFetcher, URLFetcherResponse

MAX_RESOURCE_BYTES = 20_000_000
OUTSIDE = "not a file of the project or of its fonts"
MISSING = "there is no such file"


class ProjectFetcher(URLFetcher):
    """Serves file:// URLs inside the allowed roots; records and refuses everything else."""

    @classmethod
    def of(cls, config) -> "ProjectFetcher":
        """The project's own files and its fonts' (a face may live in a font package)."""
        from bookbuild.render.fonts import font_roots
        return cls([config.root] + font_roots(config.styles_dir))

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols=("file",))
        self.roots = [root.resolve() for root in roots]
        self.refused: list[str] = []
        self.reasons: list[str] = []            # why, for each of refused

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        path = Path(unquote(parsed.path)).resolve() if parsed.scheme == "file" else None
        if path is None or not any(path.is_relative_to(root) for root in self.roots):
            return self._refuse(url, OUTSIDE)
        if not path.is_file():
            return self._refuse(url, MISSING)
        if path.stat().st_size > MAX_RESOURCE_BYTES:
            return self._refuse(url, f"larger than {MAX_RESOURCE_BYTES // 1_000_000} MB")
        return URLFetcherResponse(url, body=path.read_bytes())

    def _refuse(self, url: str, why: str):
        self.refused.append(url if len(url) < 200 else url[:200] + "…")
        self.reasons.append(why)
        raise ValueError(f"bookbuild refuses to load {url[:200]}: {why}")
