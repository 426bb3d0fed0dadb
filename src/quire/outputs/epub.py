"""The EPUB 3: one XHTML file per document, packaged by ebooklib, re-zipped deterministically.

quire writes every XHTML file itself (the content documents and nav.xhtml, from templates)
and hands ebooklib the finished bytes; ebooklib writes the package document and the NCX.
The zip is then rewritten with fixed dates and order, and `xml:lang` on the package, so the
same source gives the same bytes. Only the shared and epub layers of the stylesheet are
used. Page-break markers and the page list come from the print layout (PageStart).
It leaves out audio, video and scripting (quire removes them from the manuscript).
"""

from __future__ import annotations

import io
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from ebooklib import epub
from lxml import etree
from markupsafe import Markup

from .. import fonts, images, labels, stylesheets, template_guard, templates
from . import epub_fonts, epub_package, epub_pages
from .contract import NO_LAYOUT, PAGES, BuildContext
from ..errors import OutputError
from ..model import Document, Publication
from ..resources import FONT_TYPES, IMAGE_TYPES, ascii_slug, inside, theme_dir

def file_name(publication: Publication) -> str:
    return f"{publication.name}.epub"


XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
PRINT_LAYERS = ("print", "book")    # stylesheet layers for the PDF only


class XhtmlItem(epub.EpubHtml):
    """An XHTML file whose bytes quire wrote; ebooklib must not re-parse them."""

    def __init__(self, content: bytes, **kwargs):
        super().__init__(**kwargs)
        self.content = content

    def get_content(self, default=None):
        return self.content


def _href(doc: Document) -> str:
    return f"{doc.slug}.xhtml"


def _document_xhtml(env, publication: Publication, doc: Document, stylesheets,
                    starts=()) -> bytes:
    body, page_head = epub_pages.with_page_breaks(doc, starts)
    text = templates.render(
        env, "document.xhtml", doc=doc, body=Markup(body), page_head=Markup(page_head),
        titles={doc.id: Markup(doc.title_html)},
        footnotes=Markup(templates.render(env, "_footnotes.xhtml", doc=doc))
        if doc.footnotes else "",
        stylesheets=[f"../{name}" for name in stylesheets], labels=labels.labels(doc.lang))
    text = env.quire_guard(text, "document.xhtml")
    root = _parse(text, doc.source)
    ns = {"h": XHTML_NS}
    for el in root.iterfind(".//*[@data-epub-type]"):    # the index's and bibliography's
        el.set(f"{{{EPUB_NS}}}type", el.attrib.pop("data-epub-type"))
    for marker in root.iterfind(".//h:span[@data-quire-page]", ns):
        label = marker.attrib.pop("data-quire-page")
        marker.attrib.update({"id": f"page-{label}", "role": "doc-pagebreak",
                              f"{{{EPUB_NS}}}type": "pagebreak", "aria-label": label})
    for a in root.iterfind(".//h:a[@href]", ns):
        href = a.get("href")
        if a.get("class") == "noteref":
            a.set(f"{{{EPUB_NS}}}type", "noteref")
            a.set("role", "doc-noteref")
        if href == "#quire-toc":                     # the generated contents (load.py)
            a.set("href", "../nav.xhtml#toc")
        elif href.startswith("#") and href[1:] not in doc.ids:
            target = publication.document_of(href[1:])
            if target is not None:
                a.set("href", _href(target) + ("" if href[1:] == target.id else href))
    for img in root.iterfind(".//h:img", ns):
        img.set("src", "../" + img.get("src"))
        _integer_size(img)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True, doctype="<!DOCTYPE html>")


def _integer_size(img) -> None:
    """`width`/`height` as HTML wants them (a number of pixels): "200px" -> "200", and
    "50%" or "3cm" (as attribute lists write them) moved into the style."""
    for name in ("width", "height"):
        value = (img.get(name) or "").strip()
        if not value or value.isdigit():
            continue
        del img.attrib[name]
        number = value.removesuffix("px").strip()
        if number.replace(".", "", 1).isdigit():
            img.set(name, str(round(float(number))))
        elif re.fullmatch(r"\d+(\.\d+)?(%|em|rem|cm|mm|in|pt|vw|vh)", value):
            style = img.get("style", "").rstrip("; ")
            img.set("style", (style + "; " if style else "") + f"{name}: {value}")


@dataclass
class Node:
    """An entry of the contents: a document, a heading or a part (no href of its own)."""

    title: str
    href: str | None
    children: list["Node"] = field(default_factory=list)

    def first_href(self) -> str:
        return self.href or self.children[0].first_href()


def _outline(publication: Publication, file_of: dict[str, str]) -> list[Node]:
    """The contents: parts, documents (a section document under the one before it), and
    their headings nested by level."""
    outline: list[Node] = []
    for part, docs, _, _ in publication.parts():
        nodes: list[Node] = []
        for doc in docs:
            node = _document_node(doc, file_of[doc.id])
            if doc.level > 1 and nodes:             # a section: under its chapter
                nodes[-1].children.append(node)
            else:
                nodes.append(node)
        outline += [Node(part, None, nodes)] if part else nodes
    return outline


