"""Chunks laid out by earlier builds, kept in the build cache's "chunks" store, so that
after an edit only the chunks it changed are laid out again.

A chunk's layout (pages, anchors, bookmarks, page starts) is keyed by its HTML, page
numbers included, and by everything else it reads (the settings digest: stylesheets,
fonts, images, the theme, quire's and the libraries' versions; the publication's metadata
and PDF settings); its PDF also by its offset, which its folios and page sides depend on.
The keys are the cache's (cache.Store.key); so is pruning.
"""

from __future__ import annotations

import time
from pathlib import Path

from ... import shapes
from ...model import PageStart, Publication
from . import chunks
from .chunks import ChunkTask
from .workers import ChunkResult


class ChunkStore:
    def __init__(self, cache, publication: Publication, settings: str):
        # File times lag the clock by up to a tick: a margin keeps what this build touches
        # as it starts.
        self.store, self.started = cache.store("chunks"), time.time_ns() - 100_000_000
        self.context = self.store.key(settings, repr(publication.metadata),
                                      repr(publication.pdf))

    def _key(self, html: str, offset: int | None = None) -> str:
        return self.store.key(self.context, offset, html)

    def reuse(self, task: ChunkTask, html: str, channel, drawing: Path | None
              ) -> ChunkResult | None:
        """The chunk as an earlier build laid it out (with its PDF, if one is wanted). Its
        page count is reported through `channel` as a layout would report it; on a miss
        for its PDF, the layout that follows reports it again, to the same effect."""
        record = self.store.get_json(self._key(html) + ".json", shapes.chunk_layout)
        if record is None:
            return None
        counted = chunks.Counted(task.index, record["pages"], record["opens"], record["side"])
        known = channel.offset(counted)
        offset = known if task.offset is None else task.offset
        if channel.wants_anchors:
            anchors: dict[str, int] = {}
            for name, page, *_ in record["anchors"]:
                anchors.setdefault(name, page)
            channel.anchors(task.index, anchors)
        result = ChunkResult(
            index=task.index, pages=record["pages"], offset=offset, opens=record["opens"],
            side=record["side"], anchors=[tuple(a) for a in record["anchors"]],
            bookmarks=[[(level, label, tuple(point), state)
                        for level, label, point, state in page]
                       for page in record["bookmarks"]],
            shown=record["shown"], path=None, refused=record["refused"],
            messages=record["messages"], layout=[tuple(f) for f in record.get("layout", [])],
            starts=tuple(PageStart(str(int(label) + offset), *rest)
                         for label, *rest in record["starts"]))
        if not chunks.writes_pdf(drawing is not None, task.numbers, result.shown):
            return result
        key = self._key(html, offset)
        pdf = self.store.get(f"{key}.pdf")
        findings = self.store.get_json(f"{key}.findings", shapes.findings)
        text = self.store.get_json(f"{key}.text", shapes.text_problems)
        if pdf is None or findings is None or text is None:
            return None
        result.path = str(drawing / f"chunk-{task.index:05d}.pdf")
        Path(result.path).write_bytes(pdf)
        result.findings = [tuple(f) for f in findings]
        result.text = text
        return result

    def keep(self, html: str, result: ChunkResult) -> None:
        record = {"pages": result.pages, "opens": result.opens, "side": result.side,
                  "anchors": result.anchors, "bookmarks": result.bookmarks,
                  "shown": result.shown, "refused": result.refused,
                  "messages": result.messages, "layout": result.layout,
                  "starts": [(int(s.label) - result.offset, s.document, s.block, s.letters)
                             for s in result.starts]}
        self.store.put_json(self._key(html) + ".json", record)
        if result.path is not None:
            key = self._key(html, result.offset)
            self.store.put(f"{key}.pdf", Path(result.path).read_bytes())
            self.store.put_json(f"{key}.findings", result.findings)
            self.store.put_json(f"{key}.text", result.text)

    def numbers(self) -> dict[str, str] | None:
        return self.store.get_json(f"{self.context}.numbers", shapes.string_map)

    def finish(self, numbers: dict[str, str], wrote: bool) -> None:
        """Keep the page numbers found, and the entries the last two builds used: layouts
        for any build, the chunks' PDFs for builds that `wrote` a PDF (an EPUB-only build
        leaves them for the next PDF)."""
        self.store.put_json(f"{self.context}.numbers", numbers)
        builds = self.store.get_json("builds", shapes.builds) or {}
        for kind, suffixes in (("layout", (".json", ".numbers")),
                               ("pdf", (".pdf", ".findings", ".text"))):
            if kind == "layout" or wrote:
                builds[kind] = (builds.get(kind, []) + [self.started])[-2:]
                self.store.prune(suffixes, used_since=builds[kind][0])
        self.store.put_json("builds", builds)
