"""A project's own templates pass through the manuscript's allowlist (sanitize.py).

Templates run sandboxed (templates.py), but what they write is markup of their own: a
project's `templates/document.xhtml` could put `<script>`, an `<iframe>` or a remote
stylesheet into every EPUB page. When a project has a templates/ folder, each EPUB page
it renders goes through `Guard`:

- the page's `<body>` content is parsed and cleaned exactly as a Markdown document's HTML
  is (sanitize.clean: per namespace allowlists, safe link schemes, CSS read with tinycss2,
  no remote references), with the few attributes only templates write kept aside
  (`epub:type`, `hidden`) and put back;
- the `<head>` keeps `<title>`, `<meta charset>`, `<meta name content>`, `<link
  rel=stylesheet>` to a file of the book (no scheme, not absolute), and `<style>` whose
  CSS loads nothing but fragments and checked data: images; anything else is removed;
- `<html>` and `<body>` keep their language, direction, class, id, role, aria-* and
  epub:type attributes only.

What was removed is one warning per distinct finding, naming the project template file and
line where the offending text is found. The built-in templates are quire's own and are not
passed through (a project without templates/ pays nothing). The print PDF needs no guard:
WeasyPrint runs no scripts and its one URL fetcher refuses the network and files outside
the project and the theme (outputs/pdf.py).
"""

from __future__ import annotations

import logging
from pathlib import Path

from lxml import etree

from . import markup, sanitize, stylesheets

log = logging.getLogger("quire")
XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_KEPT_ASIDE = {f"{{{EPUB_NS}}}type": "data-quire-epub-type", "hidden": "data-quire-hidden"}
_PAGE_ATTRIBUTES = {"lang", f"{{{XML_NS}}}lang", "dir", "class", "id", "role",
                    f"{{{EPUB_NS}}}type"}
_PUT_BACK = {aside: name for name, aside in _KEPT_ASIDE.items()}
_MARK = "\x00template\x00"


def _rename(el, names: dict[str, str]) -> None:
    """Rename attributes of `el` in place, keeping their order (the bytes stay the same)."""
    if any(name in el.attrib for name in names):
        items = list(el.attrib.items())
        el.attrib.clear()
        for name, value in items:
            el.set(names.get(name, name), value)


def _h(local: str) -> str:
    return f"{{{XHTML_NS}}}{local}"