def _document_node(doc: Document, file_name: str) -> Node:
    node = Node(doc.title, file_name)
    stack = [(1, node)]
    for h in doc.headings:
        while len(stack) > 1 and stack[-1][0] >= h.level:
            stack.pop()
        child = Node(h.text, f"{file_name}#{h.id}")
        stack[-1][1].children.append(child)
        stack.append((h.level, child))
    return node


def _ebooklib_toc(nodes: list[Node], counter=None):
    """The outline in ebooklib's form, from which it writes the NCX."""
    counter = counter if counter is not None else iter(range(1, 1 << 30))
    return [(epub.Section(n.title, n.first_href()), _ebooklib_toc(n.children, counter))
            if n.children else epub.Link(n.href, n.title, f"nav-{next(counter)}")
            for n in nodes]


def _stylesheet_items(publication: Publication, chars: str):
    """The shared and epub layers and every file they name (fonts, images, imported
    stylesheets), as (name inside EPUB/, bytes, media type). TrueType and OpenType fonts are
    cut down to `chars`; those with none of them are left out, with their @font-face rules."""
    items, seen = [], set()
    for layer, path in publication.stylesheets:
        if layer in PRINT_LAYERS:
            continue
        css = fonts.extend_stacks(path.read_text(encoding="utf-8"), publication.fonts)
        name = f"styles/{layer}.css"
        seen.add(name)
        files, dropped = [], set()
        for url, source in stylesheets.local_files(css, path.parent):
            if not source.is_file():
                continue
            if not (inside(source, publication.root) or inside(source, theme_dir())):
                continue
            suffix = source.suffix.lower()
            media_type = (FONT_TYPES.get(suffix) or IMAGE_TYPES.get(suffix)
                          or ("text/css" if suffix == ".css" else None))
            target = posixpath.normpath(posixpath.join("styles", url))
            if not media_type or target.startswith("..") or target in seen:
                continue
            data = source.read_bytes()
            if suffix in (".ttf", ".otf"):
                data = epub_fonts.subset(data, chars)
                if data is None:
                    dropped.add(url)
                    continue
            seen.add(target)
            files.append((target, data, media_type))
        items.append((name, epub_fonts.without_faces(css, dropped).encode("utf-8"), "text/css"))
        items.extend(files)
    return _plan_items(publication, chars) + items


def _plan_items(publication: Publication, chars: str):
    """styles/fonts.css and its fonts: the files the font plan chose beyond the theme's
    (other scripts, [fonts]), each face cut down to `chars` (the PDF uses the same files)."""
    rules, items = [], []
    for face in publication.fonts.faces:
        data = epub_fonts.subset(face.path.read_bytes(), chars, face.index)
        if data is None:
            continue
        kind = "otf" if data[:4] == b"OTTO" else "ttf"
        name = f"fonts/{ascii_slug(face.path.stem)}-{face.index}.{kind}"
        items.append((f"styles/{name}", data, FONT_TYPES[f".{kind}"]))
        rules.append((face, name))
    if not items:
        return []
    css = fonts.font_face_css([face for face, _ in rules], dict(rules).get)
    return [("styles/fonts.css", css.encode("utf-8"), "text/css"), *items]


name = "epub"


def needs_layout(publication: Publication, formats) -> int:
    """The page list's print pages: `[epub] page_list` "auto" (the default) when this
    build also makes the PDF, true always (an EPUB alone then costs a layout), false never."""
    wanted = publication.page_list is True or (publication.page_list == "auto"
                                               and "pdf" in formats)
    return PAGES if wanted else NO_LAYOUT


