"""A publication's structure without configuration: which files, in which order, under
which titles.

- Reading order: quire.toml `documents`; else a `SUMMARY.md` (mdBook's convention); else a
  README or index whose list of links names the project's own documents (followed into the
  READMEs it links to, as a set of books links each book's README); else path order, numbers
  compared as numbers, README/index first. Documents no list names follow in path order.
- Hand-written contents files (toc.md, SUMMARY.md, ...) are left out: quire makes one.
- Shared headings: a first heading every document of a folder repeats (a book's own title
  at the top of each chapter) is the folder's title, not each document's.
It leaves out reading a site generator's configuration (mkdocs.yml `nav`).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from .references import is_remote, spellings

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


def listed_links(text: str) -> list[str]:
    """The link targets of a Markdown text's list items, in order (code left out)."""
    targets, fenced = [], False
    for line in text.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
        if fenced or not _LIST_ITEM.match(line):
            continue
        targets += [m.group(1) for m in _LINK.finditer(line)]
    return targets


def reading_order(files: list[Path], content: Path, read, summary: Path | None = None
                  ) -> list[Path]:
    """`files` (in path order) in reading order; `read(path)` is a file's Markdown; the
    links of `summary` (mdBook's SUMMARY.md, not itself a document) come first."""
    known = set(files)
    start = summary or next((p for p in files if p.parent == content
                             and p.name.lower() in INDEX_FILES), None)
    if start is None:
        return _by_folder_indexes(files, known, read)
    order: list[Path] = [] if summary else [start]

    def visit(index: Path) -> None:
        for target in listed_links(read(index)):
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
    rest = [p for p in files if p not in order]
    for path in rest:               # after the last listed document of its folder
        same = [n for n, p in enumerate(order) if p.parent == path.parent]
        order.insert(same[-1] + 1 if same else len(order), path)
    return order


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