class Guard:
    """One per EPUB: `guard(text, name)` is the page `text` rendered from template `name`,
    cleaned; each distinct warning is logged once for the whole book."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.sources = [(f"templates/{p.relative_to(folder).as_posix()}",
                         p.read_text(encoding="utf-8", errors="replace").split("\n"))
                        for p in sorted(folder.rglob("*"))
                        if p.is_file() and not p.is_symlink()
                        and p.suffix in (".html", ".xhtml", ".xml", ".j2")]
        self.seen: set[str] = set()
        self.used: set[tuple[str, str]] = set()
        self._order = self.sources

    def where(self, needle: str):
        """The project template file and line holding `needle` ('templates/x.html:3'):
        the page's own template first, and within one page a place not named before for
        the same needle (two <script>s in two files are two places)."""
        return self._locate([needle])

    def _locate(self, needles: list[str]):
        for needle in needles:
            needle = needle.strip()[:40]
            if not needle:
                continue
            found = [f"{label}:{number}" for label, lines in self._order
                     for number, line in enumerate(lines, 1) if needle in line]
            if found:
                fresh = [place for place in found if (needle, place) not in self.used]
                place = (fresh or found)[0]
                self.used.add((needle, place))
                return place
        return None

    def warn(self, message: str, name: str) -> None:
        message = message.replace(f"{_MARK}:", "").replace(
            _MARK, f"templates (the page {name})")
        if message not in self.seen:
            self.seen.add(message)
            log.warning("%s", message)

    def __call__(self, text: str, name: str) -> str:
        try:
            root = etree.fromstring(text.encode("utf-8"))
        except etree.XMLSyntaxError:
            return text             # epub.py reports it, naming the template
        warnings: list[str] = []
        own = f"templates/{name}"
        self._order = sorted(self.sources, key=lambda source: source[0] != own)
        self.used = set()
        if root.tag != _h("html"):
            warnings.append(f"{_MARK}: an EPUB page is an XHTML <html> document; got "
                            f"<{etree.QName(root).localname}>")
        head, body = root.find(_h("head")), root.find(_h("body"))
        for el in list(root):
            if el is not head and el is not body:
                self._remove(el, warnings)
        if head is not None:
            self._head(head, warnings)
        if body is not None:
            self._body(body, warnings)
        for el in (root, body):
            if el is not None:
                self._page_attributes(el, warnings)
        for message in warnings:
            self.warn(message, name)
        return etree.tostring(root, encoding="unicode")

    # -- the parts ---------------------------------------------------------------------------
    def _remove(self, el, warnings: list[str], why: str = "active or unsafe HTML") -> None:
        local = etree.QName(el).localname if isinstance(el.tag, str) else "comment"
        needles = [f"<{local}"]
        if isinstance(el.tag, str) and el.attrib:
            key, value = next(iter(el.attrib.items()))
            key = etree.QName(key).localname
            needles[:0] = [f'<{local} {key}="{value}', f"<{local} {key}='{value}",
                           f"<{local} {key}="]
        where = self._locate(needles) or _MARK
        warnings.append(f"{where}: removed <{local}> ({why})")
        tail, parent = el.tail, el.getparent()
        parent.remove(el)
        if tail and tail.strip():
            parent.text = (parent.text or "") + tail

    def _head(self, head, warnings: list[str]) -> None:
        report = sanitize.Report(_MARK, self.where, warnings)
        for el in list(head):
            if not isinstance(el.tag, str):
                head.remove(el)
                continue
            tag = el.tag
            if tag == _h("title"):
                title = "".join(el.itertext())
                for child in list(el):
                    el.remove(child)
                el.text = title
                continue
            if tag == _h("meta") and not ({"http-equiv"} & set(el.attrib)):
                if set(el.attrib) <= {"charset", "name", "content"}:
                    continue
            if tag == _h("link") and (el.get("rel") or "").lower().split() == ["stylesheet"]:
                href = el.get("href", "")
                if sanitize.is_remote(href):
                    report.remote_reference(href)
                    head.remove(el)
                    continue
                if not sanitize.scheme(href) and not href.startswith(("/", "\\")) and href:
                    continue
            if tag == _h("style"):
                bad = [url for url, _ in stylesheets.references("".join(el.itertext()))
                       if not (url.startswith("#") or sanitize.data_image(url))]
                if not bad:
                    continue
                if any(sanitize.is_remote(url) for url in bad):
                    for url in bad:
                        report.remote_reference(url)
                    head.remove(el)
                    continue
            self._remove(el, warnings)
        report.finish()

    def _body(self, body, warnings: list[str]) -> None:
        for el in body.iter():
            _rename(el, _KEPT_ASIDE)
        space = body.text if not (body.text or "").strip() else None
        inner = (markup.escape_text(body.text or "")
                 + "".join(etree.tostring(child, encoding="unicode") for child in body))
        fragment = markup.parse_fragment(inner)
        sanitize.clean(fragment, _MARK, self.where, warnings)
        self._images(fragment, warnings)
        cleaned = markup.inner_xhtml(fragment)
        wrapper = etree.fromstring(f'<body xmlns="{XHTML_NS}">{cleaned}</body>'.encode("utf-8"))
        for child in list(body):
            body.remove(child)
        body.text = space if space is not None and not (wrapper.text or "").strip() \
            else wrapper.text
        for child in wrapper:
            body.append(child)
        for el in body.iter():
            _rename(el, _PUT_BACK)

    def _images(self, fragment, warnings: list[str]) -> None:
        """A manuscript's <img src> is checked by the loader; a template's is not: it
        keeps only a path inside the book or a checked data: image."""
        report = sanitize.Report(_MARK, self.where, warnings)
        for img in list(fragment.iter("img")):
            src = sanitize.compact(img.get("src", ""))
            if sanitize.data_image(src) or (
                    src and not sanitize.scheme(src) and not src.startswith(("/", "\\"))):
                continue
            if sanitize.is_remote(src):
                report.remote_reference(src)
            else:
                report.removed(src[:30], f'<img src="{src[:40]}"> (an image of the book '
                                         "or a data: image only)")
            img.drop_tree()
        report.finish()

    def _page_attributes(self, el, warnings: list[str]) -> None:
        report = sanitize.Report(_MARK, self.where, warnings)
        for name, value in list(el.attrib.items()):
            if name in _PAGE_ATTRIBUTES or name.startswith("aria-"):
                continue
            del el.attrib[name]
            if name.lower().startswith("on"):
                report.removed(value, f'{name}="{value[:40]}" (script)')
            elif name != "style":
                sanitize._unlisted(name, value, report)
            else:
                kept = sanitize.clean_style(value, report)
                if kept:
                    el.set(name, kept)
        report.finish()
