"""A long PDF laid out in parts, in parallel processes, and joined into one file.

Every document opens on a new page and the theme's counters (footnotes) restart with each
document, so a run of documents lays out alone exactly as it does inside the whole book.
Only what depends on the pages before it differs: page numbers, which side a page is on,
a blank page for a right-hand opening, and references to pages (the printed contents,
`{.page}` cross-references). So:

1. The publication is cut at document boundaries into parts of similar size; the front
   matter (cover, title page, contents) is a part of its own.
2. Each part is laid out in a worker. With its pages laid out, but not yet its folios and
   running heads (WeasyPrint makes margin boxes last), the worker reports its page count
   and waits for its offset: the pages of the parts before it. It then makes the margin
   boxes with the page counter and page sides moved by that offset, and writes its PDF.
3. Page references are set as literal numbers (`target-counter(attr(href), page)` reads
   an attribute instead). A part that shows one is laid out again once every part's pages
   are known; if its page count then changes, the parts after it follow.
4. pikepdf joins the parts: a blank page where a part must open on the other side, one
   outline (nested by WeasyPrint's own rule), one tree of named destinations, links across
   parts pointed at it, and identical images and ICC profiles stored once.
5. With a build cache, each part is kept as laid out and as written (`_Store`). The next
   build starts from the page numbers the last one found, and lays out only the parts
   whose HTML changed; a part whose first page number moved is written again.

Stylesheets that need the whole book at once (`counter(pages)`, other target-* functions,
`@page :first` or `:nth()`) are laid out in one piece, and so are the screen and archive
variants (their tags and attachments are not joined).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import queue
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import index as book_index
from .. import floats, layout_report, parallel, preflight, shapes, weasy
from ..model import PageStart, Publication
from . import pdf as pdf_output
from . import pdf_join, text_check
from .pdf_join import ANCHOR_URI

PART_SIZE = 120_000         # characters of document HTML in a part, at most: ~35 pages
MIN_PART = 25_000           # ... and at least, unless a document is shorter
_ROUNDS = 4                 # layouts of a part at most, before giving up on splitting
_SCALE = 0.75               # CSS px to PDF points, as WeasyPrint writes them
_PAGE_REF = re.compile(r"target-counter\(\s*attr\(\s*href\s*\)\s*,\s*page\s*\)")
_WHOLE_BOOK = re.compile(r"target-(?:counter|counters|text)\s*\(|counter\(\s*pages\s*\)"
                         r"|@page[^{]*:(?:first|nth\((?![^)]*\bof\b))")
_LINK = re.compile(r'(<a\b[^>]*?)\shref="#([^"]*)"')
_ID = re.compile(r'\sid="([^"]*)"')


class Unsplittable(Exception):
    """The publication must be laid out in one piece (the reason is the message)."""


@dataclass(frozen=True)
class Part:
    front: bool                     # the part carries the front matter
    documents: tuple[str, ...]      # Document ids


@dataclass
class PartResult:
    index: int
    pages: int
    offset: int
    opens: str                      # the first page's forced side: right, left or ""
    side: str                       # the side WeasyPrint gave the first page
    anchors: list                   # (name, page index in part, x, y) in PDF points
    bookmarks: list                 # per page: [(level, label, (x, y), state)]
    shown: dict                     # page references set in the text: anchor -> label
    starts: tuple
    path: str | None
    findings: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    layout: list = field(default_factory=list)     # layout_report findings, pages in part
    text: dict = field(default_factory=dict)       # the text check's problems (text_check)


@dataclass
class Rendered:
    starts: tuple[PageStart, ...]
    report: tuple                   # (preflight findings, refused URLs, WeasyPrint messages)
    layout: list = field(default_factory=list)     # layout_report findings, pages from 1
    text: dict = field(default_factory=dict)       # the text check's problems, all parts


def plan(publication: Publication) -> list[Part] | None:
    """The parts of a publication long enough to be worth splitting, or None."""
    docs = publication.documents
    sizes = [len(doc.body) + len(doc.lead) + len(doc.title_html) for doc in docs]
    if publication.pdf.variant != "print" or len(docs) < 2 or sum(sizes) < 2 * MIN_PART:
        return None
    front = bool(publication.cover or publication.title_page or publication.toc)
    parts: list[list[str]] = [[]] if front else []
    size = limit = 0
    remaining = sum(sizes)
    for doc, doc_size in zip(docs, sizes):
        if size >= limit:
            # Parts shrink towards the end, so no process is left with a long last part.
            # The cut depends on the text only (never on --jobs): the same bytes anywhere.
            parts.append([])
            size, limit = 0, max(MIN_PART, min(PART_SIZE, remaining // 4))
        parts[-1].append(doc.id)
        size += doc_size
        remaining -= doc_size
    return [Part(front=index == 0, documents=tuple(ids)) for index, ids in enumerate(parts)]


def render(publication: Publication, parts: list[Part], target: Path | None, cache,
           jobs: int, hyphenation=lambda: None) -> Rendered:
    """Lay out and (with a target) write the PDF in parts; raises Unsplittable when the
    stylesheets need the whole book at once. `hyphenation()` installs the hyphenation
    patterns, before the workers fork."""
    _check_splittable(publication)
    estimate = sum(len(doc.body) for doc in publication.documents) / 3000 + 10   # pages
    with tempfile.TemporaryDirectory(prefix=f".quire-parts-{os.getpid()}-",
                                     dir=target.parent if target else None) as temp, \
            _Workers(_Job(publication, cache, Path(temp) if target else None,
                          "0" * len(str(int(estimate)))), len(parts), jobs,
                     hyphenation) as workers:
        results: list[PartResult | None] = [None] * len(parts)
        store = workers.job.store
        # The page numbers the last build found: the parts it laid out then, showing them,
        # are found in the cache. Wrong guesses are laid out again, as placeholders are.
        numbers: dict[str, str] | None = store.numbers() if store else None
        todo = list(range(len(parts)))

        def early(anchor_pages, offsets):
            """Once every part's anchors are placed, lay out again the parts seen to show
            placeholders, without waiting for the last parts to be written."""
            labels = _page_numbers([pages.items() for pages in anchor_pages], offsets)
            return [(r.index, parts[r.index], labels, offsets[r.index]) for r in results
                    if r is not None and any(labels.get(a) != label
                                             for a, label in r.shown.items())]

        for round_ in range(_ROUNDS):
            fixed = None if round_ == 0 else _layout(results)[0]
            for result in workers.run(parts, todo, numbers, fixed, early):
                results[result.index] = result
            offsets, _ = _layout(results)
            numbers = _page_numbers([[a[:2] for a in r.anchors] for r in results], offsets)
            todo = [r.index for r in results
                    if r.offset != offsets[r.index]
                    or any(numbers.get(a) != label for a, label in r.shown.items())]
            if not todo:
                break
        else:
            raise Unsplittable("page references did not settle")
        if target is not None:
            pdf_join.join(results, *_layout(results), target)
        if store:
            store.finish(numbers, wrote=target is not None)
    starts = tuple(s for r in results for s in r.starts)
    findings = preflight.grouped([f for r in results for f in r.findings])
    offsets = _layout(results)[0]
    layout = [(page + offset + 1, *rest) for r, offset in zip(results, offsets)
              for page, *rest in r.layout]
    return Rendered(starts, (findings, [u for r in results for u in r.refused],
                             [m for r in results for m in r.messages]), layout,
                    text_check.merge([r.text for r in results]))


def _check_splittable(publication: Publication) -> None:
    texts = [pdf_output.render_print_html(publication, documents=(), front=False)]
    texts += [path.read_text("utf-8", errors="replace")
              for layer, path in publication.stylesheets if layer != "epub"]
    for text in texts:
        if match := _WHOLE_BOOK.search(_PAGE_REF.sub("", text)):
            raise Unsplittable(f"the stylesheet uses {match.group(0).strip()}")


# -- the parent: offsets, and the workers that need them --------------------------------

def _layout(results) -> tuple[list[int], list[bool]]:
    """Each part's first page number minus one, and whether a blank page precedes it, from
    the page counts known so far (a prefix of the parts)."""
    offsets, blanks, offset = [], [], 0
    first = next((r.side for r in results if r is not None and r.index == 0), "right")
    for result in results:
        if result is None:
            break
        side = first if offset % 2 == 0 else _other(first)
        blank = bool(result.opens) and result.opens != side
        offset += blank
        offsets.append(offset)
        blanks.append(blank)
        offset += result.pages
    return offsets, blanks


def _other(side: str) -> str:
    return "left" if side == "right" else "right"


def _page_numbers(anchors, offsets) -> dict[str, str]:
    """The page number of each anchor, from (name, page in part) pairs per part; the first
    of a name counts, as in WeasyPrint."""
    numbers: dict[str, str] = {}
    for pairs, offset in zip(anchors, offsets):
        for name, page in pairs:
            numbers.setdefault(name, str(offset + page + 1))
    return numbers


class _Job:
    """What every worker needs; workers are forked, so it is inherited, never pickled."""

    def __init__(self, publication, cache, temp, placeholder):
        self.publication, self.cache, self.temp = publication, cache, temp
        self.placeholder = placeholder
        self.store = _Store(cache, publication) if cache is not None else None


_JOB: _Job | None = None
_CHANNEL = None             # (offsets array, condition, reports queue) in a worker


class _Workers:
    """`jobs` forked processes that lay parts out, kept for every round (they keep what
    they have compressed or hyphenated); with one job, the parts are laid out here."""

    def __init__(self, job: _Job, count: int, jobs: int, hyphenation):
        global _JOB
        _JOB = job
        self.job, self.count, self.pool = job, count, None
        if jobs > 1:
            weasy.imported()        # before the workers fork, and so are the patterns
        hyphenation()
        if jobs == 1:
            return
        context = multiprocessing.get_context("fork")
        self.offsets = context.Array("l", [-1] * count, lock=False)
        self.condition, self.reports = context.Condition(), context.Queue()
        self.pool = context.Pool(min(jobs, count), initializer=_init,
                                 initargs=(self.offsets, self.condition, self.reports))
        self.alive = parallel.watchdog(self.pool)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        global _JOB
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
        _JOB = None

    def run(self, parts, todo, numbers, fixed, early=None):
        """Lay out the parts in `todo`, yielding results in order; with `fixed` offsets, or
        offsets found as the parts before each are laid out (the first round). Then, in
        the first round, the tasks `early(anchor pages per part, offsets)` returns once
        all anchors are placed."""
        tasks = [(i, parts[i], numbers, None if fixed is None else fixed[i]) for i in todo]
        if fixed is None:
            tasks[0] = tasks[0][:3] + (0,)
        if self.pool is None:
            known: list = []

            def offset_of(index, pages, opens, side):   # the parts before are all done
                if known and known[-1].index == index:  # told again (a cache miss)
                    known.pop()
                known.append(_Known(index, pages, opens, side))
                return _layout(known)[0][-1]
            for task in tasks:
                yield _work(task, offset_of)
            return
        for i in range(self.count):
            self.offsets[i] = -1 if fixed is None else fixed[i]
        self.offsets[tasks[0][0]] = tasks[0][3]
        pending = [self.pool.apply_async(_work, (task,)) for task in tasks]
        known: list = [None] * self.count
        anchors: dict[int, dict] = {}
        while pending:
            try:
                kind, index, *report = self.reports.get(timeout=0.02)
            except queue.Empty:
                self.alive()
            else:
                if kind == "anchors" and fixed is None and early is not None:
                    anchors[index] = report[0]
                    if len(anchors) == self.count:
                        start, early = early, None
                        offsets = _layout(known)[0]
                        pending += [self.pool.apply_async(_work, (task,)) for task in
                                    start([anchors[i] for i in range(self.count)], offsets)]
                elif kind == "pages" and fixed is None:
                    known[index] = _Known(index, *report)
                    placed, _ = _layout(known)
                    with self.condition:
                        for i, offset in enumerate(placed):
                            self.offsets[i] = offset
                        self.condition.notify_all()
            while pending and pending[0].ready():
                yield pending.pop(0).get()      # raises the worker's exception, if any


@dataclass
class _Known:
    index: int
    pages: int
    opens: str
    side: str


def _init(offsets, condition, reports):
    global _CHANNEL
    _CHANNEL = offsets, condition, reports


def _wait_for_offset(index, pages, opens, side) -> int:
    offsets, condition, reports = _CHANNEL
    reports.put(("pages", index, pages, opens, side))
    with condition:
        condition.wait_for(lambda: offsets[index] >= 0)
        return offsets[index]


# -- the worker: one part -----------------------------------------------------------------

def _work(task, offset_of=None) -> PartResult:
    index, part, numbers, offset = task
    job = _JOB
    publication = job.publication
    wanted = set(part.documents)
    documents = [doc for doc in publication.documents if doc.id in wanted]
    html = pdf_output.render_print_html(publication, documents=documents, front=part.front)
    html, index_pages = book_index.fill_pages(html, numbers, job.placeholder)
    html, used = _page_references(html, numbers, job.placeholder)
    offset_of = offset_of or _wait_for_offset
    if job.store is not None and (reused := job.store.reuse(task, html, offset_of, job.temp)):
        return reused
    key = html                  # the part's HTML before figures move (floats) keys its layout
    with pdf_output.Session(publication, job.cache, css=_page_ref_css) as session:
        html, document = floats.settle(     # figures that left a page half empty move
            html, lambda html: session.html(html).render(
                pdf_variant=pdf_output.VARIANTS["print"], presentational_hints=True),
            lambda moves: _page_references(book_index.fill_pages(
                pdf_output.render_print_html(publication, documents, part.front, moves),
                numbers, job.placeholder)[0], numbers, job.placeholder)[0],
            session.html)
        hook = _MarginHook(index, offset, document, offset_of)
        with hook:
            rendered = document.render(pdf_variant=pdf_output.VARIANTS["print"],
                                       presentational_hints=True)
        if len(rendered.pages) != hook.pages:
            raise AssertionError(f"part {index}: {len(rendered.pages)} pages, "
                                 f"{hook.pages} counted before the margin boxes")
        shown = {anchor: used[anchor] for anchor in _shown_references(rendered)
                 if anchor in used}
        shown.update(index_pages)       # the index shows its marks' pages
        path = None
        if _writes_pdf(job.temp, numbers, shown):
            path = str(job.temp / f"part-{index:05d}.pdf")
            session.write(rendered, Path(path))
    anchors, bookmarks = _destinations(rendered)
    result = PartResult(
        index=index, pages=len(rendered.pages), offset=hook.offset, opens=hook.opens,
        side=hook.side, anchors=anchors, bookmarks=bookmarks, shown=shown,
        starts=pdf_output._page_starts(rendered, hook.offset + 1), path=path,
        refused=session.refused, messages=session.capture.messages,
        layout=layout_report.find(rendered, publication.pdf.resolution))
    if path is not None:
        result.findings = preflight.findings(Path(path), cmyk_job=True,
                                             first_page=hook.offset + 1,
                                             min_dpi=job.publication.pdf.resolution)
        result.text = text_check.check_written(publication, html, Path(path), rendered,
                                               hook.offset + 1)
    if job.store is not None:
        job.store.keep(key, result)
    return result


class _Store:
    """Parts laid out by earlier builds (in the build cache), so that after an edit only
    the parts it changed are laid out again.

    A part's layout (pages, anchors, bookmarks, page starts) is keyed by its HTML, page
    numbers included, and by everything else it reads (stylesheets, fonts, images, the
    theme, the publication's metadata and PDF settings, quire's and the libraries'
    versions); its PDF also by its offset, which its folios and page sides depend on."""

    def __init__(self, cache, publication: Publication):
        from .. import __version__
        from ..cache import inputs_digest

        # File times lag the clock by up to a tick: a margin keeps what this build touches
        # as it starts.
        self.cache, self.started = cache, time.time_ns() - 100_000_000
        self.context = hashlib.sha256("\0".join((
            __version__, inputs_digest(publication.root, publication.inputs, markdown=False),
            repr(publication.metadata), repr(publication.pdf))).encode()).hexdigest()

    def _key(self, html: str, offset: int | None = None) -> str:
        return hashlib.sha256(f"{self.context}\0{offset}\0{html}".encode()).hexdigest()

    def reuse(self, task, html: str, offset_of, temp: Path | None) -> PartResult | None:
        """The part as an earlier build laid it out (with its PDF, if one is wanted). Its
        page count is reported through `offset_of` as a layout would report it; on a miss
        for its PDF, the layout that follows reports it again, to the same effect."""
        index, _, numbers, offset = task
        record = self.cache.get_json("parts", self._key(html) + ".json", shapes.part_layout)
        if record is None:
            return None
        known = offset_of(index, record["pages"], record["opens"], record["side"])
        offset = known if offset is None else offset
        if _CHANNEL is not None and offset_of is _wait_for_offset:
            anchors: dict[str, int] = {}
            for name, page, *_ in record["anchors"]:
                anchors.setdefault(name, page)
            _CHANNEL[2].put(("anchors", index, anchors))
        result = PartResult(
            index=index, pages=record["pages"], offset=offset, opens=record["opens"],
            side=record["side"], anchors=[tuple(a) for a in record["anchors"]],
            bookmarks=[[(level, label, tuple(point), state)
                        for level, label, point, state in page]
                       for page in record["bookmarks"]],
            shown=record["shown"], path=None, refused=record["refused"],
            messages=record["messages"], layout=[tuple(f) for f in record.get("layout", [])],
            starts=tuple(PageStart(str(int(label) + offset), *rest)
                         for label, *rest in record["starts"]))
        if not _writes_pdf(temp, numbers, result.shown):
            return result
        key = self._key(html, offset)
        pdf = self.cache.get("parts", f"{key}.pdf")
        findings = self.cache.get_json("parts", f"{key}.findings", shapes.findings)
        text = self.cache.get_json("parts", f"{key}.text", shapes.text_problems)
        if pdf is None or findings is None or text is None:
            return None
        result.path = str(temp / f"part-{index:05d}.pdf")
        Path(result.path).write_bytes(pdf)
        result.findings = [tuple(f) for f in findings]
        result.text = text
        return result

    def keep(self, html: str, result: PartResult) -> None:
        record = {"pages": result.pages, "opens": result.opens, "side": result.side,
                  "anchors": result.anchors, "bookmarks": result.bookmarks,
                  "shown": result.shown, "refused": result.refused,
                  "messages": result.messages, "layout": result.layout,
                  "starts": [(int(s.label) - result.offset, s.document, s.block, s.letters)
                             for s in result.starts]}
        self.cache.put("parts", self._key(html) + ".json", json.dumps(record).encode())
        if result.path is not None:
            key = self._key(html, result.offset)
            self.cache.put("parts", f"{key}.pdf", Path(result.path).read_bytes())
            self.cache.put("parts", f"{key}.findings", json.dumps(result.findings).encode())
            self.cache.put("parts", f"{key}.text", json.dumps(result.text).encode())

    def numbers(self) -> dict[str, str] | None:
        return self.cache.get_json("parts", f"{self.context}.numbers", shapes.string_map)

    def finish(self, numbers: dict[str, str], wrote: bool) -> None:
        """Keep the page numbers found, and the entries the last two builds used: layouts
        for any build, the parts' PDFs for builds that `wrote` a PDF (an EPUB-only build
        leaves them for the next PDF)."""
        self.cache.put("parts", f"{self.context}.numbers", json.dumps(numbers).encode())
        builds = self.cache.get_json("parts", "builds", shapes.builds) or {}
        for kind, suffixes in (("layout", (".json", ".numbers")),
                               ("pdf", (".pdf", ".findings", ".text"))):
            if kind == "layout" or wrote:
                builds[kind] = (builds.get(kind, []) + [self.started])[-2:]
                self.cache.prune("parts", suffixes, used_since=builds[kind][0])
        self.cache.put("parts", "builds", json.dumps(builds).encode())


def _writes_pdf(temp: Path | None, numbers, shown) -> bool:
    """Whether a part's PDF is written: not when no PDF is wanted, nor when the part shows
    placeholders for page numbers (it is laid out again once they are known)."""
    return temp is not None and not (numbers is None and shown)


def _page_ref_css(css: str) -> str:
    return _PAGE_REF.sub("attr(data-qpage)", css)


def _page_references(html: str, numbers, placeholder) -> tuple[str, dict[str, str]]:
    """Links within the part keep their anchors; links to other parts become quire-anchor:
    URIs (made into links again by pdf_join); every link carries the page number of its
    target in data-qpage (a placeholder while the numbers are not known)."""
    ids = set(_ID.findall(html))
    used: dict[str, str] = {}

    def link(match):
        start, anchor = match.groups()
        label = numbers.get(anchor, placeholder) if numbers is not None else placeholder
        used[anchor] = label
        href = f"#{anchor}" if anchor in ids else f"{ANCHOR_URI}{anchor}"
        return f'{start} data-qpage="{label}" href="{href}"'
    head, _, body = html.partition("<body")
    return _page_ref_css(head) + "<body" + _LINK.sub(link, body), used


class _MarginHook:
    """Holds back a part's margin boxes until its offset is known, then makes them with
    the page counter and the page sides of the whole book."""

    active: "_MarginHook | None" = None

    def __init__(self, index, offset, document, offset_of):
        self.index, self.offset, self.document = index, offset, document
        self.offset_of = offset_of
        self.pages, self.opens, self.side, self.flip = 0, "", "right", False
        self.anchors: dict[str, int] = {}   # name -> page index, reported to the parent

    def __enter__(self):
        _install()
        _MarginHook.active = self
        return self

    def __exit__(self, *exc):
        _MarginHook.active = None

    def margin_state(self, context, page, state):
        if context.current_page == 1:
            self._settle(context, page)
        if self.flip:
            from weasyprint.layout.page import set_page_type_computed_styles
            page_type = page.page_type._replace(side=_other(page.page_type.side))
            set_page_type_computed_styles(page_type, self.document, context.style_for)
            if any(context.style_for(page_type)[key] != page.style[key]
                   for key in ("margin_left", "margin_right", "width")):
                raise Unsplittable("left and right pages differ and a part opens on "
                                   "the other side")
            page.page_type = page_type
        if _CHANNEL is not None and self.offset_of is _wait_for_offset:
            _page_anchors(page, context.current_page - 1, self.anchors)
            if context.current_page == self.pages:
                _CHANNEL[2].put(("anchors", self.index, self.anchors))
        quote_depth, counters, scopes, groups = state
        counters = dict(counters)
        counters["page"] = [value + self.offset for value in counters["page"]]
        return quote_depth, counters, scopes, groups

    def _settle(self, context, page):
        self.pages = len(context.page_maker) - 1
        self.side = page.page_type.side
        self.opens = _forced_side(page)
        offset = self.offset_of(self.index, self.pages, self.opens, self.side)
        if self.offset is None:
            self.offset = offset
        # Every part's first page gets the side of the book's first page (right, or left
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
    """'right' or 'left' when the part's first element must open on that side."""
    box = page.children[0]
    while box.children and getattr(box, "element_tag", "") in ("html", "body"):
        box = box.children[0]
    value = box.style["break_before"]
    ltr = box.style["direction"] == "ltr"
    return {"right": "right", "left": "left", "recto": "right" if ltr else "left",
            "verso": "left" if ltr else "right"}.get(value, "")


_installed = False


def _install():
    """Wrap WeasyPrint's make_margin_boxes (pinned WeasyPrint 70: layout_document makes
    them after all pages are laid out)."""
    global _installed
    if _installed:
        return
    import weasyprint.layout as layout

    original = layout.make_margin_boxes

    def make_margin_boxes(context, page, state):
        hook = _MarginHook.active
        if hook is not None:
            state = hook.margin_state(context, page, state)
        return original(context, page, state)

    layout.make_margin_boxes = make_margin_boxes
    _installed = True


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
            shown.add(href[1:] if href.startswith("#") else href[len(ANCHOR_URI):])
            return
        for child in getattr(box, "children", ()):
            walk(child)
    for page in rendered.pages:
        walk(page._page_box)
    return shown
