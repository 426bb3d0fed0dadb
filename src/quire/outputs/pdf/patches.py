"""Every reach into the internals of WeasyPrint, pydyf, Pyphen and ctypes, in one place.

Each patch says why it exists, the version it was checked against (WeasyPrint 70.0,
pydyf 0.13, Pyphen 0.17) and the test that fails if a new version changes the behaviour
it relies on (tests/test_patches.py checks each seam directly; the named whole-output
tests check the effect). Permanent patches are installed once per process by
`weasyprint()` and can be taken out with `uninstall()`; the others are context managers
that put the library back as they found it when their block ends.

Read-only walks over WeasyPrint's laid-out boxes (page starts, the layout report) use
`page_box(page)`, the one private attribute they need.
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
import zlib
from contextlib import contextmanager
from typing import Callable

from quire.outputs.pdf import speedups

CHECKED = "70.0"            # the WeasyPrint version every patch was checked against


class _Saved:
    """Attributes replaced on library objects, and how to put them back."""

    def __init__(self):
        self.saved: list[tuple[object, str, object]] = []

    def set(self, owner, name: str, value) -> None:
        self.saved.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)

    def restore(self) -> None:
        for owner, name, value in reversed(self.saved):
            setattr(owner, name, value)
        self.saved.clear()


@contextmanager
def _replaced(owner, name: str, value):
    """`owner.name` is `value` for the block, and what it was again after."""
    saved = _Saved()
    saved.set(owner, name, value)
    try:
        yield
    finally:
        saved.restore()


_PERMANENT: dict[str, _Saved] = {}      # the permanent patches installed in this process


def weasyprint():
    """The weasyprint module, imported once per process, with the permanent patches.

    find_library (ctypes): on import WeasyPrint opens Pango, HarfBuzz and Fontconfig by
    trying several names each, and cffi hands every name that does not load to
    `ctypes.util.find_library`, which runs `ldconfig` and then a compiler: 0.17 s per
    process. On Linux the names that load are sonames the dynamic loader finds itself, so
    the search is skipped during the import; if the import fails that way, it is tried
    again the usual way. Test: test_patches.py::test_weasyprint_loads_without_find_library.

    WeasyPrint lays nested boxes out recursively, five or more Python frames a level: the
    recursion limit is raised so that the deepest nesting quire accepts (limits.py: 100
    levels, inside tables, lists and footnotes) lays out."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 8000))
    if "weasyprint" not in sys.modules and sys.platform.startswith("linux"):
        import ctypes.util

        search = ctypes.util.find_library
        ctypes.util.find_library = lambda name: None
        try:
            import weasyprint  # noqa: F401
        except OSError:
            for name in [m for m in sys.modules if m.split(".")[0] == "weasyprint"]:
                del sys.modules[name]
            ctypes.util.find_library = search
        finally:
            ctypes.util.find_library = search
    import weasyprint as module
    for name, install in PERMANENT.items():
        if name not in _PERMANENT:
            _PERMANENT[name] = saved = _Saved()
            install(saved)
    return module


def uninstall(name: str | None = None) -> None:
    """Take out one permanent patch (all of them without a name)."""
    for key in [name] if name else list(_PERMANENT):
        saved = _PERMANENT.pop(key, None)
        if saved:
            saved.restore()


def page_box(page):
    """The root box of a laid-out page (`Page._page_box`, WeasyPrint 70), for read-only
    walks. Test: test_patches.py::test_a_page_keeps_its_box_tree."""
    return page._page_box


def restyle_page(page_type, html, style_for) -> None:
    """Compute a page type's styles, as WeasyPrint does when it makes a page
    (`layout.page.set_page_type_computed_styles`): a chunk's first page flipped to the
    other side. Test: test_parallel.py (test_parts_join_into_the_single_render)."""
    from weasyprint.layout.page import set_page_type_computed_styles

    set_page_type_computed_styles(page_type, html, style_for)


def bookmark_tree(bookmarks, skipped, last, previous, number):
    """Add one page's bookmarks to an outline as WeasyPrint nests them
    (`anchors.make_page_bookmark_tree`, given the page's bookmarks in PDF points).
    Test: test_parallel.py (test_parts_join_into_the_single_render: the outline)."""
    from weasyprint.anchors import make_page_bookmark_tree
    from weasyprint.matrix import Matrix

    class Page:
        def __init__(self):
            self.bookmarks = bookmarks
    return make_page_bookmark_tree(Page(), skipped, last, previous, number, Matrix())


# -- permanent patches --------------------------------------------------------------------

