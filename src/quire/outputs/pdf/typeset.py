"""What the print HTML needs beyond the model for the page to be set well (PDF only).

- Images at their true size: a raster image is placed at its pixel size at the resolution
  floor (`[pdf] resolution`, 150 ppi) unless the author sized it (`width="250"`,
  `{width=50%}`), never wider than its column (the stylesheet's max-width) nor taller than
  the text block less room for a caption. Sizes are worked out here, in millimetres, so the
  proportions hold whatever limit applies.
- Code blocks: lines longer than the measure cut at a space or punctuation where there is
  one, continued under a hanging indent after a sign (`.ln-sign`); print.css keeps the
  first line with the second and the last two together (orphans, widows). The block stays
  one text with its newlines: a block per line, with a span around every run, made
  WeasyPrint lay Pro Git out 13 % slower (21.2 s against 18.8 s).
- Long quotations and tables (set, by an estimate of their lines, taller than half the
  text block) may break across pages (`.breakable`; a table's rows stay whole and its
  head repeats); shorter ones stay whole (print.css), since a quotation or a table that
  fills a page left the page before it empty (rust-lang/book's table of operators: 75 %). Lines, not
  characters: a quoted list of twenty short steps is as tall as a long paragraph
  (ruanyf/es6tutorial left 47 % of a page empty before one).
- Words kept whole: URLs, e-mail addresses and domain names in running text, and the last
  word of a paragraph in a single column (the last line is never the end of a broken
  word; in narrow columns that costs more in spacing than it gains).

The EPUB is left as the model has it: reading systems size and wrap for their own screens.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from lxml import etree

from ... import design, language, svg_size
from ...model import Publication

CAPTION_ROOM_MM = 22.0          # kept free under a figure's image for its caption
CODE_SIZE = 0.88                # code to text size (print.css: --quire-code-size)
MONO_ADVANCE = 0.6              # Source Code Pro's advance, in em
PRE_PADDING_EM = 1.6 + 0.3 + 1.2    # shared.css: pre's padding and border; the line's indent
LONG_QUOTE = 0.5                # of the text block's height: a quotation this tall may break
CELL_HEIGHT = 0.2               # of the text block's height: an image in a table cell at most
LINE_HEIGHT = 1.4               # the text's leading, in em (about: shared.css and book.css)
TEXT_ADVANCE = 0.47             # a text face's mean advance, in em (a wide character: 1 em)
OTHER_ADVANCE = 0.6             # a letter of another script, from its own font (_text_ems)
SPACE_EM = 0.25                 # a word space
RAGGED_WORDS = 7                # words a line below which text quire cannot hyphenate is ragged
INLINE_CODE_KEPT = 24           # inline code this short is never broken across lines
CONTINUATION = "\u2192"         # the sign before a continued code line (in the theme's fonts)
ZWSP = "\u200b"                 # a line break opportunity that prints nothing
CONTINUATION_INDENT = "  "      # before the sign: the sign and a space make 2.4 em in all
_WORDS_KEPT = re.compile(
    r"(?:https?://|www\.)[^\s<>\"«»]+[^\s<>\"«».,;:!?)]"           # URLs
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"                               # e-mail addresses
    r"|\b(?:[\w-]+\.)+(?:com|org|net|edu|gov|io|dev|info|no|se|dk|fi|de|uk|fr|eu|nl|ch)\b"
    r"(?:/[^\s<>\"«»]*[^\s<>\"«».,;:!?)])?", re.IGNORECASE)
_PARAGRAPHS = ("p", "li", "dd", "figcaption", "td", "th")
_NESTED = ("li", "blockquote", "dd", "td", "th")


@lru_cache(maxsize=512)
def pixel_size(path: Path) -> tuple[int, int] | None:
    """An image's pixel size (None for SVG and anything Pillow cannot read)."""
    if path.suffix.lower() == ".svg":
        return None
    from PIL import Image
    try:
        with Image.open(path) as image:
            return image.size
    except OSError:
        return None


