"""Figures as floats in print: a figure that does not fit in the rest of its page goes to
the next page, and the text that follows it fills the page first.

WeasyPrint 70 has no page floats (`float: top` and the like): a figure that does not fit
is pushed whole to the next page and leaves the rest of the page empty. quire lays the
print HTML out, finds each figure that opens a page after a page of the same document
left partly empty, and moves the figure, in the print HTML only, past the blocks that
follow it as far as they fill that space: whole blocks that fit, and then a paragraph or
list that can break across the pages, when what is left of it and the figure fit on the
next page. The HTML is then laid out again. The EPUB keeps the source order.

`plan(rendered)` reads the first layout and returns the moves, by the blocks' numbers
(`data-qb`, pdf.py numbers each document's blocks); `apply(root, moves)` makes them in a
document's print fragment. A figure is a `<figure>` or an image alone in a paragraph
(`p.image-only`) at the top level of a document, unless its image has the class `here`
(`![...](x.png){.here}`: it stays where it is); it never passes a heading, another
figure, a table or a block that cannot break, so figures keep their order and stay in
their section. Left out: moving a figure to an earlier page (the text before it stays
before it), and splitting a paragraph to put the figure between its lines.
"""

from __future__ import annotations

from .outputs.pdf.patches import page_box

EMPTY_MM = 12.0                 # less empty space than this at a page's foot is left as is
_FIT = 0.96                     # share of the page a paragraph's rest and the figure may use
_PX_MM = 25.4 / 96
_BREAKABLE = {"p", "ul", "ol", "dl"}
_STOP = {"h1", "h2", "h3", "h4", "h5", "h6", "figure", "table", "hr", "blockquote"}

# moves: document id -> {data-qb of a figure: data-qb of the block it goes after}
Moves = dict[str, dict[str, str]]


def floatable(element) -> bool:
    """A figure that may move: not one the author pinned with `{.here}` (on the image)."""
    if not (element.tag == "figure" or (
            element.tag == "p" and "image-only" in (element.get("class") or "").split())):
        return False
    return not any("here" in (el.get("class") or "").split() for el in element.iter())


def needed(html: str) -> bool:
    """Whether the print HTML has a figure that could move (else no layout is spent)."""
    return "<figure" in html or "image-only" in html


ROUNDS = 2                      # layouts that look for figures to move, at most


class Moved(Exception):
    """Raised from inside a layout that found figures to move (`moves`): the rest of that
    layout (margin boxes, drawing) would be wasted."""

    def __init__(self, moves: Moves):
        super().__init__("figures to move")
        self.moves = moves


def settle(html: str, render, remake):
    """(html, its layout) once no figure is left to move, after at most ROUNDS layouts
    that look: a move shifts the pages after it, so a page can open on a figure only in
    the next layout. `render(html, look)` lays out; when `look` is true it may raise
    Moved (see `look`) instead of finishing the layout. `remake(moves)` makes the HTML
    with the moves. When no figure moves, the first layout is the final one."""
    moves: Moves = {}
    for round_ in range(ROUNDS + 1):
        try:
            return html, render(html, round_ < ROUNDS and needed(html))
        except Moved as moved:
            for doc, figures in moved.moves.items():
                moves.setdefault(doc, {}).update(figures)
            html = remake(moves)
    raise AssertionError("unreachable: the last layout does not look")


def look(pages) -> None:
    """Raise Moved when the laid-out page boxes `pages` leave figures to move."""
    if found := plan_pages(pages):
        raise Moved(found)


def plan(rendered) -> Moves:
    """The moves that fill the pages a layout (a WeasyPrint Document) left partly empty
    before a figure."""
    return plan_pages([page_box(page) for page in rendered.pages])