def _cmyk_images_lossless(saved: _Saved) -> None:
    """Embed a lossless CMYK image (the TIFF cmyk.convert_image makes of a PNG) as its
    pixels, Deflate-compressed.

    WeasyPrint 70 writes every raster image that is not a JPEG through Pillow as PNG, and
    PNG has no CMYK: such an image failed to load. A CMYK image in any format but JPEG
    now keeps its pixels as they are, in a /DeviceCMYK image with /FlateDecode.
    Tests: test_patches.py::test_raster_image_seams; test_design.py
    (test_figures_at_their_true_size_with_their_captions: every figure CMYK,
    none JPEG)."""
    import pydyf
    from weasyprint import images

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

    def get_x_object(self, interpolate, dpi_ratio):
        if self.format != "CMYK-FLATE":
            return x_object(self, interpolate, dpi_ratio)
        return pydyf.Stream([self.image_data], pydyf.Dictionary({
            "Type": "/XObject", "Subtype": "/Image", "Width": self.width,
            "Height": self.height, "ColorSpace": "/DeviceCMYK", "BitsPerComponent": 8,
            "Interpolate": "true" if interpolate else "false", "Filter": "/FlateDecode"}))
    saved.set(images.RasterImage, "__init__", raster_init)
    saved.set(images.RasterImage, "get_x_object", get_x_object)


MAX_HYPHENATED_LINES = 2


def _hyphen_ladders_limited(saved: _Saved) -> None:
    """At most two hyphenated lines in a row (CSS `hyphenate-limit-lines: 2`, which
    WeasyPrint 70 does not know).

    WeasyPrint lays a block's lines out one at a time (`layout.inline.iter_line_boxes`, a
    generator, imported by name into `layout.block`) and hyphenates each line's last word
    in `split_first_line` by the text's `hyphens`. While the line after two hyphenated
    ones is made, automatic hyphenation is turned off (`hyphens: manual` for that call);
    the line then breaks between words.
    Tests: test_patches.py::test_line_breaking_seams; test_design.py
    (test_no_ladder_of_three_hyphens)."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import block, inline

    lines, split = inline.iter_line_boxes, inline.split_first_line
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

    def split_first_line(text, style, *args, **kwargs):
        if not (state["forbid"] and style["hyphens"] == "auto"):
            return split(text, style, *args, **kwargs)
        style["hyphens"] = "manual"
        try:
            return split(text, style, *args, **kwargs)
        finally:
            style["hyphens"] = "auto"
    saved.set(inline, "iter_line_boxes", iter_line_boxes)
    saved.set(block, "iter_line_boxes", iter_line_boxes)
    saved.set(inline, "split_first_line", split_first_line)


def _long_words_broken_across_boxes(saved: _Saved) -> None:
    """`overflow-wrap: break-word` (shared.css, in paragraphs, list items and cells) also
    where the unbreakable run began in an earlier box of the line.

    CSS breaks an otherwise unbreakable run anywhere "if there are no otherwise-acceptable
    break points in the line". WeasyPrint 70 asks instead whether the text box is the
    first on its line (`is_line_start` in `layout.inline.split_inline_level`), so a run
    that starts in inline code and goes on in the text after it, as in Chinese
    "`GeneratorFunction.prototype[Symbol.toStringTag]`：'GeneratorFunction'" (no break
    before a full-width colon, nor around a quotation mark), ran 23 mm past the text block
    (ruanyf/es6tutorial, docs/symbol.md). When a text box after others still overflows,
    and the line's text before it has no break opportunity (list markers aside), the box
    is split again as the line's start would be. `split_inline_level` is looked up by name
    in the module at each call. Tests: test_patches.py::test_break_word_seam;
    test_design.py::test_a_long_run_after_code_breaks_inside_the_text_block."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline
    from weasyprint.text.line_break import get_next_break_point_from_text

    split = inline.split_inline_level

    def texts(box):
        if isinstance(box, boxes.TextBox):
            yield box.text
        elif not (box.element_tag or "").endswith("::marker"):
            for child in getattr(box, "children", ()):
                yield from texts(child)

    def split_inline_level(context, box, position_x, max_x, *args):
        made = split(context, box, position_x, max_x, *args)
        new, line_children = made[0], args[-3]
        if not (line_children and new is not None and isinstance(box, boxes.TextBox)
                and box.style["overflow_wrap"] in ("break-word", "anywhere")
                and new.position_x + new.margin_width() > max_x + 0.01):
            return made
        before = "".join(text for _, child in line_children for text in texts(child))
        point = get_next_break_point_from_text(before + box.text[:1], box.style["lang"]) \
            if before.strip() else None
        if point is not None and point <= len(before):
            return made                         # WeasyPrint breaks the line there
        args = list(args)
        args[-3] = []
        return split(context, box, position_x, max_x, *args)
    saved.set(inline, "split_inline_level", split_inline_level)


