"""XHTML fragments: parsing Python-Markdown's HTML with lxml and writing well-formed XHTML.

Parsing keeps only characters XML can hold (bad character references become U+FFFD) and
drops declarations; writing restores SVG's camelCase names, which the HTML parser folds,
and declares the SVG and MathML namespaces. `blocks` is the numbering of block elements by
which the PDF layout tells the EPUB where printed pages begin. It leaves out cleaning
(sanitize.py) and any output's own markup.
"""

from __future__ import annotations

import re

from lxml import etree, html


_XML_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


_SVG_CASE = {name.lower(): name for name in (
    "viewBox", "preserveAspectRatio", "gradientUnits", "gradientTransform", "patternUnits",
    "patternContentUnits", "patternTransform", "clipPathUnits", "markerWidth", "markerHeight",
    "markerUnits", "refX", "refY", "textLength", "lengthAdjust", "startOffset", "stdDeviation",
    "linearGradient", "radialGradient", "clipPath", "textPath", "foreignObject",
    "feGaussianBlur", "feOffset", "feBlend", "feColorMatrix", "feMerge", "feMergeNode",
    "feFlood", "feComposite")}


_FOREIGN_ROOT = re.compile(r"<(svg|math)(?=[\s/>])(?![^>]*\sxmlns=)")


_FOREIGN_NS = {"svg": "http://www.w3.org/2000/svg", "math": "http://www.w3.org/1998/Math/MathML"}


def inner_xhtml(root) -> str:
    """The children of `root` as XHTML text (no namespace declarations but for SVG and
    MathML, which need theirs; SVG's camelCase names are restored after the HTML parser)."""
    for el in root.iter("svg"):
        for node in el.iter():
            if isinstance(node.tag, str) and node.tag in _SVG_CASE:
                node.tag = _SVG_CASE[node.tag]
            for name in list(node.attrib):
                if name in _SVG_CASE:
                    node.attrib[_SVG_CASE[name]] = node.attrib.pop(name)
    text = escape_text(root.text or "")
    xhtml = text + "".join(etree.tostring(child, encoding="unicode", method="xml")
                           for child in root)
    if "<svg" in xhtml or "<math" in xhtml:
        xhtml = _FOREIGN_ROOT.sub(lambda m: f'<{m.group(1)} xmlns="{_FOREIGN_NS[m.group(1)]}"',
                                  xhtml)
    return xhtml


def escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_CHAR_REF = re.compile(r"&#(x[0-9a-fA-F]+|[0-9]+);")


def _xml_char_ref(match) -> str:
    """A numeric character reference, or U+FFFD when XML cannot hold that character."""
    ref = match.group(1)
    try:
        code = int(ref[1:], 16) if ref[0] in "xX" else int(ref)
        char = chr(code)
    except (ValueError, OverflowError):
        return "\ufffd"
    if code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD \
            or 0x10000 <= code <= 0x10FFFF:
        return match.group(0)
    return "\ufffd" if char else ""


_DECLARATION = re.compile(r"<![A-Za-z][^>]*>|<\?[^>]*\?>")


def parse_fragment(fragment_html: str) -> html.HtmlElement:
    """An HTML fragment as children of a <div>, XML-safe characters only."""
    fragment_html = _CHAR_REF.sub(_xml_char_ref, _XML_BAD_CHARS.sub("", fragment_html))
    fragment_html = _DECLARATION.sub("", fragment_html)     # lxml: "Document is empty"
    if not fragment_html.strip():
        return html.Element("div")
    return html.fragment_fromstring(fragment_html, create_parent="div")


def parse_xhtml(fragment: str):
    """A model XHTML fragment (as `Converted.xhtml` writes it) as children of a <div>."""
    return etree.fromstring(f"<div>{fragment}</div>")


BLOCK_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "figure", "figcaption", "table",
              "caption", "pre", "th", "td", "blockquote")


def blocks(root) -> list:
    """The block elements of a parsed body, in document order: the shared numbering by
    which the PDF layout tells the EPUB where printed pages begin."""
    return [el for el in root.iter() if isinstance(el.tag, str) and el.tag in BLOCK_TAGS]


def drop_keep_tail(el) -> None:
    parent = el.getparent()
    previous = el.getprevious()
    if el.tail and el.tail.strip():
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)
