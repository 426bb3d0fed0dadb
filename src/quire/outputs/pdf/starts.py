"""Where each printed page starts in the text: the EPUB's page list, read off WeasyPrint's
laid-out pages.

A page's start is the first block of a document that shows on it and how many of that
block's letters came before it (on earlier pages); the EPUB puts its page-break marker
there. Front matter, blank pages and pages without text have no entry.
"""

from __future__ import annotations

from ...model import PageStart
from . import patches


def page_starts(rendered, first_page: int = 1) -> tuple[PageStart, ...]:
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

        walk(patches.page_box(page), None, None)
        for key, count in on_page.items():
            letters_before[key] = letters_before.get(key, 0) + count
        starts.extend(first)
    return tuple(starts)