# Characters whose glyphs may not map one to one back to them in left-to-right text:
# combining marks, and the scripts that reorder, join or split letters in shaping (Indic,
# Sinhala, Thai, Lao, Tibetan, Myanmar, Khmer, Balinese, ...). A text box with none of them
# is drawn as WeasyPrint draws it.
_RESHAPED = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0900-\u0dff\u0e00-\u0fff\u1000-\u109f"
    "\u1700-\u17ff\u1900-\u1aff\u1b00-\u1cff\u1dc0-\u1dff\u20d0-\u20ff\ua800-\uabff"
    "\ufe20-\ufe2f\U00011000-\U00011fff]")
# Right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo, ... and Arabic's
# presentation forms): their ligatures' text is written in drawing order.
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff"
                            "\U00010800-\U00010fff\U0001e800-\U0001efff]")
_TJ_GLYPHS = re.compile(rb"<([0-9A-Fa-f]+)>")
_TJ_TOKEN = re.compile(rb"<([0-9A-Fa-f]*)>|([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)")


def _actual_text_for_reshaped_clusters(saved: _Saved) -> None:
    """The text of a word whose glyphs do not read back as its characters, as the PDF's
    /ActualText of those glyphs.

    WeasyPrint 70 maps each glyph to text once per font, in its ToUnicode CMap, with the
    characters of the first cluster it is drawn in; the other glyphs of a cluster get no
    text. Where shaping reorders, joins or splits letters, pdftotext, copying and searching
    read other letters: Tamil "ஜனவரி" came back "ஜெனவரெி", "மே" as "ம", Hindi "जर्मन"
    as "ज र्मन" (a glyph with no text leaves a gap a reader takes for a space).

    After WeasyPrint draws a text box that holds such scripts, each word (the clusters
    between spaces, in one run of one font) with a cluster of several glyphs, or of one
    glyph whose ToUnicode text is not the cluster's own characters, is wrapped in a
    marked-content span, `/Span <</ActualText <its text>>> BDC ... EMC` (PDF 32000
    14.9.4); a combining mark's cluster counts with the one before it. A word, not a
    cluster: a reader places a span's text over its glyphs, and a span that ends on a mark
    drawn back over its letter looked narrower than the letter, so pdftotext put a space
    after every such cluster. Words that read right carry no span (Latin text: none).

    Right-to-left runs carry no span (poppler reads a span's text as drawn, right to
    left, and printed every Arabic word so wrapped backwards). A reader takes such a line
    as drawn and turns it round, so a glyph that stands for several letters (lam-alef in
    Noto Sans Arabic) gets them in drawing order: "الأحد" read "األحد" before. In both
    directions, the glyphs of a cluster of several get their own letters in ToUnicode
    (_cluster_text). Bitmap fonts (colour emoji) are left alone.
    `draw_first_line` is looked up by name in its module (draw_text) and imported at each
    call (SVG text). Tests: test_patches.py::test_actual_text_seam;
    test_language.py::test_reshaped_scripts_read_back_as_written,
    ::test_right_to_left_ligatures_read_back_in_order."""
    from weasyprint.draw import text as drawing
    from weasyprint.text.ffi import ffi, harfbuzz, pango

    try:
        harfbuzz.hb_font_get_nominal_glyph
    except AttributeError:
        ffi.cdef("hb_bool_t hb_font_get_nominal_glyph (hb_font_t *font, "
                 "hb_codepoint_t unicode, hb_codepoint_t *glyph);")
    draw = drawing.draw_first_line

    def spans(stream, textbox, utf8: bytes):
        """[first glyph drawn, glyph after the last, text start, text end, font, run] for
        each cluster of the box's glyphs, a combining mark's cluster taken into the one
        before it (left-to-right runs)."""
        first_line, _ = textbox.pango_layout.get_first_line()
        run, drawn, found, number = first_line.runs[0], 0, [], 0
        while run != ffi.NULL:
            item, glyphs = run.data.item, run.data.glyphs
            run, number = run.next, number + 1
            font, _ = stream.add_font(item.analysis.font)
            if font.bitmap:
                return None
            count, clusters = glyphs.num_glyphs, glyphs.log_clusters
            starts = sorted({clusters[i] for i in range(count)})
            ends = dict(zip(starts, starts[1:] + [item.length]))
            ltr, i = not item.analysis.level % 2, 0
            while i < count:
                j, cluster, drawn_here = i, clusters[i], 0
                while j < count and clusters[j] == cluster:
                    drawn_here += glyphs.glyphs[j].glyph != pango.PANGO_GLYPH_EMPTY
                    j += 1
                i = j
                if not drawn_here:
                    continue
                start, end = item.offset + cluster, item.offset + ends[cluster]
                lead = utf8[start:start + 4].decode(errors="ignore")[:1]
                if (ltr and found and found[-1][3] == start and found[-1][5] == number
                        and unicodedata.category(lead or "a")[0] == "M"):
                    found[-1][1], found[-1][3] = drawn + drawn_here, end
                else:
                    found.append([drawn, drawn + drawn_here, start, end, font, number, ltr])
                drawn += drawn_here
        return found

    def draw_first_line(stream, textbox, *args):
        before = len(stream.stream)
        emojis = draw(stream, textbox, *args)
        if not _RESHAPED.search(textbox.text) and not _RIGHT_TO_LEFT.search(textbox.text):
            return emojis
        utf8 = textbox.pango_layout.text.encode()
        found = spans(stream, textbox, utf8)
        if not found:
            return emojis
        items = stream.stream[before:]
        ids = [int(digits[k:k + 4], 16) for item in items if item.endswith(b"] TJ")
               for digits in _TJ_GLYPHS.findall(item) for k in range(0, len(digits), 4)]
        if len(ids) != found[-1][1]:
            return emojis                       # not as drawn: leave it (never seen)
        words, word = [], None
        for first, after, start, end, font, run, ltr in found:
            text = utf8[start:end].decode(errors="replace")
            if after - first > 1:
                _cluster_text(font, ids[first:after], text, not ltr, ffi, harfbuzz)
            elif not ltr and len(text) > 1 and font.to_unicode.get(ids[first]) == text:
                # a ligature (lam-alef) read right to left: its letters as drawn, which a
                # reader puts back in order with the rest of the line ("لا", not "ال")
                font.to_unicode[ids[first]] = text[::-1]
            if text.isspace():
                word = None
                continue
            mapped = [font.to_unicode.get(glyph, "") for glyph in ids[first:after]]
            wrong = ltr and (after - first > 1 or "".join(mapped) != text)
            if word is not None and word[1] == first and word[5] == run:
                word[1:4] = [after, min(word[2], start), max(word[3], end)]
                word[4] = word[4] or wrong
            else:
                word = [first, after, start, end, wrong, run]
                words.append(word)
        marked = [(first, after, utf8[start:end].decode(errors="replace"))
                  for first, after, start, end, wrong, _ in words if wrong]
        if marked:
            stream.stream[before:] = _spanned(items, marked)
        return emojis
    saved.set(drawing, "draw_first_line", draw_first_line)


