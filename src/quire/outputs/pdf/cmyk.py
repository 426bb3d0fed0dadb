"""sRGB to CMYK for print PDFs: stylesheet and SVG colours and raster images, through
littlecms.

Uses the CMYK output profile shipped with the theme (ISO Coated v2, see styles/icc/) and
Pillow's ImageCms (littlecms). Neutral greys become black ink only, so text stays sharp.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path

from ...resources import theme_dir

# In a CSS value: what may be a colour (a hash, an rgb()/hsl() function, a word), and what
# is never one and is left whole (url(), strings, var(), words in a hyphenated name).
_COLOUR_TOKEN = re.compile(r"""url\([^)]*\)|"[^"]*"|'[^']*'|var\([^)]*\)"""
                           r"|#[0-9a-fA-F]{3,8}\b|\b(?:rgba?|hsla?)\([^)]*\)"
                           r"|(?<![\w#-])[a-zA-Z]+(?![\w(-])")
_PROPERTY = re.compile(r"(^|[;{\s])(--[\w-]*colou?r|(?:background-)?color|background|"
                       r"border[\w-]*|outline[\w-]*|"
                       r"text-decoration[\w-]*|fill|stroke|column-rule[\w-]*)\s*:([^;}]*)",
                       re.M)


def profile_path() -> Path:
    return theme_dir() / "icc" / "ISOcoated_v2_300_bas.icc"


@lru_cache(maxsize=1)
def _transform():
    from PIL import ImageCms
    # From memory, not from the file: littlecms reads a file's tags lazily, and forked
    # processes would share (and race on) its file offset.
    cmyk = ImageCms.ImageCmsProfile(io.BytesIO(profile_path().read_bytes()))
    return ImageCms.buildTransform(ImageCms.createProfile("sRGB"), cmyk, "RGB", "CMYK",
                                   renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)


def _to_cmyk(colours: set[tuple[int, int, int]]) -> dict[tuple, tuple[float, ...]]:
    """Each sRGB colour as CMYK, greys as black ink only. The colours go through littlecms
    as one image: each transform also copies the 1 MB profile into the result."""
    cmyk = {c: (0.0, 0.0, 0.0, round(1 - c[0] / 255, 3)) for c in colours if len(set(c)) == 1}
    chromatic = sorted(colours - cmyk.keys())
    if chromatic:
        from PIL import Image, ImageCms
        strip = Image.new("RGB", (len(chromatic), 1))
        strip.putdata(chromatic)
        converted = ImageCms.applyTransform(strip, _transform())
        cmyk.update((c, tuple(round(v / 255, 3) for v in converted.getpixel((i, 0))))
                    for i, c in enumerate(chromatic))
    return cmyk


def _device_cmyk(cmyk: tuple[float, ...], alpha: str | None = None) -> str:
    c, m, y, k = cmyk
    alpha_part = f" / {alpha}" if alpha else ""
    return f"device-cmyk({c:g} {m:g} {y:g} {k:g}{alpha_part})"


def _rgb(token: str):
    """((r, g, b), alpha) of a CSS colour (hex, rgb(), hsl(), any named colour), or None:
    not a colour, currentColor, or in a space other than sRGB (left to preflight). A fully
    transparent one is black at alpha 0: WeasyPrint still strokes an SVG's
    stroke="transparent" (Graphviz writes it), in RGB ("RG 0 0 0") at alpha 0, which
    preflight rightly finds in a CMYK job (rust-lang/book's figures)."""
    from tinycss2.color4 import parse_color

    colour = parse_color(token)
    if colour is None or isinstance(colour, str):
        return None
    if colour.alpha == 0:
        return (0, 0, 0), 0.0
    try:
        srgb = colour.to("srgb")
    except NotImplementedError:
        return None
    return tuple(round(min(max(v, 0), 1) * 255) for v in srgb.coordinates), srgb.alpha


class _Converter:
    """Every sRGB colour in a set of CSS values written as device-cmyk(), the colours
    converted together (_to_cmyk)."""

    def __init__(self, values):
        self.found = {m.group(0): _rgb(m.group(0))
                      for value in values for m in _COLOUR_TOKEN.finditer(value)}
        self.cmyk = _to_cmyk({c[0] for c in self.found.values() if c} | {(0, 0, 0)})

    def value(self, value: str) -> str:
        return _COLOUR_TOKEN.sub(lambda m: self._token(m.group(0)), value)

    def _token(self, token: str) -> str:
        colour = self.found.get(token)
        if colour is None:
            return token
        return _device_cmyk(self.cmyk[colour[0]], f"{colour[1]:g}" if colour[1] < 1 else None)

    def black(self) -> str:
        return _device_cmyk(self.cmyk[(0, 0, 0)])


