"""GitHub-flavoured Markdown on top of Python-Markdown, through maintained extensions.

- pymdown-extensions: task lists (`- [x]`), `~~strikethrough~~` and bare URLs (magiclink);
- markdown-callouts: GitHub's alerts (`> [!NOTE]`) as the admonitions quire already styles.
Two things no extension does are normalised in the source before Python-Markdown reads it:
- nested lists indented by the width of their parent's marker (2 spaces under `- `, 3 under
  `1. `), as GitHub and CommonMark nest them, are re-indented by 4 spaces a level;
- a table whose delimiter row has more or fewer cells than its header gets as many;
- two thematic breaks on consecutive lines stay two rules (not a heading underlined);
- a code fence's info string is its first word, up to a comma (CommonMark; mdBook's
  "rust,ignore"): Python-Markdown takes a fence whose info string has a comma or a second
  word for a paragraph (rust-lang/book: over 300 code blocks printed as text);
- a fenced block inside a list item, an admonition or a block quote becomes an indented
  code block there, its language on codehilite's `:::lang` first line: Python-Markdown's
  fenced_code reads fences at the top level only, and such a block was printed as a line
  of inline code that ended the list (mkdocs' docs: 84 of them).
And one in its output: tasklist's `<input type="checkbox" disabled checked/>` (not XML, and
a form control quire's sanitiser removes) becomes a ballot box character.
It leaves out the rest of GitHub's dialect: mentions, issue references, emoji shortcodes.
"""

from __future__ import annotations

import re

from markdown import Extension
from markdown.extensions.sane_lists import SaneOListProcessor, SaneUListProcessor
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

EXTENSIONS = ["pymdownx.tasklist", "pymdownx.tilde", "pymdownx.magiclink", "github-callouts"]
CONFIGS = {
    "pymdownx.tasklist": {"custom_checkbox": False, "clickable_checkbox": False},
    "pymdownx.tilde": {"subscript": False},
    "pymdownx.magiclink": {"repo_url_shorthand": False, "social_url_shorthand": False,
                           "repo_url_shortener": False, "hide_protocol": False},
}
# What shapes the HTML besides the text: part of the Markdown cache's key.
SETUP = (f"{EXTENSIONS}{sorted(CONFIGS.items())} lists-v1 tables-v1 tasks-v1 rules-v1"
         " fences-v2")

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_MARKER = re.compile(r"^( *)([-*+]|\d{1,9}[.)])( +|$)")


def reindent_lists(lines: list[str]) -> list[str]:
    """Nested list items as GitHub reads them, indented as Python-Markdown needs (4 spaces
    a level). Only a document that nests by less than 4 spaces somewhere is touched."""
    if not _narrow_nesting(lines):
        return lines
    out, stack, fence, blank = [], [], None, False   # stack: (marker indent, content column)
    for line in lines:
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if fence is not None and not stack:
            out.append(line)
            if _FENCE.match(line) and line.strip().startswith(fence):
                fence = None
            continue
        if not stripped:
            out.append(line)
            blank = True
            continue
        marker = _MARKER.match(line)
        if stack and not marker and indent < stack[0][1] and blank:
            stack = []                                  # the list has ended
        if not stack and not marker:
            fence_match = _FENCE.match(line)
            if fence_match:
                fence = fence_match.group(1)[0] * 3
            out.append(line)
            blank = False
            continue
        if marker:
            while stack and indent < stack[-1][1]:
                if indent >= stack[-1][0]:
                    stack.pop()
                    break
                stack.pop()
            width = len(marker.group(2)) + max(1, min(len(marker.group(3)), 4))
            out.append(" " * (4 * len(stack)) + stripped)
            stack.append((indent, indent + width))
        else:
            level = max((n for n, (_, column) in enumerate(stack) if indent >= column),
                        default=None)
            if level is None:
                out.append(line)                        # a lazy continuation line
            else:
                out.append(" " * (4 * (level + 1) + indent - stack[level][1]) + stripped)
        blank = False
    return out