class Typesetter:
    """Prepares a document's print fragment (see the module's docstring)."""

    def __init__(self, publication: Publication):
        pdf = publication.pdf
        self.sources = {asset.name: asset.source for asset in publication.assets}
        self.keep_last_word = pdf.columns == 1
        self.floor = pdf.resolution
        width, height = design.text_block(pdf)
        gap = 6.0 * (pdf.columns - 1)
        self.column_mm = (width - gap) / pdf.columns
        self.max_height_mm = max(20.0, height - CAPTION_ROOM_MM)
        self.text_height_mm = height
        text_pt = dict(publication.theme).get("--quire-font-size", "")
        size = design.mm(text_pt) * 72 / 25.4 if text_pt.endswith("pt") else (
            design.BOOK_FONT_PT if publication.design == "book" else 9.6)
        self.code_pt = size * CODE_SIZE
        char_mm = MONO_ADVANCE * self.code_pt * 25.4 / 72
        padding_mm = PRE_PADDING_EM * self.code_pt * 25.4 / 72
        self.code_chars = max(20, math.floor((self.column_mm - padding_mm) / char_mm) - 1)
        em_mm = size * 25.4 / 72
        self.text_ems = self.column_mm / em_mm          # the measure, in em
        self.quote_lines = LONG_QUOTE * height / (LINE_HEIGHT * em_mm)

    def __call__(self, root, lang: str = "") -> None:
        if lang and self.ragged(root, lang):
            for para in root.iter("p"):
                para.set("class", (para.get("class", "") + " ragged").strip())
        for img in root.iter("img"):
            self.size_image(img)
        svg_size.fit(root, self.column_mm, self.max_height_mm)
        for pre in list(root.iter("pre")):
            self.code_lines(pre)
        line_mm = LINE_HEIGHT * self.column_mm / self.text_ems
        for block in root.iter("blockquote", "table"):
            if _lines(block, self.text_ems, self.code_chars, line_mm) > self.quote_lines:
                block.set("class", (block.get("class", "") + " breakable").strip())
        for code in root.iter("code", "kbd", "samp"):
            text = "".join(code.itertext())
            if _inside(code, ("pre",)):
                continue
            if len(text) <= INLINE_CODE_KEPT:
                code.set("class", (code.get("class", "") + " nowrap").strip())
                _break_before(code)
            else:
                _code_breaks(code)
        for el in list(root.iter(*_PARAGRAPHS)):
            if not _inside(el, ("pre", "code")):
                _keep_words(el)
                if self.keep_last_word:
                    _keep_last_word(el)

    def ragged(self, root, lang: str) -> bool:
        """Whether a document's paragraphs are set ragged-right rather than justified:
        when quire cannot hyphenate its language (no Pyphen patterns; Thai, whose patterns
        it leaves out) and its words are so long for the measure that fewer than
        RAGGED_WORDS fit a line. Justified, a Tamil text of five words a line stretched
        its spaces a word wide (learnxinyminutes-docs, ta/json.md). Chinese and Japanese,
        which break between any two characters, fill their lines and stay justified."""
        import pyphen

        base = lang.split("-")[0].lower()
        if base != "th" and pyphen.language_fallback(lang.replace("-", "_")):
            return False
        text = language.prose(root, 4000)
        words = text.split()
        if len(words) < 20:
            return False
        if sum(_kind(c) == "wide" for c in text) > len(text) / 4:
            return False
        ems = sum(_text_ems(c) for c in text if not c.isspace()) / len(words)
        return self.text_ems / (ems + SPACE_EM) < RAGGED_WORDS

    # -- images ---------------------------------------------------------------------------
    def size_image(self, img) -> None:
        parent = img.getparent()
        if parent is not None and parent.tag == "p" and not "".join(parent.itertext()).strip():
            # no first-line indent (book.css): an SVG figure was pushed 4.4 mm past the
            # text block by it (rust-lang/book's Graphviz diagrams)
            parent.set("class", (parent.get("class", "") + " image-only").strip())
        elif (parent is not None and parent.tag == "p" and parent.index(img) == 0
              and not (parent.text or "").strip() and not (img.tail or "").strip()
              and len(parent) > 1 and parent[1].tag == "br"):
            # an image on a line of its own above its source line (system-design-primer:
            # <p align="center"><img ...><br/><i>Source: ...</i></p>): no indent either
            parent.set("class", (parent.get("class", "") + " image-line").strip())
        source = self.sources.get(img.get("src", ""))
        wanted = (img.get("width") or "").strip()
        cell = next(_ancestors(img, ("td", "th")), None)
        pixels = pixel_size(source) if source else None
        raster = bool(pixels and all(pixels))
        if raster:                                      # its true size at the floor
            natural = (pixels[0] / self.floor * 25.4, pixels[1] / self.floor * 25.4)
        elif source and cell is not None and not wanted and source.suffix.lower() == ".svg":
            natural = svg_size.intrinsic_mm(source)     # its own size, as CSS lays it out
        else:
            natural = None
        if not natural:
            return
        ratio = pixels[1] / pixels[0] if raster else natural[1] / natural[0]
        column = self.column_mm * (0.85 if _inside(img, _NESTED) else 1.0)
        if re.fullmatch(r"\d+(\.\d+)?%", wanted):
            width = column * min(100.0, float(wanted[:-1])) / 100
        elif re.fullmatch(r"\d+(\.\d+)?(px)?", wanted):
            width = float(wanted.removesuffix("px")) * 25.4 / 96      # CSS pixels
        else:
            width = natural[0]
        height = self.max_height_mm
        if cell is not None and not wanted:
            # a share of the measure, and a row no taller than CELL_HEIGHT of the page:
            # rust-lang/book's table of Ferris icons (1259 px SVGs) filled a column's
            # width and a third of a page a row, and left a 64 % hole before it
            row = cell.getparent()
            cells = sum(1 for c in row if c.tag in ("td", "th")) if row is not None else 1
            column = column / max(cells, 1)
            height = min(height, CELL_HEIGHT * self.text_height_mm)
        width = min(width, column, height / ratio)
        img.attrib.pop("height", None)
        if raster:                                      # its resolution is checked
            img.set("data-px", f"{pixels[0]}x{pixels[1]}")      # (layout_report)
        style = img.get("style", "").rstrip("; ")
        img.set("style", (style + "; " if style else "")
                + f"width: {width:.2f}mm; height: {width * ratio:.2f}mm")

    # -- code -----------------------------------------------------------------------------
    def code_lines(self, pre) -> None:
        code = pre[-1] if len(pre) and pre[-1].tag == "code" and not (pre[-1].tail or "").strip() \
            else pre
        if code is pre and len(pre) and pre[0].tag == "span" and not len(pre[0]) \
                and not pre[0].text:
            pre.remove(pre[0])          # codehilite's empty first span
        if any(el.tag not in ("span", "code", "b", "i", "em", "strong") for el in code.iter()
               if el is not code):
            return                      # hand-made markup inside: left as it is
        runs = _runs(code)
        lines: list[list[tuple[str, str]]] = [[]]
        for text, cls in runs:
            for index, piece in enumerate(text.split("\n")):
                if index:
                    lines.append([])
                if piece:
                    lines[-1].append((piece, cls))
        if lines and not lines[-1]:
            lines.pop()                 # the newline that ends the block
        if pre is not code and len(pre) and pre[0].tag == "span" and not pre[0].text:
            pre.remove(pre[0])
        limit = self.code_chars - 3 * sum(1 for _ in _ancestors(pre, _NESTED))
        for child in list(code):
            code.remove(child)
        code.text = None
        first = True
        for line in lines:
            for number, piece in enumerate(_wrap(line, max(20, limit))):
                if not first:
                    _append(code, "\n")
                first = False
                if number:
                    _append(code, CONTINUATION_INDENT)
                    sign = etree.SubElement(code, "span")
                    sign.set("class", "ln-sign")
                    sign.text = CONTINUATION
                    sign.tail = " "
                for text, cls in piece:
                    if cls:
                        run = etree.SubElement(code, "span")
                        run.set("class", cls)
                        run.text = text
                    else:
                        _append(code, text)
        pre.set("class", (pre.get("class", "") + " lines").strip())