def convert_css(css: str) -> str:
    """The stylesheet with every sRGB colour in colour properties written as device-cmyk()."""
    converter = _Converter(m.group(3) for m in _PROPERTY.finditer(css))
    return _PROPERTY.sub(lambda m: f"{m.group(1)}{m.group(2)}:{converter.value(m.group(3))}",
                         css)


_SVG_ATTRIBUTES = ("fill", "stroke", "stop-color", "flood-color", "lighting-color", "color")
# The same properties in a style="" attribute or a <style> element; group 2 is the value.
_SVG_PROPERTY = re.compile(rf"(\b(?:{'|'.join(_SVG_ATTRIBUTES)})\s*:\s*)([^;}}]+)")


def convert_svg(data: bytes) -> bytes:
    """An SVG file with its colours in CMYK (convert_svg_tree); as it was when it does not
    parse as XML."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return data
    convert_svg_tree(root)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def convert_svg_tree(root, inline: bool = False) -> None:
    """Every sRGB colour of an SVG element tree written as device-cmyk() (which
    WeasyPrint's SVG renderer draws in DeviceCMYK): presentation attributes, style
    attributes and <style> elements, never its text; black ink for what is black by
    default (fill, and the current colour of an SVG file: an `inline` one inherits the
    text's, in CMYK already; set on the root unless it sets them). Other values (none,
    currentColor, url(#gradient), inherit) stay as they are."""
    from lxml import etree

    places = []                     # (element, attribute; None: the <style>'s text)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue                # comments, processing instructions
        places += [(el, name) for name in (*_SVG_ATTRIBUTES, "style") if el.get(name)]
        if etree.QName(el).localname == "style" and el.text:
            places.append((el, None))
    texts = [el.text if name is None else el.get(name) for el, name in places]
    values = []
    for (_, name), text in zip(places, texts):
        values += ([m.group(2) for m in _SVG_PROPERTY.finditer(text)]
                   if name in (None, "style") else [text])
    converter = _Converter(values)

    def in_css(text: str) -> str:
        return _SVG_PROPERTY.sub(lambda m: m.group(1) + converter.value(m.group(2)), text)
    for (el, name), text in zip(places, texts):
        if name is None:
            el.text = in_css(text)
        elif name == "style":
            el.set("style", in_css(text))
        else:
            el.set(name, converter.value(text))
    style = root.get("style", "")
    for name in ("fill",) if inline else ("fill", "color"):
        if root.get(name) is None and not re.search(rf"\b{name}\s*:", style):
            root.set(name, converter.black())


LOSSY = ("JPEG", "MPO")          # formats that stay JPEG; every other one stays lossless


def convert_image(data: bytes) -> bytes:
    """A raster image in CMYK (transparency flattened on white), for PDF/X: a photograph
    (JPEG) as a JPEG, anything lossless (PNG, GIF, WebP: line art, screenshots) as a
    PackBits TIFF, whose pixels quire's WeasyPrint patch embeds Deflate-compressed
    (patches.py). PackBits, not Deflate: this TIFF is only handed over (and kept in the build
    cache), and Deflate made saving and reading it 3x slower (98 figures of Pro Git: 6.1 s
    against 1.8 s on a loaded machine) for a cache entry 5x smaller."""
    from PIL import Image, ImageCms
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        lossy = image.format in LOSSY or (image.format == "WEBP"
                                          and not image.info.get("lossless"))
        dpi = image.info.get("dpi")
        if image.mode == "CMYK":
            converted = image
        else:
            rgba = image.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            converted = ImageCms.applyTransform(flat, _transform())
    # Pillow would save the output profile (1 MB) into every TIFF, though the PDF embeds the
    # pixels alone (weasy.py) under the job's one output intent: 40x the bytes of a figure
    # to write, cache, hash and read again.
    converted.info.pop("icc_profile", None)
    out = io.BytesIO()
    options = {"quality": 92, "subsampling": 0} if lossy else {"compression": "packbits"}
    if dpi:
        options["dpi"] = dpi
    converted.save(out, "JPEG" if lossy else "TIFF", **options)
    return out.getvalue()
