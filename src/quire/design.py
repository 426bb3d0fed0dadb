"""The print design of a publication: a book or a journal, its page geometry, its chapter
openings and the theme's values a project sets in quire.toml.

A publication of several documents that have no authors of their own is a book: a trim of
156 x 234 mm, 10.5 pt text on a measure of about 66 characters, mirrored margins, two-sided,
chapters opening on right-hand pages under a number, figures numbered by chapter. Anything
else (one article, a journal issue whose articles carry bylines) keeps the journal design.
`design = "book" | "journal"` decides instead, or a [design] table, whose `layout` is that
choice and whose other keys are the theme's values, written as CSS custom properties.
Leaves out the CSS itself: styles/print.css (both designs) and styles/book.css.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .labels import labels, unnumbered
from .model import PdfSettings

DESIGNS = ("book", "journal")
BOOK_TRIM = ("156mm", "234mm")
BOOK_FONT_PT = 10.5
# The measure in ems of the text size: about 66 characters of Source Serif 4 at 10.5 pt.
MEASURE_EM = 30.0

_COLOUR = re.compile(r"^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|rgb\(\s*\d+\s*,\s*\d+\s*,\s*\d+\s*\))$")
_SIZE = re.compile(r"^\d+(\.\d+)?(pt|px|mm|em|rem|%)$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")

# [design] key -> (CSS custom property, pattern its value must match, what is expected)
THEME = {
    "font_size": ("--quire-font-size", _SIZE, "a size such as 10.5pt"),
    "line_height": ("--quire-line-height", _NUMBER, "a number such as 1.4"),
    "code_size": ("--quire-code-size", _SIZE, "a size such as 88% or 0.88em"),
    "text_color": ("--quire-text-color", _COLOUR, "a colour such as #1c1c1c"),
    "accent_color": ("--quire-accent-color", _COLOUR, "a colour such as #a4162a"),
    "link_color": ("--quire-link-color", _COLOUR, "a colour such as #7a1020"),
}
OTHER_KEYS = ("layout", "toc_depth")

_LABELLED = re.compile(
    r"^\s*((?:chapter|kapittel|kapitel|chapitre|appendix|appendiks|tillegg|vedlegg|anhang"
    r"|annexe|bilag|liite|luku)\s+([0-9]+|[A-Z]|[IVXLC]+))\s*[:.\u2013\u2014-]\s*(\S.*)$",
    re.IGNORECASE)
def validate_design(value):
    """(normalised {"layout", "toc_depth", "theme"}, problem or None) for config.py."""
    if isinstance(value, str):
        value = {"layout": value}
    if not isinstance(value, dict):
        return None, ('expected "book", "journal" or a [design] table; got '
                      f"{value!r}"[:120])
    result: dict = {"theme": {}}
    for key, item in value.items():
        if key == "layout":
            if item not in DESIGNS:
                return None, f'layout: expected "book" or "journal"; got {item!r}'
            result["layout"] = item
        elif key == "toc_depth":
            if not (isinstance(item, int) and not isinstance(item, bool) and 1 <= item <= 3):
                return None, f"toc_depth: expected 1, 2 or 3; got {item!r}"
            result["toc_depth"] = item
        elif key in THEME:
            prop, pattern, expected = THEME[key]
            text = str(item).strip() if isinstance(item, (str, int, float)) else ""
            if isinstance(item, bool) or not pattern.match(text):
                return None, f"{key}: expected {expected}; got {item!r}"
            result["theme"][prop] = text
        else:
            import difflib
            near = difflib.get_close_matches(key, [*THEME, *OTHER_KEYS], n=1)
            hint = f"did you mean '{near[0]}'?" if near else \
                f"known keys: {', '.join([*OTHER_KEYS, *THEME])}"
            return None, f"unknown key '{key}'; {hint}"
    return result, None


def choose(chosen: str | None, bylines: list[bool]) -> str:
    """The design: the one chosen, else a book for several documents none of which has a
    byline (`bylines`: whether each document names its authors)."""
    if chosen:
        return chosen
    return "book" if len(bylines) > 1 and not any(bylines) else "journal"


# -- page geometry ------------------------------------------------------------------------

_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "pc": 25.4 / 6, "px": 25.4 / 96}


def mm(length: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(mm|cm|in|pt|pc|px)", length.strip())
    return float(match.group(1)) * _MM[match.group(2)] if match else 0.0


def pdf_settings(settings: PdfSettings, values: dict, layout: str,
                 font_pt: float = BOOK_FONT_PT) -> PdfSettings:
    """A book's defaults where quire.toml's [pdf] is silent: the trim, margins that give
    the measure (inner narrower than outer), two-sided."""
    if layout != "book":
        return settings
    width, height = values.get("page_size", BOOK_TRIM)
    text = min(mm(width) - 30, MEASURE_EM * font_pt * 25.4 / 72)
    inner = round((mm(width) - text) * 0.42, 1)
    outer = round(mm(width) - text - inner, 1)
    auto = {"top": f"{round(mm(height) * 0.085, 1)}mm",
            "bottom": f"{round(mm(height) * 0.105, 1)}mm",
            "inner": f"{inner}mm", "outer": f"{outer}mm"}
    margins = {**auto, **values.get("margins", {})}
    return replace(settings, page_width=width, page_height=height,
                   margin_top=margins["top"], margin_bottom=margins["bottom"],
                   margin_inner=margins["inner"], margin_outer=margins["outer"],
                   two_sided=values.get("two_sided", True))


def text_block(pdf: PdfSettings) -> tuple[float, float]:
    """The text block's width and height in mm."""
    return (mm(pdf.page_width) - mm(pdf.margin_inner) - mm(pdf.margin_outer),
            mm(pdf.page_height) - mm(pdf.margin_top) - mm(pdf.margin_bottom))


