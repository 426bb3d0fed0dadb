"""WeasyPrint, imported once per process, without its slow library search, and with its
fonts told apart by file (see `_one_pdf_font_per_file`)."""

from __future__ import annotations

import sys


def imported():
    """The weasyprint module.

    On import WeasyPrint opens Pango, HarfBuzz and Fontconfig by trying several names each,
    and cffi hands every name that does not load to `ctypes.util.find_library`, which runs
    `ldconfig` and then a compiler: 0.17 s per process. On Linux the names that load are
    sonames (`libpango-1.0.so.0`) that the dynamic loader finds itself, so the search is
    skipped; if the import fails that way, it is tried again the usual way."""
    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        import weasyprint
        _one_pdf_font_per_file(weasyprint)
        return weasyprint
    import ctypes.util

    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        import weasyprint
    except OSError:
        for name in [m for m in sys.modules if m.split(".")[0] == "weasyprint"]:
            del sys.modules[name]
        ctypes.util.find_library = search
        import weasyprint
    finally:
        ctypes.util.find_library = search
    _one_pdf_font_per_file(weasyprint)
    _footnotes_reported_once(weasyprint)
    return weasyprint


def _footnotes_reported_once(weasyprint) -> None:
    """Make a page again with the footnotes the page before it reported, not with what is
    left over from the last page made.

    WeasyPrint 70 moves a footnote that does not fit to the next page (`reported_footnotes`,
    held by the layout context, not by the per-page state it keeps for making a page
    again). When a page is made again (a page number resolved by a later page), it starts
    from whatever the last page left, and a reported note was printed twice (on the next
    page and on the page after) or not at all. The notes each page hands on are kept
    with the page and given back when the next page is made again.

    Checked against WeasyPrint 70.0; tests/test_parallel.py
    (test_parts_join_into_the_single_render) fails if this no longer holds."""
    from weasyprint.layout import page

    if getattr(page.remake_page, "quire", False):
        return
    make = page.remake_page

    def remake_page(index, context, root_box, html):
        handed = getattr(context, "quire_reported", None)
        if handed is None or index == 0:
            handed = context.quire_reported = {}
        if index in handed:
            context.reported_footnotes = list(handed[index])
        made = make(index, context, root_box, html)
        handed[index + 1] = list(context.reported_footnotes)
        return made
    remake_page.quire = True
    page.remake_page = remake_page


def _one_pdf_font_per_file(weasyprint) -> None:
    """Tell apart fonts that share a description but not a file.

    WeasyPrint 70 keys the fonts of a PDF by their Pango description (family, style,
    weight) alone: `stream.add_font` by `get_pango_font_key`, and `Font.hash` (the PDF font's
    name, by which subsets are merged) by an md5 of the description. Two files declared
    for the same face with `unicode-range` (latin + latin-ext subsets, as Google Fonts and
    Fontsource serve them) become ONE embedded font: glyph ids of the second file are drawn
    with the first file's glyphs, and decoded through its ToUnicode ("Karel Čapek" prints
    and copies as "Karel t apek"). Both keys get the font file's identity: its HarfBuzz
    face within this process, and a digest of its bytes in the PDF name.

    Checked against WeasyPrint 70.0; tests/test_fonts.py
    (test_split_font_faces_print_the_right_letters) fails if this no longer holds."""
    from hashlib import md5

    from weasyprint.pdf import fonts, stream
    from weasyprint.text import fonts as text_fonts
    from weasyprint.text.ffi import ffi

    if getattr(stream.get_pango_font_key, "quire", False):
        return
    by_description = text_fonts.get_pango_font_key

    def font_key(pango_font):
        key, description, size = by_description(pango_font)
        face = text_fonts.get_pango_font_hb_face(pango_font)
        return (key, int(ffi.cast("uintptr_t", face))), description, size
    font_key.quire = True
    stream.get_pango_font_key = font_key

    described = fonts.Font.__init__

    def font_init(self, pango_font, description, font_size):
        described(self, pango_font, description, font_size)
        digest = md5(self.hash.encode(), usedforsecurity=False)
        digest.update(self.file_content)
        digest.update(str(self.index).encode())
        self.hash = "".join(chr(65 + b % 26) for b in digest.digest()[:6])
        self.name = b"/" + self.hash.encode() + self.name[self.name.index(b"+"):]
    fonts.Font.__init__ = font_init
