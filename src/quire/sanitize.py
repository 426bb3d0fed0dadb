"""The allowlist for everything from a manuscript that reaches an output or the preview.

A document's HTML (Python-Markdown's output with the raw HTML it kept, parsed by lxml.html)
is walked once, iteratively: each element is namespace-normalised first (a prefix declared
for XHTML, SVG or MathML counts as that namespace; an unknown prefix is not HTML), then
kept only if its namespace's table names it, with only the attributes the table names.
Links keep http, https, mailto and in-book targets; resources (SVG `href`s, CSS `url()`)
keep in-document fragments and checked `data:` raster images; a manuscript's `<img src>`
is left to the loader, which accepts only checked files inside the project. CSS (`style`
attributes, SVG paint attributes, stylesheets' references) is read with tinycss2, so case,
escapes and comments hide nothing. Remote references are dropped with one grouped warning.

nh3 (ammonia) was considered for the HTML part: it works on strings, knows no SVG or
MathML, and does not say what it removed; one walk over the tree quire already has, with
one table per namespace, keeps the warnings (file:line) and the three namespaces alike.
It leaves out `<style>` elements and scripts of any kind: no output is scripted.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable

import tinycss2

from .errors import ContentError
from .allowlist import (ATTRIBUTES, DROP_WHOLE, ELEMENTS, MATHML, NAMESPACES, OBSOLETE_TAGS, SVG,
                        VOID, XHTML, XLINK_NS)
from .limits import MAX_ELEMENT_DEPTH


_CSS_ATTRIBUTES = {"style", "fill", "stroke", "filter", "clip-path", "mask", "marker-start",
                   "marker-mid", "marker-end"}
_XML_NAME = re.compile(r"^[A-Za-z_][\w.\-]*(:[\w.\-]+)?$")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_LINK_SCHEMES = {"http", "https", "mailto"}
_SCRIPT_SCHEMES = {"javascript", "vbscript", "livescript", "data"}
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,(.*)$", re.IGNORECASE | re.DOTALL)
_MAGIC = {"png": (b"\x89PNG\r\n\x1a\n",), "jpeg": (b"\xff\xd8\xff",),
          "gif": (b"GIF87a", b"GIF89a"), "webp": (b"RIFF",)}
IMAGE_FUNCTIONS = {"image-set", "-webkit-image-set", "image", "cross-fade", "element",
                    "expression", "paint", "src", "-webkit-cross-fade"}


def compact(url: str) -> str:
    """A URL as a browser reads it: without whitespace and control characters."""
    return re.sub(r"[\x00-\x20\x7f]", "", url)


def scheme(url: str) -> str:
    match = _SCHEME.match(compact(url))
    return match.group(1).lower() if match else ""


def is_remote(url: str) -> bool:
    url = compact(url)
    return bool(scheme(url)) and scheme(url) not in _SCRIPT_SCHEMES | {"mailto"} \
        or url.startswith(("//", "\\\\", "/\\", "\\/"))


def data_image(url: str) -> bool:
    """A `data:` URL holding a PNG, JPEG, GIF or WebP image that is what it says."""
    match = _DATA_IMAGE.match(compact(url))
    if not match:
        return False
    try:
        data = base64.b64decode(match.group(2), validate=True)
    except (binascii.Error, ValueError):
        return False
    return data.startswith(_MAGIC[match.group(1).lower()])


class Report:
    """What was removed, as warnings naming the file and line; remote references grouped."""

    def __init__(self, label: str, line_of: Callable[[str], int | None], warnings: list[str]):
        self.label, self.line_of, self.warnings = label, line_of, warnings
        self.remote: list[str] = []

    def where(self, needle: str) -> str:
        line = self.line_of(needle) if needle else None
        return f"{self.label}:{line}" if line else self.label

    def removed(self, needle: str, what: str) -> None:
        self.warnings.append(f"{self.where(needle)}: removed {what}")

    def remote_reference(self, url: str) -> None:
        self.remote.append(url)

    def finish(self) -> None:
        if self.remote:
            urls = list(dict.fromkeys(u[:60] for u in self.remote))
            shown = ", ".join(f"'{u}'" for u in urls[:3]) + (", ..." if len(urls) > 3 else "")
            self.warnings.append(
                f"{self.where(self.remote[0][:30])}: removed {len(self.remote)} remote "
                f"reference(s) ({shown}): an output never loads anything from the network")


def clean(root, label: str, line_of: Callable[[str], int | None], warnings: list[str],
          images: bool = True) -> None:
    """Make the children of `root` (an lxml.html tree) safe, in place; what was removed is
    appended to `warnings`. Without `images`, <img> is removed too (a lead has none)."""
    report = Report(label, line_of, warnings)
    stack = [(child, XHTML, None, 1) for child in reversed(root)]
    while stack:
        el, context, prefixes, depth = stack.pop()
        if depth > MAX_ELEMENT_DEPTH:
            raise ContentError(label, f"nesting deeper than {MAX_ELEMENT_DEPTH} elements",
                               line_of(f"<{el.tag}") if isinstance(el.tag, str) else None)
        if not isinstance(el.tag, str):         # comments and processing instructions
            _drop(el)
            continue
        declared = {name[6:]: value for name, value in el.attrib.items()
                    if name.lower().startswith("xmlns:")}
        if declared:
            prefixes = {**(prefixes or {}), **declared}
        namespace, local = _normalise(el.tag.lower(), context, prefixes)
        if namespace == XHTML and local in OBSOLETE_TAGS:
            local = OBSOLETE_TAGS[local]
        if namespace == XHTML and local == "img" and not images:
            src = el.get("src", "")
            if is_remote(src):
                report.remote_reference(src)
            else:
                report.removed(src[:30], "<img> (an image cannot stand in front matter)")
            _drop(el)
            continue
        if namespace is not None and local in ELEMENTS[namespace]:
            el.tag = local
            inner = SVG if local == "svg" else MATHML if local == "math" else namespace
            _attributes(el, namespace, local, prefixes, report)
            stack.extend((child, inner, prefixes, depth + 1) for child in reversed(el))
            continue
        shown = local if namespace is not None else el.tag
        if namespace == XHTML and local not in DROP_WHOLE:
            children = list(el)
            el.drop_tag()                       # an unknown tag: its content stays
            stack.extend((child, context, prefixes, depth) for child in reversed(children))
            continue
        report.removed(f"<{el.tag}", f"<{shown}> (active or unsafe HTML)"
                       if namespace is not None else f"<{shown}> (not HTML)")
        if local in VOID and namespace == XHTML:
            children = list(el)
            el.drop_tag()           # the HTML parser may have put the text after it inside
            stack.extend((child, context, prefixes, depth) for child in reversed(children))
        else:
            _drop(el)
    report.finish()


def _normalise(tag: str, context: str, prefixes) -> tuple[str | None, str]:
    """(namespace, local name) of an element found in `context`: None for an element of
    an unknown or mismatched namespace."""
    if ":" in tag:
        prefix, local = tag.split(":", 1)
        namespace = NAMESPACES.get((prefixes or {}).get(prefix, ""))
        if namespace is None:
            return None, tag
    else:
        namespace, local = context, tag
    if namespace == context or (context == XHTML and (namespace, local) in (
            (SVG, "svg"), (MATHML, "math"))):
        return context, local
    return None, tag


def _drop(el) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    previous = el.getprevious()
    parent.remove(el)
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def _attributes(el, namespace: str, local: str, prefixes, report: Report) -> None:
    allowed = ATTRIBUTES[namespace]
    for name, value in list(el.attrib.items()):
        del el.attrib[name]
        key = name.lower()
        if key.startswith("xmlns"):
            continue
        if ":" in key:
            prefix, attribute = key.split(":", 1)
            if prefix == "xml" and attribute in ("lang", "space"):
                pass
            elif (prefixes or {}).get(prefix) == XLINK_NS or (
                    prefix == "xlink" and prefix not in (prefixes or {})):
                key = attribute if attribute in ("href", "title") else "xlink:" + attribute
            else:
                key = ""
        if key.startswith("on"):
            report.removed(value, f'{name}="{value[:40]}" (script)')
            continue
        if not key or not (key in allowed["*"] or key in allowed.get(local, ())
                           or key.startswith("aria-")
                           or (namespace == XHTML and key.startswith("data-"))):
            _unlisted(name, value, report)
            continue
        if not _XML_NAME.match(key):
            continue
        if key == "href" and (local == "a" or namespace == MATHML):
            value = _link(name, value, report)
        elif key == "href":
            value = _resource(name, value, report, image=local == "image")
        elif key == "cite":
            value = value if scheme(value) in ("http", "https") else None
        elif key == "src":
            value = re.sub(r"[\t\n\r]", "", value)
        elif key in _CSS_ATTRIBUTES:
            value = clean_style(value, report) if key == "style" else \
                _css_value(name, value, report)
        if value is not None and key not in el.attrib:
            el.set(key, value)


def _unlisted(name: str, value: str, report: Report) -> None:
    """An attribute the table does not name is removed; say so when it was dangerous."""
    words = re.split(r"[\s,;]+", compact_spaces(value))
    if any(scheme(word) in ("javascript", "vbscript", "livescript") for word in words):
        report.removed(value[:30], f'{name}="{value[:40]}" (script)')
    elif any(is_remote(word) for word in words):
        report.remote_reference(next(word for word in words if is_remote(word)))


def compact_spaces(text: str) -> str:
    return " ".join(text.split())


def _link(name: str, value: str, report: Report) -> str | None:
    """A link target: http, https, mailto or inside the book; anything else is removed."""
    value = re.sub(r"[\t\n\r]", "", value)
    kind = scheme(value)
    if kind in _LINK_SCHEMES or (not kind and not compact(value).startswith(("//", "\\", "/\\"))):
        return value
    reason = "script" if kind in _SCRIPT_SCHEMES else \
        "links keep only http, https, mailto and places in the book"
    report.removed(value[:30], f'{name}="{value[:40]}" ({reason})')
    return None


def _resource(name: str, value: str, report: Report, image: bool) -> str | None:
    """A resource an SVG element loads: a fragment of this document, or (for <image>) a
    checked data: image; anything else is removed."""
    url = compact(value)
    if url.startswith("#") or (image and data_image(url)):
        return value
    if is_remote(url):
        report.remote_reference(value)
    elif scheme(url) in _SCRIPT_SCHEMES:
        report.removed(value[:30], f'{name}="{value[:40]}" (script or unchecked data)')
    else:
        report.removed(value[:30], f'{name}="{value[:40]}" (an inline SVG may refer only '
                                   "to its own parts or a data: image; use a Markdown image)")
    return None


# -- CSS ---------------------------------------------------------------------------------


def _bad_urls(tokens) -> list[str]:
    """Every URL that a CSS value would load and that is not a fragment or a checked data
    image; an image function or a parse error counts as one (its text)."""
    bad: list[str] = []
    todo = list(tokens)
    while todo:
        token = todo.pop()
        kind = token.type
        if kind == "url":
            if not (token.value.startswith("#") or data_image(token.value)):
                bad.append(token.value)
        elif kind == "function":
            name = token.lower_name
            if name == "url":
                strings = [t.value for t in token.arguments if t.type == "string"]
                bad += [u for u in strings if not (u.startswith("#") or data_image(u))]
                if not strings:
                    bad.append(tinycss2.serialize(token.arguments))
            elif name in IMAGE_FUNCTIONS:
                strings = [t.value for t in token.arguments if t.type in ("string", "url")]
                bad += strings or [name + "()"]
            todo += token.arguments
        elif kind in ("() block", "[] block", "{} block"):
            todo += token.content
        elif kind == "error" or kind == "at-keyword":
            bad.append(tinycss2.serialize([token]))
    return bad


def _judge(bad: list[str], name: str, value: str, report: Report) -> None:
    for url in bad:
        if is_remote(url):
            report.remote_reference(url)
            return
    kinds = {scheme(url) for url in bad}
    reason = "script" if kinds & {"javascript", "vbscript", "livescript"} else \
        "CSS in a manuscript may refer only to the document's own parts or data: images"
    report.removed(value[:30], f'{name}="{value[:40]}" ({reason})')


def clean_style(value: str, report: Report) -> str | None:
    """A `style` attribute with only the declarations that load nothing."""
    kept = []
    for node in tinycss2.parse_blocks_contents(value, skip_comments=True,
                                               skip_whitespace=True):
        if node.type != "declaration":
            _judge([tinycss2.serialize([node])], "style", value, report)
            continue
        bad = _bad_urls(node.value)
        if node.lower_name in ("behavior", "-moz-binding"):
            bad.append("javascript:")
        if bad:
            _judge(bad, "style", value, report)
            continue
        text = tinycss2.serialize(node.value).strip()
        kept.append(f"{node.lower_name}: {text}" + (" !important" if node.important else ""))
    return "; ".join(kept) or None


def _css_value(name: str, value: str, report: Report) -> str | None:
    """An SVG paint attribute (fill="url(#g)"): only fragments are loaded."""
    bad = _bad_urls(tinycss2.parse_component_value_list(value, skip_comments=True))
    if bad:
        _judge(bad, name, value, report)
        return None
    return value
