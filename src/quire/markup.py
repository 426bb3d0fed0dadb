"""Markdown -> XHTML fragment, headings and footnotes, with the document language's typography.

Python-Markdown does the parsing (once per document); lxml turns its HTML into a tree that
is cleaned, given publication-wide unique ids and serialised as well-formed XHTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import markdown
from lxml import etree, html
from markdown.extensions.toc import slugify_unicode

from . import dialects, language, references, sanitize
from . import typography as typo
from .errors import QuireError
from .markdown_linear import LinearInline
from .labels import labels
from .model import Footnote, Heading
from .typography import plain_typography, typography  # noqa: F401 (used from here too)

HTML5_BLOCKS = {"aside", "details", "figure", "section", "article", "nav", "header", "footer",
                "div", "table", "ul", "ol", "dl", "blockquote", "pre", "hr", "address",
                "main", "p", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "summary"}
_XML_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


primary = language.primary


def _markdown() -> markdown.Markdown:
    """Python-Markdown as quire uses it. Quotes come out as placeholders that `typography`
    replaces with the document's language's marks: the HTML does not depend on it."""
    from .scholarly import Syntax       # formulas, citations and index marks

    return markdown.Markdown(
        extensions=["extra", "toc", "smarty", "admonition", "codehilite", "sane_lists",
                    LinearInline(), Syntax(), *dialects.extensions()],
        extension_configs={
            **dialects.CONFIGS,
            "toc": {"slugify": slugify_unicode, "permalink": False},
            "smarty": {
                "smart_angled_quotes": True,
                "substitutions": {
                    "left-double-quote": typo.OPEN_DOUBLE,
                    "right-double-quote": typo.CLOSE_DOUBLE,
                    "left-single-quote": typo.OPEN_SINGLE,
                    "right-single-quote": typo.CLOSE_SINGLE,
                    "left-angle-quote": "«", "right-angle-quote": "»",
                    "ndash": "–", "mdash": "—", "ellipsis": "…",
                },
            },
            "codehilite": {"css_class": "highlight", "guess_lang": False},
            "footnotes": {"BACKLINK_TEXT": ""},
        },
        output_format="xhtml",
    )


_MARKDOWN: list[markdown.Markdown] = []


def to_html(text: str) -> str:
    """Python-Markdown's HTML for a document's text (the same in every language)."""
    if not _MARKDOWN:
        _MARKDOWN.append(_markdown())
    md = _MARKDOWN[0]
    md.reset()
    return md.convert(typo.clean(text))


@dataclass
class Numbering:
    """Figure and table counters running through the whole publication (loading only)."""

    enabled: bool = True
    figures: int = 0
    tables: int = 0


@dataclass
class Converted:
    """A document's body while the publication is being loaded (mutable, never in the model)."""

    root: html.HtmlElement                  # a <div> holding the body
    headings: list[Heading] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    targets: dict[str, str] = field(default_factory=dict)   # id -> "Figur 2", heading text
    images_without_alt: int = 0
    renamed: dict[str, str] = field(default_factory=dict)   # id as written -> id claimed
    errors: list[QuireError] = field(default_factory=list)  # all of them, reported at once

    def xhtml(self) -> str:
        return inner_xhtml(self.root)


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


def short_text(text: str, lang: str, label: str) -> tuple[str, list[str]]:
    """A short Markdown text from front matter (a lead) as block XHTML, made safe like a
    body: (XHTML, warnings)."""
    root = parse_fragment(to_html(text))
    warnings: list[str] = []
    sanitize.clean(root, label, lambda needle: None, warnings, images=False)
    _unwrap_blocks(root)
    for h in list(root.iter("h1", "h2", "h3", "h4", "h5", "h6")):
        h.tag = "p"
    for el in list(root.iter("sup", "div")):
        if el.get("class") == "footnote" or el.find("a[@class='footnote-ref']") is not None:
            _drop_keep_tail(el)
    typography(root, lang)
    return inner_xhtml(root), warnings


