"""The writing loop: `quire watch` rebuilds on every change; `quire serve` also serves an
HTML preview on localhost that reloads itself after each build and shows build errors.

Changes are seen with watchfiles. Rebuilds run in this process, so imports stay warm and
the build cache in the output folder spares unchanged documents.
"""

from __future__ import annotations

import html
import mimetypes
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from .cache import CACHE_FOLDER

RELOAD_JS = b"""(function () {
  var seen = null;
  setInterval(function () {
    fetch("/__quire/version").then(function (r) { return r.text(); }).then(function (v) {
      if (seen !== null && v !== seen) { location.reload(); }
      seen = v;
    }).catch(function () {});
  }, 500);
})();
"""
RELOAD_SCRIPT = '<script src="/__quire/reload.js"></script>'
# The pages may run quire's own reload script and nothing else, load nothing from elsewhere
# and be framed by no one (the manuscript is someone else's: sanitized, and fenced in).
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
          "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
MAX_CONNECTIONS = 32
IDLE_SECONDS = 10


def _relevant(root: Path, out: Path):
    """Changes worth a rebuild: not the outputs, not hidden files, not editor droppings."""
    out = out.resolve()

    def accept(change, path: str) -> bool:
        p = Path(path).resolve()
        if p == out or out in p.parents:
            return False
        parts = p.relative_to(root).parts if root in p.parents else ()
        return not any(part.startswith(".") or part.endswith("~") or part == CACHE_FOLDER
                       for part in parts)
    return accept


def watch(root: Path, out: Path, build: Callable[[], list[Path]], say: Callable[[str], None],
          stop: threading.Event | None = None) -> None:
    """Build now, then after every relevant change; one line per build."""
    from watchfiles import watch as watch_changes

    from .errors import QuireError

    def once(reason: str) -> None:
        started = time.perf_counter()
        try:
            written = build()
        except QuireError as err:
            say(f"error: {err}")
            return
        names = ", ".join(p.name for p in written)
        say(f"{reason}: {names} in {time.perf_counter() - started:.2f} s")

    once("built")
    for changes in watch_changes(root, watch_filter=_relevant(root.resolve(), out),
                                 stop_event=stop, debounce=200, raise_interrupt=False):
        changed = sorted({Path(path).name for _, path in changes})
        once(f"rebuilt after {', '.join(changed)}")


class Preview:
    """What the server shows: the last good EPUB's pages, or the last build error."""

    def __init__(self):
        self.epub: Path | None = None
        self.error = ""
        self.version = 0
        self.lock = threading.Lock()

    def update(self, epub: Path | None, error: str = "") -> None:
        with self.lock:
            if epub is not None:
                self.epub = epub
            self.error = error
            self.version += 1

    def page(self, path: str) -> tuple[int, str, bytes]:
        with self.lock:
            epub, error, version = self.epub, self.error, self.version
        if path == "/__quire/version":
            return 200, "text/plain", str(version).encode()
        if path == "/__quire/reload.js":
            return 200, "text/javascript", RELOAD_JS
        if error:
            body = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Build error</title>"
                    f"</head><body><h1>quire: the build failed</h1><pre class='quire-error'>"
                    f"{html.escape(error)}</pre>{RELOAD_SCRIPT}</body></html>")
            return 500, "text/html; charset=utf-8", body.encode()
        if epub is None:
            return 503, "text/plain", b"building..."
        name = "EPUB/nav.xhtml" if path in ("/", "") else "EPUB/" + path.lstrip("/")
        try:
            with zipfile.ZipFile(epub) as zf:
                data = zf.read(name)
        except (KeyError, OSError, zipfile.BadZipFile):
            return 404, "text/plain", b"not found"
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if name.endswith(".xhtml"):
            kind = "application/xhtml+xml"
            data = data.replace(b"</body>", RELOAD_SCRIPT.encode() + b"</body>", 1)
        return 200, kind, data


def serve(preview: Preview, port: int) -> ThreadingHTTPServer:
    """An HTTP server on 127.0.0.1 only, in a background thread. It answers only requests
    addressed to 127.0.0.1 or localhost (a page elsewhere that rebinds its DNS name to
    127.0.0.1 gets 403), drops connections idle for IDLE_SECONDS, and serves at most
    MAX_CONNECTIONS at once."""
    slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    class Handler(BaseHTTPRequestHandler):
        timeout = IDLE_SECONDS          # idle or half-sent requests do not hold a thread

        def do_GET(self):
            host = (self.headers.get("Host") or "").lower()
            if host.rsplit(":", 1)[0] not in ("127.0.0.1", "localhost") or (
                    ":" in host and host.rsplit(":", 1)[1] != str(self.server.server_port)):
                status, kind, body = 403, "text/plain", b"quire serves 127.0.0.1 only"
            else:
                status, kind, body = preview.page(self.path.split("?")[0])
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Security-Policy", POLICY)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def process_request(self, request, client_address):
            if not slots.acquire(blocking=False):
                self.shutdown_request(request)      # full: the client may try again
                return
            super().process_request(request, client_address)

        def process_request_thread(self, request, client_address):
            try:
                super().process_request_thread(request, client_address)
            finally:
                slots.release()

    from .errors import QuireError

    try:
        server = Server(("127.0.0.1", port), Handler)
    except OSError as err:
        raise QuireError(f"cannot serve on 127.0.0.1:{port} ({err.strerror or err}); "
                         "choose another port with --port") from None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
