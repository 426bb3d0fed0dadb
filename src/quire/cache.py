"""The build cache, kept in the output folder (`DIR/.quire-cache/`), never outside the
project: the one place that computes cache keys and prunes entries.

- `Digests`: one pass over everything a build reads (config, content, styles, templates,
  the built-in theme, quire's and the libraries' versions, SOURCE_DATE_EPOCH) gives the
  inputs digest (when it and the outputs are as the last build left them, there is
  nothing to do) and the settings digest (the same without the manuscripts, which the
  chunks of a long PDF are keyed by beside their own HTML).
- Named stores (`BuildCache.store(name)`), each a folder of entries by key:
  "markdown" (Python-Markdown's HTML per document, keyed by its text and quire's version:
  the HTML does not depend on the language, quotes are put in later, typography.py),
  "language" (py3langid's guess for the text sample of a document that does not state
  its language, keyed by the sample), "derived" (WOFF2 fonts unpacked and raster images
  converted to CMYK, keyed by the bytes they come from), "layout" (the print layout's
  page starts, keyed by the inputs digest and the variant) and "chunks" (the chunks of a
  long PDF as laid out and as written, keyed by their HTML, the settings digest and, for
  the PDF, their first page number: outputs/pdf/store.py).
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
from typing import Callable, NamedTuple

from . import atomic, shapes
from .version import __version__
from .dialects import SETUP
from .resources import inside, templates_dir, theme_dir

log = logging.getLogger("quire")
CACHE_FOLDER = ".quire-cache"
_INPUT_FOLDERS = ("content", "styles", "templates")
# What Python-Markdown's HTML holds beyond its own syntax: change it when quire's Markdown
# extensions change what they write (formulas, citations, index marks: scholarly.py).
SYNTAX = "math, citations, index 1"


def _files(root: Path):
    for name in ("quire.toml", "book.toml"):        # book.toml: an mdBook's (load._find)
        if (root / name).is_file():
            yield root / name
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


class Digests(NamedTuple):
    inputs: str         # everything a build reads
    settings: str       # the same without the manuscripts (.md files)


def digests(root: Path, extra: tuple[Path, ...] | list[Path] = ()) -> Digests:
    """One pass over everything a build of `root` reads: the project's own folders, any
    other file the build read (`extra`: images or fonts outside them), the theme, and the
    versions of quire and the libraries that shape the output; with and without the
    manuscripts."""
    versions = f"quire {__version__} {_versions()}\n".encode()
    every, settings = hashlib.sha256(versions), hashlib.sha256(versions)
    both = (every, settings)
    for digest in both:
        digest.update(f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '')}\n".encode())
    config = root / "quire.toml"
    for digest in both:
        digest.update(b"quire.toml is a folder\n" if config.is_dir() else b"")
    own = set(_files(root))
    outside = sorted(Path(p) for p in extra if Path(p) not in own and inside(Path(p), root))
    for base, paths in ((root, sorted(own) + outside),
                        (theme_dir(), sorted(theme_dir().rglob("*"))),
                        (templates_dir(), sorted(templates_dir().rglob("*")))):
        for path in paths:
            if path.is_file() and "__pycache__" not in path.parts:
                into = (every,) if base == root and path.suffix == ".md" else both
                name = path.relative_to(base) if base in path.parents else path
                for digest in into:
                    digest.update(str(name).encode() + b"\0")
                if base == root and not inside(path, root):     # a link out: never read
                    for digest in into:
                        digest.update(b"a link out of the project\0")
                    continue
                content = (hashlib.sha256(path.read_bytes()).digest() if base == root
                           else _theme_digest(path))
                for digest in into:
                    digest.update(content)
    return Digests(every.hexdigest(), settings.hexdigest())


_THEME: dict[tuple, bytes] = {}       # (path, inode, size, mtime) -> sha256, this process's


def _theme_digest(path: Path) -> bytes:
    """The sha256 of a file of the theme or the built-in templates, read again only when
    its size or time changed: a build digests its inputs twice (before loading, to know
    whether it is up to date, and after, with what loading found), `quire watch` on every
    change, and the theme's fonts are 6 MB. (A project's own files are always read: an
    edit can keep the size and land within the file system's clock tick.)"""
    stat = path.stat()
    key = (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if key not in _THEME:
        _THEME[key] = hashlib.sha256(path.read_bytes()).digest()
    return _THEME[key]


def inputs_digest(root: Path, extra: tuple[Path, ...] | list[Path] = ()) -> str:
    """The digest of everything a build of `root` reads (see `digests`)."""
    return digests(root, extra).inputs


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


def _read_json(path: Path, valid: Callable[[object], bool]) -> object | None:
    """A JSON entry that is intact and passes `valid(value)`, else None (and the entry is
    discarded)."""
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


STORES = ("markdown", "language", "derived", "layout", "chunks",
          "check")          # quire check: layout report, EPUB sources, preflight, EPUBCheck


class Guesses:
    """py3langid's classification of a text sample (language.model_classify), by the
    sample: a rebuild of a book that does not state its language reads the model (0.6 s
    of CPU, on the critical path of a rebuild) only for a sample it has not seen, and an
    edit past a long chapter's first 20,000 characters of prose leaves its sample as it was."""

    def __init__(self, store: "Store"):
        self.store = store

    def __call__(self, sample: str) -> tuple[str, float]:
        from .language import model_classify
        key = self.store.key(_versions(), sample)
        found = self.store.get_json(key, lambda v: isinstance(v, list) and len(v) == 2
                                    and isinstance(v[0], str) and isinstance(v[1], float))
        if found is None:
            found = model_classify(sample)
            self.store.put_json(key, list(found))
        return tuple(found)


class Store:
    """One named store of the build cache: sealed entries by key."""

    def __init__(self, folder: Path, name: str):
        self.dir, self.name = folder, name

    def key(self, *parts: object) -> str:
        """The key of an entry made from `parts` (strings, or bytes for content): quire's
        version, the store's name and each part, unambiguously joined."""
        digest = hashlib.sha256(f"{__version__}\0{self.name}".encode())
        for part in parts:
            data = part if isinstance(part, bytes) else str(part).encode()
            digest.update(b"\0%d\0" % len(data) + data)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / key if self.name == "markdown" else self.dir / key

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        data = _read(path)
        if data is not None:
            try:
                os.utime(path)              # used: the last to go in prune()
            except OSError:
                pass
        return data

    def get_json(self, key: str, valid: Callable[[object], bool]):
        """A JSON entry that passes `valid(value)`, else None."""
        value = _read_json(self._path(key), valid)
        if value is not None:
            try:
                os.utime(self._path(key))
            except OSError:
                pass
        return value

    def put(self, key: str, data: bytes) -> None:
        _write_atomic(self._path(key), data)

    def put_json(self, key: str, value) -> None:
        self.put(key, json.dumps(value).encode())

    def has(self, key: str) -> bool:
        return self._path(key).is_file()

    def prune(self, suffixes: tuple[str, ...], used_since: int) -> None:
        """Delete the entries named `*<suffix>` last used before `used_since`
        (nanoseconds, the clock of file times)."""
        try:
            entries = list(self.dir.iterdir())
        except OSError:
            return
        for entry in entries:
            try:
                if entry.name.endswith(suffixes) and entry.stat().st_mtime_ns < used_since:
                    entry.unlink()
            except OSError:
                pass


class BuildCache:
    """The caches of one output folder. Unreadable or missing entries are simply misses."""

    def __init__(self, out_dir: Path):
        self.dir = out_dir / CACHE_FOLDER

    def store(self, name: str) -> Store:
        if name not in STORES:
            raise ValueError(f"no cache store {name!r}")
        return Store(self.dir / name, name)

    # -- whole builds -------------------------------------------------------------------
    def _state(self) -> dict:
        state = _read_json(self.dir / "builds.json", lambda value: isinstance(value, dict))
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

    def recorded(self, key: str) -> bool:
        """Whether a build for `key` was recorded (up to date or not)."""
        return key in self._state()

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
        """Wrap `convert(text) -> html` with the "markdown" store."""
        store = self.store("markdown")

        def key_of(text: str) -> str:
            return store.key(SYNTAX, _versions(), SETUP, text)

        def cached(text: str) -> str:
            key = key_of(text)
            data = store.get(key)
            if data is not None:
                try:
                    return data.decode("utf-8")
                except UnicodeDecodeError:
                    pass
            html = convert(text)
            store.put(key, html.encode("utf-8"))
            return html
        cached.known = lambda text: store.has(key_of(text))
        return cached

    # -- language guesses ----------------------------------------------------------------
    def guesses(self) -> "Guesses":
        """The "language" store in front of py3langid's classification (language.detect)."""
        return Guesses(self.store("language"))

    # -- files derived from files (fonts unpacked for print, images in CMYK) -------------
    def derived(self, kind: str, data: bytes, make: Callable[[bytes], bytes]) -> bytes:
        """`make(data)`, kept in the "derived" store by `kind` and the content of `data`."""
        store = self.store("derived")
        key = store.key(kind, data)
        result = store.get(key)
        if result is None:
            result = make(data)
            store.put(key, result)
        return result

    # -- the print layout's page starts --------------------------------------------------
    def page_starts(self, digest: str, variant: str):
        """The page starts a layout of these inputs found, or None."""
        store = self.store("layout")
        value = store.get_json(store.key(digest, variant), shapes.page_starts)
        return value["starts"] if value is not None and value["inputs"] == digest else None

    def store_page_starts(self, digest: str, variant: str, starts) -> None:
        store = self.store("layout")
        store.put_json(store.key(digest, variant), {"inputs": digest, "starts": starts})