def convert(text: str, *, lang: str, label: str, first_line: int,
            claim_id: Callable[[str], str],
            resolve_image: Callable[[str, int | None], str],
            numbering: Numbering | None = None,
            html_of: Callable[[str], str] | None = None) -> Converted:
    """Convert a document's Markdown body.

    `claim_id(wanted)` returns an id unique in the publication; `resolve_image(src, line)`
    returns the asset name for an image (or raises ContentError).
    """
    root = parse_fragment((html_of or to_html)(text))
    result = Converted(root)
    source_lines = text.split("\n")

    def line_of(needle: str) -> int | None:
        for number, line in enumerate(source_lines):
            if needle in line:
                return number + first_line
        return None

    sanitize.clean(root, label, line_of, result.warnings)
    _unwrap_blocks(root)
    _headings(root, label, result.warnings)
    typography(root, lang)                  # before the notes leave the tree
    result.renamed = _renumber_ids(root, claim_id)
    _extract_footnotes(root, result, claim_id)
    references.remote_images(root, label, line_of, result.warnings)
    for img in root.iter("img"):
        src = img.get("src", "")
        try:
            img.set("src", resolve_image(src, line_of(src[:200])))
        except QuireError as err:
            result.errors.append(err)
            continue
        if img.get("alt") is None or not img.get("alt").strip():
            line = line_of(src[:200])
            result.warnings.append(f"{label}:{line}: image '{src}' has no alt text" if line
                                   else f"{label}: image '{src}' has no alt text")
            result.images_without_alt += 1
            img.set("alt", "")
    words = labels(lang)
    numbering = numbering or Numbering(enabled=False)
    _figures(root, numbering, words["figure"], result.targets)
    _table_captions(root, numbering, words["table"], result.targets, claim_id)
    for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        text = " ".join(_text_without_notes(h).split())
        result.headings.append(Heading(int(h.tag[1]), text, h.get("id")))
        result.targets[h.get("id")] = text
    return result


def _text_without_notes(el) -> str:
    """The text of an element, leaving out footnote calls."""
    parts = [el.text or ""]
    for child in el:
        if child.get("class") != "noteref":
            parts.append(_text_without_notes(child))
        parts.append(child.tail or "")
    return "".join(parts)


text_without_notes = _text_without_notes


def _headings(root, label, warnings) -> None:
    """Every heading has text and an id (raw HTML headings come without one)."""
    for h in list(root.iter("h1", "h2", "h3", "h4", "h5", "h6")):
        text = " ".join(_text_without_notes(h).split())
        if not text and not h.findall(".//img"):
            warnings.append(f"{label}: removed an empty <{h.tag}> heading")
            _drop_keep_tail(h)
        elif not h.get("id"):
            h.set("id", slugify(text or "heading"))


def _unwrap_blocks(root) -> None:
    """Block elements inside a paragraph (raw HTML in Markdown) move out of it; the
    paragraph is split around them."""
    for p in list(root.iter("p")):
        _split_paragraph(p)


def _split_paragraph(p) -> None:
    for child in list(p):
        if not (isinstance(child.tag, str) and child.tag in HTML5_BLOCKS):
            continue
        rest = html.Element("p")
        rest.text, child.tail = child.tail, None
        for sibling in list(child.itersiblings()):
            rest.append(sibling)
        p.remove(child)
        p.addnext(child)
        has_rest = (rest.text or "").strip() or len(rest)
        if has_rest:
            child.addnext(rest)
            rest.tail, p.tail = p.tail, None
        else:
            child.tail, p.tail = p.tail, None
        if not (p.text or "").strip() and not len(p):
            p.getparent().remove(p)
        if has_rest:
            _split_paragraph(rest)
        return


def _renumber_ids(root, claim_id) -> dict[str, str]:
    """Give every id a publication-unique value and follow it in same-document links;
    returns what was renamed, for links from other documents."""
    renamed = {}
    for el in root.iter():
        old = el.get("id")
        if old is not None and not old.startswith("fn:") and not old.startswith("fnref:"):
            new = claim_id(old)
            renamed[old] = new
            el.set("id", new)
    for a in root.iter("a"):
        href = a.get("href", "")
        if href.startswith("#") and href[1:] in renamed:
            a.set("href", "#" + renamed[href[1:]])
    return renamed


def _extract_footnotes(root, result: Converted, claim_id) -> None:
    """Move Python-Markdown's end notes into `result.footnotes`, calls into neutral links.

    Notes are numbered in the order of their first call, calls inside notes included. A note
    called several times keeps one text; every call links to it, and the note links back to
    its first call.
    """
    block = root.find(".//div[@class='footnote']")
    if block is None:
        return
    notes = {}
    for li in block.findall("./ol/li"):
        for back in li.findall(".//a[@class='footnote-backref']"):
            back.drop_tree()
        for p in li.iter("p"):
            if p.text and not len(p):
                p.text = p.text.rstrip("\u00a0 ")
            elif len(p) and p[-1].tail:
                p[-1].tail = p[-1].tail.rstrip("\u00a0 ")
        for p in list(li.iter("p")):
            if not len(p) and not (p.text or "").strip():
                p.drop_tree()
        notes[li.get("id")] = li
    block.drop_tree()
    called: dict[str, tuple[str, str, int]] = {}       # key -> (note id, first call id, number)

    def replace_calls(container) -> None:
        for sup in list(container.iter("sup")):
            a = sup.find("a[@class='footnote-ref']")
            key = a.get("href", "#")[1:] if a is not None else None
            if key not in notes:
                continue
            if key in called:
                note_id, _, number = called[key]
                ref_id = claim_id(f"fnref-{number}")
            else:
                number = len(called) + 1
                note_id, ref_id = claim_id(f"fn-{number}"), claim_id(f"fnref-{number}")
                called[key] = (note_id, ref_id, number)
            new = html.Element("a", {"class": "noteref", "id": ref_id, "href": f"#{note_id}"})
            new.text = str(number)
            new.tail = sup.tail
            sup.getparent().replace(sup, new)

    replace_calls(root)
    done = 0
    while done < len(called):                       # notes called from notes
        key = list(called)[done]
        replace_calls(notes[key])
        done += 1
    for key, (note_id, ref_id, number) in called.items():
        li = notes[key]
        li.tag = "div"
        li.attrib.clear()
        result.footnotes.append(Footnote(note_id, ref_id, number, inner_xhtml(li).strip()))


