"""Warnings as people read them: grouped by kind, with counts, each still naming its file
and line; and, for `quire watch`, only what is new since the last build.

A warning's kind is its text without where it is (`content/a.md:12: `, `PDF: `) and
without its particulars (quoted names, numbers), cut before the explanation (`;`, `(`):
"image 'a.png' has no alt text" and "image 'b.png' has no alt text" are one kind. A kind
seen once prints as one line, `warning: MESSAGE`; a kind seen several times gets a header,
`warnings: 3 × KIND`, over its lines. Plain text only: no colours, no terminal codes.
"""

from __future__ import annotations

import re

# where a warning is: "content/a.md:12: ", "up & going/ch1.md:3: " (a path with spaces and
# an extension), "PDF: ", "book.pdf: preflight: "
_WHERE = re.compile(r"^(?:(?:[^:\n]*?\.\w{1,5}|[^\s:]+)(?::\d+)*: )+")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`|«[^»]*»|“[^”]*”")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CUT = re.compile(r"\s*[;(]|:\s")
_PAGES = re.compile(r"^pages? [\d, ]+(?:and \d+ more)?: ")
_WIDTH = 90


def kind(message: str) -> str:
    """What sort of warning `message` is (see the module's docstring)."""
    text = _WHERE.sub("", message.split("\n", 1)[0], count=1)
    text = _PAGES.sub("", text, count=1)
    text = _NUMBER.sub("N", _QUOTED.sub("'…'", text))
    cut = next((m.start() for m in _CUT.finditer(text) if m.start() > 10), None)
    text = (text[:cut] if cut else text).strip().rstrip(".,")
    return text if len(text) <= _WIDTH else text[:_WIDTH - 1].rstrip() + "…"


def grouped(messages: list[str]) -> list[tuple[str, list[str]]]:
    """(kind, its messages) in the order each kind first came; repeated messages once."""
    groups: dict[str, list[str]] = {}
    for message in dict.fromkeys(messages):
        groups.setdefault(kind(message), []).append(message)
    return list(groups.items())


def lines(messages: list[str]) -> list[str]:
    """The lines to print for `messages`."""
    out = []
    for name, members in grouped(messages):
        if len(members) > 1:
            out.append(f"warnings: {len(members)} × {name}")
        out += [f"warning: {message}" for message in members]
    return out


class Shown:
    """What `quire watch` has printed: each build prints the warnings the last one did not
    have, and how many it had again."""

    def __init__(self):
        self.last: set[str] = set()

    def new(self, messages: list[str]) -> tuple[list[str], int]:
        """(the messages not printed by the last build, the count of those it printed)."""
        current = list(dict.fromkeys(messages))
        fresh = [m for m in current if m not in self.last]
        self.last = set(current)
        return fresh, len(current) - len(fresh)
