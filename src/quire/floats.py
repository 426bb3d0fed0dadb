"""Figures as floats in print: a figure that does not fit in the rest of its page goes to
the next page, and the text that follows it fills the page first.

WeasyPrint 70 has no page floats (`float: top` and the like): a figure that does not fit
is pushed whole to the next page and leaves the rest of the page empty. quire watches the
pages as WeasyPrint makes them (`Filler`, through patches.pages_made). When a page leaves
EMPTY_MM or more empty because the next page opens on a figure of the same document, the
figure is moved, in the box tree being laid out, past the blocks that follow it, and the
page is made again: it then holds the whole blocks that fit, and the first lines of a
paragraph or list that breaks across the pages, after which the figure comes. One layout
does it all; the moves (by the blocks' numbers, `data-qb`) are kept so that the print
HTML can be made with them (`apply`, for the text check). The EPUB keeps the source order.

A figure is a `<figure>`, an image alone in a paragraph (`p.image-only`) or an image on
a line of its own above a line of text (`p.image-line`: a diagram and its source, as
READMEs centre them in raw HTML) at the top level of a document, unless its image has
the class `here` (`![...](x.png){.here}`: it stays where it is); it never passes a
heading, another figure, a table or a quotation, so figures keep their order and stay in
their section. A figure right under a heading that opens the next page moves past the
text after the heading, which fills the page under it. A figure that still does not fit
after the text it passed moves on the same way from the page it left. Left out: moving a
figure to an earlier page (the text before it stays before it), and splitting a paragraph
to put the figure between its lines.
"""

from __future__ import annotations

EMPTY_MM = 12.0                 # less empty space than this at a page's foot is left as is
_PX_MM = 25.4 / 96
_BREAKABLE = {"p", "ul", "ol", "dl"}
_HEADINGS = {"h2", "h3", "h4", "h5", "h6"}
_STOP = {"h1", "figure", "table", "hr", "blockquote"} | _HEADINGS
# paragraphs that are figures: an image alone, or an image on a line of its own above a
# line of text, its source or caption (typeset.size_image)
_FIGURE_LIKE = {"image-only", "image-line"}

# moves: document id -> {data-qb of a figure: data-qb of the block it goes after}
Moves = dict[str, dict[str, str]]


def floatable(element) -> bool:
    """A figure that may move: not one the author pinned with `{.here}` (on the image)."""
    if not (element.tag == "figure" or (element.tag == "p" and not _FIGURE_LIKE.isdisjoint(
            (element.get("class") or "").split()))):
        return False
    return not any("here" in (el.get("class") or "").split() for el in element.iter())


def needed(html: str) -> bool:
    """Whether the print HTML has a figure that could move (else no page is watched)."""
    return "<figure" in html or "image-only" in html or "image-line" in html


class Filler:
    """Called with each page WeasyPrint makes (patches.pages_made): moves the figure that
    opens the next page past the text after it when the page is left partly empty, and
    keeps the moves made (`moves`)."""

    def __init__(self):
        self.moves: Moves = {}
        self._root = None               # the box tree of the layout the moves belong to

    def __call__(self, page, resume_at, root_box, again):
        from weasyprint.formatting_structure import boxes

        if root_box is not self._root:  # a new layout (the index's second one): its own moves
            self._root, self.moves = root_box, {}
        found = _opening_figure(root_box, resume_at)
        if found is None:
            return page, resume_at
        path, parent, figure, doc = found
        empty = _empty_mm(page, boxes)
        if empty is None or empty < EMPTY_MM:
            return page, resume_at
        children, first = parent.children, path[-1]
        passable = 0
        for child in children[first + 1:]:
            if not _passable(child):
                break
            passable += 1
        if not passable:
            return page, resume_at
        # Try the figure after all the blocks it may pass; the page made so shows where
        # the text ends, which places the figure.
        last = first + passable
        children.insert(last, children.pop(first))
        page, resume_at = again()
        place, kept = _place(resume_at, path, first, last, children)
        children.insert(place, children.pop(last))
        if not kept:
            page, resume_at = again()
        if place > first:
            self.moves.setdefault(doc, {})[figure.element.get("data-qb")] = \
                children[place - 1].element.get("data-qb")
        return page, resume_at


