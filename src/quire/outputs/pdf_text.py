"""The text a PDF carries, page by page: what a reader copies and a screen reader reads.

Every string a page shows (Tj, TJ, ', ") is decoded through its font's ToUnicode CMap
(bfchar and bfrange; two-byte codes for Type0 fonts, one byte for simple fonts, whose
Encoding is used when they lack a ToUnicode). Each piece of text placed on its own (after
BT, Tm, Td, TD, T*, ' or ") is a segment: WeasyPrint places every text box of a line so.
Form XObjects are read where they are drawn. With pikepdf and fontTools (WeasyPrint's).

Besides the text, it reports what no reader would get right, per page:
- `.notdef` glyphs: glyph 0, or a glyph the embedded font does not have (WeasyPrint 70
  draws a character no font covers with an id past the font's last glyph);
- codes with no Unicode mapping;
- glyphs drawn as another letter than the text says: the embedded font's own cmap maps
  the glyph to other characters than the ToUnicode CMap does (two font files of one face,
  e.g. split by unicode-range, whose glyph ids clash in one embedded font).

It reads content streams as PDF producers write them with a regular expression, not a full
tokenizer: inline images (BI ... EI) and text in Type3 glyph procedures are not read.
"""

from __future__ import annotations

import io
import re
import struct
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

_STRING = rb"\((?:[^()\\]++|\\.|\((?:[^()\\]++|\\.|\((?:[^()\\]|\\.)*\))*\))*+\)"
_HEX = rb"<[0-9A-Fa-f\s]*>"
_NUM = rb"[-+]?(?:\d+\.?\d*|\.\d+)"
_OPS = re.compile(      # the lookahead first: 2x faster than trying each branch everywhere
    rb"(?=[\[(</%TBE])(?:(?P<tj>\[(?:[^\]()]++|" + _STRING + rb")*+\])\s*TJ"
    rb"|(?P<tx>" + _STRING + rb"|" + _HEX + rb")\s*(?P<op>Tj|'|\")"
    rb"|/(?P<font>[^\s/\[\]()<>{}%]+)\s+" + _NUM + rb"\s+Tf"
    rb"|/(?P<xobject>[^\s/\[\]()<>{}%]+)\s+Do\b"
    rb"|(?P<move>(?<![\w*'\"])(?:Tm|Td|TD|T\*|BT|ET)(?![\w*'\"]))"
    rb"|(?P<bdc>/[^\s/\[\]()<>{}%]+\s*(?:<<(?P<props>(?:[^<>()]++|" + _HEX + rb"|" + _STRING +
    rb"|<<[^<>]*>>)*)>>\s*BDC|/[^\s/\[\]()<>{}%]+\s*BDC|BMC)(?![\w*'\"]))"
    rb"|(?P<emc>(?<![\w*'\"])EMC(?![\w*'\"]))"
    rb"|" + _STRING + rb"|%[^\r\n]*)", re.DOTALL)
_PIECES = re.compile(_HEX + rb"|" + _STRING, re.DOTALL)
_ACTUAL = re.compile(rb"/ActualText\s*(" + _HEX + rb"|" + _STRING + rb")", re.DOTALL)
_ANGLES = bytes.maketrans(b">", b"<")
_SURROGATE = re.compile(rb"[\xd8-\xdf]")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


@dataclass
class PageText:
    segments: list[str] = field(default_factory=list)      # text placed on its own, in order
    notdef: set[str] = field(default_factory=set)          # characters drawn with no glyph
    unmapped: int = 0                                       # glyphs with no Unicode mapping
    misdrawn: set[tuple[str, str]] = field(default_factory=set)   # (text, glyph's letters)

    @property
    def text(self) -> str:
        return "\n".join(self.segments)


