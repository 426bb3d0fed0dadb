"""The index: marks in the text, one index in both outputs.

Marks: `[term]{.index}` (the text is the entry), `[text]{.index term="Entry!Subentry"}` and
`[text]{.index see="Other"}` (a cross-reference, no locator). The Markdown step marks them
(`<span class="quire-index">`); loading gives each mark an id, and builds the index: entries
sorted by the language's alphabet (Norwegian and Danish æ ø å, Swedish and Finnish å ä ö
after z; other letters by their base letter), grouped by letter, with EPUB Indexes 1.0
semantics (`data-epub-type`, made `epub:type` by the EPUB writer). In the EPUB each locator
links to a mark (one per section, named by the section's heading); in print the locators
are the printed pages of all marks, ranges joined (12–14), filled in from the layout
(`fill_pages`: a second layout in one piece, the page numbers of the parts in parallel).
It leaves out "see also", page ranges marked in the text, and several indexes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from xml.etree import ElementTree

from markdown.inlinepatterns import InlineProcessor

from . import language

CLASS = "quire-index"
PLACEHOLDER = "000"
_ATTRS = re.compile(r"""\.([\w-]+)|#([\w-]+)|([\w-]+)=("[^"]*"|'[^']*'|[^\s"'}]+)""")
PATTERN = r"\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\{([^{}\n]*\.index\b[^{}\n]*)\}"
TITLES = {"en": "Index", "nb": "Register", "nn": "Register", "no": "Register",
          "da": "Register", "sv": "Register", "de": "Register", "fr": "Index", "es": "Índice"}
SEE = {"en": "see", "nb": "se", "nn": "sjå", "no": "se", "da": "se", "sv": "se",
       "de": "siehe", "fr": "voir", "es": "véase"}
AFTER_Z = {"nb": "æøå", "nn": "æøå", "no": "æøå", "da": "æøå", "sv": "åäö", "fi": "åäö",
           "is": "þæö", "et": "õäöü"}
FOLD = {"nb": {"ä": "æ", "ö": "ø"}, "no": {"ä": "æ", "ö": "ø"}, "nn": {"ä": "æ", "ö": "ø"},
        "da": {"ä": "æ", "ö": "ø"}, "sv": {"æ": "ä", "ø": "ö"}, "fi": {"æ": "ä", "ø": "ö"}}


_BASE = {"æ": "ae", "ø": "o", "ß": "ss", "œ": "oe", "þ": "th", "đ": "d", "ł": "l", "ı": "i"}


class IndexPattern(InlineProcessor):
    def handleMatch(self, m, data):
        attrs = {"class": []}
        for cls, _, key, value in _ATTRS.findall(m.group(2)):
            if cls:
                attrs["class"].append(cls)
            elif key:
                attrs[key] = value.strip("\"'")
        if "index" not in attrs["class"]:
            return None, None, None
        el = ElementTree.Element("span", {"class": CLASS})
        for key in ("term", "see"):
            if attrs.get(key):
                el.set(f"data-{key}", attrs[key])
        el.text = m.group(1)
        return el, m.start(0), m.end(0)


def register(md) -> None:
    md.inlinePatterns.register(IndexPattern(PATTERN, md), "quire-index", 173)


def sort_key(text: str, lang: str):
    """A collation key: the language's own letters after z, others by their base letter,
    case and accents only breaking ties."""
    primary = language.primary(lang)
    after, fold = AFTER_Z.get(primary, ""), FOLD.get(primary, {})
    base = []
    for char in text.casefold():
        char = fold.get(char, char)
        if char in after:
            base.append("{" + str(after.index(char)))   # "{" sorts after "z"
            continue
        stripped = "".join(c for c in unicodedata.normalize("NFD", char)
                           if not unicodedata.combining(c))
        base.append(_BASE.get(stripped, stripped))
    key = "".join(base)
    key = key.lstrip("\"'“”‘’«»„(-–—*_ ")
    return (0 if key[:1].isalpha() or key[:1] == "{" else 1, key, text.casefold(), text)


def group_letter(text: str, lang: str) -> str:
    primary = language.primary(lang)
    first = text.lstrip("\"'“”‘’«»„(-–—*_ ")[:1]
    folded = FOLD.get(primary, {}).get(first.casefold(), first.casefold())
    if folded in AFTER_Z.get(primary, ""):
        return folded.upper()
    base = "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))
    base = _BASE.get(base, base)[:1]
    return base.upper() if base.isalpha() else "#"


@dataclass
class Entry:
    name: str
    id: str = ""
    marks: list = field(default_factory=list)       # (mark id, document id, section title)
    see: list[str] = field(default_factory=list)
    children: dict[str, Entry] = field(default_factory=dict)


