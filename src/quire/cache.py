"""Build caches, kept in the output folder (`DIR/.quire-cache/`), never outside the project.

- An inputs digest over everything a build reads (config, content, styles, templates, the
  built-in theme, quire's version, SOURCE_DATE_EPOCH): when it and the outputs are as the
  last build left them, there is nothing to do.
- Python-Markdown's HTML per document, keyed by its text and quire's version (the HTML
  does not depend on the language: quotes are put in later, typography.py).
- The print layout's page starts (for the EPUB's page list), keyed by the inputs digest.
- The parts of a long PDF as laid out (pages, anchors, page starts) and as written, keyed
  by their HTML, everything else they read and, for the PDF, their first page number: after
  an edit, only the parts it changed are laid out again (outputs/pdf_parts.py).
- Files derived for print: WOFF2 fonts unpacked (WeasyPrint unpacks them slowly in pure
  Python) and raster images converted to CMYK, keyed by the bytes they come from.
Every entry is keyed by content, so a changed file can never be served stale, and stored
with a digest of its content, so a damaged entry is never served at all: it is discarded
and made again (JSON entries are also checked against their shape).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from functools import lru_cache
from pathlib import Path

from . import __version__, atomic, shapes
from .dialects import SETUP
from .resources import inside, templates_dir, theme_dir

log = logging.getLogger("quire")
CACHE_FOLDER = ".quire-cache"
_INPUT_FOLDERS = ("content", "styles", "templates")
# What Python-Markdown's HTML holds beyond its own syntax: change it when quire's Markdown
# extensions change what they write (formulas, citations, index marks: scholarly.py).
SYNTAX = "math, citations, index 1"


def _files(root: Path):
    if (root / "quire.toml").is_file():
        yield root / "quire.toml"
    folders = [root / name for name in _INPUT_FOLDERS if (root / name).is_dir()]
    if not (root / "content").is_dir():
        folders.append(root)          # a loose folder of Markdown files
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            parts = path.relative_to(folder).parts
            if path.is_file() and not any(p.startswith(".") or p == "dist" for p in parts):
                if folder != root or path.suffix == ".md":
                    yield path


@lru_cache(maxsize=1)
def _versions() -> str:
    """The versions of the libraries that shape the output, and a digest of quire's own
    code and data (a changed quire never answers "up to date" with the old one's files)."""
    from importlib.metadata import version
    code = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json", ".toml", ".html", ".xhtml"):
            code.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return " ".join(f"{name} {version(name)}" for name in
                    ("markdown", "pymdown-extensions", "markdown-callouts", "pygments",
                     "weasyprint", "ebooklib", "jinja2", "babel", "py3langid")) + (
                        f" code {code.hexdigest()[:16]}")


def inputs_digest(root: Path, extra: tuple[Path, ...] | list[Path] = (),
                  markdown: bool = True) -> str:
    """A digest of everything a build of `root` reads: the project's own folders, any
    other file the last build read (`extra`: images or fonts outside them), the theme,
    and the versions of quire and the libraries that shape the output. Without
    `markdown`, the manuscripts themselves are left out."""
    digest = hashlib.sha256(f"quire {__version__} {_versions()}\n".encode())
    digest.update(f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '')}\n".encode())
    config = root / "quire.toml"
    digest.update(b"quire.toml is a folder\n" if config.is_dir() else b"")
    own = set(_files(root))
    outside = sorted(Path(p) for p in extra if Path(p) not in own and inside(Path(p), root))
    if not markdown:
        own, outside = ({p for p in own if p.suffix != ".md"},
                        [p for p in outside if p.suffix != ".md"])
    for base, paths in ((root, sorted(own) + outside),
                        (theme_dir(), sorted(theme_dir().rglob("*"))),
                        (templates_dir(), sorted(templates_dir().rglob("*")))):
        for path in paths:
            if path.is_file() and "__pycache__" not in path.parts:
                name = path.relative_to(base) if base in path.parents else path
                digest.update(str(name).encode() + b"\0")
                if base == root and not inside(path, root):     # a link out: never read
                    digest.update(b"a link out of the project\0")
                    continue
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


_SEAL = b"quire-cache 1 sha256:"


def _sealed(data: bytes) -> bytes:
    """An entry as stored: a header with the digest of its content, then the content."""
    return _SEAL + hashlib.sha256(data).hexdigest().encode() + b"\n" + data