def read(pdf, first: int = 0, last: int | None = None) -> list[PageText]:
    """The text of each page of `pdf` (a path or an open pikepdf.Pdf), from page index
    `first` up to, not including, `last`."""
    import pikepdf

    if not isinstance(pdf, pikepdf.Pdf):
        with pikepdf.open(pdf) as opened:
            return read(opened, first, last)
    fonts: dict[tuple, _Font] = {}
    pages = []
    for page in list(pdf.pages)[first:last]:
        found = PageText()
        _Reader(found, fonts).run(page.obj.get("/Contents"), page.resources)  # inherited too
        pages.append(found)
    return pages


class _Reader:
    def __init__(self, page: PageText, fonts: dict):
        self.page, self.fonts = page, fonts
        self.depth = 0

    def run(self, contents, resources) -> None:
        import pikepdf

        if contents is None:
            return
        if isinstance(contents, pikepdf.Array):
            data = b"\n".join(part.read_bytes() for part in contents)
        else:
            data = contents.read_bytes()
        resources = resources if resources is not None else pikepdf.Dictionary()
        font, pieces, segments = None, [], self.page.segments
        marks: list[str | None] = []        # open marked content: its /ActualText
        actual = 0                          # how many of them carry one
        for match in _OPS.finditer(data):
            kind = match.lastgroup
            if kind == "tj" or kind == "op":
                if kind == "op" and match.group("op") != b"Tj" and pieces:
                    segments.append("".join(pieces))       # ' and " start a new line
                    pieces = []
                if font is not None:
                    body = match.group("tj")
                    shown = font.show(self.page, _codes(body[1:-1]) if body else
                                      _string(match.group("tx")))
                    if not actual:
                        pieces.append(shown)
            elif kind == "bdc":
                found = _ACTUAL.search(match.group("props") or b"")
                marks.append(_text_string(_string(found.group(1))) if found else None)
                actual += found is not None
            elif kind == "emc" and marks:
                text = marks.pop()
                if text is not None:
                    actual -= 1
                    if not actual:
                        pieces.append(text)     # what the span's glyphs stand for
            elif kind == "font":
                font = self._font(resources, match.group("font"))
            elif kind == "xobject":
                if pieces:
                    segments.append("".join(pieces))
                    pieces = []
                self._xobject(resources, match.group("xobject"))
            elif kind == "move" and pieces:
                segments.append("".join(pieces))
                pieces = []
        if pieces:
            segments.append("".join(pieces))

    def _font(self, resources, name: bytes):
        fonts = resources.get("/Font")
        font = fonts.get("/" + name.decode("latin-1")) if fonts is not None else None
        if font is None:
            return None
        if not font.is_indirect:
            return _Font(font)
        if font.objgen not in self.fonts:
            self.fonts[font.objgen] = _Font(font)
        return self.fonts[font.objgen]

    def _xobject(self, resources, name: bytes) -> None:
        xobjects = resources.get("/XObject")
        form = xobjects.get("/" + name.decode("latin-1")) if xobjects is not None else None
        if form is None or form.get("/Subtype") != "/Form" or self.depth > 8:
            return
        self.depth += 1
        self.run(form, form.get("/Resources", resources))
        self.depth -= 1


def _codes(body: bytes) -> bytes:
    """The bytes of the strings in a TJ array's body."""
    if b"(" not in body or body.count(b"(") == body.count(b"()"):
        hexes = b"".join(body.translate(_ANGLES).split(b"<")[1::2])   # numbers between
        try:
            return bytes.fromhex(hexes.decode("ascii"))
        except ValueError:
            pass                        # an odd number of digits in a string: one by one
    return b"".join(_string(piece) for piece in _PIECES.findall(body))


def _text_string(raw: bytes) -> str:
    """A PDF text string: UTF-16BE after its byte order mark, or PDFDocEncoding (as
    Latin-1, which it is in the letters)."""
    if raw[:2] == b"\xfe\xff":
        return raw[2:].decode("utf-16-be", errors="replace")
    return raw.decode("latin-1")