def _cluster_text(font, glyphs: list[int], text: str, rtl: bool, ffi, harfbuzz) -> None:
    """Give each glyph of a cluster of several (`text`) that WeasyPrint mapped to nothing
    or to the whole cluster its own letters: the character the font's cmap draws with it,
    if the cluster has it (decomposed too), and to the one glyph left, if one is left, the
    rest (right to left: in drawing order, which a reader turns back). ToUnicode holds one
    text per glyph and font, and WeasyPrint keeps the first it meets: an "e" first drawn
    inside Yoruba "ẹ̀" (e, dot below, grave) read as nothing ever after in that font
    ("Vietnamese" became "Vitnams"), and an Urdu "پُ" read back with its vowel first."""
    fresh = [glyph for glyph in glyphs if font.to_unicode.get(glyph) in ("", text, None)]
    if not fresh:
        return
    rest = list(unicodedata.normalize("NFD", text))
    chars = dict.fromkeys(text + "".join(rest))
    found = ffi.new("hb_codepoint_t *")
    left = []
    for glyph in fresh:
        for char in chars:
            if (harfbuzz.hb_font_get_nominal_glyph(font.hb_font, ord(char), found)
                    and found[0] == glyph):
                font.to_unicode[glyph] = char
                for piece in unicodedata.normalize("NFD", char):
                    if piece in rest:
                        rest.remove(piece)
                break
        else:
            left.append(glyph)
    if len(left) == 1 and rest:
        own = unicodedata.normalize("NFC", "".join(rest))
        font.to_unicode[left[0]] = own[::-1] if rtl else own


