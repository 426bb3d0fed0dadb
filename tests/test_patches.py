"""Each reach into WeasyPrint, pydyf, Pyphen and ctypes (outputs/pdf/patches.py) checked
at its seam: each test fails if a new version of the library changes what the patch
relies on. The whole-output tests named in each patch's docstring check the effect."""

from __future__ import annotations

import inspect
import subprocess
import sys
import uuid
import zlib

import pytest

from quire.outputs.pdf import patches

weasyprint = patches.weasyprint()


@pytest.fixture
def taken_out():
    """Run a test with one permanent patch taken out: the library as it ships."""
    names = []

    def take_out(name):
        names.append(name)
        patches.uninstall(name)
    yield take_out
    patches.weasyprint()            # put back
    assert set(patches._PERMANENT) == set(patches.PERMANENT)


def test_weasyprint_is_the_pinned_version():
    assert weasyprint.__version__.startswith(patches.CHECKED.rsplit(".", 1)[0])


def test_weasyprint_loads_without_find_library():
    script = ("import ctypes.util\nctypes.util.find_library = lambda name: None\n"
              "import weasyprint\nassert weasyprint.HTML(string='<p>x</p>').write_pdf()"
              "[:5] == b'%PDF-'\n"
              "from quire.outputs.pdf import patches\nimport ctypes.util as u\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    import ctypes.util
    assert ctypes.util.find_library.__module__ == "ctypes.util"     # put back after import


def test_a_page_keeps_its_box_tree():
    from weasyprint.formatting_structure import boxes
    page = weasyprint.HTML(string="<p>x</p>").render().pages[0]
    assert isinstance(patches.page_box(page), boxes.PageBox)


def test_raster_image_seams(taken_out):
    from weasyprint import images
    taken_out("CMYK images lossless")
    assert list(inspect.signature(images.RasterImage.__init__).parameters) == [
        "self", "pillow_image", "image_id", "image_data", "filename", "cache",
        "orientation", "options"]
    assert list(inspect.signature(images.RasterImage.get_x_object).parameters) == [
        "self", "interpolate", "dpi_ratio"]
    source = inspect.getsource(images.RasterImage)
    assert "def cache_image_data" in source and "jpeg_quality" in source
    patches.weasyprint()
    # with the patch, a lossless CMYK image is embedded as its pixels
    import base64
    import io

    import pikepdf
    from PIL import Image

    from quire.outputs.pdf import cmyk
    png = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(png, "PNG")
    tiff = base64.b64encode(cmyk.convert_image(png.getvalue())).decode()
    pdf = weasyprint.HTML(string=f'<img src="data:image/tiff;base64,{tiff}">').write_pdf()
    with pikepdf.open(io.BytesIO(pdf)) as document:
        image = next(iter(document.pages[0].Resources.XObject.values()))
        assert image.ColorSpace == "/DeviceCMYK" and image.Filter == "/FlateDecode"


def test_line_breaking_seams(taken_out):
    from weasyprint.layout import block, inline
    taken_out("hyphen ladders limited")
    assert inspect.isgeneratorfunction(inline.iter_line_boxes)
    assert block.iter_line_boxes is inline.iter_line_boxes         # imported by name
    assert list(inspect.signature(inline.split_first_line).parameters)[:2] == ["text", "style"]
    assert "split_first_line(" in inspect.getsource(inline)
    assert "style['hyphens']" in inspect.getsource(weasyprint.text.line_break) or \
        'style["hyphens"]' in inspect.getsource(weasyprint.text.line_break)
    patches.weasyprint()
    assert block.iter_line_boxes is inline.iter_line_boxes is not None
    assert not inspect.isgeneratorfunction(inline.split_first_line)


def test_break_word_seam(taken_out):
    """A run with no break opportunity that begins in inline code and goes on in the text
    after it: WeasyPrint 70 breaks it (overflow-wrap: break-word) only when the text box
    is the first of its line; with the patch, when nothing earlier in the line can break.
    Words elsewhere still wrap between words."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline
    from weasyprint.text import line_break
    taken_out("long words broken across boxes")
    assert list(inspect.signature(inline.split_inline_level).parameters)[-3:] == [
        "line_children", "first_letter_style", "first_line_style"]
    assert "is_line_start = len(line_children) == 0" in inspect.getsource(
        inline.split_inline_level)
    assert "split_inline_level(" in inspect.getsource(inline.split_inline_box)
    assert list(inspect.signature(line_break.get_next_break_point_from_text).parameters) == [
        "text", "lang"]
    css = ("@page { size: 75mm 60mm; margin: 10mm } li { overflow-wrap: break-word; "
           "font: 10pt serif } code { font: 9pt monospace }")
    items = ["<li><code>GeneratorFunction.prototype[Symbol.toStringTag]</code>"
             "\uff1a\u2018GeneratorFunction\u2019</li>",
             "<li>Some words before <code>GeneratorFunction</code>\uff1a\u2018Generator"
             "Function\u2019</li>"]

    def lines():
        html = f"<html lang=zh><style>{css}</style><ul>{''.join(items)}</ul>"
        page = patches.page_box(weasyprint.HTML(string=html).render().pages[0])
        found = []

        def walk(box):
            if isinstance(box, boxes.LineBox):
                texts = [b for b in box.descendants() if isinstance(b, boxes.TextBox)]
                found.append(("".join(b.text for b in texts),
                              max(b.position_x + b.width for b in texts)))
            for child in getattr(box, "children", ()):
                walk(child)
        walk(page)
        return found
    right = 65 / 25.4 * 96                      # the content box's right edge, in px
    assert max(x for _, x in lines()) > right + 10           # as WeasyPrint ships
    patches.weasyprint()
    made = lines()
    assert max(x for _, x in made) <= right + 0.01, made
    assert "Some words before" in [text.strip() for text, _ in made], made   # between words


def test_remake_page_seam(taken_out):
    from weasyprint.layout import page
    taken_out("footnotes reported once")
    assert list(inspect.signature(page.remake_page).parameters) == [
        "index", "context", "root_box", "html"]
    assert "reported_footnotes" in inspect.getsource(page.make_page)
    assert "remake_page(" in inspect.getsource(page.make_all_pages)


def test_font_key_seams(taken_out):
    from weasyprint.pdf import fonts, stream
    from weasyprint.text import fonts as text_fonts
    taken_out("one font per file")
    assert stream.get_pango_font_key is text_fonts.get_pango_font_key
    assert list(inspect.signature(fonts.Font.__init__).parameters) == [
        "self", "pango_font", "description", "font_size"]
    source = inspect.getsource(fonts.Font.__init__)
    assert "self.hash" in source and "self.file_content" in source and "self.index" in source
    assert hasattr(text_fonts, "get_pango_font_hb_face")
    patches.weasyprint()
    assert stream.get_pango_font_key is not text_fonts.get_pango_font_key


def test_document_id_seam():
    html = weasyprint.HTML(string="<p>x</p>")
    stable = uuid.uuid5(uuid.NAMESPACE_URL, "urn:test")
    with patches.stable_document_id(stable):
        one = html.write_pdf(pdf_variant="pdf/x-4")
        two = html.write_pdf(pdf_variant="pdf/x-4")
    assert one == two and str(stable).encode() in one
    assert html.write_pdf(pdf_variant="pdf/x-4") != one            # random again


def test_stream_seam():
    import pydyf
    assert isinstance(pydyf.Stream.__dict__["data"], property)
    stream = pydyf.Stream([b"abc " * 40_000, b"q Q"], {"Type": "/XObject"}, compress=True)
    shipped = stream.data
    with patches.streams_compressed_once({}):
        ours = stream.data
    assert isinstance(pydyf.Stream.__dict__["data"], property) and stream.data == shipped

    def parts(data):
        head, _, rest = data.partition(b"\nstream\n")
        return head.replace(str(len(rest) - len(b"\nendstream")).encode(), b"N"), \
            zlib.decompress(rest[:-len(b"\nendstream")])
    assert parts(ours)[1] == parts(shipped)[1]                    # the same content


def test_the_stream_memo_keeps_the_recently_used_within_its_bytes():
    """A worker's memo of compressed large streams stays bounded however many chunks it
    lays out (it grew with every chunk's pages and fonts), and keeps what recurs."""
    import random

    import pydyf
    memo = patches.StreamMemo(limit=2**20)
    icc = random.Random(0).randbytes(300_000)
    with patches.streams_compressed_once(memo):
        first = pydyf.Stream([icc], compress=True).data              # in every chunk
        for number in range(40):                                    # 40 chunks' own streams
            page = pydyf.Stream([random.Random(number + 1).randbytes(100_000)], compress=True)
            assert page.data
            assert pydyf.Stream([icc], compress=True).data == first
    assert memo.size <= memo.limit and len(memo) < 40
    assert memo.size == sum(len(v) for v in memo.values())


def test_margin_boxes_come_after_all_pages():
    calls = []

    def adjust(context, page, state):
        calls.append((context.current_page, len(context.page_maker) - 1))
        quote_depth, counters, scopes, groups = state
        counters = dict(counters)
        counters["page"] = [value + 10 for value in counters["page"]]
        return quote_depth, counters, scopes, groups
    html = weasyprint.HTML(string="<style>@page { @bottom-center { content: counter(page) } }"
                           "p { break-after: page }</style><p>a</p><p>b</p><p>c</p>")
    with patches.margin_boxes(adjust):
        pdf = html.write_pdf()
    assert calls == [(1, 3), (2, 3), (3, 3)]                # every page laid out before
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    assert "11" in text and "13" in text
    calls.clear()
    html.write_pdf()
    assert calls == []                                             # taken out again


def test_pages_made_seam():
    """`look` sees each page with where the next starts; after moving a box in the tree,
    `again()` makes the page anew from the same start, the notes it held included."""
    from weasyprint.formatting_structure import boxes
    seen = []
    body = "".join(f"<p>Line {n}.</p>" for n in range(30))
    html = weasyprint.HTML(string=(
        "<style>@page { size: 100mm 100mm; margin: 10mm } p { margin: 0 }"
        ".note { float: footnote } .tall { height: 72mm }</style>"
        f"<body><p>A call<span class=note>The note.</span>.</p><div class=tall>TALL</div>"
        f"<p>After one.</p><p>After two.</p>{body}</body>"))

    def look(page, resume_at, root_box, again):
        seen.append(resume_at)
        if len(seen) > 1:
            return page, resume_at
        (html_at, inside), = resume_at.items()
        (body_at, _), = inside.items()
        children = root_box.children[html_at].children
        if children[body_at].element.get("class") == "tall":
            children.insert(body_at + 2, children.pop(body_at))     # after "After two."
            page, resume_at = again()
        return page, resume_at

    with patches.pages_made(look):
        document = html.render()
    assert isinstance(seen[0], dict) and len(seen) >= len(document.pages)
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=document.write_pdf(),
                          capture_output=True, check=True).stdout.decode()
    first = text.split("\f")[0]
    assert "After one." in first and "After two." in first and "TALL" not in first
    assert text.count("The note.") == 1 and "The note." in first
    assert all(isinstance(page._page_box, boxes.PageBox) for page in document.pages)
    seen.clear()
    html.render()
    assert seen == []                                               # taken out again


def test_pyphen_cache_seam():
    import pyphen
    path = pyphen.LANGUAGES[pyphen.language_fallback("nb")]
    before = pyphen.hdcache.pop(path, None)
    sentinel = pyphen.HyphDict(path)
    try:
        patches.install_hyphenation({path: sentinel})
        assert path in patches.hyphenation_cached()
        assert pyphen.Pyphen(lang="nb").hd is sentinel
    finally:
        pyphen.hdcache.pop(path, None)
        if before is not None:
            pyphen.hdcache[path] = before


PAGED = """<style>
@page { size: 100mm 80mm; margin: 20mm; @bottom-center { content: counter(page) } }
@page :left { @top-left { content: "LEFT" } }
@page :right { @top-right { content: "RIGHT" } }
@page :first { @top-center { content: "FIRST" } }
@page wide { size: 140mm 80mm; @top-center { content: "WIDE" } }
@page :blank { @top-center { content: "BLANK" } }
.wide { page: wide } h1 { break-before: right }
</style>""" + "".join(
    f'<h1>Part {n}</h1>' + "<p>Words of a paragraph. </p>" * 12
    + ('<div class="wide"><p>A wide page.</p></div>' if n % 2 else "")
    for n in range(4))


def _texts(pdf: bytes) -> list[str]:
    import io

    import pypdf
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_page_styles_seam(taken_out):
    """speedups.page_styles_from_page_rules: margin-box styles found from the page rules
    give the same pages as WeasyPrint's walk over every cascaded style."""
    from weasyprint.css import StyleFor
    from weasyprint.layout import page
    taken_out("page styles from page rules")
    assert list(inspect.signature(page.set_page_type_computed_styles).parameters) == [
        "page_type", "html", "style_for"]
    assert ("set_page_type_computed_styles(page_type, html, context.style_for)"
            in inspect.getsource(page))             # in remake_page, called by name
    declarations = inspect.getsource(StyleFor.add_page_declarations)
    assert "sheet.page_rules" in declarations and "(page_type, pseudo_type)" in declarations
    assert "selector_list, declarations in sheet.page_rules" in declarations
    assert "_page_type_match(page_selector_type, page_type)" in declarations
    shipped = weasyprint.HTML(string=PAGED).write_pdf()
    patches.weasyprint()
    assert page.set_page_type_computed_styles.__module__ == "quire.outputs.pdf.speedups"
    patched = weasyprint.HTML(string=PAGED).write_pdf()
    assert patched == shipped
    texts = _texts(patched)
    assert len(texts) > 8 and "FIRST" in texts[0]
    for kind in ("LEFT", "RIGHT", "WIDE", "BLANK"):
        assert any(kind in text for text in texts), kind


def test_fixed_boxes_seam(taken_out):
    """speedups.fixed_boxes_from_pages_that_have_them: a `position: fixed` box still
    shows on every page, laid out as WeasyPrint lays it out."""
    from weasyprint import layout
    taken_out("fixed boxes from pages that have them")
    assert list(inspect.signature(layout.layout_fixed_boxes).parameters) == [
        "context", "pages", "containing_page"]
    source = inspect.getsource(layout.layout_document)
    assert "layout_fixed_boxes(context, pages[:i], page)" in source
    assert "layout_fixed_boxes(context, pages[i + 1:], page)" in source
    document = ('<style>@page { size: 80mm 60mm }</style>'
                + "<p>Words of a paragraph.</p>" * 30
                + '<div style="position: fixed; bottom: 0">FIXED ONE</div>'
                + "<p>Words of a paragraph.</p>" * 30
                + '<div style="position: fixed; top: 0"><img style="width: 2mm" src="'
                'data:image/svg+xml,<svg xmlns=%22http://www.w3.org/2000/svg%22/>">'
                'FIXED TWO</div>' + "<p>Words of a paragraph.</p>" * 30)
    rendered = weasyprint.HTML(string=document).render()
    assert sum(1 for p in rendered.pages if patches.page_box(p).fixed_boxes) == 2
    shipped = rendered.write_pdf()
    patches.weasyprint()
    assert layout.layout_fixed_boxes.__module__ == "quire.outputs.pdf.speedups"
    patched = weasyprint.HTML(string=document).write_pdf()
    assert patched == shipped
    texts = _texts(patched)
    assert len(texts) > 4
    assert all("FIXED ONE" in text and "FIXED TWO" in text for text in texts)


def test_leaders_seam(taken_out, tmp_path):
    """speedups.leaders_as_one_run: a contents line's dots are one text run, drawn where
    WeasyPrint's one box per dot put them (the pages are the same pixels)."""
    from weasyprint.layout import inline, leader
    taken_out("leaders as one run")
    assert inline.handle_leader is leader.handle_leader
    assert list(inspect.signature(leader.handle_leader).parameters) == [
        "context", "line", "containing_block"]
    document = ('<style>@page { size: A6 } li a::after { content: leader(".") " "'
                ' target-counter(attr(href), page) }</style><ol>'
                + "".join(f'<li><a href="#h{i}">Chapter number {i}</a></li>' for i in range(12))
                + "</ol>" + "".join(f'<h1 id="h{i}" style="break-before: page">H{i}</h1>'
                                    for i in range(12)))

    def dots(rendered):
        found = []

        def walk(box):
            if getattr(box, "is_leader", False):
                found.append(len(box.children))
            for child in getattr(box, "children", ()):
                walk(child)
        walk(patches.page_box(rendered.pages[0]))
        return found
    shipped = weasyprint.HTML(string=document).render()
    assert len(dots(shipped)) == 12 and min(dots(shipped)) > 1
    shipped.write_pdf(tmp_path / "shipped.pdf")
    patches.weasyprint()
    patched = weasyprint.HTML(string=document).render()
    assert dots(patched) == [1] * 12
    patched.write_pdf(tmp_path / "patched.pdf")
    pixels = [subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-gray",
                              str(tmp_path / f"{name}.pdf")], capture_output=True,
                             check=True).stdout for name in ("shipped", "patched")]
    assert pixels[0] == pixels[1]