def _narrow_nesting(lines: list[str]) -> bool:
    previous = None
    for line in lines:
        marker = _MARKER.match(line)
        if marker and previous is not None:
            indent = len(marker.group(1))
            if previous < indent < previous + 4:
                return True
        if marker:
            previous = len(marker.group(1))
        elif line.strip() and not line.startswith(" "):
            previous = None
    return False


_DELIMITER_CELL = re.compile(r"^\s*:?-+:?\s*$")


def _cells(row: str) -> list[str]:
    row = row.strip()
    row = row.removeprefix("|")
    row = row[:-1] if row.endswith("|") and not row.endswith("\\|") else row
    return re.split(r"(?<!\\)\|", row)


def fix_tables(lines: list[str]) -> list[str]:
    """A delimiter row with as many cells as the header above it."""
    out = list(lines)
    for n in range(1, len(out)):
        row, header = out[n], out[n - 1]
        if "|" not in header or "-" not in row or "|" not in row:
            continue
        cells = _cells(row)
        if not all(_DELIMITER_CELL.match(c) for c in cells):
            continue
        wanted = len(_cells(header))
        if wanted != len(cells) and wanted > 0:
            cells = (cells + ["---"] * wanted)[:wanted]
            indent = row[:len(row) - len(row.lstrip())]
            out[n] = indent + "|" + "|".join(c.strip() for c in cells) + "|"
    return out


_RULE = re.compile(r"^ {0,3}(?:-{3,}|\*{3,}|_{3,})\s*$")


def separate_rules(lines: list[str]) -> list[str]:
    """Two thematic breaks on consecutive lines (`----` twice, as GitHub shows two rules)
    with a blank line between: Python-Markdown reads the second as a heading underline."""
    out: list[str] = []
    for line in lines:
        if out and _RULE.match(line) and _RULE.match(out[-1]) and (
                len(out) < 2 or not out[-2].strip()):
            out.append("")
        out.append(line)
    return out


# What Python-Markdown's fenced_code takes after a fence: `{attrs}`, or a language and
# hl_lines="...".
_ACCEPTED_INFO = re.compile(r"""\{.*|\.?[\w#.+-]*(\s+hl_lines=(?P<q>"|').*?(?P=q))?\s*""")


def _language(info: str) -> str:
    """A fence's language: the first word of its info string, up to a comma or a brace
    (mdBook's "rust,ignore", "python title=..."), "" when that is no language name."""
    word = re.split(r"[\s,{]", info.strip(), maxsplit=1)[0].lstrip(".")
    return word if re.fullmatch(r"[\w#.+-]+", word) else ""


