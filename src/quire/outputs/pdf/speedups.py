"""Two loops of WeasyPrint 70's layout that grow with the square of the page count, made
linear (permanent patches, installed by patches.weasyprint() through patches.PERMANENT).

Found by profiling 3,000 one-line documents (138 s, 68 % in WeasyPrint's layout): both
walk the whole document once per page. Neither changes what is laid out: the PDF bytes
are the same with and without them. And one drawing cost: a leader's dots drawn as one
text run (the same glyphs at the same places). Checked against WeasyPrint 70.0.
Tests: test_patches.py::test_page_styles_seam, test_patches.py::test_fixed_boxes_seam,
test_patches.py::test_leaders_seam.
"""

from __future__ import annotations

import operator


def page_styles_from_page_rules(saved) -> None:
    """`layout.page.set_page_type_computed_styles` computes a page type's margin-box
    styles by walking every cascaded style of the document (one per element and
    pseudo-element) to find the keys `(page_type, pseudo_type)`: once per page, so
    pages x elements. Only `add_page_declarations` makes such keys, from the page rules
    of the stylesheets, in their order: the candidates are taken from the page rules
    (the same walk, a few dozen selectors) and looked up, so the same styles are
    computed in the same order."""
    from weasyprint.layout import page

    def set_page_type_computed_styles(page_type, html, style_for):
        style_for.add_page_declarations(page_type)
        style_for.set_computed_styles(
            page_type, root=html.etree_element, parent=html.etree_element,
            base_url=html.base_url)
        cascaded = style_for.get_cascaded_styles()
        seen = set()
        for sheet, _origin, _specificity in style_for._sheets:
            for _rule, selector_list, _declarations in sheet.page_rules:
                for _spec, pseudo_type, selector_type in selector_list:
                    if (pseudo_type and pseudo_type not in seen
                            and (page_type, pseudo_type) in cascaded
                            and style_for._page_type_match(selector_type, page_type)):
                        seen.add(pseudo_type)
                        style_for.set_computed_styles(
                            page_type, pseudo_type=pseudo_type,
                            root=html.etree_element, parent=page_type,
                            base_url=html.base_url)
    saved.set(page, "set_page_type_computed_styles", set_page_type_computed_styles)


def fixed_boxes_from_pages_that_have_them(saved) -> None:
    """`layout.layout_document` repeats every page's `position: fixed` boxes on each
    other page by calling `layout_fixed_boxes(context, pages[:i], page)` and `(pages[i +
    1:])` for every page i: pages x pages Python iterations, though almost no page has a
    fixed box. The pages without any are dropped first (a C-level filter); the others
    are laid out as before, in the same order."""
    from weasyprint import layout

    original = layout.layout_fixed_boxes
    has_fixed = operator.attrgetter("fixed_boxes")

    def layout_fixed_boxes(context, pages, containing_page):
        return original(context, list(filter(has_fixed, pages)), containing_page)
    saved.set(layout, "layout_fixed_boxes", layout_fixed_boxes)


def leaders_as_one_run(saved) -> None:
    """`layout.leader.handle_leader` (imported by name into `layout.inline`) fills a
    leader (`leader(".")`, the contents' dots) with one text box per dot: 6,300 boxes on
    Pro Git's seven front pages, each drawn as a text run of its own (1.3 s of drawing).
    The dots of a leader sit side by side, one dot's width apart, so the same glyphs at
    the same places are one run of the dots' text: when the merged run measures what the
    dots did (no kerning between them), it replaces them. The PDF shows the same glyphs
    at the same positions, in fewer text objects."""
    from weasyprint.layout import inline, leader
    from weasyprint.text.line_break import split_first_line

    handle = inline.handle_leader

    def handle_leader(context, line, containing_block):
        handle(context, line, containing_block)
        _, box = leader.leader_index(line)
        if box is None or len(box.children) < 2:
            return
        dots = sorted(box.children, key=operator.attrgetter("position_x"))
        text = "".join(dot.text for dot in dots)
        layout, _, _, width, _, _ = split_first_line(text, dots[0].style, context, None, 0)
        if abs(width - sum(dot.width for dot in dots)) > 0.01 or layout.text != text:
            return
        run = dots[0].copy_with_text(text)
        run.pango_layout, run.width = layout, width
        box.children = (run,)
    saved.set(inline, "handle_leader", handle_leader)
