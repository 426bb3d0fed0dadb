"""The print PDF: one HTML file for the whole publication, laid out by WeasyPrint.

It renders the print template with the shared and print layers of the stylesheet, puts each
footnote at its call (`float: footnote`), and fetches files only from the project and the
built-in theme. Dates come from the model, never from the clock, so the bytes repeat.
Three variants: "print" (PDF/X-4, CMYK through the theme's ISO Coated v2 profile, bleed
and crop marks), "screen" (tagged PDF/UA-1, RGB) and "archive" (PDF/A-3u).
It leaves out SVG colour conversion: an SVG's RGB colours stay RGB (preflight reports it).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import mimetypes
import re
import uuid
import zlib
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, unquote
from urllib.request import url2pathname

from lxml import etree
from markupsafe import Markup

from .. import (__version__, cmyk, cover, design, failures, floats, fonts, index, labels, markup,
               mathtex, preflight, templates, weasy)
from ..model import Document, PageStart, Publication
from ..resources import inside, theme_dir
from . import pdf_typeset, text_check

log = logging.getLogger("quire")
def file_name(publication: Publication) -> str:
    """print: NAME.pdf; the other variants say what they are: NAME-screen.pdf, NAME-archive.pdf."""
    variant = publication.pdf.variant
    return f"{publication.name}.pdf" if variant == "print" else f"{publication.name}-{variant}.pdf"


# Block elements inside a note become spans (a note sits inside a paragraph in print HTML);
# print.css gives them back their display.
_NOTE_BLOCKS = {"p", "div", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "table",
                "thead", "tbody", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "figure",
                "figcaption"}


def _print_fragment(xhtml: str, doc: Document, images: dict[str, str],
                    number_blocks: bool = False, cmyk_job: bool = False,
                    typeset=None, moves=None) -> str:
    """A fragment of a document for print: notes moved to their calls (a note called from
    another note follows that note), images as file URLs, ASCII anchors; `typeset` sizes
    images, wraps code and keeps words whole (pdf_typeset)."""
    root = markup.parse_xhtml(xhtml)
    if "<math" in xhtml:
        mathtex.print_svg(root, cmyk_job)     # formulas as vector outlines
    if number_blocks:
        for index, block in enumerate(markup.blocks(root)):
            block.set("data-qb", str(index))
    if typeset is not None:
        typeset(root)
    floats.apply(root, moves)                 # figures moved past text (a second layout)
    notes = {note.id: note for note in doc.footnotes}
    calls = [a for a in root.iter("a") if a.get("class") == "noteref"]
    while calls:
        a = calls.pop(0)
        note = notes.get(a.get("href", "#")[1:])
        if note is None or a.get("id") != note.ref_id:
            continue                # not a call, or a second call: stays a link to the note
        span = markup.parse_xhtml(note.html)
        _collapse_spaces(span)
        for el in span.iter():
            if el is not span and el.tag in _NOTE_BLOCKS:
                el.set("class", f"fn-{el.tag}")
                el.tag = "span"
        span.tag, span.attrib["id"] = "span", note.id
        span.attrib["class"] = "footnote nested" if _inside_note(a) else "footnote"
        inner = [c for c in span.iter("a") if c.get("class") == "noteref"]
        if _inside_note(a):         # a float cannot sit in a float: follow the outer note
            outer = _inside_note(a)
            span.tail = outer.tail
            outer.tail = None
            outer.addnext(span)
            a.set("class", "noteref")
        else:
            span.tail = a.tail
            a.getparent().replace(a, span)
        calls = inner + calls
    for img in root.iter("img"):
        img.set("src", images.get(img.get("src"), img.get("src")))
    for el in root.iter():
        if el.get("id"):
            el.set("id", _ascii_id(el.get("id")))
        if el.tag == "a" and el.get("href", "").startswith("#"):
            el.set("href", "#" + _ascii_id(el.get("href")[1:]))
    return markup.escape_text(root.text or "") + "".join(
        etree.tostring(child, encoding="unicode", method="html") for child in root)


_SPACES = re.compile(r"[ \t\r\n]+")


def _collapse_spaces(root) -> None:
    """Whitespace in a note as single spaces (not in code blocks): WeasyPrint 70's footnote
    layout fails (AssertionError "Got ' \\n' between two lines") on a line that ends with
    a space before a newline, as Python-Markdown keeps it."""
    verbatim = {node for pre in root.iter("pre") for node in pre.iter()}
    for el in root.iter():
        if el.text and el not in verbatim:
            el.text = _SPACES.sub(" ", el.text)
        if el.tail and el is not root and el.getparent() not in verbatim:
            el.tail = _SPACES.sub(" ", el.tail)


def _ascii_id(anchor: str) -> str:
    """WeasyPrint 70 percent-encodes non-ASCII anchors in target-counter() and then misses
    them; ids in the print HTML are therefore ASCII (invisible in the PDF)."""
    return "".join(c if c.isascii() else f"_{ord(c):x}_" for c in anchor)


def _inside_note(el):
    """The footnote span `el` sits in, if any."""
    parent = el.getparent()
    while parent is not None:
        if parent.tag == "span" and (parent.get("class") or "").startswith("footnote"):
            return parent
        parent = parent.getparent()
    return None


def _runs(publication: Publication, documents) -> list[tuple]:
    """(part title, documents, part number, whether the part opens here) for each run of
    `documents` that shares a part; numbers count the publication's runs from 1."""
    numbers = {doc.id: (number, index == 0)
               for number, (_, docs) in enumerate(publication.parts(), 1)
               for index, doc in enumerate(docs)}
    runs: list[tuple] = []
    for doc in documents:
        if runs and runs[-1][0] == doc.part and numbers[doc.id][0] == runs[-1][2]:
            runs[-1][1].append(doc)
        else:
            runs.append((doc.part, [doc], *numbers[doc.id]))
    return runs