_BLOCKS = ("p", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "tr", "div",
           "figcaption", "blockquote")


_IMAGE_HEIGHT = re.compile(r"height:\s*([\d.]+)mm")


def _lines(el, measure_em: float, code_chars: int, line_mm: float = 0.0) -> float:
    """About how many lines `el` sets in: each block's own text over the measure (its
    characters as wide as `_text_ems` says), a code block's lines as
    they are and its padding (a line), at least a line for every block that holds text,
    half a line of space around each block, and the images size_image gave a height
    (those of a table row side by side: the tallest), in lines of `line_mm`."""
    total = 0.0
    if line_mm:
        rows: dict = {}
        for img in el.iter("img"):
            found = _IMAGE_HEIGHT.search(img.get("style", ""))
            if found:
                row = next(_ancestors(img, ("tr",)), img)
                rows[row] = max(rows.get(row, 0.0), float(found.group(1)) / line_mm)
        total += sum(rows.values())
    for block in el.iter(*_BLOCKS):
        if block.tag == "pre":
            text = "".join(block.itertext()).rstrip("\n")
            total += 1.5 + sum(1 + int(sum(map(_columns, line))) // code_chars
                               for line in text.split("\n"))
            continue
        if _inside(block, ("pre",)):
            continue
        own = [block.text or ""] + [
            (child.tail or "") if child.tag in _BLOCKS else
            "".join(child.itertext()) + (child.tail or "") for child in block]
        text = " ".join("".join(own).split())
        if text:
            total += math.ceil(sum(map(_text_ems, text)) / measure_em) + 0.5
    return total


