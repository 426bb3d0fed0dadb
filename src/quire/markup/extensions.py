"""Python-Markdown as quire configures it: the extensions and their settings.

Produces a document's HTML with Python-Markdown: "extra" (tables, footnotes, definition
lists, attribute lists, fenced code), toc (heading ids), smarty, admonitions, codehilite
(Pygments), sane lists, the linear inline patterns (markdown_linear), quire's scholarly
syntax (formulas, citations, index marks) and other tools' dialects (dialects.py: task
lists, strikethrough, bare URLs, alerts). Quotes come out as placeholders that typography
replaces with the document's language's marks, so the HTML does not depend on the
language and can be cached by text alone. It leaves out Python-Markdown's meta extension
(front matter is frontmatter.py's) and raw HTML checking (sanitize.py).
"""

from __future__ import annotations

import markdown
from markdown.extensions import Extension, codehilite
from markdown.extensions.toc import slugify_unicode
from pygments.formatters.html import HtmlFormatter
from pygments.lexers import find_lexer_class_by_name
from pygments.util import ClassNotFound

from .. import citations, dialects, index, mathtex
from .. import typography as typo
from ..markdown_linear import LinearInline


class Syntax(Extension):
    """quire's own inline syntax: formulas, citations and index marks."""

    def extendMarkdown(self, md):
        mathtex.register(md)
        citations.register(md)
        index.register(md)


class _Formatter(HtmlFormatter):
    """Pygments' HTML formatter with its tables of token classes worked out once per style
    and class prefix: codehilite makes a formatter for every code block, and each worked
    the same tables out again (Pro Git's 636 blocks: 0.3 s of a 1.7 s EPUB build)."""

    _tables: dict = {}

    def _create_stylesheet(self):
        key = (self.style, self.classprefix)
        if key not in self._tables:
            super()._create_stylesheet()
            self._tables[key] = (self.ttype2class, self.class2style)
        self.ttype2class, self.class2style = self._tables[key]


_LEXERS: dict[str, type | None] = {}


def _lexer_by_name(alias, **options):
    """Pygments' `get_lexer_by_name`, its lookup done once per name: codehilite looks a
    lexer up for every code block, and the lookup walks Pygments' table of 600 lexers
    (Pro Git's 636 blocks: 1,267 lookups, 9 % of its Markdown conversion). The lexer is
    made anew for each block, with the block's options, as Pygments does."""
    key = (alias or "").lower()
    if key not in _LEXERS:
        try:
            _LEXERS[key] = find_lexer_class_by_name(alias)
        except ClassNotFound:
            _LEXERS[key] = None
    if _LEXERS[key] is None:
        raise ClassNotFound(f"no lexer for alias {alias!r} found")
    return _LEXERS[key](**options)


def _markdown() -> markdown.Markdown:
    """Python-Markdown as quire uses it. Quotes come out as placeholders that `typography`
    replaces with the document's language's marks: the HTML does not depend on it."""
    return markdown.Markdown(
        extensions=["extra", "toc", "smarty", "admonition", "codehilite", "sane_lists",
                    LinearInline(), Syntax(), *dialects.extensions()],
        extension_configs={
            **dialects.CONFIGS,
            "toc": {"slugify": slugify_unicode, "permalink": False},
            "smarty": {
                "smart_angled_quotes": True,
                "substitutions": {
                    "left-double-quote": typo.OPEN_DOUBLE,
                    "right-double-quote": typo.CLOSE_DOUBLE,
                    "left-single-quote": typo.OPEN_SINGLE,
                    "right-single-quote": typo.CLOSE_SINGLE,
                    "left-angle-quote": "«", "right-angle-quote": "»",
                    "ndash": "–", "mdash": "—", "ellipsis": "…",
                },
            },
            "codehilite": {"css_class": "highlight", "guess_lang": False,
                           "pygments_formatter": _Formatter},
            "footnotes": {"BACKLINK_TEXT": ""},
        },
        output_format="xhtml",
    )


_MARKDOWN: list[markdown.Markdown] = []


def to_html(text: str) -> str:
    """Python-Markdown's HTML for a document's text (the same in every language)."""
    if not _MARKDOWN:
        codehilite.get_lexer_by_name = _lexer_by_name     # the one name codehilite calls
        _MARKDOWN.append(_markdown())
    md = _MARKDOWN[0]
    md.reset()
    return md.convert(typo.clean(text))
