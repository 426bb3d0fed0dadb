"""Typography by language on a converted body: quotation marks, dialogue dashes, and
left-to-right runs isolated in right-to-left text.

Python-Markdown's smarty extension finds the quotes but not their language: it writes the
placeholders below, and `typography` puts in the language's marks from CLDR (quire's
extract, tools/cldr_data.py): straight double quotes become the outer pair, single ones
the inner pair (« „…“ » in Russian, „ ‚…‘ “ in German, 「『…』」 in Japanese), with narrow
no-break spaces inside French guillemets. A right single quote between letters (or with
no single quote open) is an apostrophe and stays ’. So the Markdown's HTML does not depend
on the language, which is known only after the text has been read (language.detect).
It leaves out quotes typed as typographic characters: they are kept as typed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from . import language

# What smarty writes for ", ", ', ' (noncharacters: never in a manuscript; see `clean`).
OPEN_DOUBLE, CLOSE_DOUBLE, OPEN_SINGLE, CLOSE_SINGLE = "\ufdd0", "\ufdd1", "\ufdd2", "\ufdd3"
PLACEHOLDERS = re.compile("[\ufdd0-\ufdd3]")
APOSTROPHE = "\u2019"
NARROW_NBSP = "\u202f"
# Languages that open a line of dialogue with a dash, followed by a no-break space.
DASH_LANGS = {"nb", "nn", "no", "da", "sv", "fi", "fr", "ru", "pl", "es", "it", "pt"}
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dd", "dt", "td", "th",
           "figcaption", "blockquote", "div", "caption"}
_CODE = {"code", "pre", "kbd", "samp"}


def clean(text: str) -> str:
    """A manuscript without the placeholder characters (they mean quotes here)."""
    return PLACEHOLDERS.sub("", text)


@lru_cache(maxsize=256)
def quotes(lang: str) -> tuple[str, str, str, str]:
    """(outer open, outer close, inner open, inner close) for a language tag, from CLDR;
    the CLDR root's “ ” ‘ ’ for an undetermined or unknown language."""
    table = language.cldr()["quotes"]
    marks = table["root"]
    for candidate in _cldr_names(lang):
        if candidate in table:
            marks = table[candidate]
            break
    outer_open, outer_close, inner_open, inner_close = marks
    if language.primary(lang) == "fr" and "CH" not in lang.upper().replace("_", "-").split("-"):
        # French sets a thin no-break space inside guillemets (Swiss French does not).
        def space(mark: str, before: bool) -> str:
            if mark not in "«»‹›":
                return mark
            return mark + NARROW_NBSP if before else NARROW_NBSP + mark
        outer_open, outer_close = space(outer_open, True), space(outer_close, False)
        inner_open, inner_close = space(inner_open, True), space(inner_close, False)
    return outer_open, outer_close, inner_open, inner_close


def _cldr_names(lang: str) -> list[str]:
    """CLDR locale names to try for a tag, most specific first: zh-Hant-TW, zh-Hant, zh;
    Babel adds the script CLDR thinks likely (zh-TW: zh_Hant_TW, zh_Hant)."""
    tags = [t for t in lang.replace("_", "-").split("-") if t]
    if not tags or tags[0].lower() in ("und", "x", "i"):
        return []
    tags = [tags[0].lower()] + [t.title() if len(t) == 4 else t.upper() for t in tags[1:]]
    names = ["_".join(tags[:n]) for n in range(len(tags), 1, -1)]
    locale = language._locale(lang)
    if locale is not None:
        parts = str(locale).split("_")
        names += ["_".join(parts[:n]) for n in range(len(parts), 1, -1)]
    return list(dict.fromkeys(names + [tags[0]]))


def typography(root, lang: str) -> None:
    """The language's quotation marks for smarty's placeholders; a no-break space after
    a dialogue dash; in right-to-left text, left-to-right runs isolated."""
    marks = quotes(lang)
    for block in _blocks(root):
        state = [0, 0]                  # double quotes open (0 or 1), single quotes open
        for node, attribute in _text_slots(block):
            text = getattr(node, attribute) or ""
            if PLACEHOLDERS.search(text):
                setattr(node, attribute, _quotes(text, marks, state))
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for name in ("alt", "title", "aria-label"):
            if PLACEHOLDERS.search(el.get(name, "")):
                el.set(name, _quotes(el.get(name), marks, [0, 0]))
    if language.primary(lang) in DASH_LANGS:
        for el in root.iter():
            if el.tag in _BLOCKS and el.text and re.match(r"^\s*[–—] ", el.text):
                el.text = re.sub(r"^(\s*[–—]) ", "\\1\u00a0", el.text, count=1)
            if el.tag == "strong" and el.tail and re.match(r"^\s*[–—] ", el.tail):
                el.tail = re.sub(r"^(\s*[–—]) ", "\\1\u00a0", el.tail, count=1)
    if language.direction(lang) == "rtl":
        isolate_ltr(root)


def plain_typography(text: str, lang: str) -> str:
    """`typography` for a plain string (a title from front matter)."""
    if language.primary(lang) in DASH_LANGS:
        return re.sub(r"^(\s*[–—]) ", "\\1\u00a0", text, count=1)
    return text


