"""The EPUB's fonts, each cut down to the characters the publication uses (HarfBuzz).

The theme ships whole fonts (Latin, Greek, Cyrillic: 6 MB in all); an e-book needs only the
glyphs of its own text. Each TrueType/OpenType font named by an EPUB stylesheet is subset to
the publication's characters, with its OpenType layout features (kerning, ligatures, marks)
for them, as a reading system needs them; a font none of whose characters occur is left
out, and so is its @font-face rule. The same input gives the same bytes. WOFF/WOFF2 fonts
of a project are packed as they are.
"""

from __future__ import annotations

import re

from ..fonts import FONT_FACE_RULE

# Always kept: what reading systems put on the page themselves (digits, punctuation).
_ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "\u00a0\u00ad\u2010\u2013\u2014\u2026"


def characters(texts) -> str:
    """The distinct characters of `texts` and of what every page shows, sorted."""
    chars = set(_ALWAYS)
    for text in texts:
        chars.update(text)
    return "".join(sorted(chars))


def subset(data: bytes, chars: str, index: int = 0) -> bytes | None:
    """`data` (a TrueType/OpenType font) cut down to `chars`; None if it has none of them."""
    import uharfbuzz as hb

    face = hb.Face(hb.Blob(data), index)      # `index`: the face of a collection
    covered = face.unicodes
    if not any(ord(c) in covered for c in chars):
        return None
    request = hb.SubsetInput()
    request.unicode_set.update(ord(c) for c in chars if ord(c) in covered)
    request.name_id_set.update(range(15))           # names, copyright and licence
    # OpenType features besides HarfBuzz's defaults (kerning, ligatures, marks, local forms)
    for feature in ("smcp", "c2sc", "onum", "lnum", "tnum", "pnum", "case"):
        request.layout_feature_tag_set.add(int.from_bytes(feature.encode(), "big"))
    # Reading systems hint at their own sizes; the hints would double the files.
    request.flags = hb.SubsetFlags.NO_HINTING
    return hb.subset(face, request).blob.data


def without_faces(css: str, dropped: set[str]) -> str:
    """`css` without the @font-face rules whose source is one of the `dropped` URLs."""
    def keep(match: re.Match) -> str:
        rule = match.group(0)
        return "" if any(f'"{url}"' in rule or f"'{url}'" in rule or f"({url})" in rule
                         for url in dropped) else rule
    return FONT_FACE_RULE.sub(keep, css)
