"""`bookbuild watch`: rebuild on save and serve an HTML preview on localhost that reloads itself."""

from __future__ import annotations

import html
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bookbuild.diagnostics import BookError
from bookbuild.lastbuild import snapshot

RELOAD = b"""<script>/* bookbuild watch: reload when a build finishes */
(function(){var v=null;setInterval(function(){fetch('/__version').then(function(r){return r.text()})
.then(function(t){if(v!==null&&t!==v){location.reload()}v=t}).catch(function(){})},700)})();</script>"""


class Preview:
    """The last build's EPUB files, or the last error, and a version number that changes with them."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.error: str | None = None
        self.version = 0
        self.lock = threading.Lock()

    def update(self, epub: Path | None, error: str | None) -> None:
        files = {}
        if epub is not None:
            with zipfile.ZipFile(epub) as archive:
                files = {name.removeprefix("EPUB/"): archive.read(name) for name in archive.namelist()}
        with self.lock:
            self.files = files or self.files
            self.error, self.version = error, self.version + 1

    def page(self, path: str) -> tuple[int, str, bytes]:
        with self.lock:
            if path == "/__version":
                return 200, "text/plain", str(self.version).encode()
            if self.error:
                body = f"<h1>The last edit does not build</h1><pre>{html.escape(self.error)}</pre>".encode()
                return 200, "text/html; charset=utf-8", b"<html><body>" + body + RELOAD + b"</body></html>"
            name = path.lstrip("/") or "nav.xhtml"
            data = self.files.get(name)
        if data is None:
            return 404, "text/plain", b"not in the book"
        if name.endswith(".xhtml"):
            return 200, "text/html; charset=utf-8", data.replace(b"</body>", RELOAD + b"</body>")
        kind = {"css": "text/css", "png": "image/png"}.get(name.rsplit(".", 1)[-1], "application/octet-stream")
        return 200, kind, data


def watch(root: Path, port: int, build, interval: float = 0.5, rounds: int | None = None) -> None:
    """Build now and after every change to book.yaml, chapters/ or styles/; serve the preview."""
    preview = Preview()
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(preview))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"serving the preview at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)", flush=True)
    seen, said = None, set()
    try:
        while rounds is None or rounds > 0:
            state = snapshot(root)
            if state != seen:
                seen = state
                _rebuild(root, build, preview, said)
                rounds = None if rounds is None else rounds - 1
            time.sleep(interval)
    finally:
        server.shutdown()


def _rebuild(root: Path, build, preview: Preview, said: set[str]) -> None:
    """said: the warnings of the last build, which are counted rather than said again (an edit's
    one new warning is not lost among the example's six placeholders); after an error, all."""
    started = time.monotonic()
    try:
        result = build(root)
    except BookError as exc:
        message = "\n".join(d.format() for d in exc.diagnostics)
        print(message, flush=True)
        preview.update(None, message)
        said.clear()
        return
    warnings = [diagnostic.format() for diagnostic in result.diagnostics]   # lint.said_by_build's
    for line in warnings:
        if line not in said:
            print(line, flush=True)
    again = sum(line in said for line in warnings)
    if again:
        print(f"{again} warning{'s' if again > 1 else ''} as at the last build", flush=True)
    said.clear()
    said.update(warnings)
    print("up to date" if result.up_to_date else f"rebuilt in {time.monotonic() - started:.1f} s", flush=True)
    preview.update(result.outputs.get("epub"), None)


def _handler(preview: Preview):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, kind, body = preview.page(self.path.split("?")[0])
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):      # the terminal is for build messages
            pass
    return Handler
