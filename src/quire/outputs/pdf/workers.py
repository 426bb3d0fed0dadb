"""Laying out one chunk, and the processes that do it in parallel.

A worker lays a chunk out. With its pages laid out, but not yet its folios and running
heads (WeasyPrint makes margin boxes last, patches.margin_boxes), it reports its page
count through its `Channel` and waits for its offset: the pages of the chunks before it.
It then makes the margin boxes with the page counter and the page sides moved by that
offset, and writes the chunk's PDF when one is wanted.

Two channels: `LocalChannel` when the chunks are laid out one after another in this
process (the offset is known from the chunks before), and `PoolChannel` between the
parent and forked worker processes (a shared array of offsets, a condition, a queue of
reports). Everything a worker needs (`Job`, its channel) is handed to it as arguments
when it is forked; nothing lives in module globals.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import queue
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from ... import index as book_index
from ... import floats, language, layout_report, parallel, preflight
from ...model import Publication
from .. import text_check
from . import chunks, patches
from .chunks import ChunkTask, Counted, Unsplittable
from .html import render_print_html
from .session import Session
from .starts import page_starts

_SCALE = 0.75               # CSS px to PDF points, as WeasyPrint writes them
STOP_WAIT = 10              # seconds a worker told to stop has, before it is terminated
RETIRE_GROWTH = 96 * 2**20     # bytes a worker may grow by before it retires (_serve)


@dataclass
class ChunkResult:
    index: int
    pages: int
    offset: int
    opens: str                      # the first page's forced side: right, left or ""
    side: str                       # the side WeasyPrint gave the first page
    anchors: list                   # (name, page index in chunk, x, y) in PDF points
    bookmarks: list                 # per page: [(level, label, (x, y), state)]
    shown: dict                     # page references set in the text: anchor -> label
    starts: tuple
    path: str | None
    findings: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    layout: list = field(default_factory=list)     # layout_report findings, pages in chunk
    text: dict = field(default_factory=dict)       # the text check's problems (text_check)


@dataclass
class Job:
    """What every worker needs; inherited by forked workers, never pickled."""
    publication: Publication
    cache: object                   # the BuildCache, or None
    store: object                   # the ChunkStore, or None
    drawing: Path | None            # where chunk PDFs go, when a PDF is wanted
    placeholder: str                # a page number not known yet
    large_streams: dict = field(default_factory=patches.StreamMemo)   # this process's
    sheets: patches.SheetMemo = field(default_factory=patches.SheetMemo)  # this process's


class LocalChannel:
    """Chunks laid out one after another here: each one's offset follows from those
    before it."""

    wants_anchors = False

    def __init__(self):
        self.known: list[Counted] = []

    def offset(self, counted: Counted) -> int:
        if self.known and self.known[-1].index == counted.index:   # told again (a miss)
            self.known.pop()
        self.known.append(counted)
        return chunks.placement(self.known).offsets[-1]

    def anchors(self, index: int, anchors: dict) -> None:
        pass


class PoolChannel:
    """Between the parent and its forked workers: workers report page counts and anchors
    on `reports` and wait on `condition` for their offset in `offsets` (-1: not known)."""

    wants_anchors = True

    def __init__(self, context, count: int):
        self.offsets = context.Array("l", [-1] * count, lock=False)
        self.condition, self.reports = context.Condition(), context.Queue()

    def offset(self, counted: Counted) -> int:
        self.reports.put(("pages", counted))
        with self.condition:
            self.condition.wait_for(lambda: self.offsets[counted.index] >= 0)
            return self.offsets[counted.index]

    def anchors(self, index: int, anchors: dict) -> None:
        self.reports.put(("anchors", index, anchors))

    def publish(self, offsets) -> None:
        with self.condition:
            for i, offset in enumerate(offsets):
                self.offsets[i] = offset
            self.condition.notify_all()


def _serve(job: Job, channel: PoolChannel, tasks, results) -> None:
    """A worker process: lay out the tasks it is given until it is told to stop (None).
    A worker that has grown by RETIRE_GROWTH since it was forked retires after its chunk,
    and the parent forks a new one in its place: what WeasyPrint keeps from each render
    (native memory, about 1 MiB a render of a Pro Git chapter, after malloc_trim) added
    up to 700 MiB a worker at sixteen times the six ydkjs books."""
    start = parallel.resident()
    try:
        while (item := tasks.get()) is not None:
            number, task = item
            try:
                outcome = ("done", lay_out_chunk(job, channel, task))
            except BaseException as err:            # handed to the parent, raised there
                try:
                    pickle.dumps(err)
                except Exception:
                    err = RuntimeError(f"{type(err).__name__}: {err}")
                outcome = ("error", err)
            results.put((number, outcome))
            parallel.give_back_memory()     # what the chunk's layout freed
            if start and parallel.resident() > start + RETIRE_GROWTH:
                results.put((None, ("retired", os.getpid())))
                break
    finally:
        job.sheets.close()


class Workers:
    """`jobs` forked processes that lay chunks out, kept for every round (they keep what
    they have compressed or hyphenated); with one job, the chunks are laid out here."""

    def __init__(self, job: Job, count: int, jobs: int, hyphenation):
        self.job, self.count, self.processes = job, count, []
        if jobs > 1:
            patches.weasyprint()    # before the workers fork, and so are the patterns
        hyphenation()
        if jobs == 1:
            return
        language.release()          # what the workers need not inherit
        parallel.give_back_memory()
        context = multiprocessing.get_context("fork")
        self.channel = PoolChannel(context, count)
        # Queues put through a thread: a task's page numbers never block this process on
        # a full pipe while workers wait for the offsets it publishes.
        self.tasks, self.results = context.Queue(), context.Queue()
        self.context = context
        for _ in range(min(jobs, count)):
            self.processes.append(self._start())
        self.alive = parallel.watch(self.processes)
        self.submitted = 0

    def _start(self):
        process = self.context.Process(target=_serve, daemon=True, args=(
            self.job, self.channel, self.tasks, self.results))
        gc.freeze()         # the worker's collections never touch (and copy) inherited pages
        try:
            process.start()
        finally:
            gc.unfreeze()
        return process

    def _replace(self, pid: int) -> None:
        """A worker that retired (see _serve) has a new one in its place, forked anew."""
        for i, process in enumerate(self.processes):
            if process.pid == pid:
                process.join()
                self.processes[i] = self._start()   # the list `alive` watches

    def __enter__(self):
        return self

    def __exit__(self, kind, *exc):
        if kind is None:                # told to stop, they remove their fonts' folders
            for _ in self.processes:
                self.tasks.put(None)
            for process in self.processes:
                process.join(timeout=STOP_WAIT)
        for process in self.processes:
            if process.is_alive():
                process.terminate()
        for process in self.processes:
            process.join()
        self.job.sheets.close()

    def _submit(self, task: ChunkTask) -> int:
        self.tasks.put((self.submitted, task))
        self.submitted += 1
        return self.submitted - 1

    def run(self, tasks: list[ChunkTask], first: bool, early=None):
        """Lay out `tasks`, yielding results in order. In the `first` round, tasks without
        an offset find it as the chunks before them are counted; then the tasks
        `early(anchor pages per chunk, offsets)` returns are run once all anchors are
        placed."""
        if not self.processes:
            channel = LocalChannel()
            for task in tasks:
                yield lay_out_chunk(self.job, channel, task)
            return
        for i in range(self.count):
            self.channel.offsets[i] = -1
        for task in tasks:
            if task.offset is not None:
                self.channel.offsets[task.index] = task.offset
        pending = [self._submit(task) for task in tasks]
        done: dict[int, object] = {}
        counted: list = [None] * self.count
        anchors: dict[int, dict] = {}
        while pending:
            try:
                report = self.channel.reports.get(timeout=0.02)
            except queue.Empty:
                self.alive()
            else:
                if report[0] == "anchors" and first and early is not None:
                    anchors[report[1]] = report[2]
                    if len(anchors) == self.count:
                        start, early = early, None
                        offsets = chunks.placement(counted).offsets
                        pending += [self._submit(task) for task in
                                    start([anchors[i] for i in range(self.count)], offsets)]
                elif report[0] == "pages" and first:
                    counted[report[1].index] = report[1]
                    self.channel.publish(chunks.placement(counted).offsets)
            while not self.results.empty():
                number, outcome = self.results.get()
                if number is None:              # ("retired", pid)
                    self._replace(outcome[1])
                else:
                    done[number] = outcome
            while pending and pending[0] in done:
                kind, value = done.pop(pending.pop(0))
                if kind == "error":
                    raise value
                yield value


# -- one chunk ----------------------------------------------------------------------------

def lay_out_chunk(job: Job, channel, task: ChunkTask) -> ChunkResult:
    """Lay out one chunk (and write its PDF when the job draws one)."""
    publication = job.publication
    wanted = set(task.chunk.documents)
    documents = [doc for doc in publication.documents if doc.id in wanted]
    html = render_print_html(publication, documents=documents, front=task.chunk.front)
    html, index_pages = book_index.fill_pages(html, task.numbers, job.placeholder)
    html, used = chunks.page_references(html, task.numbers, job.placeholder)
    if job.store is not None and (reused := job.store.reuse(task, html, channel,
                                                            job.drawing)):
        return reused
    key = html                  # the chunk's HTML before figures move (floats) keys its layout
    with Session(publication, job.cache, css=chunks.page_ref_css,
                 large_streams=job.large_streams, sheets=job.sheets) as session:
        document = session.html(html)
        filler = floats.Filler()            # figures that leave a page half empty move
        with MarginHook(task.index, task.offset, document, channel) as hook, \
                patches.pages_made(filler) if floats.needed(html) else nullcontext():
            rendered = session.render(document)
        if filler.moves:
            html = chunks.page_references(book_index.fill_pages(
                render_print_html(publication, documents, task.chunk.front, filler.moves),
                task.numbers, job.placeholder)[0], task.numbers, job.placeholder)[0]
        if len(rendered.pages) != hook.pages:
            raise AssertionError(f"chunk {task.index}: {len(rendered.pages)} pages, "
                                 f"{hook.pages} counted before the margin boxes")
        shown = {anchor: used[anchor] for anchor in _shown_references(rendered)
                 if anchor in used}
        shown.update(index_pages)       # the index shows its marks' pages
        path = None
        if chunks.writes_pdf(job.drawing is not None, task.numbers, shown):
            path = str(job.drawing / f"chunk-{task.index:05d}.pdf")
            session.write(rendered, Path(path))
    anchors, bookmarks = _destinations(rendered)
    result = ChunkResult(
        index=task.index, pages=len(rendered.pages), offset=hook.offset, opens=hook.opens,
        side=hook.side, anchors=anchors, bookmarks=bookmarks, shown=shown,
        starts=page_starts(rendered, hook.offset + 1), path=path,
        refused=session.refused, messages=session.capture.messages,
        layout=layout_report.find(rendered, publication.pdf.resolution))
    if path is not None:
        result.findings = preflight.findings(Path(path), cmyk_job=True,
                                             first_page=hook.offset + 1,
                                             min_dpi=publication.pdf.resolution)
        result.text = text_check.check_written(publication, html, Path(path), rendered,
                                               hook.offset + 1)
    if job.store is not None:
        job.store.keep(key, result)
    return result


class MarginHook:
    """Holds back a chunk's margin boxes until its offset is known, then makes them with
    the page counter and the page sides of the whole book."""

    def __init__(self, index, offset, document, channel):
        self.index, self.offset, self.document = index, offset, document
        self.channel = channel
        self.pages, self.opens, self.side, self.flip = 0, "", "right", False
        self.anchors: dict[str, int] = {}   # name -> page index, reported to the parent
        self._patch = None

    def __enter__(self):
        self._patch = patches.margin_boxes(self.margin_state)
        self._patch.__enter__()
        return self

    def __exit__(self, *exc):
        self._patch.__exit__(*exc)

    def margin_state(self, context, page, state):
        if context.current_page == 1:
            self._settle(context, page)
        if self.flip:
            page_type = page.page_type._replace(side=chunks.other_side(page.page_type.side))
            patches.restyle_page(page_type, self.document, context.style_for)
            if any(context.style_for(page_type)[key] != page.style[key]
                   for key in ("margin_left", "margin_right", "width")):
                raise Unsplittable("left and right pages differ and a chunk opens on "
                                   "the other side")
            page.page_type = page_type
        if self.channel.wants_anchors:
            _page_anchors(page, context.current_page - 1, self.anchors)
            if context.current_page == self.pages:
                self.channel.anchors(self.index, self.anchors)
        quote_depth, counters, scopes, groups = state
        counters = dict(counters)
        counters["page"] = [value + self.offset for value in counters["page"]]
        return quote_depth, counters, scopes, groups

    def _settle(self, context, page):
        self.pages = len(context.page_maker) - 1
        self.side = page.page_type.side
        self.opens = _forced_side(page)
        offset = self.channel.offset(Counted(self.index, self.pages, self.opens, self.side))
        if self.offset is None:
            self.offset = offset
        # Every chunk's first page gets the side of the book's first page (right, or left
        # in right-to-left text); a page at an odd offset has the other side.
        self.flip = self.offset % 2 == 1


def _page_anchors(box, page: int, anchors: dict[str, int]) -> None:
    """The anchors on a page, as WeasyPrint gathers them (anchors.gather_anchors)."""
    name = box.style["anchor"]
    if name and name not in anchors:
        anchors[name] = page
    for child in box.all_children():
        _page_anchors(child, page, anchors)


def _forced_side(page) -> str:
    """'right' or 'left' when the chunk's first element must open on that side."""
    box = page.children[0]
    while box.children and getattr(box, "element_tag", "") in ("html", "body"):
        box = box.children[0]
    value = box.style["break_before"]
    ltr = box.style["direction"] == "ltr"
    return {"right": "right", "left": "left", "recto": "right" if ltr else "left",
            "verso": "left" if ltr else "right"}.get(value, "")


