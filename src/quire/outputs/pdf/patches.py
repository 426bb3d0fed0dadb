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
    skipped; if the import fails that way, it is tried again the usual way.

    WeasyPrint lays nested boxes out recursively, five or more Python frames a level: the
    recursion limit is raised so that the deepest nesting quire accepts (limits.py: 100
    levels, inside tables, lists and footnotes) lays out."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 8000))
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
    _hyphen_ladders_limited(weasyprint)
    _cmyk_images_lossless(weasyprint)
    return weasyprint


def _cmyk_images_lossless(weasyprint) -> None:
    """Embed a lossless CMYK image (the TIFF cmyk.convert_image makes of a PNG) as its
    pixels, Deflate-compressed.

    WeasyPrint 70 writes every raster image that is not a JPEG through Pillow as PNG, and
    PNG has no CMYK: such an image failed to load. A CMYK image in any format but JPEG
    now keeps its pixels as they are, in a /DeviceCMYK image with /FlateDecode.

    Checked against WeasyPrint 70.0; tests/test_design.py
    (test_line_art_stays_lossless_in_cmyk) fails if this no longer holds."""
    import zlib

    import pydyf
    from weasyprint import images

    if getattr(images.RasterImage.__init__, "quire", False):
        return
    init, x_object = images.RasterImage.__init__, images.RasterImage.get_x_object

    def raster_init(self, pillow_image, image_id, image_data, filename=None, cache=None,
                    orientation="none", options=images.DEFAULT_OPTIONS):
        if pillow_image.mode != "CMYK" or pillow_image.format in ("JPEG", "MPO"):
            return init(self, pillow_image, image_id, image_data, filename, cache,
                        orientation, options)
        self.id, self._cache = image_id, ({} if cache is None else cache)
        self._jpeg_quality, self._dpi = options["jpeg_quality"], None
        self.mode, self.format, self.invert_colors = "CMYK", "CMYK-FLATE", False
        self.width, self.height = pillow_image.size
        self.ratio = (self.width / self.height) if self.height else float("inf")
        self.optimize = False
        self.image_data = self.cache_image_data(zlib.compress(pillow_image.tobytes(), 6))
    raster_init.quire = True

    def get_x_object(self, interpolate, dpi_ratio):
        if self.format != "CMYK-FLATE":
            return x_object(self, interpolate, dpi_ratio)
        return pydyf.Stream([self.image_data], pydyf.Dictionary({
            "Type": "/XObject", "Subtype": "/Image", "Width": self.width,
            "Height": self.height, "ColorSpace": "/DeviceCMYK", "BitsPerComponent": 8,
            "Interpolate": "true" if interpolate else "false", "Filter": "/FlateDecode"}))
    images.RasterImage.__init__ = raster_init
    images.RasterImage.get_x_object = get_x_object


MAX_HYPHENATED_LINES = 2


def _hyphen_ladders_limited(weasyprint) -> None:
    """At most two hyphenated lines in a row (CSS `hyphenate-limit-lines: 2`, which
    WeasyPrint 70 does not know).

    WeasyPrint lays a block's lines out one at a time (`layout.inline.iter_line_boxes`, a
    generator) and hyphenates each line's last word in `split_first_line` by the text's
    `hyphens`. While the line after two hyphenated ones is made, automatic hyphenation is
    turned off (`hyphens: manual` for that call); the line then breaks between words.

    Checked against WeasyPrint 70.0; tests/test_design.py
    (test_no_ladder_of_three_hyphens) fails if this no longer holds."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import block, inline

    if getattr(inline.iter_line_boxes, "quire", False):
        return
    lines = inline.iter_line_boxes
    split = inline.split_first_line
    state = {"forbid": False}

    def ends_hyphenated(line) -> bool:
        box = line
        while isinstance(box, boxes.ParentBox) and box.children:
            box = box.children[-1]
        return isinstance(box, boxes.TextBox) and box.text.rstrip(" ").endswith(
            (box.style["hyphenate_character"], "\u2010", "-"))

    def iter_line_boxes(*args, **kwargs):
        made = lines(*args, **kwargs)
        run = 0
        while True:
            before = state["forbid"]
            state["forbid"] = run >= MAX_HYPHENATED_LINES
            try:
                line, resume_at = next(made)
            except StopIteration:
                return
            finally:
                state["forbid"] = before
            run = run + 1 if ends_hyphenated(line) else 0
            yield line, resume_at
    iter_line_boxes.quire = True

    def split_first_line(text, style, *args, **kwargs):
        if not (state["forbid"] and style["hyphens"] == "auto"):
            return split(text, style, *args, **kwargs)
        style["hyphens"] = "manual"
        try:
            return split(text, style, *args, **kwargs)
        finally:
            style["hyphens"] = "auto"
    inline.iter_line_boxes = block.iter_line_boxes = iter_line_boxes
    inline.split_first_line = split_first_line


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
