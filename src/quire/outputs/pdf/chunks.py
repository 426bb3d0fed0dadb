"""Planning a long PDF laid out in chunks: pure functions, no WeasyPrint.

Every document opens on a new page and the theme's counters (footnotes) restart with each
document, so a run of documents lays out alone exactly as it does inside the whole book.
Only what depends on the pages before it differs: page numbers, which side a page is on,
a blank page for a right-hand opening, and references to pages. This module decides
where the book is cut (`plan`), where each chunk starts once the chunks before it are
counted (`placement`), which page each anchor lands on (`page_numbers`), whether the
stylesheets allow chunks at all (`whole_book_feature`), and how page references are set
as literal numbers (`page_references`). A chunk is a run of documents laid out alone; a
book's *part* (a folder of chapters) is something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from ...model import Publication

CHUNK_SIZE = 120_000        # characters of document HTML in a chunk, at most: ~35 pages
MIN_CHUNK = 25_000          # ... and at least, unless a document is shorter
ANCHOR_URI = "quire-anchor:"    # a link to an anchor in another chunk, until joined
PAGE_REF = re.compile(r"target-counter\(\s*attr\(\s*href\s*\)\s*,\s*page\s*\)")
WHOLE_BOOK = re.compile(r"target-(?:counter|counters|text)\s*\(|counter\(\s*pages\s*\)"
                        r"|@page[^{]*:(?:first|nth\((?![^)]*\bof\b))")
_LINK = re.compile(r'(<a\b[^>]*?)\shref="#([^"]*)"')
_ID = re.compile(r'\sid="([^"]*)"')


class Unsplittable(Exception):
    """The publication must be laid out in one piece (the reason is the message)."""


@dataclass(frozen=True)
class Chunk:
    front: bool                     # the chunk carries the front matter
    documents: tuple[str, ...]      # Document ids


class ChunkTask(NamedTuple):
    """A chunk to lay out, with what is known of the pages around it."""
    index: int
    chunk: Chunk
    numbers: dict | None            # page numbers of anchors, when known
    offset: int | None              # the chunk's offset, when known


class Counted(NamedTuple):
    """What placing a chunk needs to know of it, once laid out."""
    index: int
    pages: int
    opens: str                      # the first page's forced side: right, left or ""
    side: str                       # the side WeasyPrint gave the first page


class Placement(NamedTuple):
    offsets: list[int]              # each chunk's first page number minus one
    blanks: list[bool]              # whether a blank page precedes it


def plan(publication: Publication, size: int | None = None,
         minimum: int | None = None) -> list[Chunk] | None:
    """The chunks of a publication long enough to be worth splitting, or None (the
    screen and archive variants are never split: their tags and attachments are not
    joined). `size` and `minimum` default to CHUNK_SIZE and MIN_CHUNK."""
    size = CHUNK_SIZE if size is None else size
    minimum = MIN_CHUNK if minimum is None else minimum
    docs = publication.documents
    sizes = [len(doc.body) + len(doc.lead) + len(doc.title_html) for doc in docs]
    if publication.pdf.variant != "print" or len(docs) < 2 or sum(sizes) < 2 * minimum:
        return None
    front = bool(publication.cover or publication.title_page or publication.toc)
    chunks: list[list[str]] = [[]] if front else []
    filled = limit = 0
    remaining = sum(sizes)
    for doc, doc_size in zip(docs, sizes):
        if filled >= limit:
            # Chunks shrink towards the end, so no process is left with a long last one.
            # The cut depends on the text only (never on --jobs): the same bytes anywhere.
            chunks.append([])
            filled, limit = 0, max(minimum, min(size, remaining // 4))
        chunks[-1].append(doc.id)
        filled += doc_size
        remaining -= doc_size
    return [Chunk(front=index == 0, documents=tuple(ids)) for index, ids in enumerate(chunks)]


def placement(counted) -> Placement:
    """Each chunk's offset and blank page, from the chunks counted so far (a prefix of
    the chunks: counting stops at the first None)."""
    offsets, blanks, offset = [], [], 0
    first = next((c.side for c in counted if c is not None and c.index == 0), "right")
    for chunk in counted:
        if chunk is None:
            break
        side = first if offset % 2 == 0 else other_side(first)
        blank = bool(chunk.opens) and chunk.opens != side
        offset += blank
        offsets.append(offset)
        blanks.append(blank)
        offset += chunk.pages
    return Placement(offsets, blanks)


def other_side(side: str) -> str:
    return "left" if side == "right" else "right"


def page_numbers(anchors, offsets) -> dict[str, str]:
    """The page number of each anchor, from (name, page in chunk) pairs per chunk; the
    first of a name counts, as in WeasyPrint."""
    numbers: dict[str, str] = {}
    for pairs, offset in zip(anchors, offsets):
        for name, page in pairs:
            numbers.setdefault(name, str(offset + page + 1))
    return numbers


def whole_book_feature(texts) -> str | None:
    """The first feature in the print HTML's head or the stylesheets (`texts`) that needs
    the whole book laid out at once (counter(pages), target-* other than a link's page,
    @page :first or :nth()), or None."""
    for text in texts:
        if match := WHOLE_BOOK.search(PAGE_REF.sub("", text)):
            return match.group(0).strip()
    return None


def writes_pdf(drawing: bool, numbers, shown) -> bool:
    """Whether a chunk's PDF is written: not when no PDF is wanted, nor when the chunk
    shows placeholders for page numbers (it is laid out again once they are known)."""
    return drawing and not (numbers is None and shown)


def page_ref_css(css: str) -> str:
    """A link's page number read from its data-qpage attribute."""
    return PAGE_REF.sub("attr(data-qpage)", css)


def page_references(html: str, numbers, placeholder) -> tuple[str, dict[str, str]]:
    """Links within the chunk keep their anchors; links to other chunks become
    quire-anchor: URIs (made into links again by join.py); every link carries the page
    number of its target in data-qpage (a placeholder while the numbers are not known)."""
    ids = set(_ID.findall(html))
    used: dict[str, str] = {}

    def link(match):
        start, anchor = match.groups()
        label = numbers.get(anchor, placeholder) if numbers is not None else placeholder
        used[anchor] = label
        href = f"#{anchor}" if anchor in ids else f"{ANCHOR_URI}{anchor}"
        return f'{start} data-qpage="{label}" href="{href}"'
    head, _, body = html.partition("<body")
    return page_ref_css(head) + "<body" + _LINK.sub(link, body), used