def _opening_figure(root_box, resume_at):
    """(indexes from the root, parent box, figure box, document id) when the next page
    (`resume_at`) opens on a whole figure that may move, at the top level of a document."""
    path, chain, box, stack = [], [root_box], root_box, resume_at
    while stack:
        if len(stack) != 1:
            return None
        (index, stack), = stack.items()
        children = getattr(box, "children", None)
        if not isinstance(children, list) or index >= len(children):
            return None
        box = children[index]
        path.append(index)
        chain.append(box)
    if len(chain) >= 3 and _whole(box) and box.element.tag in _HEADINGS:
        # a heading that opens the next page above a figure: the figure may move past
        # the text after the heading, which then fills the page with the heading
        # (system-design-primer: "## Anki flashcards" and its diagram left 53 % empty)
        siblings = chain[-2].children
        if path[-1] + 1 < len(siblings):
            box = siblings[path[-1] + 1]
            path[-1] += 1
    if len(chain) < 3 or not _whole(box) or not floatable(box.element):
        return None
    parent = chain[-2]
    if not _whole(parent) or "document-body" not in (parent.element.get("class") or ""):
        return None
    doc = next((b.element.get("data-qd") for b in reversed(chain)
                if b.element is not None and b.element.get("data-qd")), None)
    return (path, parent, box, doc) if doc else None


def _whole(box) -> bool:
    """A box made for its element itself (not an anonymous or pseudo-element box)."""
    element = getattr(box, "element", None)
    return element is not None and getattr(box, "element_tag", None) == element.tag


def _passable(box) -> bool:
    """A block a figure may move past."""
    if not _whole(box):
        return False
    element = box.element
    return (element.tag not in _STOP and element.get("data-qb") is not None
            and _FIGURE_LIKE.isdisjoint((element.get("class") or "").split()))


def _place(resume_at, path, first, last, children) -> tuple[int, bool]:
    """Where the figure goes among `children` (its parent's, with the figure tried at
    `last`, after the blocks it may pass from `first`), from where the page made so ends
    (`resume_at`); and whether that page holds as made with the figure there."""
    stack = resume_at
    for index in path[:-1]:
        if not stack:
            return last, True                   # the document ended on this page
        (at, stack), = stack.items()
        if at != index:
            return (last, True) if at > index else (first, False)
    if not stack:
        return last, True
    (at, inside), = stack.items()
    if at >= last:
        return last, True                       # the text passed fits; the figure follows
    if at < first:
        return first, False
    if inside is None:
        return at, True                         # the page ends before block `at`
    if children[at].element.tag in _BREAKABLE:
        return at + 1, True                     # after the paragraph that breaks
    return at, False                            # a block that cannot break: before it


def _empty_mm(page_box, boxes) -> float | None:
    """The empty space at the foot of a page's text area, above its notes (None when no
    document text is on the page)."""
    area_bottom = page_box.content_box_y() + page_box.height
    bottom = None
    for child in page_box.children:
        if isinstance(child, boxes.FootnoteAreaBox):
            if child.children:
                area_bottom = min(area_bottom, child.position_y)
        elif not isinstance(child, boxes.MarginBox):
            bottom = _bottom(child, None, boxes, bottom)
    return None if bottom is None else (area_bottom - bottom) * _PX_MM


def _bottom(box, doc, boxes, bottom):
    element = getattr(box, "element", None)
    if element is not None and getattr(box, "pseudo_type", None) is None:
        doc = element.get("data-qd") or doc
    if doc and isinstance(box, (boxes.LineBox, boxes.ReplacedBox)):
        end = box.position_y + box.margin_height()
        bottom = end if bottom is None else max(bottom, end)
    for child in getattr(box, "children", ()):
        bottom = _bottom(child, doc, boxes, bottom)
    return bottom


def apply(root, moves: dict[str, str] | None) -> None:
    """Move each figure of a document's print fragment after the block `moves` names."""
    if not moves:
        return
    by_number = {el.get("data-qb"): el for el in root.iter() if el.get("data-qb") is not None}
    for figure_qb, after_qb in moves.items():
        figure, after = by_number.get(figure_qb), by_number.get(after_qb)
        if figure is not None and after is not None and figure.getparent() is after.getparent():
            after.addnext(figure)
