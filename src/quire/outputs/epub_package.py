"""The EPUB's package around its documents: schema.org accessibility metadata derived from
the content (quire.toml's [accessibility] overrides it), and the zip rewritten so that the
same source gives the same bytes (mimetype first and stored, names sorted, fixed dates,
xml:lang and dir on the package document). It writes no content document itself.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from .. import labels, language
from ..model import Publication


def accessibility(book, publication: Publication, page_list: bool) -> None:
    """schema.org accessibility metadata, derived from the content; quire.toml's
    [accessibility] table overrides any of it."""
    images = bool(publication.assets)
    all_alt = not any(doc.images_without_alt for doc in publication.documents)
    features = ["structuralNavigation", "tableOfContents", "readingOrder",
                "displayTransformability"]
    if images and all_alt:
        features.append("alternativeText")
    if page_list:
        features += ["printPageNumbers", "pageBreakMarkers"]
    derived = {
        "access_modes": ["textual"] + (["visual"] if images else []),
        "access_mode_sufficient": ["textual"] if all_alt or not images else ["textual,visual"],
        "features": features,
        "hazards": ["none"],
        "conforms_to": "EPUB Accessibility 1.1 - WCAG 2.1 Level AA",
    }
    values = {**derived, **dict(publication.accessibility)}
    properties = (("access_modes", "schema:accessMode"),
                  ("access_mode_sufficient", "schema:accessModeSufficient"),
                  ("features", "schema:accessibilityFeature"),
                  ("hazards", "schema:accessibilityHazard"))
    for key, prop in properties:
        for value in values[key]:
            book.add_metadata(None, "meta", value, {"property": prop})
    lang = publication.metadata.lang
    if "summary" in values:                     # the publisher's own, in the book's language
        summary, summary_lang = values["summary"], lang
    else:                                       # quire's, in the book's language if it has it
        summary, summary_lang = labels.summary(lang, images and all_alt, page_list)
    attributes = {"property": "schema:accessibilitySummary"}
    if summary_lang != language.primary(lang) and summary_lang != lang:
        attributes["{http://www.w3.org/XML/1998/namespace}lang"] = summary_lang
    book.add_metadata(None, "meta", summary, attributes)
    book.add_metadata(None, "meta", values["conforms_to"], {"property": "dcterms:conformsTo"})
    if values.get("certified_by"):
        book.add_metadata(None, "meta", values["certified_by"], {"property": "a11y:certifiedBy"})
    if page_list:
        book.add_metadata(None, "meta", publication.metadata.identifier,
                          {"property": "pageBreakSource"})


_COMPRESSED = (".png", ".jpg", ".jpeg", ".gif", ".webp")   # deflated at 6: 9 took 2x as long


def deterministic_zip(data: bytes, publication: Publication) -> bytes:
    """Re-zip: mimetype first and stored, names sorted, fixed dates, xml:lang (and dir)
    on the package. Images stored (deflating them again: half the time for 1 % of the bytes)."""
    stamp = max(publication.metadata.modified.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        names = sorted(n for n in source.namelist() if n != "mimetype")
        for name in ["mimetype", *names]:
            content = source.read(name)
            if name.endswith(".opf"):
                content = _package_lang(content, publication.metadata)
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            stored = name == "mimetype" or name.lower().endswith(_COMPRESSED)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            zf.writestr(info, content, compresslevel=6)
    return out.getvalue()


def _package_lang(opf: bytes, meta) -> bytes:
    root = etree.fromstring(opf)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", meta.lang)
    if meta.direction == "rtl":
        root.set("dir", "rtl")
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)