def _figures(root, numbering: Numbering, word: str, targets: dict) -> None:
    """Figures: a lone image with a title becomes one; captions are numbered ("Figur 2")."""
    for p in list(root.iter("p")):
        children = list(p)
        if (len(children) == 1 and children[0].tag == "img" and children[0].get("title")
                and not (p.text or "").strip() and not (children[0].tail or "").strip()):
            img = children[0]
            figure = html.Element("figure")
            figure.append(img)
            caption = html.Element("figcaption")
            caption.text = img.attrib.pop("title")
            img.tail = None
            figure.append(caption)
            figure.tail = p.tail
            p.getparent().replace(p, figure)
    for figure in root.iter("figure"):
        img = figure.find(".//img")
        if figure.get("id") is None and img is not None and img.get("id"):
            figure.set("id", img.attrib.pop("id"))
        caption = figure.find("figcaption")
        if numbering.enabled and caption is not None:
            numbering.figures += 1
            _number(figure, caption, f"{word} {numbering.figures}", targets)


_TRAILING_ID = re.compile(r"\s*\{:?\s*#([\w\-]+)\s*\}\s*$")
_TABLE_CAPTION = re.compile(r"^\s*(Table|Tabell|Tabel|Tabelle|Tableau)?\s*:\s+")


def _table_captions(root, numbering: Numbering, word: str, targets: dict, claim_id) -> None:
    """A paragraph 'Table: ...' (or ': ...') just before or after a table is its caption."""
    for table in list(root.iter("table")):
        for p in (table.getprevious(), table.getnext()):
            if p is not None and p.tag == "p" and _TABLE_CAPTION.match(p.text or ""):
                caption = html.Element("caption")
                caption.text = _TABLE_CAPTION.sub("", p.text, count=1)
                for child in p:
                    caption.append(child)
                last = caption[-1] if len(caption) else None
                tail_text = (last.tail if last is not None else caption.text) or ""
                wanted = _TRAILING_ID.search(tail_text)
                if wanted:
                    stripped = _TRAILING_ID.sub("", tail_text)
                    if last is not None:
                        last.tail = stripped
                    else:
                        caption.text = stripped
                    p.set("id", claim_id(wanted.group(1)))
                if p.get("id") and not table.get("id"):
                    table.set("id", p.get("id"))
                table.insert(0, caption)
                _drop_keep_tail(p)
                break
        caption = table.find("caption")
        if numbering.enabled and caption is not None:
            numbering.tables += 1
            _number(table, caption, f"{word} {numbering.tables}", targets)


def _number(element, caption, label: str, targets: dict) -> None:
    """Put "Figur 2" before a caption; a reference to the element's id will read the same."""
    _prefix_label(caption, label)
    if element.get("id"):
        targets[element.get("id")] = label


def _prefix_label(caption, text: str) -> None:
    label = html.Element("span", {"class": "caption-label"})
    label.text = text
    label.tail = " " + (caption.text or "").lstrip()
    caption.text = None
    caption.insert(0, label)


def _drop_keep_tail(el) -> None:
    parent = el.getparent()
    previous = el.getprevious()
    if el.tail and el.tail.strip():
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def slugify(text: str) -> str:
    """A readable id from any text, keeping letters of every script."""
    return slugify_unicode(text, "-") or "section"


def parse_xhtml(fragment: str):
    """A model XHTML fragment (as `Converted.xhtml` writes it) as children of a <div>."""
    return etree.fromstring(f"<div>{fragment}</div>")


BLOCK_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "figure", "figcaption", "table",
              "caption", "pre", "th", "td", "blockquote")


def blocks(root) -> list:
    """The block elements of a parsed body, in document order: the shared numbering by
    which the PDF layout tells the EPUB where printed pages begin."""
    return [el for el in root.iter() if isinstance(el.tag, str) and el.tag in BLOCK_TAGS]
