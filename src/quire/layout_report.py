"""The layout report: what a proofreader would mark on the laid-out pages, with the page
and the source file:line of each.

Read from WeasyPrint's laid-out pages (its boxes), in the single render and in each part
of a long PDF alike: holes (a page more than a quarter empty that does not end a
document), footnotes printed on another page than their call, ladders of three or more
hyphenated lines, lines and images that run outside the text block, captions on another
page than their figure, headings at the foot of a page, widows and orphans (one line of a
paragraph alone at the top or the foot of a page), figures more than a page away from
their first reference (a link to the figure), and images placed under the resolution
floor. `find` runs where the pages are (a worker, for a part) and returns plain
tuples; `describe` turns them into messages in the main process, finding each source line
by the text of the block (a best guess: the first line of the Markdown file that holds the
block's first words).

Left out: references to a figure in another part of a long PDF (each part is read alone)
and references in words only ("see Figure 3") rather than links.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from .outputs.pdf.patches import page_box

HOLE = 0.25                     # a page emptier than this, mid-document, is a hole
LADDER = 3                      # this many hyphenated lines in a row is a ladder
TOLERANCE_PX = 1.0              # what a line may run over (CSS px) before it counts
KINDS = {
    "hole": ("hole", "holes"),
    "note": ("note away from its call", "notes away from their calls"),
    "ladder": ("hyphen ladder", "hyphen ladders"),
    "overfull": ("line or image outside the text block", "lines or images outside the text block"),
    "caption": ("caption parted from its figure", "captions parted from their figures"),
    "heading": ("heading at the foot of a page", "headings at the foot of a page"),
    "widow": ("widow", "widows"),
    "orphan": ("orphan", "orphans"),
    "far": ("figure far from its first reference", "figures far from their first references"),
    "resolution": ("image under the resolution floor", "images under the resolution floor"),
}

# A finding: (page index from 0 in the rendered pages, kind, document id, text to find the
# source line by, message)
Finding = tuple[int, str, str, str, str]


def find(rendered, floor: int) -> list[Finding]:
    """The findings on WeasyPrint's laid-out `rendered` document."""
    from weasyprint.formatting_structure import boxes

    found: list[Finding] = []
    calls: dict[str, tuple[int, str, str]] = {}     # note id -> (page, document, text)
    notes: dict[str, int] = {}                      # note id -> page of its text
    figures: dict[int, dict] = {}                   # id(figure element) -> parts' pages
    lines: dict[int, dict] = {}                     # id(paragraph) -> lines on each page
    refs: dict[str, int] = {}                       # figure id -> page of its first link
    last_of_page: list[tuple[str, str, str]] = []   # (document, tag of last block, text)
    first_doc: list[str] = []
    for index, page in enumerate(rendered.pages):
        box = page_box(page)
        area_bottom = box.content_box_y() + box.height
        walker = _Walker(index, box, floor, found, calls, figures, boxes)
        walker.lines, walker.refs = lines, refs
        for child in box.children:
            if isinstance(child, boxes.FootnoteAreaBox):
                if child.children:
                    area_bottom = min(area_bottom, child.position_y)
                for note in child.children:
                    note_id = _attr(note, "id")
                    if note_id:
                        notes.setdefault(note_id, index)
            elif not isinstance(child, boxes.MarginBox):
                walker.walk(child, None, None, None)
        first_doc.append(walker.first_doc or "")
        last_of_page.append((walker.last_doc or "", walker.last_tag, walker.last_text))
        if walker.last_doc and walker.bottom is not None:
            empty = (area_bottom - walker.bottom) / box.height
            walker.empty = empty
        page.quire_walker = walker
    for index, page in enumerate(rendered.pages):
        walker = page.quire_walker
        del page.quire_walker
        doc, tag, text = last_of_page[index]
        following = first_doc[index + 1] if index + 1 < len(first_doc) else ""
        if not doc or following != doc:
            continue                                # ends a document (or front matter)
        if walker.empty is not None and walker.empty > HOLE:
            found.append((index, "hole", doc, text,
                          f"{walker.empty:.0%} of the page left empty"))
        if re.fullmatch(r"h[1-6]", tag or ""):
            found.append((index, "heading", doc, text, "a heading at the foot of the page"))
    for note_id, (page, doc, text) in calls.items():
        if note_id in notes and notes[note_id] != page:
            later = notes[note_id] - page
            found.append((page, "note", doc, f"[^{_note_number(note_id)}]|{text}",
                          "its footnote is printed on the next page" if later == 1 else
                          f"its footnote is printed {later} pages away"))
    for parts in figures.values():
        away = sorted(parts.get("caption", set()) - {parts.get("img")})
        if parts.get("img") is not None and away:
            found.append((away[0], "caption", parts["doc"], parts["text"],
                          "the caption is (partly) on another page than its image"))
        ref = min((refs[i] for i in parts.get("ids", ()) if i in refs), default=None)
        page = parts.get("img")
        if ref is not None and page is not None and abs(page - ref) > 1:
            found.append((page, "far", parts["doc"], parts["text"],
                          f"the figure is printed {abs(page - ref)} pages "
                          f"{'after' if page > ref else 'before'} its first reference"))
    found.extend(_widows_and_orphans(lines))
    return found