def _string(token: bytes) -> bytes:
    if token.startswith(b"<"):
        digits = re.sub(rb"\s", b"", token[1:-1])
        return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii"))
    out, data, i = bytearray(), token[1:-1], 0
    while i < len(data):
        c = data[i:i + 1]
        if c != b"\\":
            out += c
            i += 1
            continue
        nxt = data[i + 1:i + 2]
        if nxt in _ESCAPES:
            out += _ESCAPES[nxt]
            i += 2
        elif nxt.isdigit():
            octal = re.match(rb"[0-7]{1,3}", data[i + 1:i + 4]).group(0)
            out.append(int(octal, 8) & 0xFF)
            i += 1 + len(octal)
        elif nxt in (b"\r", b"\n"):
            i += 3 if data[i + 1:i + 3] == b"\r\n" else 2
        else:
            out += nxt
            i += 2
    return bytes(out)


class _Font:
    """A font resource: its codes, their text, and the glyphs its embedded file has."""

    def __init__(self, font):
        self.two_bytes = font.get("/Subtype") == "/Type0"
        self.table: dict[int, str] = {}
        self.glyphs: int | None = None                  # glyphs in the embedded font
        self.owners: dict[int, set[str]] | None = None  # glyph -> characters its cmap maps
        self.gid = None                                 # code -> glyph, when not identity
        self.seen: set[str] = set()                     # codes met, as characters
        self.bad: dict[str, tuple] = {}                 # ... and their problems
        if "/ToUnicode" in font:
            self.table = _to_unicode(font.ToUnicode.read_bytes())
        elif not self.two_bytes:
            self.table = _simple_encoding(font)
        self.trans = {code: text for code, text in self.table.items()}
        if self.two_bytes:
            self._embedded(font)

    def _embedded(self, font) -> None:
        import pikepdf

        descendant = font.get("/DescendantFonts")
        if not descendant:
            return
        cid = descendant[0]
        if isinstance(cid.get("/CIDToGIDMap"), pikepdf.Stream):
            data = cid.CIDToGIDMap.read_bytes()
            self.gid = {i // 2: int.from_bytes(data[i:i + 2], "big")
                        for i in range(0, len(data) - 1, 2)}
        descriptor = cid.get("/FontDescriptor", {})
        stream = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
        if stream is None or (descriptor.get("/FontFile3") is not None
                              and stream.get("/Subtype") != "/OpenType"):
            return
        from fontTools.ttLib import TTFont, TTLibError

        try:
            ttfont = TTFont(io.BytesIO(stream.read_bytes()), lazy=True)
            self.glyphs = ttfont["maxp"].numGlyphs
            owners: dict[int, set[str]] = {}
            if "cmap" in ttfont:
                order = {name: i for i, name in enumerate(ttfont.getGlyphOrder())}
                for code, name in (ttfont["cmap"].getBestCmap() or {}).items():
                    owners.setdefault(order.get(name, -1), set()).add(chr(code))
            self.owners = owners
        except (TTLibError, KeyError, ValueError, IndexError, AssertionError, struct.error):
            # a font fontTools cannot read: no glyph checks for it
            self.glyphs = self.owners = None

    def show(self, page: PageText, raw: bytes) -> str:
        """The text of a shown string; notes its codes' problems on `page`."""
        if not self.two_bytes:
            codes = raw.decode("latin-1")
        elif _SURROGATE.search(raw[::2]) or len(raw) % 2:   # not as UTF-16: D800-DFFF
            codes = "".join(map(chr, struct.unpack(f">{len(raw) // 2}H", raw[:len(raw) & ~1])))
        else:
            codes = raw.decode("utf-16-be")
        used = set(codes)
        if not used <= self.seen:
            for char in used - self.seen:
                judged = self._judge(ord(char))
                if any(judged):
                    self.bad[char] = judged
                self.trans.setdefault(ord(char), "\ufffd")
            self.seen |= used
        if self.bad and not used.isdisjoint(self.bad):
            for char in used.intersection(self.bad):
                notdef, unmapped, misdrawn = self.bad[char]
                if notdef is not None:
                    page.notdef.add(notdef)
                if misdrawn is not None:
                    page.misdrawn.add(misdrawn)
                if unmapped:
                    page.unmapped += codes.count(char)
        return codes.translate(self.trans)

    def _judge(self, code: int) -> tuple:
        """(the character drawn as .notdef, whether unmapped, (text, glyph's letters))."""
        text = self.table.get(code)
        gid = self.gid.get(code, code) if self.gid is not None else code
        notdef = None
        if self.two_bytes and (gid == 0 or (self.glyphs is not None and gid >= self.glyphs)):
            notdef = text or f"glyph {gid}"
        misdrawn = None
        if text and notdef is None and self.owners:
            shown = self.owners.get(gid)
            if shown and not _same_letter(text, shown):
                misdrawn = (text, "".join(sorted(shown)))
        return notdef, text is None, misdrawn