def render_print_html(publication: Publication, documents=None, front: bool = True,
                      moves=None) -> str:
    """The print HTML of the publication, or of a run of its `documents` (with the front
    matter, or without it) for a PDF laid out in parts; `moves` are the figures to move
    (floats.plan)."""
    env = templates.environment(publication.templates_dir)
    meta = publication.metadata
    documents = publication.documents if documents is None else documents
    images = {asset.name: (f"data:{asset.media_type};base64,"
                           f"{base64.b64encode(asset.data).decode()}" if asset.data
                           else _url_of(asset.source, publication.root))
              for asset in publication.assets}
    typeset = pdf_typeset.Typesetter(publication)
    book = publication.design == "book"
    chapters = design.chapters([(doc.id, doc.title) for doc in publication.documents],
                               meta.lang) if book else {}
    height = design.text_block(publication.pdf)[1]
    cmyk_job = publication.pdf.variant == "print"
    html = templates.render(
        env, "print.html",
        version=__version__, meta=meta, pdf=publication.pdf, toc=publication.toc,
        documents=documents, parts=_runs(publication, documents), front=front,
        toc_parts=_runs(publication, publication.documents),
        labels=labels.labels(meta.lang), title_page=publication.title_page,
        cover=(cover.extended(publication) or images[publication.cover.name]
               if publication.cover and front else None),
        journal_style=any(doc.authors for doc in publication.documents),
        design=publication.design, chapters=chapters, sink=f"{height * 0.2:.1f}mm",
        page_fill=f"{height - 4:.1f}mm", theme=design.theme_css(publication.theme),
        toc_entries=_toc_entries(publication, chapters),
        bodies={doc.id: Markup('<div class="document-body">' + _print_fragment(
                    doc.body, doc, images, True, cmyk_job, typeset, (moves or {}).get(doc.id))
                    + '</div>')
                for doc in documents},
        titles={doc.id: Markup(_print_fragment(_chapter_title(doc, chapters), doc, images,
                                               False, cmyk_job))
                for doc in documents},
        stylesheets=[_url_of(path, publication.root) for layer, path in publication.stylesheets
                     if layer in ("shared", "print", "book")],
        custom_stylesheets=[_url_of(path, publication.root)
                            for layer, path in publication.stylesheets if layer == "custom"],
        created=_w3c(meta.date) if meta.date else meta.modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        modified=meta.modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    if publication.pdf.variant == "print":      # the template's own colours, as CMYK
        html = re.sub(r"<style>(.*?)</style>", lambda m: f"<style>{cmyk.convert_css(m.group(1))}"
                      "</style>", html, count=1, flags=re.DOTALL)
    # Font files of the project's own (installed families are named, fontconfig finds them).
    faces = fonts.font_face_css([f for f in publication.fonts.faces if not f.installed],
                                lambda face: _url_of(face.path, publication.root))
    return html.replace("</head>", f"<style>{faces}{_variant_style(publication)}"
                        f"{cover.print_css(publication) if front else ''}</style>\n"
                        "</head>", 1)


def _chapter_title(doc: Document, chapters) -> str:
    """The title as set under a chapter's label: without "Chapter 2:" when it had one."""
    if doc.id in chapters:
        rest = chapters[doc.id][2]
        if rest != doc.title:
            escaped = markup.escape_text(rest)
            if doc.title_html.endswith(escaped):
                return escaped
    return doc.title_html


def _toc_entries(publication: Publication, chapters) -> dict[str, list]:
    """Per document, the headings the printed contents lists under it (levels 2 up to
    toc_depth): (ASCII anchor, text, level)."""
    depth = publication.toc_depth
    return {doc.id: [(_ascii_id(h.id), h.text, h.level) for h in doc.headings
                     if 2 <= h.level <= depth] for doc in publication.documents}


def _w3c(date: str) -> str:
    return f"{date}T00:00:00Z"


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


# WeasyPrint names images after their URL (and the PDF's /ID hashes everything): files are
# handed to it under these fixed URLs, so the bytes do not depend on where the project is.
PROJECT_URL = "file:///quire/project/"
THEME_URL = "file:///quire/theme/"


def _url_of(path: Path, root: Path) -> str:
    path = path.resolve()
    for base, prefix in ((root, PROJECT_URL), (theme_dir(), THEME_URL)):
        if inside(path, base):
            return prefix + quote(path.relative_to(base.resolve()).as_posix())
    return path.as_uri()


def _path_of(url: str, root: Path) -> Path | None:
    url = url.split("?")[0].split("#")[0]
    for base, prefix in ((root, PROJECT_URL), (theme_dir(), THEME_URL)):
        if url.startswith(prefix):
            return (base / unquote(url[len(prefix):])).resolve()
    if url.startswith("file:"):
        return Path(url2pathname(url[len("file:"):])).resolve()
    return None


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
             capture: _Capture | None = None, css=None):
    """WeasyPrint's one door to files: the project and the theme only, never the network.

    In a CMYK job it also hands WeasyPrint stylesheets with CMYK colours and raster images
    converted to CMYK, so nothing RGB reaches the PDF from them. WOFF2 fonts are handed over
    unpacked (from the build cache when there is one). `css` rewrites stylesheets' text.
    """
    def derived(kind: str, data: bytes, make) -> bytes:
        return cache.derived(kind, data, make) if cache else make(data)
    weasy.imported()
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
                        text = fonts.extend_stacks(path.read_text("utf-8"), publication.fonts)
                        text = cmyk.convert_css(text) if cmyk_job else text
                        return Converted(url, css(text) if css else text,
                                         {"Content-Type": "text/css"})
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


