"""WeasyPrint set up for one publication: the one door to files, its warnings captured.

The fetcher reads only the project and the built-in theme, never the network; in a CMYK
job it hands WeasyPrint stylesheets and raster images converted to CMYK (through the build
cache's derived store). WeasyPrint's warnings become quire's, naming the file. Writing a
PDF goes through the patches that make its bytes repeat (patches.py).
"""

from __future__ import annotations

import base64
import logging
import mimetypes
import re
import uuid
from pathlib import Path

from ... import fonts
from ...model import Publication
from ...resources import inside, theme_dir
from . import cmyk, patches
from .html import PROJECT_URL, _path_of, file_name

log = logging.getLogger("quire")


class _Capture(logging.Handler):
    """Collects WeasyPrint's warnings so they are reported as quire's, naming the file:
    WeasyPrint parses a stylesheet right after fetching it, so a CSS message belongs to the
    stylesheet fetched last; file URLs in messages become project paths."""

    def __init__(self, root: Path):
        super().__init__(logging.WARNING)
        self.root = root
        self.messages: list[str] = []
        self.stylesheet = ""            # set by the fetcher

    def emit(self, record):
        message = record.getMessage()
        for url in re.findall(r"file://[^\s'\"),]+", message):
            message = message.replace(url, self._project_path(url))
        if self.stylesheet and re.search(r"\bat \d+:\d+\b", message):
            message = f"{self._project_path(self.stylesheet)}: {message}"
        self.messages.append(message)

    def _project_path(self, url: str) -> str:
        path = _path_of(url, self.root)
        for base, prefix in ((self.root, ""), (theme_dir(), "quire theme: ")):
            if path is not None and inside(path, base):
                return prefix + str(path.resolve().relative_to(base.resolve()))
        return url


VARIANTS = {"print": "pdf/x-4", "screen": "pdf/ua-1", "archive": "pdf/a-3u"}


_RASTER = (".png", ".jpg", ".jpeg", ".gif", ".webp")


_RASTER_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def _unpack_woff2(data: bytes) -> bytes:
    import io

    from fontTools.ttLib import woff2   # fontTools comes with WeasyPrint

    out = io.BytesIO()
    woff2.decompress(io.BytesIO(data), out)
    return out.getvalue()


def _fetcher(publication: Publication, cmyk_job: bool, refused: list[str], cache=None,
             capture: _Capture | None = None, css=None, texts: dict | None = None):
    """WeasyPrint's one door to files: the project and the theme only, never the network.

    In a CMYK job it also hands WeasyPrint stylesheets and SVG images with CMYK colours and
    raster images converted to CMYK, so nothing RGB reaches the PDF from them. WOFF2 fonts are handed over
    unpacked (from the build cache when there is one). `css` rewrites stylesheets' text;
    `texts` keeps what a stylesheet's text became, by that text (every render fetches the
    stylesheets again: patches.stylesheets_parsed_once).
    """
    texts = {} if texts is None else texts
    def derived(kind: str, data: bytes, make) -> bytes:
        return cache.derived(kind, data, make) if cache else make(data)
    patches.weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed = (publication.root, theme_dir())

    class Converted(URLFetcherResponse):
        """Converted bytes: WeasyPrint must not read the original file behind the URL."""
        path = None

    class ProjectFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                path = _path_of(url, publication.root)
                if path.is_file() and any(inside(path, root) for root in allowed):
                    suffix = path.suffix.lower()
                    if suffix == ".css" and capture is not None:
                        capture.stylesheet = url
                    if suffix == ".css" and (cmyk_job or css or publication.fonts):
                        source = path.read_text("utf-8")
                        if source not in texts:
                            text = fonts.extend_stacks(source, publication.fonts)
                            text = cmyk.convert_css(text) if cmyk_job else text
                            texts[source] = css(text) if css else text
                        return Converted(url, texts[source], {"Content-Type": "text/css"})
                    if suffix == ".svg":
                        svg = fonts.svg_metric_twins(path.read_bytes())
                        return Converted(url, derived("cmyk-svg", svg, cmyk.convert_svg)
                                         if cmyk_job else svg, {"Content-Type": "image/svg+xml"})
                    if cmyk_job and suffix in _RASTER:
                        return Converted(url, derived("cmyk-lossless", path.read_bytes(),
                                                      cmyk.convert_image),
                                         {"Content-Type": "image/tiff"})
                    if suffix == ".woff2":
                        # A project's WOFF2, unpacked once into the build cache (WeasyPrint
                        # would unpack it in pure Python on every build); the theme ships TTF.
                        return Converted(url, derived("fonts", path.read_bytes(), _unpack_woff2),
                                         {"Content-Type": "font/ttf"})
                    kind = "text/css" if suffix == ".css" else (
                        mimetypes.guess_type(path.name)[0] or "application/octet-stream")
                    return Converted(url, path.read_bytes(), {"Content-Type": kind})
            elif url.startswith("data:"):
                kind, _, payload = url[5:].partition(";base64,")
                if cmyk_job and kind in _RASTER_TYPES and payload:     # a data: URI image
                    return Converted(url, derived("cmyk", base64.b64decode(payload),
                                                  cmyk.convert_image),
                                     {"Content-Type": "image/jpeg"})
                return super().fetch(url, headers)
            refused.append(url)
            raise ValueError(f"refused {url}: outside the project")

    return ProjectFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)