def test_stylesheet_seam(tmp_path, caplog):
    """A document's stylesheets parsed once for two renders: each render gets the page
    rules, layers, counter styles, colour profile, fonts and warnings it would get from a
    parse of its own, and draws the same page."""
    import io
    import shutil
    import pikepdf
    from PIL import ImageCms
    from weasyprint import css

    from quire.resources import theme_dir

    assert list(inspect.signature(css.find_stylesheets).parameters) == [
        "wrapper_element", "device_media_type", "url_fetcher", "base_url", "font_config",
        "counter_style", "color_profiles", "page_rules", "layers"]
    # quire's CMYK profile: Pillow writes it otherwise once its name has been read
    icc = ImageCms.ImageCmsProfile(str(theme_dir() / "icc" / "ISOcoated_v2_300_bas.icc"))
    icc = icc.tobytes()
    (tmp_path / "cmyk.icc").write_bytes(icc)
    shutil.copy(sorted((theme_dir() / "fonts").glob("*.ttf"))[0], tmp_path / "face.ttf")
    (tmp_path / "a.css").write_text(
        "@page { size: 90mm 60mm; margin: 10mm } @page :first { margin-top: 25mm }\n"
        "@layer low, high; @layer high { p { color: blue } } @layer low { p { color: red } }\n"
        "@counter-style ticks { system: cyclic; symbols: '*' '+'; suffix: ' ' }\n"
        "ol { list-style: ticks } @color-profile --mine { src: url(cmyk.icc); components: c, m, y, k }\n"
        "@font-face { font-family: Face; src: url(face.ttf) }\n"
        "p { font-family: Face; frobnicate: 1 }\n", "utf-8")
    (tmp_path / "b.css").write_text("li { margin-left: 3mm }", "utf-8")
    html = ('<link rel=stylesheet href="a.css"><link rel=stylesheet href="b.css">'
            '<style>h1 { font-size: 9pt }</style><h1>T</h1><p>Words</p><ol><li>a<li>b</ol>')
    base = tmp_path.as_uri() + "/"

    def drawn(rendered):
        pdf = pikepdf.open(io.BytesIO(rendered.write_pdf(pdf_variant="pdf/x-4")))
        resources = pdf.pages[0].Resources
        fonts = sorted(str(f.BaseFont) for f in resources.Font.values())
        profiles = [space[1].read_bytes() for space in resources.ColorSpace.values()
                    if isinstance(space, pikepdf.Array) and space[0] == "/ICCBased"]
        return [page.Contents.read_bytes() for page in pdf.pages], fonts, profiles

    caplog.set_level("WARNING", logger="weasyprint")
    plain = drawn(weasyprint.HTML(string=html, base_url=base).render())
    warned = [r.getMessage() for r in caplog.records if "frobnicate" in r.getMessage()]
    assert warned and any("Face" in name for name in plain[1]) and plain[2] == [icc]
    caplog.clear()
    memo, parsed = patches.SheetMemo(), []
    original = patches._parse
    for number in range(2):
        document = weasyprint.HTML(string=html, base_url=base)
        with patches.stylesheets_parsed_once(memo):
            patches._parse = lambda *args: parsed.append(1) or original(*args)
            try:
                rendered = document.render(font_config=memo.fonts())
            finally:
                patches._parse = original
        assert drawn(rendered) == plain
        assert "--mine" in rendered.color_profiles
        assert [r.getMessage() for r in caplog.records if "frobnicate" in r.getMessage()
                ] == warned
        caplog.clear()
    assert len(parsed) == 1 and len(memo.sets) == 1