def _variant_style(publication: Publication) -> str:
    """Page-level CSS that depends on the PDF variant (output intent, bleed, marks)."""
    pdf = publication.pdf
    rules = []
    if pdf.variant == "print":
        rules.append("@color-profile device-cmyk { components: cyan, magenta, yellow, black; "
                     f"src: url({_url_of(cmyk.profile_path(), publication.root)}); }}")
        marks = "crop cross" if pdf.marks else "none"
        rules.append(f"@page {{ bleed: {pdf.bleed}; marks: {marks}; }}")
    if pdf.variant == "archive":
        rules.append("img { image-rendering: crisp-edges; }")
    return "\n".join(rules)


def write(publication: Publication, target: Path, cache=None, jobs: int = 1,
          layout: list | None = None) -> tuple[PageStart, ...]:
    """Write the PDF; returns where its pages start, for the EPUB's page list. A long
    publication is laid out in parts by `jobs` processes (pdf_parts). The layout report's
    lines are added to `layout` when given (and summarised as a warning)."""
    return _render(publication, target, cache, jobs, layout)


def page_starts(publication: Publication, cache=None, jobs: int = 1) -> tuple[PageStart, ...]:
    """Lay the publication out as for print, without writing a PDF."""
    return _render(publication, None, cache, jobs)


