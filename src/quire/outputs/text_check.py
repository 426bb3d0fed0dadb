"""The print PDF's text checked against its source, after layout, on every print build.

The PDF's text (outputs/pdf_text.py: decoded through each font's ToUnicode) is compared,
page by page, with the print HTML that WeasyPrint laid out: each page with the documents
whose pages it is among (from where each document's anchor lies) and with the text around
them (front matter, running heads, labels, the stylesheets' strings). The rules:

- each piece of text the PDF places on its own (a text box of a line) is a stretch of the
  source, so a word inside it must be a word of the source; its first word may begin and
  its last word end inside a source word (hyphenation at a line end, a styled part of a
  word). Case and compatibility forms are folded (text-transform, ligatures); numbers are
  not checked (page numbers, counters); nor are the words of right-to-left scripts
  (Arabic, Hebrew, ...): only the glyph checks below cover those;
- every letter a document's visible source text uses appears on its pages;
- every glyph has text, and no glyph's embedded font says it is another letter than its
  text (pdf_text).

A mismatch is an error, one line per document: the PDF is not written (the previous one
stays). A character drawn as .notdef (no font has it: an emoji, a private-use icon) is a
warning, one line per document, as a script without a font is (fonts.py, whose warning
stands alone for the letters of such a script); --strict fails on it. What it leaves out:
text in images, and the order of the words (a page whose words
are all right but shuffled passes).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path

from ..errors import QuireError
from .pdf.patches import page_box

_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_WORD = re.compile(rf"(?:[^\W_]|[{_MARKS}])+")
_WORD_CHAR = re.compile(rf"[^\W_]|[{_MARKS}]")
_HYPHENS = "-\u2010\u2011\u00ad"
# Right-to-left scripts: WeasyPrint draws their glyphs in visual order and gives each
# glyph the text of the first cluster it is drawn in (a lam-alef ligature, a letter with
# its vowel marks). The left-to-right scripts that reorder and join letters (Indic, Thai,
# Myanmar, Khmer, ...) are checked: the PDF carries their clusters' text as /ActualText
# (patches._actual_text_for_reshaped_clusters), which pdf_text reads.
_COMPLEX = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff"
    "\U0001e800-\U0001efff]")
_COUNTER = re.compile(r"[ivxlcdm]+|[a-z]{1,2}|[α-ω]{1,2}")
_CSS_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'', re.DOTALL)
_UNSHOWN = ("area", "base", "datalist", "noembed", "noframes", "param", "rp", "script",
            "source", "style", "template", "title", "track")
_SHOWN = 6                          # examples named in a message
# Characters no glyph shows (format characters: zero-width spaces and joiners, soft
# hyphens, bidi controls): out of the text on both sides.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u034f\u061c\u180e\u200b\u200c\u200d\u200e"
                               "\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062"
                               "\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"))
log = logging.getLogger("quire")


_GREEK_MARKED = re.compile("[\u0370-\u03ff\u1f00-\u1fff]")
_GREEK_MARKS = re.compile("(?<=[\u0370-\u03ff])[\u0300-\u036f]+")


def fold(text: str) -> str:
    """Text as compared: compatibility forms and case folded (ligatures, text-transform);
    Greek without its accents and breathings, which Greek capitals drop ("Κεφάλαιο" in
    capitals is "ΚΕΦΑΛΑΙΟ")."""
    text = unicodedata.normalize("NFKC", text.translate(_INVISIBLE)).casefold()
    if _GREEK_MARKED.search(text):
        text = unicodedata.normalize("NFC", _GREEK_MARKS.sub(
            "", unicodedata.normalize("NFD", text)))
    return text.replace("i\u0307", "i").replace("ı", "i")


class _Words:
    """The words of a text, for asking whether a word or a piece of one is among them."""

    def __init__(self, text: str):
        self.words = set(_WORD.findall(fold(text)))
        self._joined = None

    def has(self, token: str, starts_open: bool, ends_open: bool) -> bool:
        if token in self.words:
            return True
        if not (starts_open or ends_open):
            return False
        if self._joined is None:
            self._joined = "\0" + "\0".join(sorted(self.words)) + "\0"
        probe = ("" if starts_open else "\0") + token + ("" if ends_open else "\0")
        return probe in self._joined


class Source:
    """The print HTML's text: each document's (by id), and the text around them."""

    def __init__(self, html: str, stylesheets=()):
        import lxml.html

        root = lxml.html.document_fromstring(html)
        self.order: list[str] = []
        self.words: dict[str, _Words] = {}
        self.letters: dict[str, set[str]] = {}
        around = [" ".join(_css_strings(css) for css in stylesheets)]
        for article in root.xpath("//*[@data-qd]"):
            doc = article.get("data-qd")
            self.order.append(doc)
            attributes = " ".join(v for el in article.iter() for v in el.attrib.values())
            around += ["".join(h.itertext()) for h in article.iter("h1", "h2", "h3", "h4",
                                                                   "h5", "h6")]
            for el in list(article.iter(*_UNSHOWN)) + article.xpath(".//*[@hidden]"):
                el.drop_tree()
            text = "".join(article.itertext())
            self.words[doc] = _Words(text + "\n" + attributes)
            self.letters[doc] = {c for c in set(fold(text)) if c.isalpha()
                                 and not _COMPLEX.match(c)}
            article.drop_tree()
        around += [v for el in root.iter() for v in el.attrib.values()]
        around.append("".join(root.itertext()))
        self.around = _Words("\n".join(around))


def _css_strings(css: str) -> str:
    """The strings in a stylesheet (generated content: labels, quotes, counters' symbols)."""
    def char(match) -> str:
        if match.group(2):
            return match.group(2)
        code = int(match.group(1), 16)
        return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"

    def unescape(text: str) -> str:
        return re.sub(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", char, text)
    return " ".join(unescape(a or b) for a, b in _CSS_STRING.findall(css))


def check(pdf, source: Source, starts: dict[str, int] | None = None,
          first_page: int = 1, laid_out=None) -> dict[str, dict]:
    """The problems of a PDF (a path or a pikepdf.Pdf) laid out from `source`, per document
    id ("" for pages outside any document), as JSON-able dicts; {} when all is well.
    `starts` gives the page index where each document begins (default: its named
    destination in the PDF); pages are numbered from `first_page` in messages.
    `laid_out(page indexes)`, when given, tells the letters the layout put on those pages:
    a letter missing from the PDF that the layout did not show either (a stylesheet hid
    it) is not a problem."""
    import pikepdf

    from . import pdf_text

    if not isinstance(pdf, pikepdf.Pdf):
        with pikepdf.open(pdf) as opened:
            return check(opened, source, starts, first_page, laid_out)
    pages = pdf_text.read(pdf)
    if starts is None:
        starts = _destinations(pdf)
    owners = _owners(source.order, starts, len(pages))
    problems: dict[str, dict] = {}

    def note(doc: str, kind: str, items, number: int) -> None:
        entry = problems.setdefault(doc, {"pages": []})
        if kind == "unmapped":
            entry[kind] = entry.get(kind, 0) + items
        else:
            entry.setdefault(kind, [])
            entry[kind] += [i for i in items if i not in entry[kind]]
        if number not in entry["pages"]:
            entry["pages"].append(number)

    shown: dict[str, set[str]] = {doc: set() for doc in source.order}
    for index, (page, docs) in enumerate(zip(pages, owners)):
        number = index + first_page
        blame = docs[0] if len(docs) == 1 else (docs[-1] if docs else "")
        folded = [fold(segment) for segment in page.segments]
        letters = set("".join(folded))
        for doc in docs:
            shown[doc] |= letters
        vocabularies = [source.words[doc] for doc in docs] + [source.around]
        if wrong := _wrong_words(page.segments, folded, vocabularies):
            note(blame, "words", wrong, number)
        if notdef := [c for c in page.notdef if not _script_without_font(c)]:
            note(blame, "notdef", sorted(notdef), number)
        if page.misdrawn:
            note(blame, "misdrawn", sorted(list(pair) for pair in page.misdrawn), number)
        if page.unmapped:
            note(blame, "unmapped", page.unmapped, number)
    for doc in source.order:
        if doc in starts and (missing := source.letters[doc] - shown[doc]):
            if laid_out is not None:
                missing &= laid_out([i for i, docs in enumerate(owners) if doc in docs])
            if missing:
                note(doc, "missing", sorted(missing), starts[doc] + first_page)
    return problems


def _script_without_font(char: str) -> bool:
    """Whether a character drawn as .notdef is a letter of a script beyond the theme's
    (Latin, Greek, Cyrillic): the build has warned once for a script no font covers
    (fonts.py; --strict fails on it), and that warning stands for it."""
    from fontTools import unicodedata as fonttools_unicodedata

    from ..fonts import THEME_SCRIPTS

    return (len(char) == 1 and char.isalpha()
            and fonttools_unicodedata.script(char) not in THEME_SCRIPTS)


def _owners(order: list[str], starts: dict[str, int], count: int) -> list[list[str]]:
    """For each page, the documents whose pages it is among: from the page a document
    starts on to the page the next one starts on (both). A document without a start is
    allowed on every page."""
    owners: list[list[str]] = [[] for _ in range(count)]
    placed = [doc for doc in order if doc in starts]
    for i, doc in enumerate(placed):
        end = starts[placed[i + 1]] if i + 1 < len(placed) else count - 1
        end = max(end, starts[doc])
        for page in range(starts[doc], min(end, count - 1) + 1):
            owners[page].append(doc)
    for doc in order:
        if doc not in starts:
            for page in owners:
                page.append(doc)
    return owners


def _wrong_words(segments: list[str], folded: list[str], vocabularies) -> list[str]:
    """The words of a page's segments that are in none of the vocabularies (a short one
    with the words beside it), as the PDF shows them."""
    tokens = [_WORD.findall(text) for text in folded]
    unknown = set().union(*tokens).difference(*(words.words for words in vocabularies))
    if not unknown:
        return []
    wrong: list[str] = []
    for segment, text, found in zip(segments, folded, tokens):
        if unknown.isdisjoint(found):
            continue
        starts_open = _WORD_CHAR.match(text) is not None
        tail = text.rstrip(_HYPHENS)
        ends_open = bool(tail) and _WORD_CHAR.match(tail[-1]) is not None
        last = len(found) - 1
        for i, token in enumerate(found):
            if token not in unknown or token.isdigit() or _COMPLEX.search(token):
                continue
            opens, closes = starts_open and i == 0, ends_open and i == last
            if (opens or closes) and any(words.has(token, opens, closes)
                                         for words in vocabularies):
                continue
            if last == 0 and _COUNTER.fullmatch(token):
                continue            # a list marker or counter in another style
            wrong.append(_context(segment, i))
    return list(dict.fromkeys(wrong))


def _context(segment: str, index: int) -> str:
    """The `index`th word of a segment as the PDF has it; a short one with the words
    beside it."""
    text = unicodedata.normalize("NFKC", segment)
    spans = [m.span() for m in _WORD.finditer(text)]
    if index >= len(spans):
        return " ".join(text.split())
    start, end = spans[index]
    if end - start < 3:
        start = spans[max(index - 1, 0)][0]
        end = spans[min(index + 1, len(spans) - 1)][1]
    return " ".join(text[start:end].split())


def _destinations(pdf) -> dict[str, int]:
    """The page index of each named destination of a PDF."""
    import pikepdf
    from pikepdf import NameTree

    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    found: dict[str, int] = {}
    names = pdf.Root.get("/Names")
    if names is not None and "/Dests" in names:
        for name, dest in NameTree(names.Dests).items():
            if isinstance(dest, pikepdf.Dictionary):
                dest = dest.get("/D")
            if isinstance(dest, pikepdf.Array) and len(dest) and dest[0].objgen in pages:
                found[name] = pages[dest[0].objgen]
    return found


def merge(problems: list[dict[str, dict]]) -> dict[str, dict]:
    """The problems of the chunks of one PDF, as one."""
    merged: dict[str, dict] = {}
    for found in problems:
        for doc, entry in found.items():
            into = merged.setdefault(doc, {})
            for kind, items in entry.items():
                if kind == "unmapped":
                    into[kind] = into.get(kind, 0) + items
                else:
                    into.setdefault(kind, [])
                    into[kind] += [i for i in items if i not in into[kind]]
    return merged


def error(problems: dict[str, dict], names: dict[str, str]) -> QuireError | None:
    """The build error for `problems`, one line per document (`names`: id -> its source
    file), or None. Characters without a glyph are not in it (see `warnings`)."""
    lines = [f"{_name(doc, names)}: {sentence}; nothing was built."
             for doc in _ordered(problems, names)
             if (sentence := _sentence({k: v for k, v in problems[doc].items()
                                        if k != "notdef"}))]
    return QuireError("\n".join(lines)) if lines else None


def warnings(problems: dict[str, dict], names: dict[str, str]) -> list[str]:
    """One line per document that shows characters no font has (.notdef): a warning, as a
    script without a font is (fonts.py); --strict fails on it."""
    lines = []
    for doc in _ordered(problems, names):
        if chars := problems[doc].get("notdef"):
            codes = ", ".join(f"U+{ord(c):04X}" for c in chars[:_SHOWN] if len(c) == 1)
            lines.append(f"{_name(doc, names)}: no font has a glyph for {_quoted(chars)}"
                         + (f" ({codes})" if codes else "") + ": they print as empty boxes "
                         f"or nothing{_pages(problems[doc])}")
    return lines


def _ordered(problems: dict[str, dict], names: dict[str, str]) -> list[str]:
    order = list(names)
    return sorted(problems, key=lambda d: (d != "", order.index(d) if d in order
                                           else len(order)))


def _name(doc: str, names: dict[str, str]) -> str:
    return names.get(doc, "front matter")


def _quoted(items, limit: int = _SHOWN) -> str:
    shown = ", ".join(f'"{item}"' for item in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _sentence(entry: dict) -> str:
    parts = []
    if entry.get("words"):
        parts.append(f"the PDF shows {_quoted(entry['words'])} where the source has other "
                     "letters")
    if entry.get("misdrawn"):
        pairs = [f'"{shown}" for "{text}"' for text, shown in entry["misdrawn"][:_SHOWN]]
        more = len(entry["misdrawn"]) - _SHOWN
        parts.append("it draws " + ", ".join(pairs) + (f" and {more} more" if more > 0
                                                        else ""))
    if entry.get("missing"):
        parts.append(f"the source's letters {_quoted(entry['missing'])} are missing from "
                     "its pages")
    if parts:
        parts[-1] += " (fonts map glyphs wrong)"
    if entry.get("unmapped"):
        parts.append(f"{entry['unmapped']} glyphs carry no text (no ToUnicode entry)")
    return "; ".join(parts) + _pages(entry) if parts else ""


def _pages(entry: dict) -> str:
    pages = sorted(entry.get("pages", []))
    return (f" (page{'s' if len(pages) > 1 else ''} "
            f"{', '.join(map(str, pages[:8]))}{' and more' if len(pages) > 8 else ''})")


def stylesheet_texts(publication) -> list[str]:
    """The print stylesheets' text (their strings are text the PDF may show)."""
    return [Path(path).read_text("utf-8", errors="replace")
            for layer, path in publication.stylesheets if layer in ("shared", "print")]


def check_written(publication, html: str, pdf: Path, rendered, first_page: int = 1
                  ) -> dict[str, dict]:
    """`check` for a PDF (or a part of one) quire wrote from `html`, laid out as
    `rendered` (a WeasyPrint document)."""
    starts: dict[str, int] = {}
    for index, page in enumerate(rendered.pages):
        for name in page.anchors:
            starts.setdefault(name, index)

    def laid_out(pages: list[int]) -> set[str]:
        letters: set[str] = set()

        def walk(box):
            if isinstance(getattr(box, "text", None), str):
                letters.update(fold(box.text))
            for child in getattr(box, "children", ()):
                walk(child)
        for index in pages:
            walk(page_box(rendered.pages[index]))
        return letters
    return check(pdf, Source(html, stylesheet_texts(publication)), starts, first_page,
                 laid_out)


def raise_for(publication, problems: dict[str, dict]) -> None:
    """Warn about characters without a glyph and raise the build error, if any."""
    names = {doc.id: str(doc.source) for doc in publication.documents}
    for line in warnings(problems, names):
        log.warning("%s", line)
    found = error(problems, names)
    if found is not None:
        raise found