def _widows_and_orphans(lines: dict[int, dict]) -> list[Finding]:
    """A paragraph's first line alone at the foot of a page (an orphan) or its last line
    alone at the top of the next (a widow)."""
    found: list[Finding] = []
    for entry in lines.values():
        pages = sorted(entry["pages"])
        if len(pages) < 2:
            continue
        if entry["pages"][pages[0]] == 1:
            found.append((pages[0], "orphan", entry["doc"], entry["text"],
                          "the paragraph's first line is alone at the foot of the page"))
        if entry["pages"][pages[-1]] == 1:
            found.append((pages[-1], "widow", entry["doc"], entry["text"],
                          "the paragraph's last line is alone at the top of the page"))
    return found


class _Walker:
    """One page's boxes: what lies where, and what runs over."""

    def __init__(self, index, page_box, floor, found, calls, figures, boxes):
        self.index, self.floor, self.found = index, floor, found
        self.calls, self.figures, self.boxes = calls, figures, boxes
        self.right = page_box.content_box_x() + page_box.width
        self.left = page_box.content_box_x()
        self.bottom = None
        self.first_doc = self.last_doc = None
        self.last_tag, self.last_text = "", ""
        self.empty = None

    def walk(self, box, doc, block, figure, in_line: bool = False) -> None:
        boxes = self.boxes
        element = getattr(box, "element", None)
        tag = getattr(box, "element_tag", "") or ""
        if element is not None and getattr(box, "pseudo_type", None) is None:
            if element.get("data-qd"):
                doc = element.get("data-qd")
            if tag in _BLOCKS and doc:
                block = element
            if tag == "figure":
                figure = element
        if getattr(box, "footnote", None) is not None and doc:     # a footnote call
            note = getattr(box.footnote, "element", None)
            note_id = note.get("id") if note is not None else None
            if note_id:
                self.calls.setdefault(note_id, (self.index, doc, _text(block)))
        if element is not None and doc and getattr(box, "pseudo_type", None) is None:
            href = element.get("href") or ""
            if tag == "a" and href.startswith("#") and not isinstance(box, boxes.LineBox):
                self.refs.setdefault(href[1:], self.index)
        if isinstance(box, boxes.LineBox):
            self._line(box, doc, block)
            if doc and _tag(block) in _PARAGRAPHS and box.children:
                entry = self.lines.get(id(block))
                if entry is None:
                    entry = self.lines[id(block)] = {"doc": doc, "text": _text(block), "pages": {}}
                entry["pages"][self.index] = entry["pages"].get(self.index, 0) + 1
        elif isinstance(box, boxes.ReplacedBox):
            self._leaf(box, doc, block)
            self._image(box, doc, block)
            if not in_line:
                self._overrun(box, doc, block, box.position_x + box.margin_width())
        if figure is not None and doc and isinstance(box, (boxes.LineBox, boxes.ReplacedBox)):
            parts = self.figures.setdefault(id(figure), {
                "doc": doc, "text": _figure_text(figure),
                "ids": {el.get("id") for el in figure.iter() if el.get("id")}})
            if isinstance(box, boxes.ReplacedBox):
                parts.setdefault("img", self.index)
            elif _tag(block) == "figcaption":
                parts.setdefault("caption", set()).add(self.index)
        for child in getattr(box, "children", ()):
            self.walk(child, doc, block, figure, in_line or isinstance(box, boxes.LineBox))
        if isinstance(box, boxes.BlockContainerBox) and _tag(block) != "pre" and any(
                isinstance(c, boxes.LineBox) for c in getattr(box, "children", ())):
            self._ladders(box, doc, block)

    def _leaf(self, box, doc, block) -> None:
        if not doc:
            return
        self.first_doc = self.first_doc or doc
        self.last_doc = doc
        self.last_tag = _tag(block)
        self.last_text = _text(block)
        bottom = box.position_y + box.margin_height()
        self.bottom = bottom if self.bottom is None else max(self.bottom, bottom)

    def _line(self, line, doc, block) -> None:
        if not line.children:
            return
        self._leaf(line, doc, block)
        right = max((c.position_x + c.margin_width() for c in _leaves(line, self.boxes)
                     if not (isinstance(c, self.boxes.TextBox) and c.text.isspace())),
                    default=line.position_x)       # a space prints nothing
        self._overrun(line, doc, block, right, line.position_x + line.width)

    def _overrun(self, box, doc, block, right, limit=None) -> None:
        limit = min(limit if limit is not None else self.right, self.right)
        if doc and right > limit + TOLERANCE_PX:
            over = (right - limit) * 25.4 / 96
            self.found.append((self.index, "overfull", doc, _text(block),
                               f"runs {over:.1f} mm past the text block"))

    def _image(self, box, doc, block) -> None:
        size = box.element.get("data-px") if box.element is not None else None
        if not size or not doc or not box.width:
            return
        px_w = int(size.split("x")[0])
        ppi = px_w * 96 / box.width
        if ppi < self.floor - 0.5:
            name = (box.element.get("src") or "").rsplit("/", 1)[-1]
            message = (f"image {name} ({size} px) is placed at {ppi:.0f} ppi "
                       f"(the floor is {self.floor})")
            self.found.append((self.index, "resolution", doc,
                               box.element.get("alt") or name, message))

    def _ladders(self, box, doc, block) -> None:
        run = 0
        for line in box.children:
            if not isinstance(line, self.boxes.LineBox):
                run = 0
                continue
            run = run + 1 if _ends_hyphenated(line, self.boxes) else 0
            if run == LADDER and doc:
                self.found.append((self.index, "ladder", doc, _text(block),
                                   f"{LADDER} or more hyphenated lines in a row"))