def _blocks(root):
    """The innermost blocks' worth of text: each block element, and the root for text
    outside any block. A quote opened in a block is closed in it."""
    yield root
    for el in root.iter():
        if el is not root and isinstance(el.tag, str) and el.tag in _BLOCKS:
            yield el


def _text_slots(block):
    """(element, "text" | "tail") in document order, inside `block` but not inside a
    nested block (that one is its own) or code."""
    slots = [(block, "text")]

    def walk(el):
        for child in el:
            if not isinstance(child.tag, str):
                slots.append((child, "tail"))
                continue
            if child.tag not in _BLOCKS and child.tag not in _CODE:
                slots.append((child, "text"))
                walk(child)
            slots.append((child, "tail"))
    walk(block)
    return slots


def _quotes(text: str, marks, state: list[int]) -> str:
    """The placeholders in `text` as the language's marks. `state` holds the double and
    single quotes open in the block so far. Double quotes pair up in turn: smarty tells
    opening from closing by the spaces around them, which Chinese and Japanese do not
    have. A single closing quote is an apostrophe inside a word or when none is open."""
    outer_open, outer_close, inner_open, inner_close = marks
    out = []
    for i, char in enumerate(text):
        before, after = text[i - 1:i] if i else "", text[i + 1:i + 2]
        if char in (OPEN_DOUBLE, CLOSE_DOUBLE):
            out.append(outer_close if state[0] else outer_open)
            state[0] = 1 - state[0]
        elif char == OPEN_SINGLE or (char == CLOSE_SINGLE and not state[1] and after.isalpha()
                                     and (not before or _cjk(before) or not before.isalnum())):
            out.append(inner_open)
            state[1] += 1
        elif char == CLOSE_SINGLE:
            if state[1] and (not after.isalnum() or _cjk(after)):
                out.append(inner_close)
                state[1] -= 1
            else:
                out.append(APOSTROPHE)      # don’t, l’homme, ’90s, the students’ books
        else:
            out.append(char)
    return "".join(out)


def _cjk(char: str) -> bool:
    """A Chinese, Japanese or Korean character (no spaces between words)."""
    code = ord(char)
    return (0x3000 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF
            or 0xFF00 <= code <= 0xFFEF or code >= 0x20000)


# -- right-to-left text --------------------------------------------------------------------

_STRONG_RTL = {"R", "AL"}


def isolate_ltr(root) -> None:
    """Left-to-right runs in right-to-left text (Latin words, "C++", URLs) go into
    <bdi dir="ltr">, and code into dir="ltr", so the bidi algorithm cannot reorder their
    punctuation ("++C"). WeasyPrint 70 honours dir on inline elements (not <bdi> alone,
    nor unicode-bidi); reading systems honour both."""
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        if el.tag in _CODE:
            if el.get("dir") is None and not _inside(el, _CODE):
                el.set("dir", "ltr")
            continue
        if el.get("dir") or el.tag == "bdi" or _inside(el, _CODE) or _has_dir(el):
            continue
        _wrap_runs(el, "text")
        for child in list(el):
            _wrap_runs(child, "tail")


def _inside(el, tags) -> bool:
    parent = el.getparent()
    while parent is not None:
        if parent.tag in tags:
            return True
        parent = parent.getparent()
    return False


def _has_dir(el) -> bool:
    """Whether an ancestor already sets a direction of its own (ltr)."""
    parent = el.getparent()
    while parent is not None:
        if parent.get("dir") == "ltr" or parent.tag == "bdi":
            return True
        parent = parent.getparent()
    return False


def _wrap_runs(node, attribute: str) -> None:
    """Put each left-to-right run of `node`'s text (or tail) into a <bdi dir="ltr">."""
    text = getattr(node, attribute) or ""
    runs = list(ltr_runs(text))
    if not runs:
        return
    parent = node if attribute == "text" else node.getparent()
    index = 0 if attribute == "text" else parent.index(node) + 1
    setattr(node, attribute, text[:runs[0][0]])
    for n, (start, end) in enumerate(runs):
        bdi = parent.makeelement("bdi", {"dir": "ltr"})
        bdi.text = text[start:end]
        bdi.tail = text[end:runs[n + 1][0]] if n + 1 < len(runs) else text[end:]
        parent.insert(index + n, bdi)


def ltr_runs(text: str):
    """(start, end) of each left-to-right run: from a strong left-to-right character to
    the last one before a right-to-left character, with digits and a closing + or #
    ("C++", "C#", "ls -la /tmp", "Python 3"), but not the sentence's punctuation."""
    i, n = 0, len(text)
    while i < n:
        if unicodedata.bidirectional(text[i]) != "L":
            i += 1
            continue
        start, end, j = i, i + 1, i + 1
        while j < n:
            kind = unicodedata.bidirectional(text[j])
            if kind in _STRONG_RTL or kind in ("AN", "B", "S"):
                break
            if kind in ("L", "EN", "NSM"):
                end = j + 1
            j += 1
        while end < n and text[end] in "+#":
            end += 1
        yield start, end
        i = end