def _append(parent, text: str) -> None:
    """Add text at the end of `parent`'s content."""
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _runs(code) -> list[tuple[str, str]]:
    """The text of a code element as (text, Pygments class of its innermost span)."""
    runs: list[tuple[str, str]] = []

    def walk(el, cls):
        if el.text:
            runs.append((el.text, cls))
        for child in el:
            walk(child, child.get("class", cls) if child.tag == "span" else cls)
            if child.tail:
                runs.append((child.tail, cls))
    walk(code, "")
    return runs


_BREAK_AFTER = " ,;([{=+&|\uff0c\u3001\uff1b"      # and "，", "、", "；"
WIDE_COLUMNS = 1 / MONO_ADVANCE     # a character 1 em wide, in columns of the code face
OTHER_COLUMNS = 1.6                 # a letter from a script's own font (Tamil: 0.83-0.89 em)


@lru_cache(maxsize=4096)
def _kind(char: str) -> str:
    """"mark" (combining, or a format control: no width), "wide" (CJK: 1 em), "theme" (a
    script the theme's faces draw: Latin, Greek, Cyrillic, their marks and punctuation)
    or "other" (drawn from its script's own font)."""
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return "mark"
    if unicodedata.east_asian_width(char) in "WF":
        return "wide"
    point = ord(char)
    return "theme" if point < 0x530 or 0x1D00 <= point < 0x2E80 else "other"


_CODE_COLUMNS = {"mark": 0.0, "wide": WIDE_COLUMNS, "theme": 1.0}


def _columns(char: str) -> float:
    """How many columns of the code face (Source Code Pro, 0.6 em) a character takes: one
    for what that face draws; nothing for a combining mark or a format control; a wide
    character (CJK) 1 em; a letter the face lacks, drawn from its script's font,
    OTHER_COLUMNS, the widest found with a margin for shaping (the mean advance of a
    spacing letter in real text: Tamil 0.83 em in Noto Sans, 0.89 in Noto Serif; Arabic
    0.61, Thai 0.54, Devanagari 0.53, Hebrew 0.53). Cut a little early rather than late:
    a line cut late is wrapped again by WeasyPrint, with no sign."""
    return _CODE_COLUMNS.get(_kind(char), OTHER_COLUMNS)