def _tj_tokens(item: bytes) -> list[tuple[bool, bytes]]:
    """A TJ operation as WeasyPrint writes it (`[<00120034>-12<0056>] TJ`, two-byte glyph
    ids): its glyph ids and numbers in order, as (is a glyph, token)."""
    tokens = []
    for digits, number in _TJ_TOKEN.findall(item[1:-4]):
        if number:
            tokens.append((False, number))
        tokens += [(True, digits[k:k + 4]) for k in range(0, len(digits), 4)]
    return tokens


def _spanned(items: list, marked: list) -> list:
    """Content stream `items` (a text box's, as WeasyPrint drew it) with the glyphs from
    `first` up to `after` in a /Span carrying `text` as its /ActualText, for each
    (first, after, text) of `marked` (in drawing order, not overlapping)."""
    out, drawn, marks, open_ = [], 0, iter(marked), False
    mark = next(marks, None)
    for item in items:
        if not item.endswith(b"] TJ"):
            out.append(item)
            continue
        array: list[bytes] = []

        def close():
            if array:
                out.append(b"[" + b"".join(array) + b"] TJ")
                array.clear()
        for glyph, token in _tj_tokens(item):
            if glyph and open_ and drawn == mark[1]:
                close()                 # the moves after a span's last glyph are its own
                out.append(b"EMC")
                open_, mark = False, next(marks, None)
            if glyph and mark is not None and drawn == mark[0]:
                close()
                text = mark[2].encode("utf-16-be").hex().upper().encode()
                out.append(b"/Span <</ActualText <FEFF" + text + b">>> BDC")
                open_ = True
            array.append(b"<" + token + b">" if glyph else b" " + token + b" ")
            drawn += glyph
        close()
        if open_ and drawn == mark[1]:
            out.append(b"EMC")
            open_, mark = False, next(marks, None)
    return out


def _footnotes_reported_once(saved: _Saved) -> None:
    """Make a page again with the footnotes the page before it reported, not with what is
    left over from the last page made.

    WeasyPrint 70 moves a footnote that does not fit to the next page (`reported_footnotes`,
    held by the layout context, not by the per-page state it keeps for making a page
    again). When a page is made again (a page number resolved by a later page), it starts
    from whatever the last page left, and a reported note was printed twice (on the next
    page and on the page after) or not at all. The notes each page hands on are kept
    with the page and given back when the next page is made again.
    Tests: test_patches.py::test_remake_page_seam; test_parallel.py
    (test_parts_join_into_the_single_render)."""
    from weasyprint.layout import page

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
    saved.set(page, "remake_page", remake_page)


def _one_pdf_font_per_file(saved: _Saved) -> None:
    """Tell apart fonts that share a description but not a file.

    WeasyPrint 70 keys the fonts of a PDF by their Pango description (family, style,
    weight) alone: `stream.add_font` by `get_pango_font_key`, and `Font.hash` (the PDF font's
    name, by which subsets are merged) by an md5 of the description. Two files declared
    for the same face with `unicode-range` (latin + latin-ext subsets, as Google Fonts and
    Fontsource serve them) become ONE embedded font: glyph ids of the second file are drawn
    with the first file's glyphs, and decoded through its ToUnicode ("Karel Čapek" prints
    and copies as "Karel t apek"). Both keys get the font file's identity: its HarfBuzz
    face within this process, and a digest of its bytes in the PDF name.
    Tests: test_patches.py::test_font_key_seams; test_fonts.py
    (test_split_font_faces_print_the_right_letters)."""
    from hashlib import md5

    from weasyprint.pdf import fonts, stream
    from weasyprint.text import fonts as text_fonts
    from weasyprint.text.ffi import ffi

    by_description = text_fonts.get_pango_font_key

    def font_key(pango_font):
        key, description, size = by_description(pango_font)
        face = text_fonts.get_pango_font_hb_face(pango_font)
        return (key, int(ffi.cast("uintptr_t", face))), description, size
    saved.set(stream, "get_pango_font_key", font_key)

    described = fonts.Font.__init__

    def font_init(self, pango_font, description, font_size):
        described(self, pango_font, description, font_size)
        digest = md5(self.hash.encode(), usedforsecurity=False)
        digest.update(self.file_content)
        digest.update(str(self.index).encode())
        self.hash = "".join(chr(65 + b % 26) for b in digest.digest()[:6])
        self.name = b"/" + self.hash.encode() + self.name[self.name.index(b"+"):]
    saved.set(fonts.Font, "__init__", font_init)


