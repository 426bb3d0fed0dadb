"""Bibliography files -> CSL-JSON items: BibTeX and BibLaTeX (bibtexparser, LaTeX decoded by
pylatexenc), CSL-JSON and CSL-YAML.

Every problem (a malformed entry, a duplicate key, a file that cannot be read) is collected
with its file and line, so that all are reported at once. It leaves out BibTeX's @string
macros in names and crossref inheritance.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import yaml

BIBTEX_TYPES = {
    "article": "article-journal", "book": "book", "booklet": "pamphlet", "inbook": "chapter",
    "incollection": "chapter", "inproceedings": "paper-conference",
    "conference": "paper-conference", "proceedings": "book", "manual": "book",
    "mastersthesis": "thesis", "phdthesis": "thesis", "thesis": "thesis",
    "techreport": "report", "report": "report", "unpublished": "manuscript",
    "online": "webpage", "www": "webpage", "electronic": "webpage", "misc": "document",
    "collection": "book", "mvbook": "book", "periodical": "periodical", "dataset": "dataset",
    "software": "software", "patent": "patent", "standard": "standard",
}
FIELDS = {      # BibTeX / BibLaTeX field -> CSL variable
    "title": "title", "journal": "container-title", "journaltitle": "container-title",
    "booktitle": "container-title", "publisher": "publisher", "institution": "publisher",
    "school": "publisher", "organization": "publisher", "address": "publisher-place",
    "location": "publisher-place", "volume": "volume", "edition": "edition",
    "pages": "page", "doi": "DOI", "url": "URL", "isbn": "ISBN", "issn": "ISSN",
    "note": "note", "series": "collection-title", "chapter": "chapter-number",
    "abstract": "abstract", "language": "language", "howpublished": "medium",
    "eventtitle": "event", "pmid": "PMID", "pmcid": "PMCID",
}
MONTHS = {m: n for n, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
                                      "sep", "oct", "nov", "dec"), 1)}


def load(paths: list[tuple[Path, str]]) -> tuple[dict[str, dict], list[str]]:
    """The items of the files (path, label) by key, and the problems (`label:line: text`)."""
    items: dict[str, dict] = {}
    where: dict[str, str] = {}
    problems: list[str] = []
    for path, label in paths:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as err:
            problems.append(f"{label}: cannot be read as UTF-8 text ({err})")
            continue
        suffix = path.suffix.lower()
        if suffix in (".bib", ".bibtex", ".biblatex"):
            found = _bibtex(text, label, problems)
        elif suffix == ".json":
            found = _csl(_json(text, label, problems), label, problems)
        elif suffix in (".yaml", ".yml"):
            found = _csl(_yaml(text, label, problems), label, problems)
        else:
            problems.append(f"{label}: unknown bibliography format (use .bib, .json or .yaml)")
            continue
        for key, (item, line) in found.items():
            if key in items:
                problems.append(f"{label}:{line}: duplicate key '{key}' (also in {where[key]})")
                continue
            items[key], where[key] = item, f"{label}:{line}" if line else label
    return items, problems


def _json(text, label, problems):
    try:
        data = json.loads(text)
    except ValueError as err:
        problems.append(f"{label}:{getattr(err, 'lineno', '')}: invalid CSL-JSON: "
                        f"{getattr(err, 'msg', err)}".replace(":: ", ": "))
        return []
    return data


def _yaml(text, label, problems):
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problems.append(f"{label}:{mark.line + 1 if mark else 1}: invalid CSL-YAML: "
                        f"{getattr(err, 'problem', None) or err}")
        return []
    if isinstance(data, dict) and "references" in data:     # pandoc's form
        data = data["references"]
    return data


def _csl(data, label, problems) -> dict[str, tuple[dict, int | None]]:
    if not isinstance(data, list):
        if data:
            problems.append(f"{label}: expected a list of CSL items")
        return {}
    found = {}
    for n, item in enumerate(data, 1):
        if not isinstance(item, dict) or not isinstance(item.get("id"), (str, int)):
            problems.append(f"{label}: item {n} has no 'id'")
            continue
        item = dict(item, id=str(item["id"]))
        for var in ("issued", "accessed", "original-date", "event-date"):
            if isinstance(item.get(var), (str, int)):
                item[var] = _date(str(item[var]))
        found[item["id"]] = (item, None)
    return found


def _bibtex(text: str, label: str, problems: list[str]) -> dict[str, tuple[dict, int]]:
    import bibtexparser
    from bibtexparser.model import DuplicateBlockKeyBlock

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    library = bibtexparser.parse_string(text)
    for block in library.failed_blocks:
        line = block.start_line + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            problems.append(f"{label}:{line}: duplicate key '{block.key}'")
        else:
            head = (block.raw or "").split("\n", 1)[0].strip()[:40]
            problems.append(f"{label}:{line}: malformed entry '{head}' (check its braces, "
                            "quotes and the commas between fields)")
    strings = {s.key.lower(): s.value for s in library.strings}
    found = {}
    for entry in library.entries:
        fields = {f.key.lower(): _value(f.value, strings) for f in entry.fields}
        found[entry.key] = (_item(entry.key, entry.entry_type.lower(), fields),
                            entry.start_line + 1)
    return found


def _value(value, strings) -> str:
    value = str(value)
    return strings.get(value.lower(), value) if re.fullmatch(r"\w+", value) else value


def _item(key: str, kind: str, fields: dict[str, str]) -> dict:
    item: dict = {"id": key, "type": BIBTEX_TYPES.get(kind, "document")}
    for name, var in FIELDS.items():
        if name in fields and var not in item:
            item[var] = _text(fields[name])
    if "page" in item:
        item["page"] = re.sub(r"\s*-+\s*", "-", item["page"])
    if "number" in fields:
        item["issue" if kind == "article" else "number"] = _text(fields["number"])
    for role in ("author", "editor", "translator"):
        if role in fields:
            item[role] = _names(fields[role])
    if "date" in fields:
        item["issued"] = _date(fields["date"])
    elif "year" in fields:
        parts = [p for p in (_int(fields["year"]), _month(fields.get("month", "")))
                 if p is not None]
        item["issued"] = {"date-parts": [parts]} if parts else {"literal": fields["year"]}
    if "urldate" in fields:
        item["accessed"] = _date(fields["urldate"])
    if kind == "phdthesis":
        item.setdefault("genre", "PhD thesis")
    elif kind == "mastersthesis":
        item.setdefault("genre", "Master's thesis")
    return item


def _int(text: str):
    match = re.search(r"\d{1,4}", text)
    return int(match.group(0)) if match else None


def _month(text: str):
    text = text.strip().lower()[:3]
    return MONTHS.get(text) or (int(text) if text.isdigit() and 1 <= int(text) <= 12 else None)


def _date(text: str) -> dict:
    match = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?\s*", text)
    if not match:
        return {"literal": text}
    return {"date-parts": [[int(p) for p in match.groups() if p]]}


def _text(latex: str) -> str:
    """LaTeX field text as Unicode ({\\"u} -> ü, -- -> –, braces gone)."""
    from pylatexenc.latex2text import LatexNodes2Text

    if not re.search(r"[\\{}~$]|--", latex):
        return " ".join(latex.split())
    latex = re.sub(r"\\(TeX|LaTeX|BibTeX|LaTeXe|XeTeX|LuaTeX|ConTeXt)\b\s*(\{\})?",
                   lambda m: {"LaTeXe": "LaTeX2e"}.get(m.group(1), m.group(1)), latex)
    return " ".join(LatexNodes2Text(math_mode="verbatim").latex_to_text(latex).split())


def _names(field: str) -> list[dict]:
    from bibtexparser.middlewares.names import (
        parse_single_name_into_parts,
        split_multiple_persons_names,
    )

    names = []
    for name in split_multiple_persons_names(field):
        name = name.strip()
        if name.startswith("{") and name.endswith("}"):
            names.append({"literal": _text(name[1:-1])})
            continue
        try:
            parts = parse_single_name_into_parts(name, strict=False)
        except Exception:  # noqa: BLE001  a name bibtexparser cannot split stays whole
            names.append({"literal": _text(name)})
            continue
        person = {"family": _text(" ".join(parts.last)), "given": _text(" ".join(parts.first))}
        if parts.von:
            person["non-dropping-particle"] = _text(" ".join(parts.von))
        if parts.jr:
            person["suffix"] = _text(" ".join(parts.jr))
        names.append({k: v for k, v in person.items() if v})
    return names
