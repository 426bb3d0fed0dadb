"""Links between the documents of a publication, resolved once every document is converted.

A link to another document (`ch2.md#heading`, a folder's README, mkdocs' `cli/` for
`cli.md`, mdBook's `ch2.html` for the page made of `ch2.md`, GitHub's heading anchors)
becomes a bare `#id`, since every id is unique in the publication; each output turns it
into what it needs. An empty link text is filled with what it points at ("Figur 2", a
heading's text). Works on lxml trees of the converted
bodies; it leaves out links to the network (kept as they are) and to local files that are
not documents (plain text, with a warning: references.outside_links).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from . import markup, references
from .structure import INDEX_FILES, is_contents_file


CONTENTS_ID = "quire-toc"        # the generated contents: the printed one, the EPUB's nav


def link_documents(converted: list[dict], contents: bool = True) -> None:
    """Resolve links between documents (`ch2.md#x` -> `#x`) and fill empty cross-references.

    Every id is unique in the publication, so a resolved link is a bare `#id`; each output
    turns it into what it needs (a file name in the EPUB). A link to any other local file
    (a document left out, a licence file) becomes plain text: the outputs have no such file;
    but a link to a hand-written contents file left out (toc.md) goes to the generated
    contents (`#quire-toc`), when there is one (`contents`).
    """
    by_path = {c["path"]: c for c in converted}
    targets = {k: v for c in converted for k, v in c["body"].targets.items()}
    targets.update({c["id"]: c["title"] for c in converted})
    for c in converted:
        warnings = c["body"].warnings
        unresolved: list[str] = []
        for a in c["body"].root.iter("a"):
            href = a.get("href", "")
            target, _, fragment = href.partition("#")
            other = _document_named(by_path, c["path"], target) if target else None
            if other is None and contents and _contents_file(target):
                a.set("href", "#" + CONTENTS_ID)
                continue
            if other is not None:
                fragment = unquote(fragment)
                fragment = other["body"].renamed.get(fragment, fragment)
                if fragment and fragment not in other["ids"]:
                    slugged = markup.slugify(fragment)
                    slugged = other["body"].renamed.get(slugged, slugged)
                    fragment = (slugged if slugged in other["ids"]
                                else _anchors(other).get(_github_slug(fragment), ""))
                    if not fragment:
                        unresolved.append(href)
                href = "#" + (fragment or other["id"])
                a.set("href", href)
            elif href.startswith("#") and href[1:] not in targets and not any(
                    href[1:] in d["ids"] for d in converted):
                found = _anchors(c).get(_github_slug(unquote(href[1:])))
                if found is None:
                    unresolved.append(href)
                    del a.attrib["href"]
                    continue
                href = "#" + found
                a.set("href", href)
            if href.startswith("#") and not a.text_content().strip() and len(a) == 0:
                a.text = targets.get(href[1:], href[1:])
        if unresolved:
            shown = ", ".join(f"'{h[:60]}'" for h in dict.fromkeys(unresolved[:4]))
            more = f" and {len(unresolved) - 4} more" if len(unresolved) > 4 else ""
            warnings.append(f"{c['source']}: {len(unresolved)} link(s) to no heading, figure, "
                            f"table or note (links to the document, or plain text): {shown}{more}")
        references.outside_links(c["body"].root, str(c["source"]),
                                 lambda href: href.startswith("#"), warnings)
        c["body"].park()                    # one tree at a time (markup.Converted)


def _contents_file(target: str) -> bool:
    """Whether a link's target is a local Markdown contents file (toc.md, ../SUMMARY.md)."""
    return (bool(target) and "://" not in target and not target.startswith("mailto:")
            and target.lower().endswith(".md")
            and is_contents_file(Path(unquote(target))))


def _github_slug(text: str) -> str:
    """An anchor as GitHub makes it from a heading: "Up & Going" -> "up--going"."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def _anchors(c: dict) -> dict[str, str]:
    """A document's ids by the GitHub anchor of their heading (its title: the document)."""
    if "anchors" not in c:
        c["anchors"] = {_github_slug(h.text): h.id for h in reversed(c["body"].headings)}
        c["anchors"].setdefault(_github_slug(c["title"]), c["id"])
        index = c["path"].name.lower() in INDEX_FILES
        for text in (c["dropped"], c["part"] if index else ""):
            if text:
                c["anchors"].setdefault(_github_slug(text), c["id"])
    return c["anchors"]


def _document_named(by_path: dict, here: Path, target: str):
    """The converted document a link's path names (as written or percent-decoded; a folder
    names its README or index), or None."""
    if references.is_remote(target):
        return None
    for candidate in references.spellings(target):
        path = (here.parent / candidate).resolve()
        found = by_path.get(path)
        if found is None and (candidate.endswith("/") or path.is_dir()):
            found = next((by_path[p] for p in (path / "README.md", path / "index.md")
                          if p in by_path), None)
        if found is None and not path.suffix:
            found = by_path.get(path.with_suffix(".md"))      # mkdocs: cli/ for cli.md
        if found is None and path.suffix.lower() in (".html", ".htm"):
            found = by_path.get(path.with_suffix(".md"))      # mdBook: ch02.html for ch02.md
        if found is not None:
            return found
    return None
