"""The print layout stage: the print HTML laid out into pages, in one piece or in chunks.

`lay_out` gives a `PageLayout` (page starts, anchors and, when `drawing` names a folder,
the PDF drawn there with its preflight findings, layout report and text check). It runs
at most once per build (outputs.build_all), for the PDF writer or the EPUB's page list.
A long print publication is laid out in chunks by `jobs` processes (chunked.py), unless
its stylesheets need the whole book at once. WeasyPrint's warnings are reported here; an
exception WeasyPrint raises becomes an error naming the document it fails on (found by
laying each out alone), not a traceback.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from pathlib import Path

from ... import failures, floats, index, layout_report, language, preflight
from ...model import Document, Publication
from ..contract import PageLayout
from . import chunked, chunks, hyphenation, patches
from .html import file_name, render_print_html
from .session import Session, report
from .starts import page_starts

log = logging.getLogger("quire")


def lay_out(publication: Publication, cache=None, jobs: int = 1, drawing: Path | None = None,
            settings: str = "") -> PageLayout:
    """Lay the publication out for print (and draw its PDF into `drawing`/book.pdf).
    `settings` is the build's settings digest (cache.digests), for the chunk store."""
    try:
        return _lay_out(publication, cache, jobs, drawing, settings)
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


def _lay_out(publication, cache, jobs, drawing, settings) -> PageLayout:
    patterns = _hyphenation(publication)
    plan = chunks.plan(publication)
    if plan is not None:
        if cache is not None and not settings:
            from ...cache import digests
            settings = digests(publication.root, publication.inputs).settings
        try:
            done = chunked.render(publication, plan, drawing, cache, settings, jobs, patterns)
        except chunks.Unsplittable as why:
            log.info("laying the PDF out in one piece: %s", why)
        else:
            report(publication, [], done.refused, done.messages)
            return PageLayout(done.starts, tuple(done.anchors.items()), done.pages,
                              drawing / "book.pdf" if drawing else None,
                              tuple(done.findings) if drawing else (),
                              tuple(done.layout) if drawing else (), done.text)
    with Session(publication, cache) as session:
        html = render_print_html(publication)
        patterns()

        filler = floats.Filler()            # figures that leave a page half empty move
        with patches.pages_made(filler) if floats.needed(html) else nullcontext():
            rendered = index.render_with_pages(session.render, html)
        if filler.moves:
            html = render_print_html(publication, moves=filler.moves)
        starts = page_starts(rendered)
        found = [(number + 1, *rest) for number, *rest in
                 layout_report.find(rendered, publication.pdf.resolution)]
        anchors: dict[str, str] = {}
        for number, page in enumerate(rendered.pages, 1):
            for name in page.anchors:
                anchors.setdefault(name, str(number))
        path = drawing / "book.pdf" if drawing else None
        if path is not None:
            session.write(rendered, path)
    report(publication, [], session.refused, session.capture.messages)
    if path is None:
        return PageLayout(starts, tuple(anchors.items()), len(rendered.pages))
    from .. import text_check

    findings = (preflight.check_pdf(path, cmyk_job=True, min_dpi=publication.pdf.resolution)
                if publication.pdf.variant == "print" else [])
    return PageLayout(starts, tuple(anchors.items()), len(rendered.pages), path,
                      tuple(findings), tuple(found),
                      text_check.check_written(publication, html, path, rendered))


def _hyphenation(publication: Publication):
    """Start reading the publication's hyphenation patterns (see hyphenation.preload)."""
    return hyphenation.preload({language.print_lang(publication.metadata.lang)}
                               | {language.print_lang(doc.lang) for doc in publication.documents})