# -- chapters -------------------------------------------------------------------------------

def chapters(titles: list[tuple], lang: str, book_title: str = ""
             ) -> dict[str, tuple[str, str, str]]:
    """For the documents of a book, (id, title) or (id, title, the document's language) in
    order: id -> (label, number, title without the label). When some titles carry their
    label ("Chapter 2: Scope", "Appendix A: ..."), those are the chapters; otherwise every
    document is numbered in order but front and back matter (labels.toml `unnumbered`:
    Preface, 前言, Index, ...) and the page that opens the book under its title (the first
    document, the only one titled as the book: ruanyf/es6tutorial's README "ES6 入门教程"
    was chapter 1, and every chapter one more than its SUMMARY said). Translations that
    share the book's title (the-art-of-command-line's READMEs) stay chapters, all of them.
    The label is in the document's language, else the book's: a Tamil article in a
    collection that opens with an Arabic one was "باب 9"."""
    labelled = {entry[0]: _LABELLED.match(entry[1]) for entry in titles}
    if any(labelled.values()):
        return {doc_id: (m.group(1), m.group(2), m.group(3))
                for doc_id, m in labelled.items() if m}

    def plain(text: str) -> str:
        return " ".join(text.split()).casefold()
    same = [entry[0] for entry in titles
            if book_title and plain(entry[1]) == plain(book_title)]
    opening = same[0] if len(same) == 1 and titles and same[0] == titles[0][0] else None
    result, number = {}, 0
    for doc_id, title, *own in titles:
        if plain(title).rstrip(".:") in unnumbered() or doc_id == opening:
            continue
        number += 1
        label = labels(own[0] if own and own[0] else lang)["chapter"]   # "Chapter {}", "第{}章"
        result[doc_id] = (label.format(number), str(number), title)
    return result


def theme_css(theme: tuple[tuple[str, str], ...]) -> str:
    """The [design] values as custom properties on :root."""
    if not theme:
        return ""
    return ":root { " + " ".join(f"{prop}: {value};" for prop, value in theme) + " }"
