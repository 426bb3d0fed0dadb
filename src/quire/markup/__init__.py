"""Markdown -> XHTML fragment, headings and footnotes, with the document language's typography.

Python-Markdown does the parsing (once per document, `extensions.to_html`); lxml turns its
HTML into a tree that is cleaned (sanitize), given publication-wide unique ids and
serialised as well-formed XHTML (`convert`). The modules:

- extensions.py: Python-Markdown and the extensions quire turns on (the HTML is the same
  in every language: quotes come out as placeholders);
- convert.py: a document's body (or a front matter lead) from that HTML: sanitised,
  headings with ids, typography in the document's language, ids claimed, images resolved;
- notes.py: footnotes out of the text, numbered by their first call;
- captions.py: figures and table captions, numbered ("Figur 2");
- xhtml.py: parsing and serialising fragments (XML-safe characters, SVG's camelCase).

Typography by language is typography.py's, the Markdown dialects of other tools
dialects.py's and the HTML allowlist sanitize.py's. It leaves out everything an output
adds: print HTML, EPUB files, page breaks.
"""

from ..typography import plain_typography, typography
from .convert import Converted, Numbering, convert, short_text, slugify, text_without_notes
from .extensions import to_html
from .xhtml import BLOCK_TAGS, blocks, escape_text, inner_xhtml, parse_fragment, parse_xhtml

__all__ = ["BLOCK_TAGS", "Converted", "Numbering", "blocks", "convert", "escape_text",
           "inner_xhtml", "parse_fragment", "parse_xhtml", "plain_typography", "short_text",
           "slugify", "text_without_notes", "to_html", "typography"]