class Index:
    """The entries of a publication, as its marks are found in reading order."""

    def __init__(self, lang: str):
        self.lang = lang
        self.entries: dict[str, Entry] = {}
        self.count = 0

    def mark(self, span, claim_id, doc_id: str, section: str) -> None:
        """Turn a mark into an anchor and file it under its entry."""
        text = " ".join("".join(span.itertext()).split())
        path = [p.strip() for p in (span.get("data-term") or text).split("!") if p.strip()]
        see = span.get("data-see")
        span.attrib.clear()
        if not path:
            return
        self.count += 1
        mark_id = claim_id(f"ix-{self.count}")
        span.set("id", mark_id)
        span.set("class", "index-mark")
        entries, entry = self.entries, None
        for part in path:
            entry = entries.setdefault(part, Entry(part))
            entries = entry.children
        if see:
            entry.see.append(see)
        else:
            entry.marks.append((mark_id, doc_id, section))

    def __bool__(self) -> bool:
        return bool(self.entries)

    def xhtml(self, claim_id, heading: str | None) -> str:
        """The index as a model XHTML fragment (ids claimed here)."""
        lang = self.lang
        for entry in _walk(self.entries):
            entry.id = claim_id(f"ixe-{_slug(entry.name)}")
        groups: dict[str, list[Entry]] = {}
        for entry in sorted(self.entries.values(), key=lambda e: sort_key(e.name, lang)):
            groups.setdefault(group_letter(entry.name, lang), []).append(entry)
        out = ['<section class="index" role="doc-index" data-epub-type="index">']
        if heading:
            out.append(f'<h2 class="index-title">{_esc(heading)}</h2>')
        for letter, entries in groups.items():
            group_id = claim_id(f"ixg-{_slug(letter)}")
            out.append(f'<section class="index-group" data-epub-type="index-group" '
                       f'id="{group_id}" aria-label="{_esc(letter)}">'
                       f'<p class="index-letter">{_esc(letter)}</p>')
            out.append(self._list(entries))
            out.append("</section>")
        out.append("</section>")
        return "".join(out)

    def _list(self, entries) -> str:
        items = []
        for entry in entries:
            parts = [(f'<li class="index-entry" data-epub-type="index-entry" id="{entry.id}">'
                      f'<span class="index-term" data-epub-type="index-term">'
                      f"{_esc(entry.name)}</span>")]
            if entry.marks:
                parts.append(", " + _locators(entry.marks))
            for other in entry.see:
                target = self._find(other)
                ref = (f'<a href="#{target.id}" data-epub-type="index-xref-preferred">'
                       f"{_esc(other)}</a>" if target else _esc(other))
                parts.append(f'<span class="index-see">, <em>{SEE.get(language.primary(self.lang), "see")}'
                             f"</em> {ref}</span>")
            if entry.children:
                parts.append(self._list(sorted(entry.children.values(),
                                               key=lambda e: sort_key(e.name, self.lang))))
            items.append("".join(parts) + "</li>")
        return ('<ul class="index-entries" data-epub-type="index-entry-list">'
                + "".join(items) + "</ul>")

    def _find(self, name: str) -> Entry | None:
        path = [p.strip() for p in name.split("!")]
        entries, entry = self.entries, None
        for part in path:
            entry = entries.get(part)
            if entry is None:
                return None
            entries = entry.children
        return entry


def _locators(marks) -> str:
    """One link per section in which the entry is marked (its heading as the text); all
    marks listed for print, which shows their pages instead."""
    links, seen = [], set()
    for mark_id, doc_id, section in marks:
        if (doc_id, section) in seen:
            continue
        seen.add((doc_id, section))
        links.append(f'<a href="#{mark_id}" data-epub-type="index-locator">{_esc(section)}</a>')
    all_marks = " ".join(m for m, _, _ in marks)
    return (f'<span class="index-locators" data-marks="{all_marks}">'
            + ", ".join(links) + "</span>")


def _walk(entries):
    for entry in entries.values():
        yield entry
        yield from _walk(entry.children)


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.lower()).strip("-") or "entry"


def _esc(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def title(lang: str) -> str:
    return TITLES.get(language.primary(lang), TITLES["en"])


# -- print: page numbers ------------------------------------------------------------------

_LOCATOR_SPAN = re.compile(r'<span class="index-locators" data-marks="([^"]*)">.*?</span>', re.DOTALL)


def fill_pages(html: str, numbers: dict[str, str] | None,
               placeholder: str = PLACEHOLDER) -> tuple[str, dict[str, str]]:
    """The print HTML with each entry's locators as the pages of its marks (consecutive
    pages as a range), and the page number used for each mark (`placeholder` when not
    known yet)."""
    used: dict[str, str] = {}

    def pages(match):
        marks = match.group(1).split()
        by_page: dict[str, str] = {}
        for mark in marks:
            label = (numbers or {}).get(mark, placeholder)
            used[mark] = label
            by_page.setdefault(label, mark)
        links = [f'<a href="#{mark}">{text}</a>' for text, mark in _ranges(by_page)]
        return '<span class="index-locators">' + ", ".join(links) + "</span>"
    return _LOCATOR_SPAN.sub(pages, html), used


def _ranges(by_page: dict[str, str]) -> list[tuple[str, str]]:
    """[(text, first mark)]: consecutive page numbers joined as 12–14."""
    numeric = sorted((int(p), m) for p, m in by_page.items() if p.isdigit())
    out: list[tuple[str, str]] = []
    run: list[tuple[int, str]] = []
    for page, mark in numeric + [(None, None)]:
        if run and (page is None or page != run[-1][0] + 1):
            first, last = run[0][0], run[-1][0]
            out.append((f"{first}\u2013{last}" if last > first else str(first), run[0][1]))
            run = []
        if page is not None:
            run.append((page, mark))
    out += [(p, m) for p, m in by_page.items() if not p.isdigit()]
    return out


def anchor_pages(rendered) -> dict[str, str]:
    """The page number of every anchor of a WeasyPrint document (the first of a name)."""
    numbers: dict[str, str] = {}
    for number, page in enumerate(rendered.pages, 1):
        for name in page.anchors:
            numbers.setdefault(name, str(number))
    return numbers


def render_with_pages(render, html: str):
    """`render(html)`, the index showing printed pages: laid out with placeholders, then
    with the pages found, until they hold (a formula of pages in one piece)."""
    if 'class="index-locators"' not in html:
        return render(html)
    numbers = None
    for _ in range(4):
        filled, used = fill_pages(html, numbers)
        rendered = render(filled)
        numbers = anchor_pages(rendered)
        if all(numbers.get(mark) == label for mark, label in used.items()):
            break
    return rendered