# Scripts whose letters are wider than OTHER_ADVANCE in their Noto Sans face, in em a
# spacing letter: Tamil measured over real text; Malayalam and Sinhala from their letters'
# mean advance (1.01, 0.90 em) scaled as Tamil's (1.05 -> 0.82).
_WIDE_SCRIPTS = ((0x0B80, 0x0C00, 0.82), (0x0D00, 0x0D80, 0.80), (0x0D80, 0x0E00, 0.70))
_TEXT_EMS = {"mark": 0.0, "wide": 1.0, "theme": TEXT_ADVANCE}


def _text_ems(char: str) -> float:
    """About how wide a character is in the text's face, in em: nothing for a mark, 1 em
    for a wide character, TEXT_ADVANCE for the theme's scripts (Latin, Greek, Cyrillic),
    OTHER_ADVANCE for a letter drawn from another script's own font (Noto Sans, over real
    text: Arabic 0.61 em a spacing letter, Thai 0.54, Devanagari 0.53, Hebrew 0.53),
    more for the wide ones (_WIDE_SCRIPTS)."""
    kind = _kind(char)
    if kind != "other":
        return _TEXT_EMS[kind]
    point = ord(char)
    return next((em for low, high, em in _WIDE_SCRIPTS if low <= point < high), OTHER_ADVANCE)


def _joined(text: str, index: int) -> bool:
    """Whether text[index] belongs to the letter before it: a mark (a Tamil or Devanagari
    vowel sign, an accent), or after a virama or a joiner (a conjunct)."""
    before = text[index - 1]
    return unicodedata.category(text[index]) in ("Mn", "Mc", "Me") or \
        text[index] in "\u200c\u200d" or before in "\u200d" or \
        unicodedata.combining(before) == 9                 # a virama


def _wrap(line: list[tuple[str, str]], limit: int) -> list[list[tuple[str, str]]]:
    """A source line as pieces of at most `limit` columns of the code face (continuations
    two less, for their sign), cut after a space or punctuation in the last third when
    there is one. Columns, not characters: a Chinese character takes 1 em, a Tamil letter
    drawn from its own font more than the code face's 0.6 em, a combining mark nothing
    (`_columns`); counted as one column each, such lines were cut too late and WeasyPrint
    wrapped them again with no sign (learnxinyminutes-docs, ta/json.md)."""
    text = "".join(t for t, _ in line)
    widths = [_columns(c) for c in text]
    if sum(widths) <= limit:
        return [line]
    ends = list(itertools.accumulate(widths))           # columns up to and with text[i]
    cuts, start = [], 0
    while ends[-1] - (ends[start - 1] if start else 0) > (limit if not cuts else limit - 2):
        width = limit if not cuts else limit - 2
        base = ends[start - 1] if start else 0
        fits = start
        while fits < len(text) and ends[fits] - base <= width:
            fits += 1
        fits = max(fits, start + 1)                     # at least one character a piece
        window = text[start:fits]
        cut = max(window.rfind(c) for c in _BREAK_AFTER) + 1
        if cut < len(window) * 2 // 3:
            cut = len(window)
            while cut > 1 and start + cut < len(text) and _joined(text, start + cut):
                cut -= 1                                # not inside a letter's cluster
        cuts.append(start + cut)
        start += cut
    pieces, bounds = [], [0, *cuts, len(text)]
    for begin, end in itertools.pairwise(bounds):
        piece, position = [], 0
        for run, cls in line:
            lo, hi = max(begin, position), min(end, position + len(run))
            if lo < hi:
                piece.append((run[lo - position:hi - position], cls))
            position += len(run)
        pieces.append(piece)
    return pieces


# -- words ---------------------------------------------------------------------------------

def _keep_words(el) -> None:
    """URLs, e-mail addresses and domains in running text: never hyphenated."""
    for node, attr in list(_slots(el)):
        text = getattr(node, attr)
        if not text or not _WORDS_KEPT.search(text):
            continue
        _wrap_matches(node, attr, text, _WORDS_KEPT)