def _destinations(rendered):
    """Anchors (first of each name) and bookmarks, in PDF points as WeasyPrint writes them."""
    from weasyprint.matrix import Matrix

    anchors, seen, bookmarks = [], set(), []
    for number, page in enumerate(rendered.pages):
        matrix = Matrix(a=_SCALE, d=-_SCALE, f=page.height * _SCALE)
        for name, (x, y, _, _) in page.anchors.items():
            if name not in seen:
                seen.add(name)
                anchors.append((name, number, *matrix.transform_point(x, y)))
        bookmarks.append([(level, label, matrix.transform_point(*point), state)
                          for level, label, point, state in page.bookmarks])
    return anchors, bookmarks


def _shown_references(rendered) -> set[str]:
    """Anchors whose page number the text shows (a ::before or ::after of a link)."""
    shown: set[str] = set()

    def walk(box):
        element = getattr(box, "element", None)
        if ((getattr(box, "element_tag", None) or "").endswith(("::before", "::after"))
                and element is not None and element.get("data-qpage") is not None):
            href = element.get("href", "")
            shown.add(href[1:] if href.startswith("#") else href[len(chunks.ANCHOR_URI):])
            return
        for child in getattr(box, "children", ()):
            walk(child)
    for page in rendered.pages:
        walk(patches.page_box(page))
    return shown
