"""One Markdown file converted while a publication loads, then made a model Document.

`convert` runs markup.convert on a document's body and settles its slug, id and title (the
front matter's, else its first heading's, taken out of the body; a heading its folder's
documents share is the book's, not the document's). `document` freezes the result.
Chapter numbers for figure and table labels ("Figur 3.10") come from design.chapters.
The converted documents are dicts, alive only while loading; they leave out anything the
outputs need, which the model's Document carries.
"""

from __future__ import annotations

from pathlib import Path

from . import design, markup
from .model import Document
from .resources import ascii_slug, relative
from .structure import INDEX_FILES, humanise


def convert(root, content, path, fm, lang, ids, assets, numbering, html_of,
            drop_shared: bool = False, summary: tuple[int, str] = (1, "")) -> dict:
    """One document converted; `drop_shared`: its first heading is one its folder's
    documents share (the book's title), not its own; `summary`: what SUMMARY.md says of
    it (structure.summary_entries): its level (2: a section of the document before it,
    titled by the heading it opens with whatever its level, as rust-lang/book's "## Hello,
    Cargo!"; 0: not numbered) and its link text, the title when the text has none."""
    level, summary_title = summary
    label = relative(path, root)
    ids.current = set()
    in_content = path.relative_to(content)
    slug = ids.slug(ascii_slug("-".join(in_content.with_suffix("").parts), "document"))
    doc_id = ids.claim(slug)
    body = markup.convert(
        fm.body, lang=lang, label=label, first_line=fm.body_line, claim_id=ids.claim,
        resolve_image=lambda src, line: assets.image(src, path, label, line),
        numbering=numbering, html_of=html_of)
    top = list(body.root)[:2]
    running = len(top) == 2 and all(el.tag == "h1" for el in top) and not (
        (top[0].tail or "").strip())                # "# The Book" then "# Chapter 1"
    dropped = _take_leading_h1(body, doc_id)[0] if drop_shared or running else ""
    title = fm.values.get("title")
    title_html = ""
    if title:
        first = _first_element(body.root)
        if first is not None and first.tag == "h1" and _same(
                markup.text_without_notes(first), title):
            _take_leading_h1(body, doc_id)          # not printed twice
    else:
        title, title_html = _take_leading_h1(body, doc_id, any_level=level > 1)
        if not title and dropped and path.name.lower() in INDEX_FILES:
            title = dropped                 # the book's README: titled by the book
        title = title or summary_title or humanise(path.stem)
    title = markup.plain_typography(title, lang)
    return {
        "source": Path(label), "slug": slug, "id": doc_id, "lang": lang, "title": title,
        "title_html": title_html or markup.escape_text(title), "dropped": dropped,
        "top": in_content.parts[0] if len(in_content.parts) > 1 else "",
        "fm": fm.values, "body": body, "ids": ids.current, "path": path,
        "text": fm.body, "first_line": fm.body_line, "level": level,
    }


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def _take_leading_h1(body, doc_id: str, any_level: bool = False) -> tuple[str, str]:
    """Take the body's first heading out when it is an h1 (what comes before it, a line of
    badges or language links, stays), or, with `any_level`, when it is any heading the
    body opens with: (its text, its inline XHTML), or ("", "")."""
    first = next((el for el in body.root if el.tag in _HEADINGS), None)
    if first is None or (first.tag != "h1" and not (any_level and not any(
            "".join(el.itertext()).strip() for el in first.itersiblings(preceding=True)))):
        return "", ""
    text = next((h.text for h in body.headings if h.id == first.get("id")),
                " ".join(markup.text_without_notes(first).split()))
    body.headings = [h for h in body.headings if h.id != first.get("id")]
    first.tail = None
    html = markup.inner_xhtml(first)                # keeps its footnote calls
    first.drop_tree()
    _retarget(body, first.get("id"), doc_id)
    return text, html


def _retarget(body, old: str, new: str) -> None:
    """Links to a heading that was taken out (as the title) lead to the document."""
    for key, value in list(body.renamed.items()):
        if value == old:
            body.renamed[key] = new
    for a in body.root.iter("a"):
        if a.get("href") == f"#{old}":
            a.set("href", f"#{new}")
    body.targets.pop(old, None)


def _first_element(root):
    return next(iter(root), None)


def number_by_chapter(converted: list[dict], lang: str, book_title: str) -> None:
    """Figure and table labels of a chapter get its number: "Figur 3.10"; documents that
    are no chapter (a preface) keep their own count."""
    numbers = design.chapters([(c["id"], c["title"]) for c in converted
                               if c.get("level", 1) == 1], lang, book_title)
    for c in converted:
        if c["id"] not in numbers:
            continue
        prefix = numbers[c["id"]][1]
        renamed = {}
        for span in c["body"].root.iter("span"):
            if span.get("class") == "caption-label" and span.text:
                word, _, number = span.text.rpartition(" ")
                renamed[span.text] = f"{word} {prefix}.{number}"
                span.text = renamed[span.text]
        targets = c["body"].targets     # what a reference to a figure or table reads
        for key, value in targets.items():
            targets[key] = renamed.get(value, value)
        c["body"].park()


def document(c: dict) -> Document:
    fm, body = c["fm"], c["body"]
    lead = ""
    if fm.get("lead"):
        lead, warnings = markup.short_text(fm["lead"], c["lang"], str(c["source"]))
        body.warnings.extend(warnings)
    xhtml = body.xhtml()
    body.park()
    return Document(
        source=c["source"], slug=c["slug"], id=c["id"], lang=c["lang"], title=c["title"],
        title_html=c["title_html"],
        part=c["part"], subtitle=fm.get("subtitle", ""), section=fm.get("section", ""),
        authors=fm.get("authors", ()), lead=lead, body=xhtml,
        headings=tuple(body.headings), footnotes=tuple(body.footnotes),
        ids=frozenset(c["ids"]), images_without_alt=body.images_without_alt,
        level=c.get("level", 1),           # documents scholarly.py adds: 1
    )
