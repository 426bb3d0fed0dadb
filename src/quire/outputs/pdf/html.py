"""The print HTML: one HTML file for the whole publication (or a chunk of its documents).

It renders the print template with the shared and print layers of the stylesheet, puts each
footnote at its call (`float: footnote`), hands files to WeasyPrint under fixed URLs (so
the bytes do not depend on where the project is), and writes the template's own colours as
CMYK for print. Dates come from the model, never from the clock, so the bytes repeat.
Laying it out is layout.py's business; the WeasyPrint session is session.py's.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from urllib.parse import quote, unquote
from urllib.request import url2pathname

from lxml import etree
from markupsafe import Markup

from ... import cover, design, floats, fonts, labels, markup, mathtex, templates
from ...version import __version__
from ...model import Document, Publication
from ...resources import inside, theme_dir
from . import cmyk
from . import typeset as pdf_typeset


def file_name(publication: Publication) -> str:
    """print: NAME.pdf; the other variants say what they are: NAME-screen.pdf, NAME-archive.pdf."""
    variant = publication.pdf.variant
    return f"{publication.name}.pdf" if variant == "print" else f"{publication.name}-{variant}.pdf"


# Block elements inside a note become spans (a note sits inside a paragraph in print HTML);
# print.css gives them back their display.
_NOTE_BLOCKS = {"p", "div", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "table",
                "thead", "tbody", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "figure",
                "figcaption"}


def _print_fragment(xhtml: str, doc: Document, images: dict[str, str],
                    number_blocks: bool = False, cmyk_job: bool = False,
                    typeset=None, moves=None) -> str:
    """A fragment of a document for print: notes moved to their calls (a note called from
    another note follows that note), images as file URLs, ASCII anchors; `typeset` sizes
    images, wraps code and keeps words whole (pdf_typeset)."""
    root = markup.parse_xhtml(xhtml)
    if "<math" in xhtml:
        mathtex.print_svg(root, cmyk_job)     # formulas as vector outlines
    if cmyk_job and "<svg" in xhtml:
        _svg_in_cmyk(root)
    if number_blocks:
        for index, block in enumerate(markup.blocks(root)):
            block.set("data-qb", str(index))
    if typeset is not None:
        typeset(root, doc.lang)
    floats.apply(root, moves)                 # figures the layout moved past text
    notes = {note.id: note for note in doc.footnotes}
    calls = [a for a in root.iter("a") if a.get("class") == "noteref"]
    while calls:
        a = calls.pop(0)
        note = notes.get(a.get("href", "#")[1:])
        if note is None or a.get("id") != note.ref_id:
            continue                # not a call, or a second call: stays a link to the note
        span = markup.parse_xhtml(note.html)
        _collapse_spaces(span)
        for el in span.iter():
            if el is not span and el.tag in _NOTE_BLOCKS:
                el.set("class", f"fn-{el.tag}")
                el.tag = "span"
        span.tag, span.attrib["id"] = "span", note.id
        span.attrib["class"] = "footnote nested" if _inside_note(a) else "footnote"
        inner = [c for c in span.iter("a") if c.get("class") == "noteref"]
        if _inside_note(a):         # a float cannot sit in a float: follow the outer note
            outer = _inside_note(a)
            span.tail = outer.tail
            outer.tail = None
            outer.addnext(span)
            a.set("class", "noteref")
        else:
            span.tail = a.tail
            a.getparent().replace(a, span)
        calls = inner + calls
    for img in root.iter("img"):
        img.set("src", images.get(img.get("src"), img.get("src")))
    for el in root.iter():
        if el.get("id"):
            el.set("id", _ascii_id(el.get("id")))
        if el.tag == "a" and el.get("href", "").startswith("#"):
            el.set("href", "#" + _ascii_id(el.get("href")[1:]))
    return markup.escape_text(root.text or "") + "".join(
        etree.tostring(child, encoding="unicode", method="html") for child in root)


_SPACES = re.compile(r"[ \t\r\n]+")


def _collapse_spaces(root) -> None:
    """Whitespace in a note as single spaces (not in code blocks): WeasyPrint 70's footnote
    layout fails (AssertionError "Got ' \\n' between two lines") on a line that ends with
    a space before a newline, as Python-Markdown keeps it."""
    verbatim = {node for pre in root.iter("pre") for node in pre.iter()}
    for el in root.iter():
        if el.text and el not in verbatim:
            el.text = _SPACES.sub(" ", el.text)
        if el.tail and el is not root and el.getparent() not in verbatim:
            el.tail = _SPACES.sub(" ", el.tail)


def _ascii_id(anchor: str) -> str:
    """WeasyPrint 70 percent-encodes non-ASCII anchors in target-counter() and then misses
    them; ids in the print HTML are therefore ASCII (invisible in the PDF)."""
    return "".join(c if c.isascii() else f"_{ord(c):x}_" for c in anchor)


def _inside_note(el):
    """The footnote span `el` sits in, if any."""
    parent = el.getparent()
    while parent is not None:
        if parent.tag == "span" and (parent.get("class") or "").startswith("footnote"):
            return parent
        parent = parent.getparent()
    return None


def render_print_html(publication: Publication, documents=None, front: bool = True,
                      moves=None) -> str:
    """The print HTML of the publication, or of a run of its `documents` (with the front
    matter, or without it) for a PDF laid out in chunks; `moves` are the figures the layout
    moved (floats.Filler), for the HTML the text check reads."""
    env = templates.environment(publication.templates_dir)
    meta = publication.metadata
    documents = publication.documents if documents is None else documents
    images = {asset.name: (f"data:{asset.media_type};base64,"
                           f"{base64.b64encode(asset.data).decode()}" if asset.data
                           else _url_of(asset.source, publication.root))
              for asset in publication.assets}
    typeset = pdf_typeset.Typesetter(publication)
    book = publication.design == "book"
    chapters = design.chapters([(doc.id, doc.title, doc.lang) for doc in publication.documents
                                if doc.level == 1], meta.lang, meta.title) if book else {}
    height = design.text_block(publication.pdf)[1]
    cmyk_job = publication.pdf.variant == "print"
    html = templates.render(
        env, "print.html",
        version=__version__, meta=meta, pdf=publication.pdf, toc=publication.toc,
        documents=documents, parts=publication.parts(documents), front=front,
        toc_parts=publication.parts(),
        labels=labels.labels(meta.lang), title_page=publication.title_page,
        cover=(cover.extended(publication) or images[publication.cover.name]
               if publication.cover and front else None),
        journal_style=any(doc.authors for doc in publication.documents),
        design=publication.design, chapters=chapters, sink=f"{height * 0.2:.1f}mm",
        page_fill=f"{height - 4:.1f}mm", theme=design.theme_css(publication.theme),
        toc_entries=_toc_entries(publication, chapters),
        bodies={doc.id: Markup('<div class="document-body">' + _print_fragment(
                    doc.body, doc, images, True, cmyk_job, typeset, (moves or {}).get(doc.id))
                    + '</div>')
                for doc in documents},
        titles={doc.id: Markup(_print_fragment(_chapter_title(doc, chapters), doc, images,
                                               False, cmyk_job))
                for doc in documents},
        stylesheets=[_url_of(path, publication.root) for layer, path in publication.stylesheets
                     if layer in ("shared", "print", "book")],
        custom_stylesheets=[_url_of(path, publication.root)
                            for layer, path in publication.stylesheets if layer == "custom"],
        created=_w3c(meta.date) if meta.date else meta.modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
        modified=meta.modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    if publication.pdf.variant == "print":      # the template's own colours, as CMYK
        html = re.sub(r"<style>(.*?)</style>", lambda m: f"<style>{cmyk.convert_css(m.group(1))}"
                      "</style>", html, count=1, flags=re.DOTALL)
    # Font files of the project's own (installed families are named, fontconfig finds them).
    faces = fonts.font_face_css([f for f in publication.fonts.faces if not f.installed],
                                lambda face: _url_of(face.path, publication.root))
    return html.replace("</head>", f"<style>{faces}{_variant_style(publication)}"
                        f"{cover.print_css(publication) if front else ''}</style>\n"
                        "</head>", 1)


def _svg_in_cmyk(root) -> None:
    """Inline SVG images (a snippet's diagram) with their colours in CMYK
    (cmyk.convert_svg_tree); formulas are drawn in black ink already (mathtex)."""
    svgs = [el for el in root.iter("{http://www.w3.org/2000/svg}svg", "svg")
            if el.get("class") != "math"]
    for svg in [el for el in svgs if not any(a in svgs for a in el.iterancestors())]:
        cmyk.convert_svg_tree(svg, inline=True)


def _chapter_title(doc: Document, chapters) -> str:
    """The title as set under a chapter's label: without "Chapter 2:" when it had one."""
    if doc.id in chapters:
        rest = chapters[doc.id][2]
        if rest != doc.title:
            escaped = markup.escape_text(rest)
            if doc.title_html.endswith(escaped):
                return escaped
    return doc.title_html


def _toc_entries(publication: Publication, chapters) -> dict[str, list]:
    """Per document, the headings the printed contents lists under it (levels 2 up to
    toc_depth): (ASCII anchor, text, level)."""
    depth = publication.toc_depth
    return {doc.id: [(_ascii_id(h.id), h.text, h.level) for h in doc.headings
                     if 2 <= h.level <= depth and doc.level < 2]   # a section: none
            for doc in publication.documents}


def _w3c(date: str) -> str:
    return f"{date}T00:00:00Z"


# WeasyPrint names images after their URL (and the PDF's /ID hashes everything): files are
# handed to it under these fixed URLs, so the bytes do not depend on where the project is.
PROJECT_URL = "file:///quire/project/"


THEME_URL = "file:///quire/theme/"


def _url_of(path: Path, root: Path) -> str:
    path = path.resolve()
    for base, prefix in ((root, PROJECT_URL), (theme_dir(), THEME_URL)):
        if inside(path, base):
            return prefix + quote(path.relative_to(base.resolve()).as_posix())
    return path.as_uri()


def _path_of(url: str, root: Path) -> Path | None:
    url = url.split("?")[0].split("#")[0]
    for base, prefix in ((root, PROJECT_URL), (theme_dir(), THEME_URL)):
        if url.startswith(prefix):
            return (base / unquote(url[len(prefix):])).resolve()
    if url.startswith("file:"):
        return Path(url2pathname(url[len("file:"):])).resolve()
    return None


def _variant_style(publication: Publication) -> str:
    """Page-level CSS that depends on the PDF variant (output intent, bleed, marks)."""
    pdf = publication.pdf
    rules = []
    if pdf.variant == "print":
        rules.append("@color-profile device-cmyk { components: cyan, magenta, yellow, black; "
                     f"src: url({_url_of(cmyk.profile_path(), publication.root)}); }}")
        marks = "crop cross" if pdf.marks else "none"
        rules.append(f"@page {{ bleed: {pdf.bleed}; marks: {marks}; }}")
    if pdf.variant == "archive":
        rules.append("img { image-rendering: crisp-edges; }")
    return "\n".join(rules)