def _keep_last_word(el) -> None:
    """The last word of a paragraph: never hyphenated."""
    slots = [(node, attr) for node, attr in _slots(el) if (getattr(node, attr) or "").strip()]
    if not slots:
        return
    node, attr = slots[-1]
    text = getattr(node, attr)
    match = re.search(r"\S*\w\S*\s*$", text)
    if match and len(match.group(0).strip()) > 5:
        _wrap_span(node, attr, text, match.start(), match.end())


def _slots(el):
    """(element, "text" | "tail") holding the running text of `el`, in order; not inside
    code, links that are calls, or spans already kept."""
    yield el, "text"
    for child in el:
        if not isinstance(child.tag, str):
            continue
        skip = child.tag in ("code", "kbd", "samp", "pre", "img", "svg", "math") or \
            "noteref" in (child.get("class") or "") or "nohy" in (child.get("class") or "")
        if not skip and child.tag not in _PARAGRAPHS:
            yield from _slots(child)
        yield child, "tail"


def _wrap_matches(node, attr, text, pattern) -> None:
    matches = list(pattern.finditer(text))
    for match in reversed(matches):
        _wrap_span(node, attr, getattr(node, attr), match.start(), match.end())


def _wrap_span(node, attr, text, start, end) -> None:
    """Put text[start:end] of node.text / node.tail into a <span class="nohy">."""
    span = etree.Element("span")
    span.set("class", "nohy")
    span.text = text[start:end]
    span.tail = text[end:]
    if attr == "text":
        node.text = text[:start]
        node.insert(0, span)
    else:
        node.tail = text[:start]
        node.addnext(span)


_CODE_BREAK = re.compile(r"(?:(?<=[^\W\d])|(?<=[\])]))(?=\.(?:[^\W\d]|\$)|\[)")


def _code_breaks(code) -> None:
    """Line break opportunities in longer inline code, where a compositor breaks a name:
    before a period that starts a member (`a.b` breaks as "a" / ".b", the period telling
    the reader the line goes on) and before an opening bracket. Without them a qualified
    name is one word: `GeneratorFunction.prototype[Symbol.toStringTag]` followed by a
    full-width colon and a quotation left no break in the line at all (ruanyf/es6tutorial).
    Numbers such as 3.14 keep their period."""
    for node in code.iter():
        if node.text:
            node.text = _CODE_BREAK.sub(ZWSP, node.text)
        if node is not code and node.tail:
            node.tail = _CODE_BREAK.sub(ZWSP, node.tail)


def _break_before(el) -> None:
    """A line break opportunity (a zero-width space, U+200B, which the PDF's text leaves
    out) before a nowrap element that follows a space (or CJK text or punctuation such as
    "，" and "、"): WeasyPrint 70 finds none there, so a run of short code such as "`a`,
    `b`, `c`" made one line running off the page. In the text, not as a `<wbr>`: that is an
    inline box of its own, and Pro Git laid out 13 % slower with them."""
    node = el
    while node.getprevious() is None and node.getparent() is not None \
            and node.getparent().tag in _INLINE and not (node.getparent().text or ""):
        node = node.getparent()
    before = node.getprevious()
    text = before.tail if before is not None else (node.getparent().text
                                                   if node.getparent() is not None else "")
    last = text[-1] if text else ""
    if (last.isspace() and last != "\u00a0") or (
            last and unicodedata.east_asian_width(last) in "WF"
            and unicodedata.category(last) != "Ps"):      # "，", "、", an ideograph
        if before is not None:
            before.tail += ZWSP
        else:
            node.getparent().text += ZWSP


_INLINE = ("a", "em", "strong", "span", "b", "i", "sup", "sub", "small", "mark", "q", "cite")


def _ancestors(el, tags):
    parent = el.getparent()
    while parent is not None:
        if parent.tag in tags:
            yield parent
        parent = parent.getparent()


def _inside(el, tags) -> bool:
    return next(_ancestors(el, tags), None) is not None
