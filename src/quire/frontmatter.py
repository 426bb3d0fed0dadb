"""A Markdown file's front matter: YAML between `---` lines, or Python-Markdown's meta lines.

Produces a FrontMatter (the validated values, the Markdown body and the line it starts on,
the keys of other tools that were ignored), read with PyYAML's safe loader and checked
against config.FRONT_MATTER_SCHEMA. It leaves out any other front matter syntax (TOML
`+++`, JSON): such a file is Markdown from its first line.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import limits
from .config import FRONT_MATTER_SCHEMA, validate
from .errors import ConfigError, ContentError
from .resources import relative

log = logging.getLogger("quire")


@dataclass(frozen=True)
class FrontMatter:
    values: dict
    body: str           # the Markdown after the front matter
    body_line: int      # the line of the file on which `body` starts (1-based)
    ignored: tuple[tuple[str, int | None, str], ...] = ()   # (key, line, hint): other tools'


_FENCE = re.compile(r"^---[ \t]*$")


def _bad_value_line(node) -> int | None:
    """The line of the first scalar YAML cannot construct (for messages only)."""
    loader = yaml.SafeLoader("")
    for scalar in _scalars(node):
        try:
            loader.construct_object(scalar, deep=True)
        except ValueError:
            return scalar.start_mark.line + 2
    return None


def _scalars(node):
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalars(item)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _scalars(value)


# Other tools' names for what quire knows (pandoc, Jekyll, Hugo, mkdocs, Python-Markdown).
FRONT_MATTER_ALIASES = {"author": "authors", "tags": "keywords", "language": "lang"}
_YAML_KEY = re.compile(r"""^\s*(?:[\w"'][^:]*:(?:\s|$)|#|- )""")
_META_KEYS = {"title", "subtitle", "authors", "date", "lang", "description", "keywords"}
_META_LINE = re.compile(r"^([A-Za-z][\w-]*):\s*(.*)$")


def split_front_matter(text: str, label: str) -> FrontMatter:
    """Split and validate a Markdown file's YAML front matter (between --- lines).

    Keys quire does not know (another tool's: mkdocs `hide`, Hugo `weight`) are kept out of
    the values and listed in `ignored`; a `---` block that is not YAML is Markdown (a
    thematic break); Python-Markdown's meta lines (`Title: ...` before a blank line) are
    read when every key is one quire knows."""
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0].rstrip("\r")):
        return _meta_lines(text, label)
    for end in range(1, len(lines)):
        if _FENCE.match(lines[end].rstrip("\r")) or lines[end].rstrip("\r") == "...":
            break
    else:
        if not _looks_like_yaml(lines[1:]):
            return FrontMatter({}, text, 1)
        raise ContentError(label, "front matter opened with '---' is never closed", 1)
    source = "\n".join(lines[1:end])
    try:
        node = yaml.compose(source, Loader=yaml.SafeLoader)
        data = yaml.SafeLoader("").construct_document(node) if node is not None else None
    except yaml.YAMLError as err:
        if not _looks_like_yaml(lines[1:end]):
            return FrontMatter({}, text, 1)         # --- text --- : thematic breaks
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        problem = getattr(err, "problem", None) or str(err)
        raise ContentError(label, f"invalid YAML front matter: {problem}", line)
    except ValueError as err:            # a value YAML reads but cannot build: 2024-02-30
        line = _bad_value_line(node)
        raise ContentError(label, f"invalid value in front matter: {err}", line)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return FrontMatter({}, text, 1)
    key_lines = {}
    if isinstance(node, yaml.MappingNode):
        key_lines = {k.value: k.start_mark.line + 2 for k, _ in node.value}
    return _front_matter(data, key_lines, label, "\n".join(lines[end + 1:]), end + 2)


def _looks_like_yaml(lines: list[str]) -> bool:
    first = next((line for line in lines if line.strip()), "")
    return bool(_YAML_KEY.match(first))


def _front_matter(data: dict, key_lines: dict, label: str, body: str, body_line: int
                  ) -> FrontMatter:
    known, ignored = {}, []
    for key, value in data.items():
        name = FRONT_MATTER_ALIASES.get(key, key) if isinstance(key, str) else key
        if name in FRONT_MATTER_SCHEMA:
            if name not in known or name == key:
                known[name] = value
                key_lines.setdefault(name, key_lines.get(key))
        else:
            near = difflib.get_close_matches(str(key), list(FRONT_MATTER_SCHEMA), n=1,
                                             cutoff=0.75)
            ignored.append((str(key), key_lines.get(key), near[0] if near else ""))
    values, problems = validate(known, FRONT_MATTER_SCHEMA)
    if problems:
        raise ConfigError(label, [(key_lines.get(key.split(".")[0]), f"{key}: {msg}")
                                  for key, msg in problems])
    return FrontMatter(values, body, body_line, tuple(ignored))


def _meta_lines(text: str, label: str) -> FrontMatter:
    """Python-Markdown's meta extension: `Key: value` lines, then a blank line."""
    lines = text.split("\n")
    data: dict[str, object] = {}
    key_lines: dict[str, int] = {}
    key = None
    for number, line in enumerate(lines):
        match = _META_LINE.match(line)
        if not line.strip():
            break
        if match and not line[0].isspace():
            key = match.group(1).lower()
            name = FRONT_MATTER_ALIASES.get(key, key)
            if name not in _META_KEYS:
                return FrontMatter({}, text, 1)
            data[key], key_lines[key] = match.group(2).strip(), number + 1
        elif key is not None and line.startswith(("    ", "\t")):
            data[key] = f"{data[key]}\n{line.strip()}".strip()
        else:
            return FrontMatter({}, text, 1)
    else:
        return FrontMatter({}, text, 1)
    if not data:
        return FrontMatter({}, text, 1)
    for key, value in list(data.items()):
        name = FRONT_MATTER_ALIASES.get(key, key)
        if name == "authors":
            data[key] = [v.strip() for v in str(value).replace("\n", ";").split(";") if v.strip()]
    return _front_matter(data, key_lines, label, "\n".join(lines[number + 1:]), number + 2)


def read(root: Path, path: Path) -> FrontMatter:
    """A document's front matter and body, its size and text checked (a ContentError
    naming the file, and the line where it can, when it cannot be read)."""
    label = relative(path, root)
    limits.check_size(path, label)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ContentError(label, f"cannot be read: {err.strerror}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise ContentError(label, f"not valid UTF-8 (byte 0x{raw[err.start]:02x}); "
                                  "save the file as UTF-8", line)
    front = split_front_matter(text.replace("\r\n", "\n"), label)
    limits.check_markdown(front.body, label, front.body_line)
    if isinstance(front.values.get("lead"), str):
        limits.check_markdown(front.values["lead"], label, None)
    return front


def report_ignored(files: list[Path], front: list[FrontMatter], root: Path) -> None:
    """One warning for every front matter key of another tool that quire ignores."""
    where: dict[str, list[str]] = {}
    hints: dict[str, str] = {}
    for path, fm in zip(files, front):
        for key, line, hint in fm.ignored:
            where.setdefault(key, []).append(f"{relative(path, root)}:{line}" if line
                                             else relative(path, root))
            hints[key] = hints.get(key) or hint
    if not where:
        return
    parts = []
    for key, places in where.items():
        shown = ", ".join(places[:3]) + (f" and {len(places) - 3} more" if len(places) > 3 else "")
        hint = f"; did you mean '{hints[key]}'?" if hints[key] else ""
        parts.append(f"'{key}' ({shown}{hint})")
    log.warning("front matter keys quire does not use were ignored: %s", ", ".join(parts))
