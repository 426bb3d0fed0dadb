"""Mathematics: TeX in the Markdown (`$…$`, `$$…$$`, `\\(…\\)`, `\\[…\\]`) to MathML for the
model and the EPUB (latex2mathml), and MathML to vector SVG for print (ziamath).

The Markdown step only marks the TeX (`<span class="quire-tex">`), by pandoc's rules for `$`
in prose: an opening `$` has a non-space right after it, a closing `$` has a non-space
right before it and no digit right after it ("$20 and $30" is no formula). Loading turns
each mark into `<math alttext="TeX">` or reports the formula it cannot read; the print
HTML gets each formula as an inline SVG of glyph outlines, on the text's baseline (inline)
or centred (display). It leaves out equation numbering and TeX macros of the author's own.
"""

from __future__ import annotations

import re
from functools import lru_cache
from xml.etree import ElementTree

from lxml import etree
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
CLASS = "quire-tex"

# (regex, display) in the order they are tried; priorities above Markdown's escapes (180).
PATTERNS = (
    (r"(?<![\\$])\$\$(?!\$)(.+?)(?<!\\)\$\$", True),
    (r"(?<![\\\w])\\\[(.+?)\\\]", True),
    (r"(?<![\\\w])\\\((.+?)\\\)", False),
    (r"(?<![\\$])\$(?![\s$])((?:\\.|[^\\$\n]|\n(?!\s*\n))+?)(?<![\s\\])\$(?![\d$])", False),
)


class TexPattern(InlineProcessor):
    """Marks a formula: its TeX, untouched by the other inline patterns."""

    def __init__(self, pattern: str, display: bool, md=None):
        super().__init__(pattern, md)
        self.display = display

    def handleMatch(self, m, data):
        tex = m.group(1)
        if not tex.strip():
            return None, None, None
        el = ElementTree.Element("span")
        el.set("class", CLASS)
        el.set("data-display", "block" if self.display else "inline")
        el.text = AtomicString(tex.strip())
        return el, m.start(0), m.end(0)


def register(md) -> None:
    for n, (pattern, display) in enumerate(PATTERNS):
        md.inlinePatterns.register(TexPattern(pattern, display, md), f"quire-tex-{n}", 189 - n)


# -- loading: TeX -> MathML ---------------------------------------------------------------

class FormulaError(ValueError):
    pass


_UNKNOWN = re.compile(r"<mi>(\\[A-Za-z]+)</mi>")


@lru_cache(maxsize=4096)
def to_mathml(tex: str, display: bool) -> str:
    """The MathML of a TeX formula (with `alttext`), or FormulaError saying why not."""
    from latex2mathml.converter import convert

    depth = 0
    for i, char in enumerate(tex):
        if char == "{" and (i == 0 or tex[i - 1] != "\\"):
            depth += 1
        elif char == "}" and (i == 0 or tex[i - 1] != "\\"):
            depth -= 1
            if depth < 0:
                raise FormulaError("a '}' closes no '{'")
    if depth:
        raise FormulaError("a '{' is never closed")
    try:
        mathml = convert(tex, display="block" if display else "inline")
    except Exception as err:  # noqa: BLE001  latex2mathml's exceptions name the problem by class
        name = re.sub(r"(?<!^)(?=[A-Z])", " ", type(err).__name__).lower()
        raise FormulaError(f"{name.removesuffix(' error')}{': ' + str(err) if str(err) else ''}")
    unknown = _UNKNOWN.search(mathml)
    if unknown:
        raise FormulaError(f"unknown command {unknown.group(1)}")
    root = etree.fromstring(mathml)
    root.set("alttext", tex)
    _check_renders(mathml)
    return etree.tostring(root, encoding="unicode")


def _check_renders(mathml: str) -> None:
    """ziamath lays out what print will draw; what it cannot lay out is an error now."""
    try:
        _svg(mathml)
    except Exception as err:  # noqa: BLE001  whatever ziamath cannot lay out
        raise FormulaError(f"cannot be laid out ({type(err).__name__}: {err})"[:200])


def convert_marks(root, report) -> None:
    """Each marked formula under `root` as MathML (without namespace, as the HTML parser
    gives raw MathML); `report(tex, problem)` for those that cannot be read."""
    for span in [el for el in root.iter("span") if el.get("class") == CLASS]:
        # all its text: in right-to-left documents the TeX may sit in a <bdi dir="ltr">
        tex, display = "".join(span.itertext()), span.get("data-display") == "block"
        try:
            mathml = to_mathml(tex, display)
        except FormulaError as err:
            report(tex, str(err))
            continue
        math = _without_namespace(etree.fromstring(mathml), span)
        wrapper_class = "math display" if display else "math inline"
        span.attrib.clear()
        span.set("class", wrapper_class)
        span.text = None
        for child in list(span):
            span.remove(child)
        span.append(math)


def _without_namespace(el, like):
    """A copy of a MathML tree made of elements of `like`'s kind, tags without namespace."""
    copy = like.makeelement(etree.QName(el).localname, dict(el.attrib))
    copy.text, copy.tail = el.text, el.tail
    for child in el:
        copy.append(_without_namespace(child, like))
    return copy


# -- print: MathML -> SVG -----------------------------------------------------------------

SIZE = 10.0     # ziamath's units per em; the SVG is scaled to the text's em


@lru_cache(maxsize=4096)
def _svg(mathml: str) -> str:
    import ziamath

    ziamath.config.svg2 = False             # plain paths, no <use> (WeasyPrint draws both)
    return ziamath.Math(mathml, size=SIZE).svg()


def print_svg(root, cmyk: bool = False) -> None:
    """Replace each <math> under `root` (a parsed model fragment) by an inline SVG of its
    glyph outlines, sized in em of the surrounding text and set on its baseline; in CMYK
    (black ink only) for a CMYK job."""
    for math in list(root.iter(f"{{{MATHML_NS}}}math", "math")):
        mathml = etree.tostring(math, encoding="unicode", with_tail=False)
        if "xmlns=" not in mathml:
            mathml = mathml.replace("<math", f'<math xmlns="{MATHML_NS}"', 1)
        svg = etree.fromstring(_svg(mathml))
        if cmyk:
            for node in svg.iter():
                for attr in ("fill", "stroke"):
                    if node.get(attr) in ("black", "#000", "#000000"):
                        node.set(attr, "device-cmyk(0 0 0 1)")
        _, y, width, height = (float(v) for v in svg.get("viewBox").split())
        below = y + height                       # the part under the baseline
        svg.set("width", f"{width / SIZE:.3f}em")
        svg.set("height", f"{height / SIZE:.3f}em")
        svg.set("style", f"vertical-align: {-below / SIZE:.3f}em")
        svg.set("role", "img")
        svg.set("aria-label", math.get("alttext", ""))
        svg.set("class", "math")
        svg.tail = math.tail
        math.getparent().replace(math, svg)