def plan_pages(page_boxes) -> Moves:
    """The moves that fill the pages a layout left partly empty before a figure, from its
    page boxes (with or without their margin boxes)."""
    from weasyprint.formatting_structure import boxes

    pages = [_Page(box, boxes) for box in page_boxes]
    heights: dict[int, float] = {}          # id(element) -> its height over all pages
    lines: dict[int, list[float]] = {}      # id(element) -> its line heights
    for page in pages:
        for element, box, _ in page.blocks:
            heights[id(element)] = heights.get(id(element), 0.0) + box.margin_height()
            lines.setdefault(id(element), []).extend(
                child.height for child in box.children if isinstance(child, boxes.LineBox))
    moves: Moves = {}
    for before, page in zip(pages, pages[1:]):
        if not page.blocks or not before.blocks:
            continue
        figure, box, body = page.blocks[0]
        doc = page.docs[0]
        if not floatable(figure) or before.docs[-1] != doc or before.bottom is None:
            continue
        space = before.area_bottom - before.bottom
        if space * _PX_MM < EMPTY_MM or box.position_y > page.top + 1:
            continue
        after = _filled_by(figure, body, space, heights, lines, heights.get(id(figure), 0.0),
                           page.area_height)
        if after is not None:
            moves.setdefault(doc, {})[figure.get("data-qb")] = after.get("data-qb")
    return moves


def _filled_by(figure, body, space, heights, lines, figure_height, page_height):
    """The last block that follows `figure` (in `body`) into `space` (None when none can).
    WeasyPrint's elements are ElementTree's: siblings come from the parent's children."""
    filled, after = 0.0, None
    children = list(body)
    for sibling in children[children.index(figure) + 1:]:
        if not isinstance(sibling.tag, str):
            continue
        if sibling.tag in _STOP or "image-only" in (sibling.get("class") or "") \
                or sibling.get("data-qb") is None \
                or id(sibling) not in heights:
            break
        height = heights[id(sibling)]
        if filled + height <= space:
            filled += height
            after = sibling
            continue
        line_heights = lines.get(id(sibling), [])
        if sibling.tag in _BREAKABLE and line_heights:
            two_lines = sum(line_heights[:2]) if sibling.tag == "p" else max(line_heights) * 2
            rest = height - (space - filled)
            if space - filled >= two_lines and rest + figure_height <= page_height * _FIT:
                after = sibling
        break
    return after


class _Page:
    """One laid-out page: its top-level document blocks (element, first box on the page),
    the documents they belong to, where its content ends and its text area ends."""

    def __init__(self, page_box, boxes):
        self.blocks: list = []
        self.docs: list[str] = []
        self.bottom: float | None = None
        self.top = page_box.content_box_y()
        self.area_bottom = self.top + page_box.height
        self.area_height = page_box.height
        seen: set[int] = set()
        for child in page_box.children:
            if isinstance(child, boxes.FootnoteAreaBox):
                if child.children:
                    self.area_bottom = min(self.area_bottom, child.position_y)
            elif not isinstance(child, boxes.MarginBox):
                self._walk(child, None, None, boxes, seen)

    def _walk(self, box, doc, parent, boxes, seen) -> None:
        element = getattr(box, "element", None)
        if element is not None and getattr(box, "pseudo_type", None) is None:
            doc = element.get("data-qd") or doc
            if (doc and isinstance(box, boxes.BlockLevelBox) and element.get("data-qb")
                    and parent is not None and "document-body" in (parent.get("class") or "")
                    and id(element) not in seen):
                seen.add(id(element))
                self.blocks.append((element, box, parent))
                self.docs.append(doc)
            parent_next = element
        else:
            parent_next = parent
        if doc and isinstance(box, (boxes.LineBox, boxes.ReplacedBox)):
            bottom = box.position_y + box.margin_height()
            self.bottom = bottom if self.bottom is None else max(self.bottom, bottom)
        for child in getattr(box, "children", ()):
            self._walk(child, doc, parent_next, boxes, seen)


def apply(root, moves: dict[str, str] | None) -> None:
    """Move each figure of a document's print fragment after the block `moves` names."""
    if not moves:
        return
    by_number = {el.get("data-qb"): el for el in root.iter() if el.get("data-qb") is not None}
    for figure_qb, after_qb in moves.items():
        figure, after = by_number.get(figure_qb), by_number.get(after_qb)
        if figure is not None and after is not None and figure.getparent() is after.getparent():
            after.addnext(figure)
