"""Preflight: what a print shop would reject in a PDF, read from the PDF itself (pikepdf).

Checks fonts not embedded, raster images under the resolution floor at their placed size
(`[pdf] resolution`, 150 ppi by default; quire never enlarges an image past it), RGB content
in a CMYK job, pages without a TrimBox, and text or images within 5 mm of the trim or past
it. A run of text is measured from where it starts to where its last glyph ends (the
fonts' widths, character and word spacing, TJ adjustments); an image by its four corners.
An image that covers most of the page (a cover, art meant to bleed) is not a finding.
What lies outside the text block but inside the safe area is the layout report's business
(layout_report.py, from the laid-out boxes, with the source line).
"""

from __future__ import annotations

import itertools
import math
import re
import struct
from pathlib import Path

MIN_DPI = 150                   # the default resolution floor ([pdf] resolution)
SAFE_MM = 5.0
FULL_PAGE = 0.8                 # an image covering this much of the trimmed page is art
_PT_PER_MM = 72 / 25.4


def _multiply(m, n):
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def check_pdf(path: Path, cmyk_job: bool = True, min_dpi: int = MIN_DPI) -> list[str]:
    """The problems found, one line each ("pages 3, 8: ..."); [] when the file is clean."""
    return grouped(findings(path, cmyk_job, min_dpi=min_dpi))


def findings(path: Path, cmyk_job: bool = True, first_page: int = 1,
             min_dpi: int = MIN_DPI) -> list[tuple[int, str]]:
    """(page number, problem) for each problem on each page; pages count from `first_page`
    (a part of a longer PDF)."""
    import pikepdf

    findings: list[tuple[int, str]] = []
    fonts: dict = {}
    with pikepdf.open(path) as pdf:
        for number, page in enumerate(pdf.pages, first_page):
            found = _Page(number, cmyk_job)
            found.min_dpi = min_dpi
            found.widths = fonts
            if "/TrimBox" not in page.obj:
                found.add("no TrimBox: the printer cannot tell where to cut")
                trim = [float(v) for v in page.MediaBox]
            else:
                trim = [float(v) for v in page.TrimBox]
            found.trim = trim
            found.walk(page, page.resources, (1, 0, 0, 1, 0, 0))
            findings += found.lines
    return findings


def grouped(findings: list[tuple[int, str]]) -> list[str]:
    """One line per problem, naming the pages it is on: "pages 3, 8, 12: ..."."""
    pages: dict[str, list[int]] = {}
    for number, message in findings:
        if number not in pages.setdefault(message, []):
            pages[message].append(number)
    lines = []
    for message, numbers in pages.items():
        shown = ", ".join(map(str, numbers[:8])) + (f" and {len(numbers) - 8} more"
                                                    if len(numbers) > 8 else "")
        lines.append(f"page{'s' if len(numbers) > 1 else ''} {shown}: {message}")
    return lines


# The operators the walk reads (pikepdf hands over only these: the others cost time).
_OPERATORS = "q Q cm rg RG cs CS BT Tm Td TD Tf Tc Tw Tz TL T* ' \" Tj TJ Do"


