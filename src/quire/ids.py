"""Ids unique in the whole publication, handed out while it is loaded.

Every id a document's body defines (headings, figures, notes, the document itself) is
claimed here, so that a link is a bare `#id` in every output; `page-N` is kept for the
EPUB's page markers. It leaves out links: links.py follows what was renamed.
"""

from __future__ import annotations

import re


class Ids:
    """Hands out ids unique in the whole publication (used only while loading)."""

    def __init__(self):
        self.used: set[str] = set()
        self.slugs: set[str] = set()      # document file names (EPUB)
        self.current: set[str] = set()   # ids of the document being converted
        self.next: dict[str, int] = {}   # base -> the next number to try (linear, not n²)

    def slug(self, base: str) -> str:
        """A document's file name stem, unique in the publication: `base`, else `base-2`..."""
        slug, n = base, 2
        while slug in self.slugs:
            slug, n = f"{base}-{n}", n + 1
        self.slugs.add(slug)
        return slug

    def claim(self, wanted: str) -> str:
        """`wanted` made a valid id, numbered (`intro-2`) when it is taken; noted as the
        current document's."""
        base = re.sub(r"[^\w.\-]+", "-", wanted, flags=re.UNICODE).strip("-") or "id"
        if not (base[0].isalpha() or base[0] == "_"):
            base = "x" + base
        candidate, n = base, self.next.get(base, 2)
        while candidate in self.used or re.fullmatch(r"page-\d+", candidate):  # page markers
            candidate, n = f"{base}-{n}", n + 1
        if candidate != base:
            self.next[base] = n
        self.used.add(candidate)
        self.current.add(candidate)
        return candidate
