"""quire.toml and front matter values: strict validation into plain, checked values.

Reads quire.toml with tomllib and validates it (and, for frontmatter.py, a document's front
matter) against one schema of checking functions. Every problem is collected and reported at
once, one line each, with the dotted key, what was expected, what was found and a "did you
mean" for near misses. Splitting front matter off a Markdown file is frontmatter.py's.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from pathlib import Path
from typing import Any


from .errors import ConfigError
from .fonts import validate as fonts_validate
from .model import PDF_VARIANTS, Author, PdfSettings

PAGE_SIZES = {
    "A4": ("210mm", "297mm"),
    "A5": ("148mm", "210mm"),
    "B5": ("176mm", "250mm"),
    "Letter": ("8.5in", "11in"),
    "6x9in": ("6in", "9in"),
}
_LENGTH = re.compile(r"^\d+(\.\d+)?(mm|cm|in|pt|pc|px)$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
MAX_TITLE = 1000        # characters: a running head, a bookmark, a contents line


def _str(value):
    if isinstance(value, str):
        bad = _NOT_TEXT.search(value)
        if bad:
            return None, (f"contains the character U+{ord(bad.group()):04X} at position "
                          f"{bad.start() + 1}, which no output can hold; remove it")
        return value.strip(), None
    return None, f"expected a string; got {_show(value)}"


def _title(value):
    text, problem = _str(value)
    if problem is None and len(text) > MAX_TITLE:
        return None, f"{len(text):,} characters; a title can have at most {MAX_TITLE:,}"
    return text, problem


def _bool(value):
    if isinstance(value, bool):
        return value, None
    return None, f"expected true or false; got {_show(value)}"


def _lang(value):
    if isinstance(value, str) and _LANG.match(value):
        return value, None
    hint = " (YAML reads no as false: write lang: \"no\", or nb)" if value is False else ""
    return None, f"expected a language tag such as nb, en-GB; got {_show(value)}{hint}"


def _date(value):
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), None
    if isinstance(value, dt.date):
        return value.isoformat(), None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat(), None
        except ValueError:
            pass
    return None, f"expected a date as YYYY-MM-DD; got {_show(value)}"


def _strlist(value):
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip()), None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value), None
    return None, f"expected a list of strings; got {_show(value)}"


_AUTHOR_KEYS = ("name", "email", "affiliation")


def _authors(value):
    items = value if isinstance(value, list) else [value]
    authors = []
    for item in items:
        if isinstance(item, str) and item.strip():
            authors.append(Author(item.strip()))
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            unknown = [k for k in item if k not in _AUTHOR_KEYS]
            if unknown or not all(isinstance(v, str) for v in item.values()):
                return None, (f"expected an author as a name or a table of "
                              f"{', '.join(_AUTHOR_KEYS)}; got {_show(item)}")
            authors.append(Author(**{k: v.strip() for k, v in item.items()}))
        else:
            return None, f"expected a name or a table with a name; got {_show(item)}"
    return tuple(authors), None


def _page_size(value):
    if isinstance(value, str):
        if value in PAGE_SIZES:
            return PAGE_SIZES[value], None
        parts = value.split()
        if len(parts) == 2 and all(_LENGTH.match(p) for p in parts):
            if not all(50 <= to_mm(p) <= 2000 for p in parts):
                return None, f"expected a page between 50 mm and 2 m a side; got {_show(value)}"
            return (parts[0], parts[1]), None
    return None, (f"expected one of {', '.join(PAGE_SIZES)} or \"W H\" "
                  f"(such as \"170mm 240mm\"); got {_show(value)}")


_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "pc": 25.4 / 6, "px": 25.4 / 96}


def to_mm(length: str) -> float:
    """A length matching _LENGTH, in millimetres."""
    number = re.match(r"^\d+(\.\d+)?", length)[0]
    return float(number) * _MM[length[len(number):]]


def _length(value):
    if isinstance(value, str) and _LENGTH.match(value.strip()):
        return value.strip(), None
    return None, f"expected a length such as 20mm, 0.75in or 54pt; got {_show(value)}"


def _isbn(value):
    digits = re.sub(r"[\s-]", "", str(value)) if isinstance(value, (str, int)) else ""
    if re.fullmatch(r"\d{9}[\dXx]|\d{13}", digits):
        return digits.upper(), None
    return None, f"expected an ISBN of 10 or 13 digits; got {_show(value)}"


def _variant(value):
    if value in PDF_VARIANTS:
        return value, None
    return None, f"expected one of {', '.join(PDF_VARIANTS)}; got {_show(value)}"


def _length_or_zero(value):
    if value in (0, "0"):
        return "0mm", None
    return _length(value)


def _columns(value):
    if isinstance(value, int) and not isinstance(value, bool) and value in (1, 2):
        return value, None
    return None, f"expected 1 or 2; got {_show(value)}"


def _numbering(value):
    if isinstance(value, bool) or value in ("chapter", "continuous"):
        return value, None
    return None, f'expected true, false, "chapter" or "continuous"; got {_show(value)}'


def _resolution(value):
    if isinstance(value, int) and not isinstance(value, bool) and 72 <= value <= 2400:
        return value, None
    return None, f"expected pixels per inch from 72 to 2400, such as 150; got {_show(value)}"


def _design(value):
    """`design = "book"`, or a [design] table: `layout` and the theme's values (design.py)."""
    from .design import validate_design
    return validate_design(value)