class _Page:
    def __init__(self, number: int, cmyk_job: bool):
        self.number, self.cmyk_job = number, cmyk_job
        self.lines: list[tuple[int, str]] = []
        self.trim = [0.0, 0.0, 0.0, 0.0]
        self.text_warned = False
        self.min_dpi = MIN_DPI
        self.widths: dict = {}                  # widths by font, shared by a PDF's pages

    def add(self, message: str) -> None:
        self.lines.append((self.number, message))

    def walk(self, stream, resources, ctm) -> None:
        import pikepdf

        self._fonts(resources)
        stack, text_matrix, line_matrix, state = [], None, None, _TextState(self.widths)
        for operands, op in pikepdf.parse_content_stream(stream, _OPERATORS):
            op = str(op)
            if op == "q":
                stack.append(ctm)       # (the text state is not saved: producers set it anew)
            elif op == "Q" and stack:
                ctm = stack.pop()
            elif op == "cm":
                ctm = _multiply(tuple(float(v) for v in operands), ctm)
            elif op in ("rg", "RG") and self.cmyk_job:
                self.add("RGB colour in a CMYK job")
            elif op in ("cs", "CS") and self.cmyk_job and str(operands[0]) == "/DeviceRGB":
                self.add("RGB colour space in a CMYK job")
            elif op == "BT":
                text_matrix = line_matrix = (1, 0, 0, 1, 0, 0)
            elif op == "Tm":
                text_matrix = line_matrix = tuple(float(v) for v in operands)
            elif op in ("Td", "TD") and text_matrix:
                text_matrix = line_matrix = _multiply(
                    (1, 0, 0, 1, float(operands[0]), float(operands[1])), line_matrix)
                state.leading = -float(operands[1]) if op == "TD" else state.leading
            elif op in ("Tf", "Tc", "Tw", "Tz", "TL"):
                state.set(op, operands, resources)
            elif op in ("T*", "'", '"') and text_matrix:
                if op == '"':
                    state.set("Tw", operands[:1], resources)
                    state.set("Tc", operands[1:2], resources)
                text_matrix = line_matrix = _multiply((1, 0, 0, 1, 0, -state.leading),
                                                      line_matrix)
            if op in ("Tj", "TJ", "'", '"') and text_matrix:
                advance = state.advance(operands[-1])      # the run's far end, too
                self._text_at(_multiply(text_matrix, ctm))
                text_matrix = _multiply((1, 0, 0, 1, advance, 0), text_matrix)
                self._text_at(_multiply(text_matrix, ctm))
            elif op == "Do":
                xobject = resources.get("/XObject", {}).get(str(operands[0]))
                if xobject is None:
                    continue
                if xobject.get("/Subtype") == "/Image":
                    self._image(xobject, ctm)
                elif xobject.get("/Subtype") == "/Form":
                    matrix = tuple(float(v) for v in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0]))
                    self.walk(xobject, xobject.get("/Resources", resources), _multiply(matrix, ctm))

    def _fonts(self, resources) -> None:
        for name, font in resources.get("/Font", {}).items():
            if font.get("/Subtype") == "/Type3":
                continue
            described = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = described.get("/FontDescriptor")
            if descriptor is None or not any(k in descriptor for k in
                                             ("/FontFile", "/FontFile2", "/FontFile3")):
                self.add(f"font {str(font.get('/BaseFont', name)).lstrip('/')} is not embedded")

    def _image(self, image, ctm) -> None:
        self._image_at(ctm)
        width_pt = math.hypot(ctm[0], ctm[1])
        height_pt = math.hypot(ctm[2], ctm[3])
        if width_pt and height_pt:
            dpi = min(int(image.Width) / (width_pt / 72), int(image.Height) / (height_pt / 72))
            if dpi < self.min_dpi - 0.5:
                self.add(f"an image of {int(image.Width)}x{int(image.Height)} px is placed at "
                         f"{dpi:.0f} dpi (the floor is {self.min_dpi})")
        import pikepdf

        space = image.get("/ColorSpace")
        if isinstance(space, pikepdf.Array):
            rgb = str(space[0]) == "/ICCBased" and int(space[1].get("/N", 0)) == 3
        else:
            rgb = str(space) == "/DeviceRGB"
        if self.cmyk_job and rgb:
            self.add("an RGB image in a CMYK job")

    def _text_at(self, matrix) -> None:
        x, y = matrix[4], matrix[5]
        x0, y0, x1, y1 = self.trim
        safe = SAFE_MM * _PT_PER_MM
        if not self.text_warned and (x < x0 + safe or x > x1 - safe or y < y0 + safe
                                     or y > y1 - safe):
            self.text_warned = True
            self.add(f"text within {SAFE_MM:g} mm of the trim")

    def _image_at(self, ctm) -> None:
        xs = [ctm[0] * u + ctm[2] * v + ctm[4] for u, v in ((0, 0), (1, 0), (0, 1), (1, 1))]
        ys = [ctm[1] * u + ctm[3] * v + ctm[5] for u, v in ((0, 0), (1, 0), (0, 1), (1, 1))]
        x0, y0, x1, y1 = self.trim
        area = (max(xs) - min(xs)) * (max(ys) - min(ys))
        if area >= FULL_PAGE * (x1 - x0) * (y1 - y0):
            return                                  # a cover, art meant to bleed
        safe = SAFE_MM * _PT_PER_MM
        if min(xs) < x0 + safe or max(xs) > x1 - safe or min(ys) < y0 + safe or max(ys) > y1 - safe:
            message = f"an image within {SAFE_MM:g} mm of the trim or past it"
            if (self.number, message) not in self.lines:
                self.add(message)


