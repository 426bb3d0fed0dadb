"""The print PDF: one HTML file for the whole publication, laid out by WeasyPrint.

It renders the print template with the shared and print layers of the stylesheet, puts each
footnote at its call (`float: footnote`), and fetches files only from the project and the
built-in theme. Dates come from the model, never from the clock, so the bytes repeat.
It leaves out (for now) PDF/X and PDF/UA variants and preflight checks.
"""

from __future__ import annotations

import logging
from pathlib import Path

from lxml import etree
from markupsafe import Markup

from .. import __version__, labels, markup, templates
from ..model import Document, Publication
from ..resources import inside, theme_dir

log = logging.getLogger("quire")
SUFFIX = "pdf"


def _page_body(doc: Document, images: dict[str, str]) -> str:
    """A document's body for print: notes moved to their calls, images as file URLs."""
    root = markup.parse_xhtml(doc.body)
    notes = {note.id: note for note in doc.footnotes}
    for a in root.iter("a"):
        if a.get("class") == "noteref" and a.get("href", "#")[1:] in notes:
            note = notes[a.get("href")[1:]]
            span = markup.parse_xhtml(note.html)
            for block in span.iter("p", "div"):
                block.tag = "span"
            span.tag, span.attrib["class"], span.attrib["id"] = "span", "footnote", note.id
            span.tail = a.tail
            a.getparent().replace(a, span)
    for img in root.iter("img"):
        img.set("src", images.get(img.get("src"), img.get("src")))
    for el in root.iter():
        if el.get("id"):
            el.set("id", _ascii_id(el.get("id")))
        if el.tag == "a" and el.get("href", "").startswith("#"):
            el.set("href", "#" + _ascii_id(el.get("href")[1:]))
    return "".join(etree.tostring(child, encoding="unicode", method="html") for child in root)


def _ascii_id(anchor: str) -> str:
    """WeasyPrint 70 percent-encodes non-ASCII anchors in target-counter() and then misses
    them; ids in the print HTML are therefore ASCII (invisible in the PDF)."""
    return "".join(c if c.isascii() else f"_{ord(c):x}_" for c in anchor)


def render_print_html(publication: Publication) -> str:
    env = templates.environment(publication.templates_dir)
    meta = publication.metadata
    images = {asset.name: asset.source.as_uri() for asset in publication.assets}
    return templates.render(
        env, "print.html",
        version=__version__, meta=meta, pdf=publication.pdf, toc=publication.toc,
        documents=publication.documents, parts=publication.parts(),
        labels=labels.labels(meta.lang), title_page=publication.title_page,
        cover=images[publication.cover.name] if publication.cover else None,
        journal_style=any(doc.authors for doc in publication.documents),
        bodies={doc.id: Markup(f'<div class="document-body">{_page_body(doc, images)}</div>')
                for doc in publication.documents},
        stylesheets=[path.as_uri() for layer, path in publication.stylesheets
                     if layer in ("shared", "print")],
        created=_w3c(meta.date) if meta.date else meta.modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        modified=meta.modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def _w3c(date: str) -> str:
    return f"{date}T00:00:00Z"


class _Capture(logging.Handler):
    """Collects WeasyPrint's warnings so they are reported as quire's."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def write(publication: Publication, target: Path) -> None:
    import weasyprint
    from weasyprint.urls import URLFetcher

    allowed = (publication.root, theme_dir())
    refused: list[str] = []

    class ProjectFetcher(URLFetcher):
        """Only files inside the project or the built-in theme; never the network."""

        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                path = Path(url.split("?")[0][len("file://"):]).resolve()
                if any(inside(path, root) for root in allowed):
                    return super().fetch(url, headers)
            elif url.startswith("data:"):
                return super().fetch(url, headers)
            refused.append(url)
            raise ValueError(f"refused {url}: outside the project")

    fetcher = ProjectFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)
    capture = _Capture()
    weasy_log = logging.getLogger("weasyprint")
    weasy_log.addHandler(capture)
    weasy_log.propagate = False
    try:
        document = weasyprint.HTML(string=render_print_html(publication),
                                   base_url=publication.root.as_uri() + "/",
                                   url_fetcher=fetcher)
        document.write_pdf(target)
    finally:
        weasy_log.removeHandler(capture)
        weasy_log.propagate = True
    for url in sorted(set(refused)):
        log.warning("PDF: refused to fetch '%s': quire reads only the project folder", url)
    for message in capture.messages:
        if not any(url in message for url in refused):
            log.warning("PDF: %s", message)
