"""What writers share: the Writer protocol, the frozen build context, the print layout.

A writer is a module (or any object) with a `name`, `file_name(publication)`, the print
layout it needs (`needs_layout(publication, formats)`: NO_LAYOUT, PAGES or DRAWN) and
`write(publication, target, context)`. The print layout is a stage of its own
(outputs/pdf/layout.py), run at most once per build when a writer needs it; its result,
a `PageLayout`, is handed to every writer in the `BuildContext`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..model import PageStart, Publication

NO_LAYOUT, PAGES, DRAWN = 0, 1, 2   # what a writer needs of the print layout


@dataclass(frozen=True)
class PageLayout:
    """The print layout: where each page starts (the EPUB's page list) and which page
    each anchor is on; when it was drawn, the PDF it drew and what was found in it."""
    starts: tuple[PageStart, ...]
    anchors: tuple[tuple[str, str], ...] = ()   # (anchor, page number), first of each name
    pages: int = 0
    drawing: Path | None = None                 # the PDF drawn while laying out
    findings: tuple = ()                        # preflight findings in it
    report: tuple = ()                          # layout_report findings (page, ...)
    text: dict = field(default_factory=dict)    # the text check's problems (text_check)


@dataclass(frozen=True)
class BuildContext:
    """What a build hands every writer: read it, never change it."""
    cache: object = None                        # the BuildCache, or None
    jobs: int = 1                               # processes for a long print layout
    formats: tuple[str, ...] = ()               # the outputs this build makes
    layout: PageLayout | None = None            # the print layout, when a writer needs it
    settings: str = ""                          # the build's settings digest (cache.py)
    report: list | None = None                  # the layout report's lines go here (check)


class Writer(Protocol):
    name: str

    def file_name(self, publication: Publication) -> str: ...

    def needs_layout(self, publication: Publication, formats: tuple[str, ...]) -> int: ...

    def write(self, publication: Publication, target: Path, context: BuildContext) -> None: ...