class _TextState:
    """The text state a run's width depends on: font and size, spacing, scaling."""

    def __init__(self, known: dict):
        self.known = known
        self.font: tuple[bool, dict, float] | None = None
        self.size, self.char, self.word, self.scale, self.leading = 0.0, 0.0, 0.0, 1.0, 0.0

    def set(self, op: str, operands, resources) -> None:
        if not operands:
            return
        if op == "Tf":
            font = resources.get("/Font", {}).get(str(operands[0]))
            self.font = _widths(font, self.known) if font is not None else None
            self.size = float(operands[1])
        elif op == "Tc":
            self.char = float(operands[0])
        elif op == "Tw":
            self.word = float(operands[0])
        elif op == "Tz":
            self.scale = float(operands[0]) / 100
        elif op == "TL":
            self.leading = float(operands[0])

    def advance(self, shown) -> float:
        """How far a Tj string or a TJ array moves the text position (text space)."""
        if self.font is None:
            return 0.0
        two_bytes, widths, default = self.font
        data, adjust = _shown(shown)
        codes = (struct.unpack(f">{len(data) // 2}H", data[:len(data) // 2 * 2])
                 if two_bytes else data)
        glyphs = sum(map(widths.get, codes, itertools.repeat(default, len(codes))))
        moved = 0.0 if two_bytes else data.count(32) * self.word
        return ((glyphs - adjust) / 1000 * self.size + len(codes) * self.char + moved) \
            * self.scale


_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")
_NUMBER = re.compile(rb"-?(?:\d+\.?\d*|\.\d+)")


def _shown(shown) -> tuple[bytes, float]:
    """(the bytes shown, the sum of the adjustments) of a Tj string or a TJ array (each
    string's codes whole: no code straddles two strings). WeasyPrint's TJ arrays hold a
    hex string per glyph: they are read from the array's text in one go, several times
    faster than visiting their items; other arrays are visited."""
    import pikepdf

    if not isinstance(shown, pikepdf.Array):
        return bytes(shown), 0.0
    raw = shown.unparse()
    if b"(" not in raw.replace(b"()", b""):
        groups = _HEX.findall(raw)
        data = _hex(b"".join(groups)) if all(len(g) % 2 == 0 for g in groups) else \
            b"".join(map(_hex, groups))
        return data, sum(map(float, _NUMBER.findall(_HEX.sub(b" ", raw))))
    data, adjust = b"", 0.0
    for item in shown:
        if isinstance(item, pikepdf.String):
            data += bytes(item)
        else:
            adjust += float(item)
    return data, adjust


def _hex(digits: bytes) -> bytes:
    digits = digits if digits.isalnum() else bytes(c for c in digits if not chr(c).isspace())
    return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())


def _widths(font, known: dict) -> tuple[bool, dict, float]:
    """(two-byte codes, width by code, default width) of a font, in 1/1000 of its size;
    `known`: the fonts of this PDF measured so far."""
    key = font.objgen if font.objgen != (0, 0) else (id(font),)
    if key in known:
        return known[key]
    widths: dict[int, float] = {}
    if str(font.get("/Subtype")) == "/Type0":
        descendant = font.DescendantFonts[0]
        items, i = list(descendant.get("/W", [])), 0
        while i + 1 < len(items):
            first, after = int(items[i]), items[i + 1]
            if hasattr(after, "__len__") and not isinstance(after, (int, float)):
                widths.update((first + k, float(w)) for k, w in enumerate(after))
                i += 2
            elif i + 2 < len(items):
                for code in range(first, min(int(after), first + 65536) + 1):
                    widths[code] = float(items[i + 2])
                i += 3
            else:
                break
        found = (True, widths, float(descendant.get("/DW", 1000)))
    elif str(font.get("/Subtype")) == "/Type3":
        found = (False, {}, 0.0)                   # glyph procedures: not measured
    else:
        first = int(font.get("/FirstChar", 0))
        widths.update((first + k, float(w)) for k, w in enumerate(font.get("/Widths", [])))
        descriptor = font.get("/FontDescriptor") or {}
        found = (False, widths, float(descriptor.get("/MissingWidth", 0)))
    known[key] = found
    return found
