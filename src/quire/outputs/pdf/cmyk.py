"""sRGB to CMYK for print PDFs: stylesheet colours and raster images, through littlecms.

Uses the CMYK output profile shipped with the theme (ISO Coated v2, see styles/icc/) and
Pillow's ImageCms (littlecms). Neutral greys become black ink only, so text stays sharp.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path

from ...resources import theme_dir

_HEX = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")
_RGB = re.compile(r"rgba?\(\s*(\d+)\s*,?\s*(\d+)\s*,?\s*(\d+)\s*(?:[,/]\s*([\d.]+%?)\s*)?\)")
_NAMED = {"black": (0, 0, 0), "white": (255, 255, 255), "red": (255, 0, 0),
          "gray": (128, 128, 128), "grey": (128, 128, 128)}
_NAMED_RE = re.compile(r"(?<![\w-])(black|white|red|gr[ae]y)(?![\w-])")
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


def _hex(digits: str) -> tuple[int, int, int]:
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return tuple(int(digits[i:i + 2], 16) for i in (0, 2, 4))


def _colours(value: str) -> set[tuple[int, int, int]]:
    return ({_hex(m.group(1)) for m in _HEX.finditer(value)}
            | {tuple(int(m.group(i)) for i in (1, 2, 3)) for m in _RGB.finditer(value)}
            | {_NAMED[m.group(1)] for m in _NAMED_RE.finditer(value)})


def convert_css(css: str) -> str:
    """The stylesheet with every sRGB colour in colour properties written as device-cmyk()."""
    cmyk = _to_cmyk(set().union(*(_colours(m.group(3)) for m in _PROPERTY.finditer(css))))

    def convert(value: str) -> str:
        value = _HEX.sub(lambda m: _device_cmyk(cmyk[_hex(m.group(1))]), value)
        value = _RGB.sub(lambda m: _device_cmyk(cmyk[tuple(int(m.group(i)) for i in (1, 2, 3))],
                                                m.group(4)), value)
        return _NAMED_RE.sub(lambda m: _device_cmyk(cmyk[_NAMED[m.group(1)]]), value)

    return _PROPERTY.sub(lambda m: f"{m.group(1)}{m.group(2)}:{convert(m.group(3))}", css)


_SVG_ATTRIBUTES = ("fill", "stroke", "stop-color", "flood-color", "lighting-color", "color")
# The same properties in a style="" attribute or a <style> element; group 2 is the value.
_SVG_PROPERTY = re.compile(r"(\b(?:fill|stroke|stop-color|flood-color|lighting-color|color)"
                           r"\s*:\s*)([^;}]+)")


def convert_svg(svg: str) -> str:
    """An SVG image (its text) with its colours in CMYK (convert_svg_tree); as it was when
    it does not parse as XML."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(svg.encode("utf-8"), parser)
    except etree.XMLSyntaxError:
        return svg
    convert_svg_tree(root)
    return etree.tostring(root, encoding="unicode")


def convert_svg_tree(root, inline: bool = False) -> None:
    """Every sRGB colour of an SVG element tree written as device-cmyk() (which
    WeasyPrint's SVG renderer draws in DeviceCMYK): presentation attributes, style
    attributes and <style> elements, never its text; black ink for what is black by
    default (fill, and the current colour of an SVG file: an `inline` one inherits the
    text's, in CMYK already; set on the root unless it sets them). Other values (none,
    currentColor, url(#gradient), inherit) stay as they are."""
    from tinycss2.color3 import parse_color

    def rgb(value: str):
        colour = parse_color(value.strip())
        if colour is None or isinstance(colour, str):      # not a colour; currentColor
            return None
        return tuple(round(v * 255) for v in colour[:3]), colour[3]
    places = []                                 # (element, attribute or None for text)
    values = set()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue                            # comments, processing instructions
        for name in _SVG_ATTRIBUTES:
            if el.get(name) is not None:
                places.append((el, name))
                values.add(el.get(name))
        if el.get("style"):
            places.append((el, "style"))
            values.update(m.group(2) for m in _SVG_PROPERTY.finditer(el.get("style")))
        if etree_name(el.tag) == "style" and el.text:
            places.append((el, None))
            values.update(m.group(2) for m in _SVG_PROPERTY.finditer(el.text))
    found = {value: rgb(value) for value in values}
    cmyk = _to_cmyk({c[0] for c in found.values() if c} | {(0, 0, 0)})

    def written(value: str) -> str:
        colour = found.get(value)
        if colour is None:
            return value
        return _device_cmyk(cmyk[colour[0]], f"{colour[1]:g}" if colour[1] < 1 else None)

    def in_css(text: str) -> str:
        return _SVG_PROPERTY.sub(lambda m: m.group(1) + written(m.group(2)), text)
    for el, name in places:
        if name is None:
            el.text = in_css(el.text)
        elif name == "style":
            el.set("style", in_css(el.get("style")))
        else:
            el.set(name, written(el.get(name)))
    style = root.get("style", "")
    for name in ("fill",) if inline else ("fill", "color"):
        if root.get(name) is None and not re.search(rf"\b{name}\s*:", style):
            root.set(name, _device_cmyk(cmyk[(0, 0, 0)]))


def etree_name(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rpartition("}")[2]


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