def fence_info(lines: list[str]) -> list[str]:
    """Opening code fences with the info string Python-Markdown reads: its first word, up
    to a comma, when it has more (see the module's docstring)."""
    out, fence = [], None
    for line in lines:
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
            rest = line[match.end():].strip()
            if fence[0] == "`" and "`" in rest:
                fence = None                            # an inline code span, not a fence
            elif rest and not _ACCEPTED_INFO.fullmatch(rest):
                line = line[:match.end()] + _language(rest)
        elif fence is not None and re.fullmatch(
                rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*", line):
            fence = None
        out.append(line)
    return out


_NESTED_FENCE = re.compile(r"^((?: {0,3}> ?)*)( *)(`{3,}|~{3,})(.*)$")


def nested_fences(lines: list[str]) -> list[str]:
    """Fenced blocks inside list items, admonitions and block quotes (indented, or after a
    `>`) as indented code blocks in the same place (see the module's docstring). A fence
    with no closing fence at the same place is left as it is."""
    out, n = [], 0
    while n < len(lines):
        match = _NESTED_FENCE.match(lines[n])
        if not match or not (match.group(1) or match.group(2)) or (
                match.group(3)[0] == "`" and "`" in match.group(4)):
            out.append(lines[n])
            n += 1
            continue
        prefix, indent, fence, info = match.groups()
        close = re.compile(rf"^{re.escape(prefix)} {{0,{len(indent) + 3}}}"
                           rf"{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        end = next((m for m in range(n + 1, len(lines)) if close.match(lines[m])), None)
        body = lines[n + 1:end] if end is not None else []
        quoted = prefix.rstrip()
        if end is None or any(not line.startswith(quoted) for line in body):
            out.append(lines[n])
            n += 1
            continue
        lang = _language(info) or "text"
        depth = _depth(out, len(indent))
        if not depth and len(indent) >= 4 and not prefix:
            out.append(lines[n])        # an indented code block that shows a fence
            n += 1
            continue
        lead = prefix + " " * (4 * depth + 4)
        if out and out[-1].strip(" >"):
            out.append(quoted)                      # an indented block needs a blank line
        out.append(f"{lead}:::{lang}")
        for line in body:
            rest = line[len(prefix):] if line.startswith(prefix) else ""
            rest = rest[min(len(indent), len(rest) - len(rest.lstrip(" "))):]
            out.append(lead + rest if rest.strip() else quoted)
        out.append(quoted)
        n = end + 1
    return out


def _depth(before: list[str], indent: int) -> int:
    """How many levels of 4 spaces a block indented by `indent` spaces is nested in, from
    the lines before it: inside a list item or an admonition the content of each level
    (GitHub aligns it with the item's text: 2 or 3 spaces), else none."""
    if not indent:
        return 0
    for line in reversed(before):
        stripped = line.lstrip(" ")
        if not stripped:
            continue
        at = len(line) - len(stripped)
        if at < indent and (_MARKER.match(line) or stripped.startswith(("!!!", "???"))):
            return -(-indent // 4)              # in that item (past its other lines)
        if not at:
            return 0                            # a paragraph at the top level first
    return 0


class _Fences(Preprocessor):
    def run(self, lines):
        return fence_info(lines)


class _Source(Preprocessor):
    def run(self, lines):
        return fix_tables(separate_rules(nested_fences(reindent_lists(lines))))


_CHECKBOX = re.compile(r'<input type="checkbox" disabled( checked)?\s*/?>\s*')


class _Checkboxes(Postprocessor):
    def run(self, text):
        return _CHECKBOX.sub(lambda m: ("\u2611 " if m.group(1) else "\u2610 "), text)


class _AfterRawList:
    """A Markdown list that follows a list written in HTML inside a `markdown="1"` block.

    md_in_html keeps such an HTML list as an element with no items, and Python-Markdown
    3.11's list processor took it for the list going on and asked for its last item:
    IndexError (EbookFoundation/free-programming-books' Persian list, whose items hold
    `<ul dir="rtl"><li>...</li></ul>`). An element with no items is not a list to go on
    from: the Markdown list starts anew after it."""

    def lastChild(self, parent):
        child = super().lastChild(parent)
        if child is not None and child.tag in ("ol", "ul") and not len(child):
            return None
        return child


class _OList(_AfterRawList, SaneOListProcessor):
    pass


class _UList(_AfterRawList, SaneUListProcessor):
    pass


class GitHubDialect(Extension):
    """The source normalisations, the checkbox characters and the lists after HTML lists,
    for `markup`."""

    def extendMarkdown(self, md):
        # after tabs expand (30), before raw HTML (20); the fences before fenced_code (25)
        md.preprocessors.register(_Fences(md), "quire-fences", 27)
        md.preprocessors.register(_Source(md), "quire-github", 25)
        md.postprocessors.register(_Checkboxes(md), "quire-checkboxes", 5)
        # in place of sane_lists' (extra and sane_lists come before this extension)
        md.parser.blockprocessors.register(_OList(md.parser), "olist", 40)
        md.parser.blockprocessors.register(_UList(md.parser), "ulist", 30)


def extensions() -> list:
    return [*EXTENSIONS, GitHubDialect()]