PERMANENT: dict[str, Callable[[_Saved], None]] = {
    "one font per file": _one_pdf_font_per_file,
    "footnotes reported once": _footnotes_reported_once,
    "hyphen ladders limited": _hyphen_ladders_limited,
    "long words broken across boxes": _long_words_broken_across_boxes,
    "actual text for reshaped clusters": _actual_text_for_reshaped_clusters,
    "CMYK images lossless": _cmyk_images_lossless,
    # for speed (speedups.py): the same bytes, without two loops of pages x pages
    "page styles from page rules": speedups.page_styles_from_page_rules,
    "fixed boxes from pages that have them": speedups.fixed_boxes_from_pages_that_have_them,
    "leaders as one run": speedups.leaders_as_one_run,        # the same glyphs, placed alike
}


# -- patches for one block -----------------------------------------------------------------

@contextmanager
def stable_document_id(stable):
    """WeasyPrint's PDF/X-4 writes a random xmpMM:DocumentID (`pdf.metadata.uuid4`), which
    also feeds the file /ID: while writing, it is `stable` (derived from the
    publication's identifier). Test: test_patches.py::test_document_id_seam."""
    from weasyprint.pdf import metadata

    with _replaced(metadata, "uuid4", lambda: stable):
        yield


LARGE_STREAM = 64 * 1024
STREAM_MEMO = 32 * 1024 * 1024      # bytes of compressed large streams a process keeps


class StreamMemo(dict):
    """Compressed large streams by content (streams_compressed_once), the least recently
    used left out past STREAM_MEMO bytes. Unbounded, a worker kept every large stream of
    every chunk it laid out (a dense page's content, a chunk's font subsets), a memory that
    grew with the book. (It was not what made the workers' peak at four times the six
    ydkjs books, 682 MiB each with and without the bound.)"""

    def __init__(self, limit: int = STREAM_MEMO):
        super().__init__()
        self.limit, self.size = limit, 0

    def get(self, key, default=None):
        value = super().pop(key, None)
        if value is None:
            return default
        super().__setitem__(key, value)        # now the most recently used
        return value

    def __setitem__(self, key, value) -> None:
        old = super().pop(key, None)
        self.size += len(value) - (len(old) if old is not None else 0)
        super().__setitem__(key, value)
        while self.size > self.limit and len(self) > 1:
            self.size -= len(super().pop(next(iter(self))))

    def pop(self, key, *default):
        value = super().pop(key, None)
        if value is not None:
            self.size -= len(value)
            return value
        return default[0] if default else None


@contextmanager
def streams_compressed_once(large: dict):
    """pydyf (WeasyPrint's PDF writer) compresses a stream at zlib level 9 each time its
    `Stream.data` is read, and reads every stream twice: to write it and to hash the file
    /ID. While writing, each stream is compressed once, at zlib's default level 6 (level
    9 takes 0.24 s on the 1 MB ICC profile, level 6 0.05 s, for a file 0.6 % larger), and
    a large stream (the ICC profile, an image shown in many chunks) once per `large`
    memo (a process's, by content). Test: test_patches.py::test_stream_seam."""
    import pydyf

    def data(stream):
        cached = stream.__dict__.get("_quire_bytes")
        if cached is None:
            raw = b"\n".join(pydyf._to_bytes(item) for item in stream.stream)
            key = None
            if len(raw) >= LARGE_STREAM:
                key = (hashlib.sha256(raw).digest(), stream.compress,
                       repr(sorted((k, v) for k, v in stream.extra.items()
                                   if isinstance(v, (str, int, float)))),
                       len(stream.extra))
                cached = large.get(key)
            if cached is None:
                cached = stream_bytes(stream, raw)
                if key is not None:
                    large[key] = cached
            stream._quire_bytes = cached
        return cached

    with _replaced(pydyf.Stream, "data", property(data)):
        yield


def stream_bytes(stream, raw: bytes) -> bytes:
    """pydyf 0.13's `Stream.data` (pinned), compressing at level 6."""
    import pydyf

    extra = pydyf.Dictionary(stream.extra.copy())
    if stream.compress:
        extra["Filter"] = "/FlateDecode"
        raw = zlib.compress(raw, 6)
    extra["Length"] = len(raw)
    return b"\n".join((extra.data, b"stream", raw, b"endstream"))


