"""mdBook's includes (`{{#include file}}`, `{{#rustdoc_include file:anchor}}`), expanded
inside the project, before Python-Markdown, as snippets.py does for mkdocs' snippets.

The forms mdBook documents: a whole file; `file:N` (line N), `file:N:`, `file::M`,
`file:N:M` (lines, from 1, both ends included); `file:name`, the lines between
`ANCHOR: name` and `ANCHOR_END: name`. Lines that carry an anchor's marker are left out
wherever they are. `{{#rustdoc_include}}` and `{{#playground}}` are read as `{{#include}}`:
mdBook hides the rest of the file behind a button, which print has not. `{{#title ...}}`
(the browser tab's title) is dropped; `\\{{#include ...}}` is written as the text without
its backslash, as mdBook does. A file is found from the including document's folder and
must be inside the project (a `..` out of it, an absolute path or a link out is an error,
file:line, all at once); a file not found is a warning and its text is left out. The
Markdown files included are not published as documents of their own (load.py).
In Rust code blocks, rustdoc's hidden lines (`# ` or a lone `#`: boilerplate that makes
an example compile) are left out and `##` is written `#`, as mdBook shows them.
Not done: line numbers of later problems in a document count the inserted lines.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from .errors import ContentError, ManyErrors
from .limits import check_markdown, check_size
from .resources import inside

log = logging.getLogger("quire")
_LINK = re.compile(r"(\\?)\{\{\s*#(include|rustdoc_include|playground|title)\s+([^}]*?)\s*\}\}")
_ANCHOR = re.compile(r"ANCHOR(?:_END)?:\s*([\w-]+)")
MAX_DEPTH = 10          # includes inside included files


_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")
_HIDDEN = re.compile(r"^\s*#(?: |$)")


def has_includes(text: str) -> bool:
    return "{{#" in text or "{{ #" in text


def hide_rust_lines(text: str) -> str:
    """Rust code blocks without rustdoc's hidden lines (see the module's docstring)."""
    if "```rust" not in text and "~~~rust" not in text:
        return text
    out, fence, rust = [], None, False
    for line in text.split("\n"):
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(2)
            info = match.group(3).strip().split(",")[0].split()[:1]
            rust = info == ["rust"]
        elif fence is not None and match and match.group(2).startswith(fence[0] * len(fence)) \
                and not match.group(3).strip():
            fence, rust = None, False
        elif rust:
            if _HIDDEN.match(line):
                continue
            stripped = line.lstrip()
            if stripped.startswith("##"):
                line = line[:len(line) - len(stripped)] + stripped[1:]
        out.append(line)
    return "\n".join(out)


def expand(text: str, root: Path, document: Path, label: str,
           first_line: int = 1) -> tuple[str, tuple[Path, ...]]:
    """`text` (a document's Markdown) with mdBook's includes put in, and the files they
    came from; ContentError (or ManyErrors) for every include that cannot be."""
    if not has_includes(text):
        return hide_rust_lines(text), ()
    problems: list[ContentError] = []
    read: list[Path] = []
    expanded = _expand(text, root.resolve(), document.resolve(), label, first_line,
                       problems, read, 0)
    if problems:
        raise problems[0] if len(problems) == 1 else ManyErrors(problems)
    check_markdown(expanded, label, None)           # the limits hold for what was put in
    return hide_rust_lines(expanded), tuple(dict.fromkeys(read))


def _expand(text, root, document, label, first_line, problems, read, depth) -> str:
    def put(match: re.Match) -> str:
        escaped, kind, argument = match.groups()
        if escaped:
            return match.group(0)[1:]
        if kind == "title":
            return ""
        line = first_line + text.count("\n", 0, match.start())
        path_text, _, selection = argument.split()[0].partition(":") if argument else ("", "", "")
        shown = f"include '{argument}'"
        if not path_text or Path(path_text).is_absolute() or "://" in path_text:
            problems.append(ContentError(label, f"{shown}: name a file inside the project "
                                                "folder by its path from this file", line))
            return ""
        path = document.parent / path_text
        if not inside(path, root):
            problems.append(ContentError(label, f"{shown} is outside the project folder; "
                                                "refused", line))
            return ""
        if not path.is_file():
            log.warning("%s:%d: %s not found in the project folder; its text is left out",
                        label, line, shown)
            return ""
        shown_path = str(path.resolve().relative_to(root))
        try:
            check_size(path, shown_path)
            lines = path.read_text(encoding="utf-8-sig").split("\n")
        except ContentError as err:
            problems.append(err)
            return ""
        except UnicodeDecodeError:
            problems.append(ContentError(shown_path, "not valid UTF-8; save it as UTF-8"))
            return ""
        except OSError as err:
            problems.append(ContentError(label, f"{shown} cannot be read: {err.strerror}",
                                         line))
            return ""
        read.append(path.resolve())
        if lines and lines[-1] == "":
            lines.pop()
        chosen = _select(lines, selection)
        if chosen is None:
            problems.append(ContentError(label, f"{shown}: no anchor '{selection}' in "
                                                f"{shown_path}", line))
            return ""
        body = "\n".join(chosen)
        if depth < MAX_DEPTH and has_includes(body):
            body = _expand(body, root, path.resolve(), shown_path, 1, problems, read, depth + 1)
        return body
    return _LINK.sub(put, text)


def _select(lines: list[str], selection: str) -> list[str] | None:
    """The lines `selection` names (all, a range, an anchor), anchor lines left out; None
    for an anchor the file does not have."""
    kept = lambda chosen: [line for line in chosen if not _ANCHOR.search(line)]  # noqa: E731
    if not selection:
        return kept(lines)
    numbers = re.fullmatch(r"(\d*)(:?)(\d*)", selection)
    if numbers:
        start, colon, end = numbers.groups()
        first = max(int(start or 1), 1)
        last = int(end) if end else (len(lines) if colon or not start else first)
        return kept(lines[first - 1:last])
    inside_anchor, chosen, found = False, [], False
    for line in lines:
        marker = _ANCHOR.search(line)
        if marker and marker.group(1) == selection:
            found = True
            inside_anchor = "ANCHOR_END" not in line[:marker.end()]
            continue
        if inside_anchor:
            chosen.append(line)
    return kept(chosen) if found else None
