"""Printed page numbers inside the EPUB: where each print page begins, a marker.

From the print layout's PageStart records (a document, a block in `markup.blocks` order,
letters into it), a placeholder `<span data-quire-page="12">` is put before the first word
of the page; epub.py turns the placeholders into EPUB page breaks and the page list. It
leaves out finding the pages (the PDF layout does) and any page numbers of its own.
"""

from __future__ import annotations

from lxml import etree

from .. import markup
from ..model import Document


def with_page_breaks(doc: Document, starts) -> tuple[str, str]:
    """The body with page-break markers where printed pages start, and the markers that
    go before the document's head (pages that start with the document)."""
    if not starts:
        return doc.body, ""
    root = markup.parse_xhtml(doc.body)
    blocks = markup.blocks(root)
    head = []
    for start in starts:
        # A placeholder; the pass over the whole page makes it an EPUB page break.
        marker = etree.Element("span", {"data-quire-page": start.label})
        if start.block < 0 or start.block >= len(blocks):
            head.append(etree.tostring(marker, encoding="unicode"))
        else:
            _insert_at_letter(blocks[start.block], start.letters, marker)
    return markup.inner_xhtml(root), "".join(head)


def _insert_at_letter(block, letters: int, marker) -> None:
    """Put `marker` before the first word that starts after `letters` letters of `block`."""
    if letters == 0:
        _split(block, "text", 0, marker)
        return
    ordered = []                    # (element, "text" | "tail") in document order

    def walk(el):
        ordered.append((el, "text"))
        for child in el:
            walk(child)
            ordered.append((child, "tail"))
    walk(block)
    seen = 0
    for el, kind in ordered:
        text = (el.text if kind == "text" else el.tail) or ""
        for i, char in enumerate(text):
            if seen >= letters and not char.isspace() and (i == 0 or text[i - 1].isspace()):
                _split(el, kind, i, marker)
                return
            if char.isalnum():
                seen += 1
    block.append(marker)


def _split(el, kind: str, index: int, marker) -> None:
    if kind == "text":
        text = el.text or ""
        el.text = text[:index]
        marker.tail = text[index:]
        el.insert(0, marker)
    else:
        text = el.tail or ""
        el.tail = text[:index]
        marker.tail = text[index:]
        el.addnext(marker)