class SheetMemo:
    """One build's parsed author stylesheets in this process, by their text, and the one
    font configuration their @font-face rules load into (stylesheets_parsed_once)."""

    def __init__(self):
        self.font_config = None         # made on first use: it needs WeasyPrint
        self.sets: dict = {}            # key -> _Parsed
        self.texts: dict = {}           # the fetcher's: by how it rewrites, source -> text

    def fonts(self):
        if self.font_config is None:
            from weasyprint.text.fonts import FontConfiguration
            self.font_config = FontConfiguration()
        return self.font_config

    def close(self) -> None:
        """Remove the folder the fonts were copied to (`FontConfiguration._folder`, which
        its `__del__` removes; a worker process ends without running it)."""
        import shutil

        if self.font_config is not None and self.font_config._folder:
            shutil.rmtree(self.font_config._folder, ignore_errors=True)
        self.font_config, self.sets = None, {}


class _Parsed:
    """A document's stylesheets as parsed once: what the parse added to the render's
    page rules, layers, counter styles and colour profiles, and what it logged."""

    def __init__(self, sheets, page_rules, layers, counter_style, color_profiles, logged):
        self.sheets, self.page_rules, self.layers = sheets, page_rules, layers
        self.counter_style = counter_style
        self.color_profiles = color_profiles    # name -> what makes it (_profile)
        self.logged = logged            # (the URL fetched last before it, log record)


@contextmanager
def stylesheets_parsed_once(memo: SheetMemo):
    """While rendering with `font_config=memo.fonts()`, a document's author stylesheets
    are parsed once per process and build (`css.find_stylesheets`, WeasyPrint 70), not
    once per render. Every render of a chunked book parsed the theme again and loaded its
    28 @font-face rules anew: one Pro Git chapter rendered in 1.44 s, 1.24 s with the memo. The
    stylesheets are still fetched every render (the fetcher's refusals and CMYK
    conversion stand) and keyed by what was fetched. What the parse adds to the lists and
    dictionaries a render owns (page rules, layers, counter styles, colour profiles) is
    handed to each render again, and its warnings are logged again, each after fetching
    again what was fetched before it (quire's capture names the stylesheet fetched last).
    Tests: test_patches.py::test_stylesheet_seam; test_parallel.py (the chunked renders
    equal the single one)."""
    import logging

    import weasyprint.css as css
    from weasyprint.html import element_has_link_type, parse_url
    from weasyprint.urls import fetch

    original = css.find_stylesheets
    logger = logging.getLogger("weasyprint")

    def fetched(url_fetcher, url):
        with fetch(url_fetcher, url) as response:
            return response.read()

    def find_stylesheets(wrapper_element, media_type, url_fetcher, base_url, font_config,
                         counter_style, color_profiles, page_rules, layers):
        args = (wrapper_element, media_type, url_fetcher, base_url, font_config,
                counter_style, color_profiles, page_rules, layers)
        if font_config is not memo.font_config:
            yield from original(*args)
            return
        key = [media_type, base_url]
        for wrapper in wrapper_element.query_all("style", "link"):
            element = wrapper.etree_element
            attributes = tuple(sorted(element.attrib.items()))
            if element.tag == "style":
                key.append((attributes, css.get_child_text(element)))
            elif (element.get("href") and element_has_link_type(element, "stylesheet")
                  and not element_has_link_type(element, "alternate")):
                url = parse_url(element.get("href"), base_url)
                try:
                    key.append((attributes, url, fetched(url_fetcher, url) if url else None))
                except Exception:               # the parse reports it, as without the memo
                    key.append((attributes, url, None))
        key = tuple(key)
        parsed = memo.sets.get(key)
        if parsed is None:
            parsed = memo.sets[key] = _parse(original, args, logger)
        else:
            page_rules.extend(parsed.page_rules)
            layers.extend(parsed.layers)
            counter_style.update(parsed.counter_style)
            color_profiles.update({name: _profile(*made) for name, made
                                   in parsed.color_profiles.items()})
            last = None
            for url, record in parsed.logged:
                if url is not None and url != last:
                    try:
                        fetched(url_fetcher, url)
                    except Exception:
                        pass
                    last = url
                logger.handle(record)
        yield from parsed.sheets
    with _replaced(css, "find_stylesheets", find_stylesheets):
        yield


