"""The print PDF writer, and the print engine behind it (this package).

The writer itself is small: the print layout stage (layout.py) lays the publication out
and draws the PDF; the writer puts the drawing in place, reports what preflight and the
layout report found, and fails on text the PDF does not show right (text_check).

Three variants: "print" (PDF/X-4, CMYK through the theme's ISO Coated v2 profile, bleed
and crop marks), "screen" (tagged PDF/UA-1, RGB) and "archive" (PDF/A-3u). SVG colours
stay RGB (preflight reports them).

The package: html.py (model -> print HTML), session.py (WeasyPrint's file access and
warnings), layout.py (the stage: one piece or chunks), chunks.py (planning chunks, pure),
workers.py (laying out a chunk; the processes and their channel), chunked.py (the rounds
of a chunked layout), store.py (chunks in the build cache), join.py (chunk PDFs into
one), starts.py (page starts), typeset.py (figures, code, words kept whole), cmyk.py,
hyphenation.py, and patches.py (every reach into WeasyPrint, pydyf, Pyphen and ctypes).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from ...model import Publication
from ..contract import DRAWN, BuildContext
from .html import PROJECT_URL, THEME_URL, file_name, render_print_html

__all__ = ["name", "file_name", "needs_layout", "write", "render_print_html",
           "PROJECT_URL", "THEME_URL"]
name = "pdf"
log = logging.getLogger("quire")


def needs_layout(publication: Publication, formats) -> int:
    return DRAWN


def write(publication: Publication, target: Path, context: BuildContext) -> None:
    """Put the PDF the print layout drew at `target`; report preflight findings and the
    layout report (its lines into `context.report` when given, a summary as one warning);
    raise on text the PDF does not show right."""
    from .. import text_check
    from .session import report

    layout = context.layout
    if layout is None or layout.drawing is None:
        raise ValueError("the PDF writer needs the print layout drawn (needs_layout: DRAWN)")
    os.replace(layout.drawing, target)
    report(publication, layout.findings, [], [])
    _layout_report(publication, layout.report, context.report)
    text_check.raise_for(publication, layout.text)


def _layout_report(publication: Publication, found, lines: list | None) -> None:
    """The layout report: its lines into `lines`, a summary as one warning."""
    from ... import layout_report

    if lines is not None:
        lines.extend(layout_report.describe(publication, list(found)))
    if found:
        log.warning("%s: layout: %s (quire check lists them with their source lines)",
                    file_name(publication), layout_report.summary(list(found)))
