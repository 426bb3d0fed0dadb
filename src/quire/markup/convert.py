"""A document's body from Python-Markdown's HTML: the Converted result the loader works on.

`convert` parses the HTML (lxml), makes it safe (sanitize.clean), moves block elements out
of paragraphs, gives every heading text and an id, applies the document language's
typography, claims publication-unique ids, takes the footnotes out (notes.py), resolves
images, numbers figures and tables (captions.py) and lists the headings. `short_text` does
the same for a front matter lead, without notes, headings or images. It leaves out links
between documents (links.py) and titles (documents.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from lxml import etree, html
from markdown.extensions.toc import slugify_unicode

from .. import references, sanitize
from ..errors import QuireError
from ..labels import labels
from ..model import Footnote, Heading
from ..typography import typography
from .captions import figures, table_captions
from .extensions import to_html
from .notes import extract_footnotes
from .xhtml import drop_keep_tail, inner_xhtml, parse_fragment


HTML5_BLOCKS = {"aside", "details", "figure", "section", "article", "nav", "header", "footer",
                "div", "table", "ul", "ol", "dl", "blockquote", "pre", "hr", "address",
                "main", "p", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "summary"}


@dataclass
class Numbering:
    """Figure and table counters running through the whole publication (loading only)."""

    enabled: bool = True
    figures: int = 0
    tables: int = 0


@dataclass
class Converted:
    """A document's body while the publication is being loaded (mutable, never in the model).

    Its tree can be parked (when `parking`, which the loader sets for a long manuscript):
    kept as XML bytes, a tenth of the tree's memory, and parsed again (as the same tree)
    when `root` is next read. The loader parks each body once it is converted, and each
    step that walks every document parks each after its turn, so that loading holds one
    tree at a time: 960 documents (sixteen times the six ydkjs books) held 870 MiB of
    trees. A round trip costs about 1 ms for 100 KB of HTML, four per document."""

    tree: html.HtmlElement | None           # a <div> holding the body (None: parked)
    headings: list[Heading] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    targets: dict[str, str] = field(default_factory=dict)   # id -> "Figur 2", heading text
    images_without_alt: int = 0
    renamed: dict[str, str] = field(default_factory=dict)   # id as written -> id claimed
    errors: list[QuireError] = field(default_factory=list)  # all of them, reported at once

    parked: bytes | None = None
    parking: bool = False

    @property
    def root(self) -> html.HtmlElement:
        if self.tree is None:
            self.tree, self.parked = etree.fromstring(self.parked, html.xhtml_parser), None
        return self.tree

    def park(self) -> None:
        if self.parking and self.tree is not None:
            self.tree, self.parked = None, etree.tostring(self.tree)

    def xhtml(self) -> str:
        return inner_xhtml(self.root)


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
            drop_keep_tail(el)
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
    extract_footnotes(root, result, claim_id)
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
    figures(root, numbering, words["figure"], result.targets)
    table_captions(root, numbering, words["table"], result.targets, claim_id)
    for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        text = " ".join(text_without_notes(h).split())
        result.headings.append(Heading(int(h.tag[1]), text, h.get("id")))
        result.targets[h.get("id")] = text
    return result


def text_without_notes(el) -> str:
    """The text of an element, leaving out footnote calls."""
    parts = [el.text or ""]
    for child in el:
        if child.get("class") != "noteref":
            parts.append(text_without_notes(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _headings(root, label, warnings) -> None:
    """Every heading has text and an id (raw HTML headings come without one)."""
    for h in list(root.iter("h1", "h2", "h3", "h4", "h5", "h6")):
        text = " ".join(text_without_notes(h).split())
        if not text and not h.findall(".//img"):
            warnings.append(f"{label}: removed an empty <{h.tag}> heading")
            drop_keep_tail(h)
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


def slugify(text: str) -> str:
    """A readable id from any text, keeping letters of every script."""
    return slugify_unicode(text, "-") or "section"
