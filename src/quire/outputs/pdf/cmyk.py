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


# An SVG's colour-valued presentation attributes, and the same properties in style=""
# attributes and <style> elements; group 3 is the value.
_SVG_COLOUR = re.compile(r"""(\b(fill|stroke|stop-color|flood-color|lighting-color|color)"""
                         r"""\s*(?:=\s*["']|:\s*))([^"';<>}]+)""")


def convert_svg(svg: str) -> str:
    """An SVG image with every sRGB colour written as device-cmyk() (which WeasyPrint's SVG
    renderer draws in DeviceCMYK), and black ink for what is black by default (fill and
    the current colour, given to the root element unless it sets them). Other values
    (none, currentColor, url(#gradient), inherit) stay as they are."""
    from tinycss2.color3 import parse_color

    def rgb(value: str):
        colour = parse_color(value.strip())
        if colour is None or isinstance(colour, str):      # not a colour; currentColor
            return None
        return tuple(round(v * 255) for v in colour[:3]), colour[3]
    found = {m.group(3): rgb(m.group(3)) for m in _SVG_COLOUR.finditer(svg)}
    cmyk = _to_cmyk({c[0] for c in found.values() if c} | {(0, 0, 0)})

    def convert(match) -> str:
        colour = found.get(match.group(3))
        if colour is None:
            return match.group(0)
        alpha = f"{colour[1]:g}" if colour[1] < 1 else None
        return match.group(1) + _device_cmyk(cmyk[colour[0]], alpha)
    svg = _SVG_COLOUR.sub(convert, svg)
    root = re.search(r"<svg\b[^>]*>", svg)
    if root:
        tag = root.group(0)
        black = _device_cmyk(cmyk[(0, 0, 0)])
        added = "".join(f' {name}="{black}"' for name in ("fill", "color")
                        if not re.search(rf"\b{name}\s*[=:]", tag))
        svg = svg[:root.start()] + "<svg" + added + tag[4:] + svg[root.end():]
    return svg


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