def _page_list(value):
    if isinstance(value, bool) or value == "auto":
        return value, None
    return None, f"expected \"auto\", true or false; got {_show(value)}"


def _placement(value):
    if value in ("document", "end"):
        return value, None
    return None, f"expected \"document\" or \"end\"; got {_show(value)}"


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


PDF_SCHEMA: dict[str, Any] = {
    "page_size": _page_size,
    "two_sided": _bool,
    "columns": _columns,
    "variant": _variant,
    "bleed": _length_or_zero,
    "marks": _bool,
    "resolution": _resolution,
    "margins": {"top": _length, "bottom": _length, "inner": _length, "outer": _length},
}

# Keys that describe the whole publication (quire.toml, or a single document's front matter).
PUBLICATION_SCHEMA: dict[str, Any] = {
    "name": _str, "title": _title, "subtitle": _title, "lang": _lang, "authors": _authors,
    "publisher": _str, "journal": _str, "rights": _str, "identifier": _str, "date": _date,
    "subject": _str, "description": _str, "keywords": _strlist, "toc": _bool,
    "editors": _authors, "isbn": _isbn, "cover": _str, "title_page": _bool, "numbering": _numbering,
    "design": _design,
    "pdf": PDF_SCHEMA,
    "epub": {"page_list": _page_list},
    # citations (scholarly.py): bibliography files, a CSL style, where the entries go
    "bibliography": _strlist, "citation_style": _str, "bibliography_placement": _placement,
}
ACCESSIBILITY_SCHEMA = {
    "summary": _str, "hazards": _strlist, "features": _strlist, "access_modes": _strlist,
    "access_mode_sufficient": _strlist, "conforms_to": _str, "certified_by": _str,
}
CONFIG_SCHEMA = {**PUBLICATION_SCHEMA, "documents": _strlist,
                 "accessibility": ACCESSIBILITY_SCHEMA, "fonts": fonts_validate}
# Front matter: the document's own keys, plus publication keys (used when quire.toml is silent).
FRONT_MATTER_SCHEMA = {**PUBLICATION_SCHEMA, "section": _str, "lead": _str}


def validate(data: dict, schema: dict, prefix: str = "") -> tuple[dict, list[tuple[str, str]]]:
    """Check `data` against `schema`: (normalised values, [(dotted key, problem)])."""
    values, problems = {}, []
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        check = schema.get(key)
        if check is None:
            near = difflib.get_close_matches(str(key), list(schema), n=1, cutoff=0.6)
            hint = f"; did you mean '{near[0]}'?" if near else f"; known keys: {', '.join(schema)}"
            problems.append((dotted, f"unknown key{hint}"))
        elif isinstance(check, dict):
            if isinstance(value, dict):
                sub, sub_problems = validate(value, check, dotted + ".")
                values[key] = sub
                problems += sub_problems
            else:
                problems.append((dotted, f"expected a table of {', '.join(check)}; got {_show(value)}"))
        else:
            normal, problem = check(value)
            if problem:
                problems.append((dotted, problem))
            else:
                values[key] = normal
    return values, problems


