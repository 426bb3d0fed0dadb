"""Image checks before an image enters the publication: real format, sane size, safe SVG."""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

from lxml import etree

from .errors import ContentError

MAX_PIXELS = 100_000_000        # 10k x 10k; larger is refused as a likely decompression bomb
RASTER_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
SVG_NS = "http://www.w3.org/2000/svg"
_EXTERNAL = re.compile(r"^\s*(?!#|data:image/)", re.I)
_REFERENCE_ATTRS = ("href", "{http://www.w3.org/1999/xlink}href", "src")


def media_type(path: Path, src: str, label: str, line: int | None,
               data: bytes | None = None) -> str:
    """The image's media type from its content (the file, or `data` decoded from a data:
    URI, with `path` giving its kind), or a ContentError saying what is wrong."""
    if data is not None:
        src = src[:40] + ("..." if len(src) > 40 else "")
    if path.suffix.lower() == ".svg":
        _check_svg(io.BytesIO(data) if data is not None else path, src, label, line)
        return "image/svg+xml"
    from PIL import Image   # Pillow comes with WeasyPrint

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data) if data is not None else path) as image:
                fmt, (width, height) = image.format, image.size
                if width * height > MAX_PIXELS:
                    raise ContentError(label, f"image '{src}' is {width}x{height} pixels; "
                                              f"the limit is {MAX_PIXELS:,} pixels", line)
                image.verify()
    except ContentError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ContentError(label, f"image '{src}' is too large to decode safely", line) from None
    except OSError as err:
        raise ContentError(label, f"image '{src}' cannot be read as an image "
                                  f"(corrupt or not an image: {err})", line) from None
    except Exception as err:  # Pillow raises assorted errors on broken files
        raise ContentError(label, f"image '{src}' is corrupt ({type(err).__name__})", line) from None
    if fmt not in RASTER_TYPES:
        raise ContentError(label, f"image '{src}' is in {fmt} format; use PNG, JPEG, GIF, "
                                  "WebP or SVG", line)
    return RASTER_TYPES[fmt]


# A document type declaration with declarations of its own (entities: billion laughs,
# external files). SVG 1.1's public DOCTYPE alone, which Graphviz and Illustrator write
# (rust-lang/book's figures), declares nothing and is accepted; it is never fetched, and
# the EPUB leaves it out (EPUBCheck refuses external identifiers: without_doctype).
_INTERNAL_SUBSET = re.compile(r"<!DOCTYPE[^>\[]*\[")
_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*>\s*")


def without_doctype(svg: bytes) -> bytes:
    """An SVG's bytes without its document type declaration (an SVG 1.1 public one)."""
    return _DOCTYPE.sub(b"", svg, count=1)


def _check_svg(path, src: str, label: str, line: int | None) -> None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        root = etree.parse(path if isinstance(path, io.BytesIO) else str(path),
                           parser).getroot()
    except etree.XMLSyntaxError as err:
        raise ContentError(label, f"image '{src}' is not well-formed SVG ({err})", line) from None
    head = (path.getvalue()[:4096].decode("utf-8", "replace") if isinstance(path, io.BytesIO)
            else path.read_text(errors="replace")[:4096])
    if _INTERNAL_SUBSET.search(head) or "<!ENTITY" in head:
        raise ContentError(label, f"image '{src}' declares XML entities; "
                                  "SVG with a DTD or entities is refused", line)
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ContentError(label, f"image '{src}' is not an SVG image", line)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in (f"{{{SVG_NS}}}script", f"{{{SVG_NS}}}foreignObject"):
            raise ContentError(label, f"image '{src}' contains <{etree.QName(el).localname}>; "
                                      "scripts and foreign objects are refused", line)
        for name in _REFERENCE_ATTRS:
            value = el.get(name)
            if value is not None and _EXTERNAL.match(value):
                raise ContentError(label, f"image '{src}' refers to '{value[:60]}'; an SVG "
                                          "must be self-contained", line)
        for name, value in el.attrib.items():
            if etree.QName(name).localname.lower().startswith("on"):
                raise ContentError(label, f"image '{src}' has an event handler "
                                          f"({etree.QName(name).localname}); refused", line)
        if el.tag == f"{{{SVG_NS}}}style" and el.text and "url(" in el.text and \
                re.search(r"url\(\s*['\"]?(?!#|data:)", el.text):
            raise ContentError(label, f"image '{src}' loads a file from its style; "
                                      "an SVG must be self-contained", line)
