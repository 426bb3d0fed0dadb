"""A publication's structure without configuration: which files, in which order, under
which titles.

- Reading order: quire.toml `documents`; else a `SUMMARY.md` (mdBook's convention); else a
  README or index whose list of links names the project's own documents (followed into the
  READMEs it links to, as a set of books links each book's README); else path order, numbers
  compared as numbers, README/index first. Documents no list names follow in path order.
- Hand-written contents files (toc.md, SUMMARY.md, ...) are left out: quire makes one.
- Shared headings: a first heading every document of a folder repeats (a book's own title
  at the top of each chapter) is the folder's title, not each document's.
- Titles: the book's (its README's first heading, else a heading every document shares,
  else the folder's name) and each part's (a subfolder of content/).
It leaves out reading a site generator's configuration (mkdocs.yml `nav`).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from pathlib import Path

from .errors import QuireError
from .references import is_remote, spellings
from .resources import inside, refuse_outside, relative

log = logging.getLogger("quire")

CONTENTS_FILES = {"toc", "contents", "table-of-contents", "table_of_contents", "summary"}
INDEX_FILES = ("readme.md", "index.md")
_LINK = re.compile(r"\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*)?\)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
_FENCE = re.compile(r"^\s*(```|~~~)")


def is_contents_file(path: Path) -> bool:
    return path.stem.lower() in CONTENTS_FILES


def natural(text: str):
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", text)]


def path_order(parts: tuple[str, ...]):
    """Files before subfolders, README/index first, numbers in names compared as numbers."""
    *folders, name = parts
    first = 0 if name.lower() in INDEX_FILES else 1
    return [(1, natural(f)) for f in folders] + [(0, first, natural(name))]


def listed_links(text: str, every: bool = False) -> list[str]:
    """The link targets of a Markdown text's list items (of every line with `every`: an
    mdBook SUMMARY's prefix and suffix chapters are links on lines of their own), in
    order, code left out."""
    targets, fenced = [], False
    for line in text.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
        if fenced or not (every or _LIST_ITEM.match(line)):
            continue
        targets += [m.group(1) for m in _LINK.finditer(line)]
    return targets


def reading_order(files: list[Path], content: Path, read, summary: Path | None = None
                  ) -> list[Path]:
    """`files` (in path order) in reading order; `read(path)` is a file's Markdown; the
    links of `summary` (mdBook's SUMMARY.md, not itself a document) are the documents,
    the files it does not link left out."""
    known = set(files)
    start = summary or next((p for p in files if p.parent == content
                             and p.name.lower() in INDEX_FILES), None)
    if start is None:
        return _by_folder_indexes(files, known, read)
    order: list[Path] = [] if summary else [start]

    def visit(index: Path) -> None:
        for target in listed_links(read(index), every=index == summary):
            path = _target(index, target, known)
            if path is None or path in order:
                continue
            if index != start and index.parent not in path.parents:
                continue        # a book's README naming the set's preface: the set places it
            order.append(path)
            if path.name.lower() in INDEX_FILES:
                visit(path)

    visit(start)
    named = [p for p in order if p != start]
    if len(named) < 2 or (summary is None and len(named) * 2 < len(files) - 1):
        return _by_folder_indexes(files, known, read)
    if summary is not None:
        # SUMMARY.md is the book, as mdBook and GitBook read it: ruanyf/es6tutorial's
        # sidebar.md and a vendored library's README and to-do list were printed after it
        return order
    rest = [p for p in files if p not in order]
    for path in rest:               # after the last listed document of its folder
        same = [n for n, p in enumerate(order) if p.parent == path.parent]
        order.insert(same[-1] + 1 if same else len(order), path)
    return order


def summary_entries(content: Path, files: list[Path]) -> dict[Path, tuple[int, str]]:
    """What an mdBook or GitBook SUMMARY.md says of each document it links: (level, link
    text). Level 2: nested under another entry (rust-lang/book's "Installation" under
    "Getting Started"), a section of the chapter before it; 1: a chapter; 0: a prefix or
    suffix chapter (a link on a line of its own, before or after the list: "Foreword",
    "Introduction"), which mdBook does not number, when the SUMMARY has a list."""
    summary = summary_file(content, sorted(content.glob("*.md")))
    if summary is None:
        return {}
    text = _read_text_quietly(summary)
    known, entries, indents, fenced = set(files), {}, [], False
    listed = any(_LIST_ITEM.match(line) and _LINK.search(line) for line in text.split("\n"))
    for line in text.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
        if fenced:
            continue
        if _LIST_ITEM.match(line):
            indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())
            while indents and indents[-1] >= indent:
                indents.pop()
            level = 2 if indents else 1
            indents.append(indent)
        else:
            level = 0 if listed else 1
        for match in _LINK.finditer(line):
            path = _target(summary, match.group(1), known)
            if path is not None and path not in entries:
                title = re.sub(r"^\[|\]\(.*$", "", match.group(0), flags=re.DOTALL)
                entries[path] = (level, " ".join(title.split()))
    return entries


def _by_folder_indexes(files: list[Path], known: set[Path], read) -> list[Path]:
    """Path order, but a folder whose README/index lists two or more of its own documents
    has them in that order."""
    order = list(files)
    for index in [p for p in files if p.name.lower() in INDEX_FILES]:
        listed = []
        for target in listed_links(read(index)):
            path = _target(index, target, known)
            if path is not None and path.parent == index.parent and path != index \
                    and path not in listed:
                listed.append(path)
        if len(listed) < 2:
            continue
        slots = [n for n, p in enumerate(order) if p.parent == index.parent and p != index]
        mine = [order[n] for n in slots]
        wanted = listed + [p for p in mine if p not in listed]
        for n, path in zip(slots, wanted):
            order[n] = path
    return order


def _target(index: Path, target: str, known: set[Path]) -> Path | None:
    target = target.split("#")[0]
    if not target or is_remote(target):
        return None
    for candidate in spellings(target):
        path = (index.parent / candidate).resolve()
        for option in (path, path / "README.md", path / "index.md", path.with_suffix(".md")):
            if option in known:
                return option
    return None


def shared_headings(groups: dict[Path, list[str | None]]) -> dict[Path, str]:
    """For each folder, the first heading its documents repeat: every one of two or more,
    or more than half of three or more ({folder: heading})."""
    shared = {}
    for folder, headings in groups.items():
        counts = Counter(h for h in headings if h)
        if not counts:
            continue
        heading, count = counts.most_common(1)[0]
        if (len(headings) >= 2 and count == len(headings)) or (
                len(headings) >= 3 and count * 2 > len(headings)):
            shared[folder] = heading
    return shared


_ATX_H1 = re.compile(r"^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")


def first_heading(text: str) -> str | None:
    """The source text of a Markdown text's first heading when it is of level 1 (ATX
    `# Title` or setext `Title` over `===`); code blocks are skipped."""
    lines = text.split("\n")
    fenced = False
    for n, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        if fenced or not line.strip():
            continue
        match = _ATX_H1.match(line)
        if match:
            return " ".join(match.group(1).split())
        if re.match(r"^ {0,3}#{2,6}[ \t]", line):
            return None
        if n + 1 < len(lines) and re.match(r"^ {0,3}=+\s*$", lines[n + 1]) and line.strip():
            return " ".join(line.split())
    return None


def document_files(root: Path, content: Path, order) -> list[Path]:
    """The documents of `content` in reading order: quire.toml's `documents` (`order`) when
    given, else as found (`reading_order`), contents files left out."""
    if order:
        files = []
        for entry in order:
            path = (content / entry).resolve()
            if not inside(path, content) or not path.is_file():
                raise QuireError(f"quire.toml: documents: '{entry}' not found in "
                                 f"{relative(content, root)}/")
            files.append(path)
        return files
    found = sorted(markdown_files(content),
                   key=lambda p: path_order(p.relative_to(content).parts))
    for path in found:
        refuse_outside(path, root, relative(path, root))
    documents = [p for p in found if not is_contents_file(p)]
    if len(documents) < 2:          # a lone SUMMARY.md or toc.md is the text itself
        documents = found
    summary = summary_file(content, found)
    ordered = reading_order(documents, content, _read_text_quietly, summary)
    left = [p for p in documents if p not in ordered]
    if summary is not None and left:
        shown = ", ".join(f"'{relative(p, root)}'" for p in left[:4])
        more = f" and {len(left) - 4} more" if len(left) > 4 else ""
        log.warning("%s: %d Markdown file(s) it does not list were left out: %s%s; list "
                    "them in it to publish them", relative(summary, root), len(left), shown,
                    more)
    return ordered


def summary_file(content: Path, files) -> Path | None:
    """The content folder's own SUMMARY.md among `files` (mdBook's and GitBook's contents,
    read for the reading order and for each entry's level and title)."""
    return next((p for p in files if p.parent == content and p.stem.lower() == "summary"),
                None)


