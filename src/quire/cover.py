"""The printed cover: the cover image fitted to the trim plus bleed, never cropped.

A cover drawn for another shape than the book's (a 2:3 image on A4, or on a 156 x 234 mm
trim with its bleed) is scaled to fit inside the trim plus bleed (`object-fit: contain`)
and centred; where bars are left (beside a narrow image, above and below a wide one) its
edge pixels are stretched across them (`extended`), so the background extends the
picture instead of a white band, and no letter of the cover's own text is cut off. Only
the bleed (3 mm, cut away by the printer) falls outside the trim.

Produces CSS for the print template (pdf.py adds it after the page rules); leaves out the
EPUB, whose cover page is the image as it is.
"""

from __future__ import annotations

from . import design
from .model import Publication

def print_css(publication: Publication) -> str:
    """The cover page's rules ("" without a cover)."""
    if publication.cover is None:
        return ""
    width, height = _box(publication)
    bleed = (width - design.mm(publication.pdf.page_width)) / 2
    return (f".cover img {{ margin: -{bleed:.2f}mm; width: {width:.2f}mm; height: {height:.2f}mm;"
            " max-width: none; max-height: none; object-fit: contain; }")


def extended(publication: Publication) -> str | None:
    """The cover image as a data: URI of the shape of the trim plus bleed: the image
    centred, the bars beside it filled by stretching its edge pixels (each row's, or each
    column's, own colour), so the background extends the picture. None when the image is
    already of that shape (within 1 %) or Pillow cannot read it."""
    import base64
    import io

    from PIL import Image
    if publication.cover is None:
        return None
    width, height = _box(publication)
    try:
        with Image.open(io.BytesIO(publication.cover.read())) as image:
            lossy = image.format in ("JPEG", "MPO")
            image = image.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    w, h = image.size
    ratio = width / height
    if not w or not h or abs(w / h - ratio) / ratio < 0.01:
        return None
    if w / h < ratio:                               # narrower: bars left and right
        size = (round(h * ratio), h)
        bar = (size[0] - w) // 2
        out = Image.new("RGB", size)
        out.paste(image, (bar, 0))
        out.paste(image.crop((0, 0, 1, h)).resize((bar, h)), (0, 0))
        out.paste(image.crop((w - 1, 0, w, h)).resize((size[0] - w - bar, h)), (bar + w, 0))
    else:                                           # wider: bars above and below
        size = (w, round(w / ratio))
        bar = (size[1] - h) // 2
        out = Image.new("RGB", size)
        out.paste(image, (0, bar))
        out.paste(image.crop((0, 0, w, 1)).resize((w, bar)), (0, 0))
        out.paste(image.crop((0, h - 1, w, h)).resize((w, size[1] - h - bar)), (0, bar + h))
    buffer = io.BytesIO()
    if lossy:
        out.save(buffer, "JPEG", quality=92)
    else:
        out.save(buffer, "PNG")
    kind = "jpeg" if lossy else "png"
    return f"data:image/{kind};base64,{base64.b64encode(buffer.getvalue()).decode()}"


def _box(publication: Publication) -> tuple[float, float]:
    """The trim plus bleed, in mm (no bleed outside the print variant)."""
    pdf = publication.pdf
    bleed = design.mm(pdf.bleed) if pdf.variant == "print" else 0.0
    return design.mm(pdf.page_width) + 2 * bleed, design.mm(pdf.page_height) + 2 * bleed
