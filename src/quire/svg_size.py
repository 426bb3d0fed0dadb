"""Inline SVG in print: a drawing written into the Markdown (raw `<svg>`, or a snippet of
an .svg file, as mkdocs sites do) shrunk to fit its column and the text block, its
proportions kept. An SVG sized in absolute units (pt, px, mm, cm, in, or none) that is
larger than the room gets a viewBox if it lacks one (so that it scales, not clips) and a
width and height in millimetres. Smaller drawings and formulas (sized in em) are left as
they are: nothing is enlarged. The EPUB is left alone (reading systems fit it to the screen).
"""

from __future__ import annotations

import re

_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(pt|px|mm|cm|in)?\s*$")
_MM = {"pt": 25.4 / 72, "px": 25.4 / 96, None: 25.4 / 96, "mm": 1.0, "cm": 10.0, "in": 25.4}


def _mm(value: str | None) -> float | None:
    match = _LENGTH.match(value or "")
    return float(match.group(1)) * _MM[match.group(2)] if match else None


def _view_box(svg) -> tuple[float, float] | None:
    numbers = re.split(r"[\s,]+", (svg.get("viewBox") or svg.get("viewbox") or "").strip())
    try:
        width, height = float(numbers[2]), float(numbers[3])
    except (IndexError, ValueError):
        return None
    return (width, height) if width > 0 and height > 0 else None


def _size_mm(svg, box) -> tuple[float | None, float | None]:
    """An <svg>'s width and height in mm: as given, the other from its viewBox's
    proportions, or the viewBox as CSS px when it gives neither."""
    width, height = _mm(svg.get("width")), _mm(svg.get("height"))
    if box and (width is None or height is None):
        width = width or (height * box[0] / box[1] if height else box[0] * _MM["px"])
        height = height or width * box[1] / box[0]
    return width, height


def fit(root, column_mm: float, max_height_mm: float) -> None:
    """Shrink each outermost inline <svg> of `root` that is larger than the room."""
    for svg in list(root.iter("svg", "{http://www.w3.org/2000/svg}svg")):
        if any(isinstance(a.tag, str) and a.tag.endswith("svg") for a in svg.iterancestors()):
            continue
        box = _view_box(svg)
        width, height = _size_mm(svg, box)
        if not width or not height:
            continue
        scale = min(1.0, column_mm / width, max_height_mm / height)
        if scale >= 1.0:
            continue
        if box is None:
            svg.set("viewBox", f"0 0 {width / _MM['px']:.2f} {height / _MM['px']:.2f}")
        svg.set("width", f"{width * scale:.2f}mm")
        svg.set("height", f"{height * scale:.2f}mm")


def intrinsic_mm(path) -> tuple[float, float] | None:
    """An SVG file's own size in mm (its width and height, else its viewBox as CSS px),
    or None when it has none or cannot be read (the images check reports that)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        svg = etree.parse(str(path), parser).getroot()
    except (OSError, etree.XMLSyntaxError):
        return None
    width, height = _size_mm(svg, _view_box(svg))
    return (width, height) if width and height else None