def markdown_files(folder: Path) -> list[Path]:
    """Every Markdown file below `folder`, but in hidden or `_` folders and in dist/."""
    return [p for p in folder.rglob("*.md")
            if not any(part.startswith((".", "_")) for part in p.relative_to(folder).parts)
            and p.is_file() and "dist" not in p.relative_to(folder).parts[:1]]


def _read_text_quietly(path: Path) -> str:
    """A file's text for finding the reading order ("" if unreadable: loading says why)."""
    try:
        return path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return ""


def book_title(converted: list[dict], content: Path, root: Path) -> str:
    """The one document's title; else the README's (or index's) first heading; else a
    heading every document shares; else the folder's name."""
    if len(converted) == 1:
        return converted[0]["title"]
    index = next((c for c in converted if c["path"].parent == content
                  and c["path"].name.lower() in INDEX_FILES), None)
    if index is not None and index["title_html"] and index["title"] != humanise(
            index["path"].stem):
        return index["title"]
    dropped = {c["dropped"] for c in converted}
    if len(dropped) == 1 and "" not in dropped:
        return dropped.pop()
    return humanise(root.name)


def part_titles(converted: list[dict]) -> None:
    """Each document's part: its top folder, titled by the heading that folder's documents
    share, else by its README or index, else by the language a folder named by a language
    tag holds, else by the folder's name. A folder that holds
    every chapter makes no part: a GitBook's README beside `docs/` is one book, not a part
    called "Docs" (chapters beside the folder keep it a part)."""
    alone = len({c["top"] for c in converted if c["top"]}) < 2 and all(
        c["top"] or c["path"].name.lower() in INDEX_FILES for c in converted)
    for c in converted:
        if not c["top"] or alone:
            c["part"] = ""
            continue
        same = [d for d in converted if d["top"] == c["top"]]
        shared = next((d["dropped"] for d in same if d["dropped"]), "")
        index = next((d["title"] for d in same if d["path"].name.lower() in
                      INDEX_FILES and d["path"].parent.name == c["top"]), "")
        c["part"] = shared or index or _language_name(c["top"], same) or humanise(c["top"])


def _language_name(folder: str, documents: list[dict]) -> str:
    """A folder named by a language tag ("ar", "zh-cn", "pt_BR") whose documents are in that
    language: the language's own name (CLDR, through Babel: "العربية", "中文 (中国)",
    "Português (Brasil)"), not an English word made from the tag ("Ar", "Zh cn")."""
    from babel import Locale, UnknownLocaleError

    tag = folder.replace("_", "-")
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", tag):
        return ""
    def base(lang: str) -> str:
        first = lang.split("-")[0].lower()
        return "nb" if first == "no" else first     # Norwegian's tag and its Bokmål's
    if not all(base(d["lang"]) == base(tag) for d in documents):
        return ""
    try:
        name = Locale.parse(tag, sep="-").get_display_name() or ""
    except (ValueError, UnknownLocaleError):
        return ""
    return name[:1].upper() + name[1:]


def humanise(stem: str) -> str:
    """A title from a file or folder name: "02-getting_started" -> "Getting started"."""
    text = re.sub(r"^\d+[-_. ]*", "", stem).replace("-", " ").replace("_", " ").strip()
    return (text[:1].upper() + text[1:]) if text else stem
