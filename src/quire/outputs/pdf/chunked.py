"""A long PDF laid out in chunks, in parallel processes, and joined into one file.

1. chunks.plan cuts the publication at document boundaries into chunks of similar size;
   the front matter (cover, title page, contents) is a chunk of its own.
2. Each chunk is laid out by a worker (workers.py), which learns its offset (the pages
   of the chunks before it) once those are counted, and then sets its folios and sides.
3. Page references are set as literal numbers. A chunk that shows one is laid out again
   once every chunk's pages are known; if its page count then changes, the chunks after
   it follow (at most ROUNDS layouts of a chunk).
4. join.py joins the chunks' PDFs into one (when a PDF is drawn at all).
5. With a build cache, each chunk is kept as laid out and as written (store.py): the
   next build starts from the page numbers the last one found, and lays out only the
   chunks whose HTML changed; a chunk whose first page number moved is written again.

Stylesheets that need the whole book at once raise Unsplittable: layout.py then lays the
book out in one piece.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ... import preflight
from ...model import PageStart, Publication
from .. import text_check
from . import chunks, join
from .chunks import Chunk, ChunkTask, Unsplittable
from .html import render_print_html
from .store import ChunkStore
from .workers import Job, Workers

ROUNDS = 4                  # layouts of a chunk at most, before giving up on splitting


@dataclass
class Rendered:
    """The chunks laid out (and drawn): what the whole book's layout would have given."""
    starts: tuple[PageStart, ...]
    pages: int
    anchors: dict[str, str]                         # anchor -> page number
    findings: list                                  # preflight findings, grouped
    refused: list
    messages: list
    layout: list = field(default_factory=list)     # layout_report findings, pages from 1
    text: dict = field(default_factory=dict)       # the text check's problems, all chunks


def render(publication: Publication, plan: list[Chunk], drawing: Path | None, cache,
           settings: str, jobs: int, hyphenation=lambda: None) -> Rendered:
    """Lay out the chunks of `plan` and, with `drawing` (a folder of this build's), join
    their PDFs into `drawing`/book.pdf. `settings` is the build's settings digest (the
    chunk store's keys); `hyphenation()` installs the patterns, before the workers
    fork. Raises Unsplittable when the stylesheets need the whole book at once."""
    check_splittable(publication)
    estimate = sum(len(doc.body) for doc in publication.documents) / 3000 + 10   # pages
    store = ChunkStore(cache, publication, settings) if cache is not None else None
    job = Job(publication, cache, store, drawing, "0" * len(str(int(estimate))))
    results: list = [None] * len(plan)
    with Workers(job, len(plan), jobs, hyphenation) as workers:
        # The page numbers the last build found: the chunks it laid out then, showing
        # them, are found in the cache. Wrong guesses are laid out again, as placeholders are.
        numbers: dict[str, str] | None = store.numbers() if store else None
        todo = list(range(len(plan)))

        def early(anchor_pages, offsets):
            """Once every chunk's anchors are placed, lay out again the chunks seen to
            show placeholders, without waiting for the last chunks to be written."""
            labels = chunks.page_numbers([pages.items() for pages in anchor_pages], offsets)
            return [ChunkTask(r.index, plan[r.index], labels, offsets[r.index])
                    for r in results if r is not None
                    and any(labels.get(a) != label for a, label in r.shown.items())]

        for round_ in range(ROUNDS):
            if round_ == 0:
                tasks = [ChunkTask(i, plan[i], numbers, 0 if i == todo[0] else None)
                         for i in todo]
            else:
                fixed = chunks.placement(results).offsets
                tasks = [ChunkTask(i, plan[i], numbers, fixed[i]) for i in todo]
            for result in workers.run(tasks, first=round_ == 0, early=early):
                results[result.index] = result
            offsets = chunks.placement(results).offsets
            numbers = chunks.page_numbers([[a[:2] for a in r.anchors] for r in results],
                                          offsets)
            todo = [r.index for r in results
                    if r.offset != offsets[r.index]
                    or any(numbers.get(a) != label for a, label in r.shown.items())]
            if not todo:
                break
        else:
            raise Unsplittable("page references did not settle")
    placed = chunks.placement(results)
    if drawing is not None:         # once the workers have stopped: their memory is free
        join.join(results, placed.offsets, placed.blanks, drawing / "book.pdf")
    if store:
        store.finish(numbers, wrote=drawing is not None)
    pages = placed.offsets[-1] + results[-1].pages
    return Rendered(
        starts=tuple(s for r in results for s in r.starts), pages=pages, anchors=numbers,
        findings=preflight.grouped([f for r in results for f in r.findings]),
        refused=[u for r in results for u in r.refused],
        messages=[m for r in results for m in r.messages],
        layout=[(page + offset + 1, *rest) for r, offset in zip(results, placed.offsets)
                for page, *rest in r.layout],
        text=text_check.merge([r.text for r in results]))


def check_splittable(publication: Publication) -> None:
    """Unsplittable when the print HTML's head or a stylesheet needs the whole book."""
    texts = [render_print_html(publication, documents=(), front=False)]
    texts += [path.read_text("utf-8", errors="replace")
              for layer, path in publication.stylesheets if layer != "epub"]
    if feature := chunks.whole_book_feature(texts):
        raise Unsplittable(f"the stylesheet uses {feature}")