class Session:
    """WeasyPrint set up for one publication: the fetcher, and its warnings captured."""

    def __init__(self, publication: Publication, cache=None, css=None,
                 large_streams: dict | None = None, sheets: patches.SheetMemo | None = None):
        self.publication = publication
        # large streams compressed by this process, by content, and the stylesheets it
        # parsed for this build (patches.py)
        self.large_streams = patches.StreamMemo() if large_streams is None else large_streams
        self.sheets = patches.SheetMemo() if sheets is None else sheets
        self.refused: list[str] = []
        self.capture = _Capture(publication.root)
        self.fetcher = _fetcher(publication, publication.pdf.variant == "print", self.refused,
                                cache, self.capture, css, self.sheets.texts.setdefault(css, {}))

    def __enter__(self):
        weasy_log = logging.getLogger("weasyprint")
        weasy_log.addHandler(self.capture)
        weasy_log.propagate = False
        return self

    def __exit__(self, *exc):
        weasy_log = logging.getLogger("weasyprint")
        weasy_log.removeHandler(self.capture)
        weasy_log.propagate = True

    def html(self, html: str):
        return patches.weasyprint().HTML(string=html, base_url=PROJECT_URL, url_fetcher=self.fetcher)

    def render(self, html):
        """Lay out `html` (text, or a document from `html()`): the stylesheets parsed and
        their fonts loaded once per Session's `sheets` (patches.stylesheets_parsed_once)."""
        document = self.html(html) if isinstance(html, str) else html
        with patches.stylesheets_parsed_once(self.sheets):
            return document.render(font_config=self.sheets.fonts(),
                                   pdf_variant=VARIANTS[self.publication.pdf.variant],
                                   presentational_hints=True)   # <img width="200">

    def write(self, rendered, target: Path) -> None:
        """Write the laid-out document as a PDF: its document id derived from the
        publication's identifier, each stream compressed once (patches.py)."""
        stable = uuid.uuid5(uuid.NAMESPACE_URL, self.publication.metadata.identifier)
        with patches.stable_document_id(stable), \
                patches.streams_compressed_once(self.large_streams):
            rendered.write_pdf(target, pdf_variant=VARIANTS[self.publication.pdf.variant])


def report(publication: Publication, findings, refused, messages) -> None:
    """Preflight findings and WeasyPrint's warnings, as quire's warnings (each once)."""
    for finding in findings:
        log.warning("%s: preflight: %s", file_name(publication), finding)
    for url in sorted(set(refused)):
        log.warning("PDF: refused to fetch '%s': quire reads only the project folder", url)
    for message in dict.fromkeys(messages):     # once each, in order
        if not any(url in message for url in refused) and not message.startswith(_NOTDEF):
            log.warning("PDF: %s", message)


# WeasyPrint's line per character no font has: the text check says it once per document.
_NOTDEF = ".notdef glyph rendered for Unicode string unsupported by fonts"