def test_actual_text_seam(taken_out):
    """WeasyPrint draws a text box's glyphs as `[<gid gid> kern <gid>] TJ` with two-byte
    ids, and gives each glyph, once per font, the text of the first cluster it is drawn
    in: Tamil read back from such a PDF has other letters (ஜனவரி as ஜெனவரெி). With the
    patch the clusters that do not read back carry /ActualText, and the text is right;
    Latin text is drawn as WeasyPrint draws it."""
    import io
    import re

    import pikepdf
    from babel import Locale
    from weasyprint.draw import text as drawing

    from quire.outputs import pdf_text
    taken_out("actual text for reshaped clusters")
    assert list(inspect.signature(drawing.draw_first_line).parameters) == [
        "stream", "textbox", "text_overflow", "block_ellipsis", "matrix"]
    source = inspect.getsource(drawing.draw_first_line)
    assert "font.to_unicode[glyph_id] = utf8_text[offset+t1:offset+t2]" in source
    assert "string += f'{glyph_id:02x}' if font.bitmap else f'{glyph_id:04x}'" in source
    assert "draw_first_line(" in inspect.getsource(drawing.draw_text)
    months = list(Locale.parse("ta").months["format"]["wide"].values())

    def words(body: str) -> tuple[list[str], bytes]:
        html = f"<html lang=ta><p style='font-family: Noto Serif Tamil'>{body}</p>"
        pdf = weasyprint.HTML(string=html).write_pdf(uncompressed_pdf=True)
        with pikepdf.open(io.BytesIO(pdf)) as opened:
            return " ".join(pdf_text.read(opened)[0].segments).split(), pdf
    shipped, _ = words(" ".join(months))
    assert shipped != months                            # as WeasyPrint ships
    latin, plain = words("Twelve months, a year.")
    patches.weasyprint()
    patched, pdf = words(" ".join(months))
    assert patched == months
    assert re.search(rb"/Span <</ActualText <FEFF[0-9A-F]+>>> BDC\n\[[^\]]*\] TJ", pdf)
    assert words("Twelve months, a year.") == (latin, plain)     # the same bytes