def _read(path: Path) -> bytes | None:
    """An entry's content if it is exactly as written; a missing entry is None, and so is
    a damaged one (edited, truncated, a bit flipped), which is deleted to be made again."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    head, _, data = blob.partition(b"\n")
    if head.startswith(_SEAL) and head[len(_SEAL):] == hashlib.sha256(data).hexdigest().encode():
        return data
    log.debug("cache: %s is damaged; discarded and made again", path)
    path.unlink(missing_ok=True)
    return None


def _json(path: Path, valid) -> object | None:
    """A JSON entry that passes `valid(value)`, else None (and the entry is discarded)."""
    data = _read(path)
    if data is None:
        return None
    try:
        value = json.loads(data)
        if valid(value):
            return value
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        pass
    log.debug("cache: %s does not hold what it should; discarded", path)
    path.unlink(missing_ok=True)
    return None


def _write_atomic(path: Path, data: bytes) -> None:
    """Write `data` at `path` by renaming a temporary file; a cache that cannot be written
    (a read-only or full disk) is only slower, so failures are ignored."""
    try:
        atomic.write_bytes(path, _sealed(data), prefix=".tmp-")
    except OSError:
        pass


class BuildCache:
    """The caches of one output folder. Unreadable or missing entries are simply misses."""

    def __init__(self, out_dir: Path):
        self.dir = out_dir / CACHE_FOLDER

    # -- whole builds -------------------------------------------------------------------
    def _state(self) -> dict:
        state = _json(self.dir / "builds.json", lambda value: isinstance(value, dict))
        return {key: record for key, record in (state or {}).items() if shapes.build_record(record)}

    def up_to_date(self, key: str, digest: str) -> dict | None:
        """The last build's record for `key` if its inputs and outputs are unchanged."""
        record = self._state().get(key)
        if not record or record.get("inputs") != digest:
            return None
        for name, expected in record.get("outputs", {}).items():
            path = Path(name)
            if not path.is_file() or _file_digest(path) != expected:
                return None
        return record

    def extra_inputs(self, key: str) -> list[str]:
        """The files outside the project's folders that the last build for `key` read."""
        return self._state().get(key, {}).get("extra", [])

    def record(self, key: str, digest: str, outputs: list[Path], warnings: list[str],
               extra: list[str]) -> None:
        state = self._state()
        state[key] = {"inputs": digest, "warnings": warnings, "extra": extra,
                      "outputs": {str(p): _file_digest(p) for p in outputs}}
        _write_atomic(self.dir / "builds.json", json.dumps(state, indent=1).encode())

    # -- Markdown ------------------------------------------------------------------------
    def markdown(self, convert):
        """Wrap `convert(text) -> html` with a cache on disk."""
        def path_of(text: str) -> Path:
            key = hashlib.sha256(
                f"{__version__}\0{SYNTAX}\0{_versions()}\0{SETUP}\0{text}".encode()).hexdigest()
            return self.dir / "markdown" / key[:2] / key

        def cached(text: str) -> str:
            path = path_of(text)
            data = _read(path)
            if data is not None:
                try:
                    return data.decode("utf-8")
                except UnicodeDecodeError:
                    pass
            html = convert(text)
            _write_atomic(path, html.encode("utf-8"))
            return html
        cached.known = lambda text: path_of(text).is_file()
        return cached

    # -- files derived from files (fonts unpacked for print, images in CMYK) -------------
    def derived(self, kind: str, data: bytes, make) -> bytes:
        """`make(data)`, kept on disk by the content of `data`."""
        key = hashlib.sha256(f"{__version__}\0{kind}\0".encode() + data).hexdigest()
        result = self.get(kind, key)
        if result is None:
            result = make(data)
            self.put(kind, key, result)
        return result

    # -- entries by key (derived files, the laid-out parts of long PDFs) --------------
    def get(self, kind: str, key: str) -> bytes | None:
        path = self.dir / kind / key
        data = _read(path)
        if data is not None:
            try:
                os.utime(path)              # used: the last to go in prune()
            except OSError:
                pass
        return data

    def put(self, kind: str, key: str, data: bytes) -> None:
        _write_atomic(self.dir / kind / key, data)

    def prune(self, kind: str, suffixes: tuple[str, ...], used_since: int) -> None:
        """Delete the entries of `kind` named `*<suffix>` last used before `used_since`
        (nanoseconds, the clock of file times)."""
        try:
            entries = list((self.dir / kind).iterdir())
        except OSError:
            return
        for entry in entries:
            try:
                if entry.name.endswith(suffixes) and entry.stat().st_mtime_ns < used_since:
                    entry.unlink()
            except OSError:
                pass

    def get_json(self, kind: str, key: str, valid):
        """A JSON entry of `kind` that passes `valid(value)`, else None."""
        value = self.get(kind, key)
        if value is None:
            return None
        try:
            value = json.loads(value)
            if valid(value):
                return value
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            pass
        log.debug("cache: %s/%s does not hold what it should; discarded", kind, key)
        (self.dir / kind / key).unlink(missing_ok=True)
        return None

    # -- page starts ---------------------------------------------------------------------
    def page_starts(self, digest: str):
        data = _json(self.dir / "page-starts.json", shapes.page_starts)
        return data["starts"] if data is not None and data["inputs"] == digest else None

    def store_page_starts(self, digest: str, starts) -> None:
        _write_atomic(self.dir / "page-starts.json",
                      json.dumps({"inputs": digest, "starts": starts}).encode())