# Glyphs that fonts share between look-alike letters (ccmp, locl, stylistic sets).
_LOOKALIKE = {"ı": "i", "ȷ": "j", "ɑ": "a", "ɡ": "g", "ſ": "s"}


def _same_letter(text: str, shown: set[str]) -> bool:
    """Whether a glyph that its font's cmap gives to the characters `shown` may stand for
    `text`: only a letter or digit drawn as another letter or digit is wrong."""
    text = unicodedata.normalize("NFC", text)
    if len(text) != 1 or not text.isalnum() or text in shown:
        return True
    def base(c: str) -> str:
        c = unicodedata.normalize("NFKD", c)[:1] or c
        return _LOOKALIKE.get(c, c)
    return any(base(c) == base(text) or not c.isalnum() for c in shown)


def _to_unicode(data: bytes) -> dict[int, str]:
    """code -> text from a ToUnicode CMap (bfchar and bfrange sections)."""
    table: dict[int, str] = {}
    for section in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.DOTALL):
        pairs = re.findall(rb"<([0-9A-Fa-f\s]*)>\s*<([0-9A-Fa-f\s]*)>", section)
        for src, dst in pairs:
            table[int(src, 16)] = _utf16(dst)
    for section in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.DOTALL):
        for lo, hi, dst, array in re.findall(
                rb"<([0-9A-Fa-f]*)>\s*<([0-9A-Fa-f]*)>\s*(?:<([0-9A-Fa-f\s]*)>|\[([^\]]*)\])",
                section):
            lo, hi = int(lo, 16), int(hi, 16)
            if hi - lo > 0xFFFF:
                continue
            if array:
                for code, item in zip(range(lo, hi + 1), re.findall(rb"<([^>]*)>", array)):
                    table[code] = _utf16(item)
            else:
                start = bytearray(bytes.fromhex(re.sub(rb"\s", b"", dst).decode()))
                for code in range(lo, hi + 1):
                    table[code] = bytes(start).decode("utf-16-be", "replace")
                    if start:       # the last byte counts up
                        start[-1] = (start[-1] + 1) & 0xFF
    return table


def _utf16(hexes: bytes) -> str:
    return bytes.fromhex(re.sub(rb"\s", b"", hexes).decode()).decode("utf-16-be", "replace")


def _simple_encoding(font) -> dict[int, str]:
    """code -> text for a simple font without ToUnicode: its Encoding and Differences."""
    from fontTools.agl import toUnicode

    encoding = font.get("/Encoding")
    base = "cp1252" if str(encoding) == "/WinAnsiEncoding" else "latin-1"
    table = {code: bytes([code]).decode(base, "replace") for code in range(32, 256)}
    if encoding is not None and hasattr(encoding, "get") and "/Differences" in encoding:
        code = 0
        for item in encoding.Differences:
            if isinstance(item, int):
                code = item
            else:
                table[code] = toUnicode(str(item)[1:]) or "\ufffd"
                code += 1
    return table


def summary(path: Path) -> str:
    """The text of a PDF, one page a paragraph (for looking at it)."""
    return "\n\n".join(page.text for page in read(path))