def _render(publication: Publication, target: Path | None, cache=None, jobs: int = 1,
            layout: list | None = None) -> tuple[PageStart, ...]:
    """Lay out (and write); an exception WeasyPrint raises becomes an error naming the
    document it fails on (found by laying each out alone), not a traceback."""
    try:
        return _render_all(publication, target, cache, jobs, layout)
    except Exception as err:
        if not failures.from_library(err):
            raise
        found = failures.culprit((str(doc.source), lambda doc=doc: _alone(publication, doc))
                                 for doc in publication.documents)
        label, err = found or (file_name(publication), err)
        raise failures.wrapped(err, label, "laying it out for print") from None


def _alone(publication: Publication, doc: Document) -> None:
    with Session(publication) as session:
        session.render(render_print_html(publication, documents=[doc], front=False))


def _render_all(publication: Publication, target: Path | None, cache=None, jobs: int = 1,
                layout: list | None = None) -> tuple[PageStart, ...]:
    from .. import layout_report
    from . import pdf_parts

    hyphenation = _hyphenation(publication)
    parts = pdf_parts.plan(publication)
    if parts is not None:
        try:
            result = pdf_parts.render(publication, parts, target, cache, jobs, hyphenation)
        except pdf_parts.Unsplittable as why:
            log.info("laying the PDF out in one piece: %s", why)
        else:
            _report(publication, *result.report)
            if target is not None:
                _layout(publication, result.layout, layout)
            text_check.raise_for(publication, result.text)
            return result.starts
    with Session(publication, cache) as session:
        html = render_print_html(publication)
        hyphenation()
        html, rendered = floats.settle(      # figures that left a page half empty move
            html, lambda html: index.render_with_pages(session.render, html),
            lambda moves: render_print_html(publication, moves=moves))
        starts = _page_starts(rendered)
        found = [(index + 1, *rest) for index, *rest in
                 layout_report.find(rendered, publication.pdf.resolution)]
        if target is not None:
            session.write(rendered, target)
    findings = (preflight.check_pdf(target, cmyk_job=True,
                                    min_dpi=publication.pdf.resolution)
                if target is not None and publication.pdf.variant == "print" else [])
    problems = (text_check.check_written(publication, html, target, rendered)
                if target is not None else {})
    _report(publication, findings, session.refused, session.capture.messages)
    if target is not None:
        _layout(publication, found, layout)
    text_check.raise_for(publication, problems)
    return starts


def _layout(publication: Publication, found, lines: list | None) -> None:
    """The layout report: its lines into `lines`, a summary as one warning."""
    from .. import layout_report

    if lines is not None:
        lines.extend(layout_report.describe(publication, found))
    if found:
        log.warning("%s: layout: %s (quire check lists them with their source lines)",
                    file_name(publication), layout_report.summary(found))


def _hyphenation(publication: Publication):
    """Start reading the publication's hyphenation patterns (see hyphenation.preload)."""
    from .. import hyphenation, language

    return hyphenation.preload({language.print_lang(publication.metadata.lang)}
                               | {language.print_lang(doc.lang) for doc in publication.documents})


class Session:
    """WeasyPrint set up for one publication: the fetcher, and its warnings captured."""

    def __init__(self, publication: Publication, cache=None, css=None):
        self.publication = publication
        self.refused: list[str] = []
        self.capture = _Capture(publication.root)
        self.fetcher = _fetcher(publication, publication.pdf.variant == "print", self.refused,
                                cache, self.capture, css)

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
        return weasy.imported().HTML(string=html, base_url=PROJECT_URL, url_fetcher=self.fetcher)

    def render(self, html: str):
        return self.html(html).render(pdf_variant=VARIANTS[self.publication.pdf.variant],
                                      presentational_hints=True)   # <img width="200">

    def write(self, rendered, target: Path) -> None:
        # WeasyPrint's PDF/X-4 writes a random xmpMM:DocumentID (uuid4), which also feeds
        # the file /ID: derive it from the publication's identifier instead.
        from weasyprint.pdf import metadata

        stable = uuid.uuid5(uuid.NAMESPACE_URL, self.publication.metadata.identifier)
        random, metadata.uuid4 = metadata.uuid4, lambda: stable
        try:
            with _streams_compressed_once():
                rendered.write_pdf(target, pdf_variant=VARIANTS[self.publication.pdf.variant])
        finally:
            metadata.uuid4 = random


