"""The stylesheet layers of a publication and what each stylesheet names.

Produces the (layer, file) pairs a publication is styled with: each built-in layer
(shared, print, book, epub) or the project's own file of that name, and the project's
custom.css last. Stylesheets are read with tinycss2, so case, escapes and comments hide no
reference; every url() and @import must name a file beside the stylesheet. It leaves out
fetching anything and any CSS it does not need to read (the rules themselves are
WeasyPrint's and the reading systems' business).
"""

from __future__ import annotations

from pathlib import Path

import tinycss2

from .errors import ContentError
from .resources import refuse_outside, relative, resolve_local, theme_dir
from .sanitize import IMAGE_FUNCTIONS, data_image

LAYERS = ("shared", "print", "book", "epub", "custom")   # book: the book design's print layer


def layers(root: Path, layout: str = "journal"
           ) -> tuple[tuple[tuple[str, Path], ...], tuple[Path, ...]]:
    """Each layer from the project's styles/ when it has one, else from the built-in theme;
    the book layer for the book design only, and the project's styles/custom.css last:
    ((layer, file) pairs, every file they name).

    Every url() and @import must name a file beside the stylesheet: nothing is fetched
    from the network or from outside the project.
    """
    theme = theme_dir()
    found, named = [], []
    for layer in LAYERS:
        own = root / "styles" / f"{layer}.css"
        if (layer == "book" and layout != "book") or (layer == "custom" and not own.is_file()):
            continue
        refuse_outside(own, root, relative(own, root))
        path = own if own.is_file() else theme / f"{layer}.css"
        named += _check(path, root if path == own else theme, relative(path, root))
        found.append((layer, path))
    return tuple(found), tuple(named)


def _check(path: Path, base_root: Path, label: str, seen=None) -> list[Path]:
    """Refuse what a stylesheet may not reach; returns the files it names, and theirs for
    stylesheets it imports."""
    seen = seen if seen is not None else {path.resolve()}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ContentError(label, f"cannot be read as UTF-8 text ({err})")
    named = []
    for url, line in references(text):
        if url.startswith("#") or data_image(url):
            continue
        if url.startswith("data:"):
            raise ContentError(label, f"url '{url[:40]}' is a data: URL that is not a "
                                      "PNG, JPEG, GIF or WebP image; use a file", line)
        found = resolve_local(url, path.parent, base_root, label, line, what="url")
        named.append(found)
        if found.suffix.lower() == ".css" and found not in seen:
            seen.add(found)
            named += _check(found, base_root, relative(found, base_root), seen)
    return named


def local_files(css: str, folder: Path) -> list[tuple[str, Path]]:
    """The files a stylesheet's text names, as (url as written, resolved path beside
    `folder`), sorted by url, each once; fragments and data: URLs left out. Whether a file
    exists and may be read is the caller's to check (`layers` has refused what may not)."""
    urls = sorted({url for url, _ in references(css)})
    return [(url, (folder / url).resolve()) for url in urls if not url.startswith(("data:", "#"))]


def references(css: str) -> list[tuple[str, int]]:
    """Every URL a stylesheet would load (url(), @import, image-set() and the like), escapes
    decoded, with its line: what the loader must check and the EPUB must carry."""
    found: list[tuple[str, int]] = []
    todo = list(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    while todo:
        node = todo.pop()
        kind = node.type
        if kind == "at-rule":
            if node.lower_at_keyword == "import":
                strings = [t for t in node.prelude if t.type == "string"]
                found += [(t.value, t.source_line) for t in strings]
            todo += node.prelude + (node.content or [])
        elif kind == "qualified-rule":
            todo += node.prelude + node.content
        elif kind == "url":
            found.append((node.value, node.source_line))
        elif kind == "function":
            if node.lower_name in IMAGE_FUNCTIONS | {"url"}:
                found += [(t.value, t.source_line) for t in node.arguments
                          if t.type == "string"]
            todo += node.arguments
        elif kind in ("() block", "[] block", "{} block"):
            todo += node.content
    return sorted(found, key=lambda pair: pair[1])
