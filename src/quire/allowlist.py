"""The allowlist: per namespace (XHTML, SVG, MathML), the elements and attributes kept.

Data only, read by sanitize.py's walk over a document's tree. Names are lower case (the
HTML parser's); SVG's camelCase is restored on output (markup). It leaves out `<style>`,
scripts, forms, media and embedded content: no output is scripted or loads anything.
"""

from __future__ import annotations


def _words(text: str) -> set[str]:
    return set(text.split())


XHTML, SVG, MATHML = "xhtml", "svg", "mathml"
NAMESPACES = {"http://www.w3.org/1999/xhtml": XHTML, "http://www.w3.org/2000/svg": SVG,
              "http://www.w3.org/1998/Math/MathML": MATHML}
XLINK_NS = "http://www.w3.org/1999/xlink"

_TEXT = ("a abbr b bdi bdo br cite code data del dfn em i ins kbd mark q rp rt ruby s samp "
         "small span strong sub sup time u var wbr")
_BLOCK = ("address article aside blockquote caption col colgroup dd details div dl dt "
          "figcaption figure footer h1 h2 h3 h4 h5 h6 header hgroup hr img li main nav ol p "
          "pre section summary table tbody td tfoot th thead tr ul")
_SVG_ELEMENTS = (
    "svg g defs symbol use title desc a switch path rect circle ellipse line polyline "
    "polygon text tspan textpath lineargradient radialgradient stop pattern clippath mask "
    "marker image filter feblend fecolormatrix fecomponenttransfer fecomposite "
    "feconvolvematrix fediffuselighting fedisplacementmap fedistantlight fedropshadow "
    "feflood fefunca fefuncb fefuncg fefuncr fegaussianblur femerge femergenode "
    "femorphology feoffset fepointlight fespecularlighting fespotlight fetile feturbulence")
_MATHML_ELEMENTS = (
    "math mrow mi mn mo ms mtext mspace msup msub msubsup mfrac msqrt mroot mstyle merror "
    "mpadded mphantom mfenced menclose munder mover munderover mtable mtr mtd mlabeledtr "
    "mmultiscripts mprescripts none semantics annotation")

# The one table: per namespace, the elements kept and the attributes kept ("*": on all).
ELEMENTS = {XHTML: set(f"{_TEXT} {_BLOCK} svg math".split()),
            SVG: set(_SVG_ELEMENTS.split()), MATHML: set(_MATHML_ELEMENTS.split())}
_CORE = "id class title lang xml:lang dir role style"
ATTRIBUTES: dict[str, dict[str, set[str]]] = {
    XHTML: {name: set(value.split()) for name, value in {
        "*": f"{_CORE} translate",
        "a": "href hreflang rel type", "img": "src alt width height",
        "td": "colspan rowspan headers scope abbr width height",
        "th": "colspan rowspan headers scope abbr width height",
        "col": "span width", "colgroup": "span width", "ol": "start reversed type",
        "li": "value", "time": "datetime", "data": "value", "q": "cite",
        "blockquote": "cite", "del": "cite datetime", "ins": "cite datetime",
        "details": "open", "abbr": "title"}.items()},
    SVG: {"*": set(f"""{_CORE} xml:space transform x y width height fill fill-opacity
        fill-rule stroke stroke-width stroke-linecap stroke-linejoin stroke-dasharray
        stroke-dashoffset stroke-miterlimit stroke-opacity opacity visibility display overflow
        color clip-path clip-rule mask filter marker-start marker-mid marker-end font-family
        font-size font-weight font-style font-variant text-anchor dominant-baseline
        alignment-baseline baseline-shift letter-spacing word-spacing text-decoration
        vector-effect paint-order shape-rendering text-rendering image-rendering
        color-interpolation color-interpolation-filters stop-color stop-opacity flood-color
        flood-opacity lighting-color focusable""".split()),
          "svg": {"viewbox", "preserveaspectratio", "version"},
          "symbol": {"viewbox", "preserveaspectratio", "refx", "refy"},
          "use": {"href"}, "a": {"href", "hreflang", "rel", "type"},
          "image": {"href", "preserveaspectratio"},
          "path": {"d", "pathlength"}, "rect": {"rx", "ry", "pathlength"},
          "circle": {"cx", "cy", "r", "pathlength"},
          "ellipse": {"cx", "cy", "rx", "ry", "pathlength"},
          "line": {"x1", "y1", "x2", "y2", "pathlength"},
          "polyline": {"points", "pathlength"}, "polygon": {"points", "pathlength"},
          "text": {"dx", "dy", "rotate", "textlength", "lengthadjust"},
          "tspan": {"dx", "dy", "rotate", "textlength", "lengthadjust"},
          "textpath": {"href", "startoffset", "method", "spacing", "side", "textlength",
                       "lengthadjust", "path"},
          "lineargradient": {"x1", "y1", "x2", "y2", "gradientunits", "gradienttransform",
                             "spreadmethod", "href"},
          "radialgradient": {"cx", "cy", "r", "fx", "fy", "fr", "gradientunits",
                             "gradienttransform", "spreadmethod", "href"},
          "stop": {"offset"},
          "pattern": {"patternunits", "patterncontentunits", "patterntransform", "viewbox",
                      "preserveaspectratio", "href"},
          "clippath": {"clippathunits"}, "mask": {"maskunits", "maskcontentunits"},
          "marker": {"markerwidth", "markerheight", "markerunits", "refx", "refy", "orient",
                     "viewbox", "preserveaspectratio"},
          "filter": {"filterunits", "primitiveunits"},
          **{fe: _words("""in in2 result mode type values operator k1 k2 k3 k4 dx dy
              stddeviation radius basefrequency numoctaves seed stitchtiles scale
              xchannelselector ychannelselector tablevalues slope intercept amplitude
              exponent offset order kernelmatrix divisor bias targetx targety edgemode
              preservealpha surfacescale diffuseconstant specularconstant specularexponent
              kernelunitlength azimuth elevation z pointsatx pointsaty pointsatz
              limitingconeangle""") for fe in _SVG_ELEMENTS.split()
             if fe.startswith("fe")}},
    MATHML: {"*": set(f"""{_CORE} display mathvariant mathsize mathcolor mathbackground
        displaystyle scriptlevel fence separator stretchy symmetric largeop movablelimits
        accent accentunder lspace rspace minsize maxsize form linethickness bevelled numalign
        denomalign notation columnalign rowalign columnspan rowspan columnlines rowlines
        frame framespacing width height depth voffset open close separators encoding
        alttext""".split())},
}
# Elements removed with everything inside them (anything else unknown to XHTML is unwrapped,
# its content kept; unknown SVG and MathML elements are removed whole).
DROP_WHOLE = _words("""script style template iframe frame frameset object embed applet noscript
    noembed noframes audio video canvas textarea select option optgroup datalist title head
    meta link base portal form button input source track param xmp plaintext dialog
    handler listener set animate animatemotion animatetransform animatecolor discard
    foreignobject annotation-xml fencedframe slot""")
VOID = {"embed", "source", "track", "input", "link", "meta", "base", "param", "frame"}
OBSOLETE_TAGS = {"center": "div", "font": "span", "big": "span", "strike": "s", "tt": "code",
                 "acronym": "abbr", "blink": "span", "marquee": "span"}