def write(publication: Publication, target: Path, context: BuildContext) -> None:
    page_starts = (context.layout.starts if context.layout is not None
                   and needs_layout(publication, context.formats) else ())
    meta = publication.metadata
    env = templates.environment(publication.templates_dir)
    # A project's templates write markup of their own: it passes the manuscript's allowlist.
    env.quire_guard = (template_guard.Guard(publication.templates_dir)
                       if publication.templates_dir else lambda text, name: text)
    book = epub.EpubBook()
    book.set_identifier(meta.identifier)
    book.set_title(meta.title)
    book.set_language(meta.lang)
    for lang in dict.fromkeys(doc.lang for doc in publication.documents):
        if lang != meta.lang:                   # the others, after the primary language
            book.add_metadata("DC", "language", lang)
    if meta.direction == "rtl":
        book.set_direction("rtl")               # page-progression-direction on the spine
    for n, author in enumerate(meta.authors, 1):
        book.add_author(author.name, uid=f"creator-{n}")
    for term, value in (("publisher", meta.publisher), ("rights", meta.rights),
                        ("date", meta.date), ("description", meta.description or meta.subject)):
        if value:
            book.add_metadata("DC", term, value)
    for keyword in meta.keywords:
        book.add_metadata("DC", "subject", keyword)
    epub_package.accessibility(book, publication, bool(page_starts))

    stylesheets = ([f"styles/{layer}.css" for layer, _ in publication.stylesheets
                    if layer not in PRINT_LAYERS] + (["styles/fonts.css"] if publication.fonts.faces else []))
    for n, asset in enumerate(publication.assets, 1):
        if asset == publication.cover:
            book.set_cover(asset.name, asset.read(), create_page=False)
            continue
        content = asset.read()
        if asset.media_type == "image/svg+xml":
            content = images.without_doctype(content)
        book.add_item(epub.EpubItem(uid=f"img-{n}", file_name=asset.name,
                                    media_type=asset.media_type, content=content))

    front, landmarks = [], []
    for name, template, wanted, landmark in (
            ("cover", "cover.xhtml", publication.cover is not None, "cover"),
            ("titlepage", "titlepage.xhtml", publication.title_page, "titlepage")):
        if not wanted:
            continue
        words = labels.labels(meta.lang)
        text = templates.render(env, template, meta=meta, labels=words,
                                cover=f"../{publication.cover.name}" if publication.cover else "",
                                stylesheets=[f"../{n}" for n in stylesheets])
        text = env.quire_guard(text, template)
        item = XhtmlItem(_well_formed(text, template), uid=name, file_name=f"text/{name}.xhtml",
                         title=words[landmark.replace("titlepage", "title_page")],
                         lang=meta.lang, media_type="application/xhtml+xml")
        book.add_item(item)
        front.append(item)
        landmarks.append((landmark, item.file_name, item.title))

    docs_items = []
    starts_of: dict[str, list] = {}
    for start in page_starts:
        starts_of.setdefault(start.document, []).append(start)
    for doc in publication.documents:
        content = _document_xhtml(env, publication, doc, stylesheets, starts_of.get(doc.id, ()))
        item = XhtmlItem(content, uid=f"doc-{doc.slug}", file_name=f"text/{_href(doc)}",
                         title=doc.title, lang=doc.lang, media_type="application/xhtml+xml")
        if b"<svg" in content:
            item.properties.append("svg")
        if b"<math" in content:
            item.properties.append("mathml")
        book.add_item(item)
        docs_items.append((doc, item))
        for kind in ("index", "bibliography"):
            if f'data-epub-type="{kind}"' in doc.body and kind not in [k for k, *_ in landmarks]:
                landmarks.append((kind, item.file_name, doc.title))

    outline = _outline(publication, {doc.id: item.file_name for doc, item in docs_items})
    book.toc = _ebooklib_toc(outline)
    pages = [(start.label, f"text/{_href(publication.document_of(start.document))}"
                           f"#page-{start.label}") for start in page_starts]
    nav = XhtmlItem(_nav_xhtml(env, publication, outline, stylesheets, landmarks, pages),
                    uid="nav",
                    file_name="nav.xhtml", title=labels.labels(meta.lang)["contents"],
                    media_type="application/xhtml+xml")
    nav.properties.append("nav")
    book.add_item(nav)
    book.add_item(epub.EpubNcx())
    # The fonts carry only the characters of what was written above (and of the styles).
    texts = [item.get_content().decode("utf-8") for item in [*front, *(i for _, i in docs_items), nav]]
    texts += [path.read_text(encoding="utf-8") for _, path in publication.stylesheets]
    chars = epub_fonts.characters(texts)
    for n, (name, content, media_type) in enumerate(_stylesheet_items(publication, chars), 1):
        book.add_item(epub.EpubItem(uid=f"style-{n}", file_name=name, media_type=media_type,
                                    content=content))
    book.spine = front + [item for _, item in docs_items]
    if any(b'href="../nav.xhtml#toc"' in item.get_content() for _, item in docs_items):
        book.spine.append((nav, "no"))          # linked to from the text: a spine item

    buffer = io.BytesIO()
    epub.write_epub(buffer, book, {"epub3_pages": False, "epub2_guide": False,
                                   "epub3_landmark": False, "mtime": meta.modified,
                                   "raise_exceptions": True,
                                   "compresslevel": 0})    # zipped once, below
    target.write_bytes(epub_package.deterministic_zip(buffer.getvalue(), publication))


def _nav_xhtml(env, publication, outline: list[Node], stylesheets, landmarks, pages) -> bytes:
    meta = publication.metadata
    text = templates.render(env, "nav.xhtml", meta=meta, labels=labels.labels(meta.lang),
                            outline=outline, first=outline[0].first_href(),
                            stylesheets=stylesheets, landmarks=landmarks, pages=pages)
    return _well_formed(env.quire_guard(text, "nav.xhtml"), "nav.xhtml")


def _parse(text: str, name) -> etree._Element:
    """A rendered page as XML, or an OutputError naming what broke it."""
    try:
        return etree.fromstring(text.encode("utf-8"))
    except etree.XMLSyntaxError as err:
        raise OutputError(f"{name}: the EPUB page is not well-formed XHTML "
                          f"(check the templates): {err}") from None


def _well_formed(text: str, name: str) -> bytes:
    """Serialised XHTML, or an OutputError naming the template that broke it."""
    return etree.tostring(_parse(text, name), encoding="utf-8", xml_declaration=True,
                          doctype="<!DOCTYPE html>")