_PARAGRAPHS = {"p", "li", "dd", "blockquote"}
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "figure", "figcaption",
           "table", "caption", "pre", "th", "td", "blockquote"}


def _leaves(box, boxes):
    for child in getattr(box, "children", ()):
        if isinstance(child, (boxes.TextBox, boxes.ReplacedBox, boxes.InlineBlockBox)):
            yield child
        else:
            yield from _leaves(child, boxes)


def _ends_hyphenated(line, boxes) -> bool:
    box = line
    while isinstance(box, boxes.ParentBox) and box.children:
        box = box.children[-1]
    return isinstance(box, boxes.TextBox) and box.text.rstrip(" ").endswith(("-", "\u2010"))


def _note_number(note_id: str) -> str:
    """The number of a note from its id ("fn-5" -> "5"; Python-Markdown numbers notes in
    the order of their first calls), "" when the id says none."""
    match = re.fullmatch(r"fn[:\-](\d+)", note_id)
    return match.group(1) if match else ""


def _tag(element) -> str:
    """An element's tag without its namespace ("" for None)."""
    return element.tag.rsplit("}", 1)[-1] if element is not None else ""


def _attr(box, name):
    element = getattr(box, "element", None)
    return element.get(name) if element is not None else None


def _figure_text(figure) -> str:
    """What finds a figure in the source: its image's alt text, else its text."""
    for el in figure.iter():
        if _tag(el) == "img" and (el.get("alt") or "").strip():
            return el.get("alt")
    return _text(figure)


def _text(element) -> str:
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())[:160]


# -- in the main process ----------------------------------------------------------------

def describe(publication, findings: list[tuple[int, str, str, str, str]]) -> list[str]:
    """One line per finding, "content/ch1.md:57: page 12: hole: ...", in page order;
    `findings` carry page numbers (from 1) instead of page indexes."""
    by_id = {doc.id: doc for doc in publication.documents}
    sources: dict[str, list[str]] = {}
    lines = []
    for page, kind, doc_id, text, message in sorted(findings, key=lambda f: (f[0], f[1])):
        doc = by_id.get(doc_id)
        where = str(doc.source) if doc else "PDF"
        if doc is not None:
            if doc_id not in sources:
                sources[doc_id] = _read(publication.root / doc.source)
            line = source_line(sources[doc_id], text)
            where = f"{doc.source}:{line}" if line else str(doc.source)
        lines.append(f"{where}: page {page}: {KINDS[kind][0]}: {message}")
    return lines


def summary(findings) -> str:
    """ "2 holes, 1 hyphen ladder" ("" when there is nothing)."""
    counts = Counter(kind for _, kind, *_ in findings)
    return ", ".join(f"{n} {KINDS[kind][0 if n == 1 else 1]}"
                     for kind, n in sorted(counts.items(), key=lambda kv: list(KINDS).index(kv[0])))


def _read(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").split("\n")
    except OSError:
        return []


def source_line(lines: list[str], text: str) -> int | None:
    """The first line of `lines` that holds the first words of `text` (Markdown marks and
    punctuation aside), trying fewer words until some line does."""
    if text.startswith("[^") and "|" in text:      # a note call: the n-th label called
        wanted, text = text[2:text.index("]")], text[text.index("|") + 1:]
        seen: list[str] = []
        for number, line in enumerate(lines, 1):
            for label in re.findall(r"\[\^([^\]]+)\](?!:)", line):
                if label not in seen:
                    seen.append(label)
                    if wanted.isdigit() and len(seen) == int(wanted):
                        return number
    words = re.findall(r"\w+", text.lower())
    if not words:
        return None
    tokens = [" ".join(re.findall(r"\w+", line.lower())) for line in lines]
    for count in range(min(6, len(words)), 0, -1):
        phrase = " ".join(words[:count])
        for number, line in enumerate(tokens, 1):
            if re.search(rf"(^| ){re.escape(phrase)}( |$)", line):
                return number
    return None