def pdf_settings(values: dict) -> PdfSettings:
    """PdfSettings from validated `pdf` values (defaults: A4, 20 mm margins)."""
    width, height = values.get("page_size", PAGE_SIZES["A4"])
    margins = values.get("margins", {})
    defaults = PdfSettings()
    across = [(margins.get(a, getattr(defaults, f"margin_{a}")),
               margins.get(b, getattr(defaults, f"margin_{b}")), size, name)
              for a, b, size, name in (("inner", "outer", width, "width"),
                                       ("top", "bottom", height, "height"))]
    problems = [(None, f"pdf.margins: {first} + {second} leave no room on a page "
                       f"{size} in {name}")
                for first, second, size, name in across
                if to_mm(first) + to_mm(second) >= to_mm(size) - 20]
    if problems:
        raise ConfigError("quire.toml", problems)
    return PdfSettings(
        page_width=width, page_height=height,
        margin_top=margins.get("top", defaults.margin_top),
        margin_bottom=margins.get("bottom", defaults.margin_bottom),
        margin_inner=margins.get("inner", defaults.margin_inner),
        margin_outer=margins.get("outer", defaults.margin_outer),
        two_sided=values.get("two_sided", defaults.two_sided),
        columns=values.get("columns", defaults.columns),
        variant=values.get("variant", defaults.variant),
        bleed=values.get("bleed", defaults.bleed),
        marks=values.get("marks", defaults.marks),
        resolution=values.get("resolution", defaults.resolution),
    )


def read_config(path: Path, label: str) -> dict:
    """The validated contents of quire.toml ({} when it does not exist)."""
    if not path.exists():
        return {}
    if not path.is_file():
        raise ConfigError(label, [(None, "is a folder, not a file")])
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as err:
        raise ConfigError(label, [(None, f"cannot be read ({err.strerror or err})")])
    except UnicodeDecodeError as err:
        raise ConfigError(label, [(None, f"not valid UTF-8 ({err.reason} at byte {err.start})")])
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(label, [(None, f"invalid TOML: {err}")])
    values, problems = validate(data, CONFIG_SCHEMA)
    if problems:
        raise ConfigError(label, [(_toml_line(text, key), f"{key}: {msg}") for key, msg in problems])
    return values


def read_mdbook(path: Path) -> tuple[str, dict] | None:
    """mdBook's book.toml, for a project laid out as mdBook's (no content/ folder): the
    folder of its Markdown (`[book] src`, "src") and the publication's title, authors and
    language from `[book]`, validated as quire.toml's. None when there is no book.toml or
    its folder has no SUMMARY.md. quire.toml, where there is one, wins key by key."""
    if not path.is_file():
        return None
    try:
        book = tomllib.loads(path.read_text(encoding="utf-8")).get("book", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(path.name, [(None, f"cannot be read as TOML ({err})")]) from None
    if not isinstance(book, dict):
        return None
    src = book.get("src", "src")
    if not isinstance(src, str) or not (path.parent / src / "SUMMARY.md").is_file():
        return None
    theirs = {"title": "title", "authors": "authors", "lang": "language"}
    values, problems = validate({ours: book[name] for ours, name in theirs.items()
                                 if name in book}, CONFIG_SCHEMA)
    if problems:
        raise ConfigError(path.name, [(None, f"[book] {theirs.get(key, key)}: {msg}")
                                      for key, msg in problems])
    return src, values


def _toml_line(text: str, dotted: str) -> int | None:
    """Best-effort line of `dotted` in a TOML text (for messages only)."""
    *tables, key = dotted.split(".")
    table = ".".join(tables)
    current = ""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            current = stripped.strip("[]").strip()
        elif re.match(rf"^\s*\"?{re.escape(key)}\"?\s*=", line) and current == table:
            return number
        elif table and current == "" and re.match(rf"^\s*{re.escape(tables[0])}\s*=", line):
            return number   # inline table
    return None