def _parse(original, args, logger) -> _Parsed:
    """Parse a document's stylesheets (`original` is WeasyPrint's find_stylesheets),
    noting what the parse adds and logs."""
    import logging

    (wrapper_element, media_type, url_fetcher, base_url, font_config,
     counter_style, color_profiles, page_rules, layers) = args
    last: list = [None]
    logged: list = []

    class Noting:                               # the fetcher, noting the URL asked last
        def __getattr__(self, name):
            return getattr(url_fetcher, name)

        def __call__(self, url, *rest, **named):
            last[0] = url
            return url_fetcher(url, *rest, **named)

    class Keep(logging.Handler):
        def emit(self, record):
            logged.append((last[0], record))
    styles, profiles = dict(counter_style), dict(color_profiles)
    keep = Keep(logging.DEBUG)
    logger.addHandler(keep)
    try:
        sheets = tuple(original(wrapper_element, media_type, Noting(), base_url, font_config,
                                counter_style, color_profiles, page_rules, layers))
    finally:
        logger.removeHandler(keep)
    made = {name: (profile.content, profile.src, profile.rendering_intent,
                   profile.components)
            for name, profile in color_profiles.items() if profiles.get(name) is not profile}
    return _Parsed(sheets, list(page_rules), list(layers),
                   {k: v for k, v in counter_style.items() if styles.get(k) is not v},
                   made, logged)


def _profile(content: bytes, src, intent, components):
    """A colour profile made anew for each render (`css.ColorProfile`): reading a
    profile's name (WeasyPrint does, for the output intent) changes what Pillow's
    `tobytes()` writes, so one shared across renders would be embedded twice, 132 bytes
    apart."""
    import io

    from weasyprint.css import ColorProfile

    return ColorProfile(io.BytesIO(content), src, intent, components)


@contextmanager
def margin_boxes(adjust: Callable):
    """While laying out, `adjust(context, page, state) -> state` runs before each page's
    margin boxes are made (`layout.make_margin_boxes`): WeasyPrint 70 makes them once every
    page is laid out, in order, `context.current_page` from 1, `context.page_maker` one
    longer than the pages (a chunk knows its page count before any folio).
    Test: test_patches.py::test_margin_boxes_*."""
    import weasyprint.layout as layout
    original = layout.make_margin_boxes

    def make_margin_boxes(context, page, state):
        return original(context, page, adjust(context, page, state))
    with _replaced(layout, "make_margin_boxes", make_margin_boxes):
        yield


@contextmanager
def pages_made(look: Callable):
    """While laying out, `look(page, resume_at, root_box, again) -> (page, resume_at)` sees
    each page as WeasyPrint makes it (`layout.page.remake_page`, imported by name into
    `make_all_pages`; before margin boxes): `page` is the page box, `resume_at` where the
    next page starts in `root_box`, the box tree being laid out. `look` may change that
    tree at or after `resume_at` and call `again()` to make the page again from the same
    start; it returns the page to keep. `again` first puts back what making the page
    changed in the layout context (the notes waiting for a page, the boxes broken across
    pages, the running elements and the anchors it noted), as `make_all_pages` has them
    before making a page. Test: test_patches.py::test_pages_made_seam; test_design.py
    (test_figures_float_past_text_and_holes_drop)."""
    from weasyprint.layout import page as pages

    make = pages.remake_page

    def remake_page(index, context, root_box, html):
        number = index + 1
        footnotes, broken = list(context.footnotes), context.broken_out_of_flow
        running = {name: list(by_page[number]) for name, by_page in
                   context.running_elements.items() if number in by_page}
        notes = len(context.rendered_notes or ())

        def again():
            context.footnotes = list(footnotes)
            context.broken_out_of_flow = broken
            for by_page in context.running_elements.values():
                by_page.pop(number, None)
            for name, boxes in running.items():
                context.running_elements[name][number] = list(boxes)
            if context.rendered_notes is not None:
                del context.rendered_notes[notes:]
            state = context.page_maker[index][-1]
            state.update(content_changed=False, pages_wanted=False, anchors=[],
                         content_lookups=[])
            return make(index, context, root_box, html)
        page, resume_at = make(index, context, root_box, html)
        return look(page, resume_at, root_box, again)
    with _replaced(pages, "remake_page", remake_page):
        yield


def install_hyphenation(parsed: dict) -> None:
    """Put parsed hyphenation dictionaries (path -> pyphen.HyphDict) where Pyphen looks
    before parsing a file (`pyphen.hdcache`, Pyphen 0.17). Tests: test_patches.py::
    test_pyphen_cache_seam; test_print.py
    (test_hyphenation_patterns_read_by_a_helper_process_are_pyphens_own)."""
    import pyphen

    for path, dictionary in parsed.items():
        pyphen.hdcache.setdefault(path, dictionary)


def hyphenation_cached() -> set:
    """The pattern files Pyphen has parsed in this process."""
    import pyphen

    return set(pyphen.hdcache)
