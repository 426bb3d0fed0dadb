"""Bounds on the work a manuscript can ask for, checked in one linear pass before
Python-Markdown sees the text.

Python-Markdown recurses once per level of nested block quotes and lists (a line of
"> " * 100000 is a RecursionError), and its inline patterns backtrack on unclosed brackets
and emphasis (time grows with the square of their number in a paragraph: 4,000 "[" take
4 s, 50,000 would take minutes). Deeper nesting, more such characters in one paragraph,
and larger files are refused with one line naming the file and line. Raw HTML nested too
deeply is refused by the sanitizer's walk (sanitize.py), which counts as it goes.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import ContentError

MAX_DEPTH = 100                 # nested block quotes, lists, indentation levels, HTML elements
MAX_ELEMENT_DEPTH = 2 * MAX_DEPTH + 20     # in the HTML: a list level is two elements
MAX_BRACKETS = 1000             # "[" in one paragraph
MAX_EMPHASIS = 5000             # "*" and "_" in one paragraph
MAX_DOCUMENT = 10 * 1024 * 1024     # bytes of one Markdown file

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_MARKER = re.compile(r"[ \t]*(?:>|[*+\-](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))[ \t]?")


def check_size(path: Path, label: str) -> None:
    """Refuse a Markdown file too large to convert in reasonable time and memory."""
    try:
        size = path.stat().st_size
    except OSError:
        return
    if size > MAX_DOCUMENT:
        raise ContentError(label, f"{size / 1024 / 1024:.1f} MB; the limit is "
                                  f"{MAX_DOCUMENT // 1024 // 1024} MB for one document "
                                  "(split it into several files)")


def _depth(line: str) -> int:
    """How deeply a line nests: its indentation in steps of four, then each block-quote
    or list marker that follows, counted up to one past the limit."""
    expanded = line[:4 * (MAX_DEPTH + 2)].expandtabs(4)
    indent = len(expanded) - len(expanded.lstrip(" "))
    depth, pos = indent // 4, indent
    while depth <= MAX_DEPTH:
        match = _MARKER.match(line, pos) if pos < len(line) else None
        if not match or match.end() == pos:
            break
        depth, pos = depth + 1, match.end()
    return depth


def check_markdown(text: str, label: str, first_line: int | None = 1) -> None:
    """Refuse nesting deeper than MAX_DEPTH and paragraphs with more unclosed-bracket or
    emphasis characters than Python-Markdown handles in linear time (outside code fences)."""
    fence = None
    brackets = emphasis = 0
    start = None
    for number, line in enumerate(text.split("\n")):
        where = first_line + number if first_line else None
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        if not line.strip():
            brackets = emphasis = 0
            start = None
            continue
        start = start or where
        if _depth(line) > MAX_DEPTH:
            raise ContentError(label, f"nesting deeper than {MAX_DEPTH} levels "
                                      "(block quotes, lists or indentation)", where)
        brackets += line.count("[")
        emphasis += line.count("*") + line.count("_")
        if brackets > MAX_BRACKETS:
            raise ContentError(label, f"more than {MAX_BRACKETS} '[' in one paragraph; "
                                      "split the paragraph", start)
        if emphasis > MAX_EMPHASIS:
            raise ContentError(label, f"more than {MAX_EMPHASIS} '*' and '_' in one "
                                      "paragraph; split the paragraph", start)