_LARGE = 64 * 1024
_large_streams: dict[tuple, bytes] = {}     # this process's large streams, by content


@contextmanager
def _streams_compressed_once():
    """pydyf (WeasyPrint's PDF writer) compresses a stream at zlib level 9 each time its
    bytes are read, and reads every stream twice: to write it and to hash the file /ID.
    Compress each stream once, at zlib's default level 6 (level 9 takes 0.24 s on the 1 MB
    ICC profile, level 6 0.05 s, for a file 0.6 % larger), and a large stream (the ICC
    profile, an image shown in many parts) once per process, by content."""
    import pydyf

    original = pydyf.Stream.data

    def data(stream):
        cached = stream.__dict__.get("_quire_bytes")
        if cached is None:
            raw = b"\n".join(pydyf._to_bytes(item) for item in stream.stream)
            key = None
            if len(raw) >= _LARGE:
                key = (hashlib.sha256(raw).digest(), stream.compress,
                       repr(sorted((k, v) for k, v in stream.extra.items()
                                   if isinstance(v, (str, int, float)))),
                       len(stream.extra))
                cached = _large_streams.get(key)
            if cached is None:
                cached = _stream_bytes(stream, raw)
                if key is not None:
                    _large_streams[key] = cached
            stream._quire_bytes = cached
        return cached

    pydyf.Stream.data = property(data)
    try:
        yield
    finally:
        pydyf.Stream.data = original


def _stream_bytes(stream, raw: bytes) -> bytes:
    """pydyf 0.13's `Stream.data` (pinned), compressing at level 6."""
    import pydyf

    extra = pydyf.Dictionary(stream.extra.copy())
    if stream.compress:
        extra["Filter"] = "/FlateDecode"
        raw = zlib.compress(raw, 6)
    extra["Length"] = len(raw)
    return b"\n".join((extra.data, b"stream", raw, b"endstream"))


def _report(publication: Publication, findings, refused, messages) -> None:
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


def _page_starts(rendered, first_page: int = 1) -> tuple[PageStart, ...]:
    """For each page, the first block of a document that shows on it and how many of that
    block's letters came before (on earlier pages). Pages of front matter, blank pages and
    pages without text have no entry. `first_page` is the number of the first page."""
    from weasyprint.formatting_structure import boxes

    letters_before: dict[tuple[str, int], int] = {}
    starts = []
    for number, page in enumerate(rendered.pages, first_page):
        first: list = []
        on_page: dict[tuple[str, int], int] = {}

        def walk(box, doc, block):
            if isinstance(box, (boxes.MarginBox, boxes.FootnoteAreaBox)):
                return
            element = getattr(box, "element", None)
            if element is not None and getattr(box, "pseudo_type", None) is None:
                if element.get("data-qd"):
                    doc, block = element.get("data-qd"), -1
                elif element.get("data-qb") and doc:
                    block = int(element.get("data-qb"))
            if getattr(box, "pseudo_type", None) in ("marker", "before", "after"):
                return
            if doc and isinstance(box, (boxes.TextBox, boxes.ReplacedBox)):
                if not first:
                    first.append(PageStart(str(number), doc, block,
                                           letters_before.get((doc, block), 0)))
                if isinstance(box, boxes.TextBox):
                    count = sum(c.isalnum() for c in box.text)
                    on_page[(doc, block)] = on_page.get((doc, block), 0) + count
            for child in getattr(box, "children", ()):
                walk(child, doc, block)

        walk(page._page_box, None, None)
        for key, count in on_page.items():
            letters_before[key] = letters_before.get(key, 0) + count
        starts.extend(first)
    return tuple(starts)
