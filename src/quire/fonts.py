"""Fonts for every script: which font sets each script a publication uses, in both outputs.

The theme's fonts (styles/fonts) cover Latin, Greek and Cyrillic. For every other script
in the text quire takes, in this order: the fonts the `[fonts]` table of quire.toml names
for that script or language (font files in the project, or installed families), then a
well-known free family when it is installed (Noto, from Debian's fonts-noto-core and
fonts-noto-cjk). `[fonts]` may also name the families of the three roles (body, headings,
code) for the whole publication. A script without a font is one warning, naming the
documents and the fix; `--strict` fails on it.

The result, a FontPlan, is part of the model. The PDF names the chosen families in every
font-family list of the stylesheets (fontconfig finds the same installed files; project files
get @font-face rules); the EPUB embeds the same files, cut down to its characters. What this
module leaves out: choosing among several installed families by taste (the first known
family wins), and synthesising faces a family lacks (the reading system or WeasyPrint does).
"""

from __future__ import annotations

import logging
import os
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from fontTools import unicodedata

from .errors import ConfigError
from .model import Face, FontPlan

log = logging.getLogger(__name__)

# Scripts the theme's own fonts set; Common and Inherited go with the text around them.
THEME_SCRIPTS = frozenset({"Latn", "Grek", "Cyrl", "Zyyy", "Zinh", "Zzzz"})
ROLES = ("body", "headings", "code")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc", ".woff", ".woff2")
SYSTEM_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts",
                    "~/.fonts")
_CJK_BY_LANG = {"ja": "JP", "ko": "KR", "zh-hant": "TC", "zh-tw": "TC", "zh-hk": "HK",
                "zh-mo": "HK"}
# Families for a script when the generic "Noto Serif/Sans <script name>" is not it.
_KNOWN = {"Arab": ("Noto Naskh Arabic", "Noto Sans Arabic")}
_CJK = ("Hang", "Hani", "Hira", "Kana", "Bopo")
_PACKAGE = {"Hang": "fonts-noto-cjk", "Hani": "fonts-noto-cjk", "Hira": "fonts-noto-cjk",
            "Kana": "fonts-noto-cjk", "Bopo": "fonts-noto-cjk"}


def scripts_of(text: str) -> set[str]:
    """The ISO 15924 codes of the letters of `text` (Hani for ideographs)."""
    return {unicodedata.script(c) for c in set(text) if c.isalpha()}


def plan(root: Path, table: dict, documents) -> FontPlan:
    """The fonts of a publication: `table` is quire.toml's validated [fonts]; `documents`
    the model's documents (their text decides the scripts)."""
    index = _SystemFonts()
    faces: list[Face] = []
    first, last = {r: [] for r in ROLES}, {r: [] for r in ROLES}
    problems = []

    def resolve(where: str, names) -> list[Face]:
        found = []
        for name in ([names] if isinstance(names, str) else names):
            got = _project_faces(root, name) if _is_path(name) else index.family(name)
            if not got:
                what = "no font file" if _is_path(name) else "no installed family"
                hint = "" if _is_path(name) else "; name a font file in the project instead"
                problems.append((None, f"fonts.{where}: {what} '{name}'{hint}"))
            found += got
        return found

    for role in ROLES:
        if role in table:
            chosen = resolve(role, table[role])
            faces += chosen
            first[role] += _families(chosen)

    uses: dict[str, list] = {}
    for doc in documents:
        text = "".join((doc.title, doc.subtitle, doc.lead, _TAGS.sub(" ", doc.body)))
        for script in sorted(scripts_of(text) - THEME_SCRIPTS):
            uses.setdefault(script, []).append(doc)
    # One CJK family for all CJK text, of the region most CJK documents are in: Han
    # characters look up the first family of the list that has them, and each language's
    # own forms come from the family's `locl` feature, which follows `lang`.
    cjk_docs = {doc.source: doc for script in _CJK for doc in uses.get(script, ())}
    regions = Counter(_cjk_region(doc.lang) for doc in cjk_docs.values())
    region = max(regions, key=regions.get) if regions else "SC"
    for script, docs in uses.items():
        langs = [doc.lang.lower() for doc in docs]
        keys = (script, *langs, *(lang.split("-")[0] for lang in langs),
                *(k for k in table if len(k) != 4 and script in _likely_scripts(k)))
        configured = [table[k] for k in dict.fromkeys(keys) if isinstance(table.get(k), dict)]
        chosen_by_role = {}
        if configured:
            for role in ROLES:
                names = configured[0].get(role) or configured[0].get("body")
                if names:
                    chosen_by_role[role] = resolve(f"{script}.{role}", names)
        else:
            serif, sans = _candidates(script, region)
            body = index.first_family(serif, sans)
            heads = index.first_family(sans, serif)
            if body:
                chosen_by_role = {"body": body, "headings": heads, "code": heads}
        if not chosen_by_role.get("body"):
            names = ", ".join(str(d.source) for d in docs[:3]) + (" ..." if len(docs) > 3 else "")
            log.warning("%s: no font for %s text; add one under [fonts] in quire.toml, or "
                        "install %s", names, unicodedata.script_name(script),
                        _PACKAGE.get(script, "fonts-noto-core"))
            continue
        for role, chosen in chosen_by_role.items():
            faces += [f for f in chosen if f not in faces]
            last[role] += [f for f in _families(chosen) if f not in last[role]]
    if problems:
        raise ConfigError("quire.toml", problems)
    return FontPlan(faces=tuple(dict.fromkeys(faces)),
                    first=tuple((r, tuple(dict.fromkeys(first[r]))) for r in ROLES if first[r]),
                    last=tuple((r, tuple(dict.fromkeys(last[r]))) for r in ROLES if last[r]))


_TAGS = re.compile(r"<[^>]*>")


def _families(faces) -> list[str]:
    return list(dict.fromkeys(f.family for f in faces))


_COMPOUND = {"Kore": {"Hang", "Hani"}, "Jpan": {"Hira", "Kana", "Hani"}, "Hans": {"Hani"},
             "Hant": {"Hani", "Bopo"}}


def _likely_scripts(lang: str) -> set[str]:
    """The scripts `lang` is most likely written in (CLDR's likely subtags: hy -> Armn,
    ko -> Kore: Hangul and Han)."""
    from babel.core import get_global

    likely = get_global("likely_subtags").get(lang.replace("-", "_"))
    parts = likely.split("_") if likely else []
    script = parts[1] if len(parts) > 2 else ""
    return _COMPOUND.get(script, {script})


def _cjk_region(lang: str) -> str:
    lang = lang.lower()
    return _CJK_BY_LANG.get(lang) or _CJK_BY_LANG.get("-".join(lang.split("-")[:2])) or (
        _CJK_BY_LANG.get(lang.split("-")[0]) or "SC")


def _candidates(script: str, region: str) -> tuple[list[str], list[str]]:
    if script in _CJK:
        return [f"Noto Serif CJK {region}"], [f"Noto Sans CJK {region}"]
    if script in _KNOWN:
        serif, sans = _KNOWN[script]
        return [serif], [sans]
    name = unicodedata.script_name(script).replace("_", " ")
    return [f"Noto Serif {name}"], [f"Noto Sans {name}", f"Noto {name}"]


def _is_path(name: str) -> bool:
    return "/" in name or name.lower().endswith(FONT_SUFFIXES)


def _project_faces(root: Path, name: str) -> list[Face]:
    path = (root / name).resolve()
    if not path.is_file() or not path.is_relative_to(root.resolve()):
        return []
    return [face for face in _faces_of(path, installed=False)]


def _faces_of(path: Path, installed: bool, family: str | None = None) -> list[Face]:
    """The faces of a font file (every face of a collection), or of `family` only."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    try:
        if path.suffix.lower() in (".ttc", ".otc"):
            fonts = list(TTCollection(str(path), lazy=True).fonts)
        else:
            fonts = [TTFont(str(path), lazy=True)]
    except (OSError, TTLibError, AssertionError):
        return []
    faces = []
    for n, font in enumerate(fonts):
        names = font["name"]
        name = str(names.getDebugName(16) or names.getDebugName(1) or path.stem)
        if family is not None and name != family and names.getDebugName(1) != family:
            continue
        os2 = font["OS/2"] if "OS/2" in font else None
        weight = os2.usWeightClass if os2 else 400
        italic = bool(os2 and os2.fsSelection & 1) or "Italic" in str(names.getDebugName(2))
        faces.append(Face(family=family or name, path=path, index=n,
                          weight=min(900, max(100, round(weight / 100) * 100)),
                          style="italic" if italic else "normal", installed=installed))
    return faces


class _SystemFonts:
    """The system's font files, found by the file names of the families asked for (Noto's
    convention: "Noto Serif CJK JP" in NotoSerifCJK-Regular.ttc, "Noto Sans Thai" in
    NotoSansThai-Regular.ttf). QUIRE_FONT_DIRS (folders separated by ':') replaces the
    usual folders; tests use it to stand for a machine without fonts."""

    def __init__(self):
        dirs = os.environ.get("QUIRE_FONT_DIRS")
        roots = dirs.split(os.pathsep) if dirs is not None else SYSTEM_FONT_DIRS
        self.roots = [Path(d).expanduser() for d in roots if d]
        self._files: dict[str, list[Path]] | None = None

    def _by_stem(self) -> dict[str, list[Path]]:
        if self._files is None:
            self._files = {}
            for root in self.roots:
                for folder, _, names in os.walk(root):
                    for name in names:
                        if name.lower().endswith(FONT_SUFFIXES[:4]):
                            stem = name.rsplit(".", 1)[0].split("-")[0].lower()
                            self._files.setdefault(stem, []).append(Path(folder) / name)
            for paths in self._files.values():
                paths.sort()
        return self._files

    def family(self, family: str) -> list[Face]:
        stem = re.sub(r" (JP|KR|SC|TC|HK)$", "", family).replace(" ", "").lower()
        faces = []
        for path in self._by_stem().get(stem, []):
            if re.search(r"-(Regular|Bold|Italic|BoldItalic)\.", path.name):
                faces += _faces_of(path, installed=True, family=family)
        return faces

    def first_family(self, *candidates) -> list[Face]:
        for names in candidates:
            for name in names:
                if faces := self.family(name):
                    return faces
        return []


# PostScript's core families, which Graphviz, gnuplot and older drawing tools name in SVG
# text, and the free faces drawn on their metrics. Set in another face (fontconfig gave
# Noto Serif for Graphviz's "Times,serif"), the text overran the boxes the tool measured
# for it: "namevalue" in rust-lang/book's diagrams.
METRIC_TWINS = {
    "times": ("Liberation Serif", "TeX Gyre Termes", "Nimbus Roman"),
    "helvetica": ("Liberation Sans", "TeX Gyre Heros", "Nimbus Sans"),
    "courier": ("Liberation Mono", "TeX Gyre Cursor", "Nimbus Mono PS"),
}
METRIC_TWINS.update({"times new roman": METRIC_TWINS["times"], "arial": METRIC_TWINS["helvetica"],
                     "courier new": METRIC_TWINS["courier"]})
_SVG_FAMILY = re.compile(rb"""(font-family\s*(?:=\s*["']|:\s*))([^"';}>]+)""")


@lru_cache(maxsize=1)
def _system_fonts() -> "_SystemFonts":
    return _SystemFonts()


def svg_metric_twins(data: bytes) -> bytes:
    """An SVG whose text names a PostScript core family (Times, Helvetica, Courier, and
    Windows' Times New Roman, Arial, Courier New) first, with the installed face made on
    its metrics (METRIC_TWINS: Liberation, TeX Gyre, Nimbus) named before it; as it was
    when none is installed or it names none."""
    if b"font-family" not in data:
        return data

    def twin(match: re.Match) -> bytes:
        families = match.group(2).decode("utf-8", "replace")
        first = families.split(",")[0].strip().strip("'\"").casefold()
        found = next((name for name in METRIC_TWINS.get(first, ())
                      if _system_fonts().family(name)), None)
        return match.group(1) + f"{found},".encode() + match.group(2) if found \
            else match.group(0)
    return _SVG_FAMILY.sub(twin, data)


def validate(value) -> tuple[dict | None, str | None]:
    """quire.toml's [fonts]: role = family or file(s); [fonts.<script or language>] tables
    of the same roles."""
    if not isinstance(value, dict):
        return None, "expected a table of body, headings, code and script or language tables"
    out = {}
    for key, item in value.items():
        if key in ROLES:
            names, problem = _names(item)
            if problem:
                return None, f"{key}: {problem}"
            out[key] = names
        elif isinstance(item, dict) and re.fullmatch(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*", key):
            sub = {}
            for role, names in item.items():
                if role not in ROLES:
                    return None, f"{key}.{role}: unknown key; known keys: {', '.join(ROLES)}"
                sub[role], problem = _names(names)
                if problem:
                    return None, f"{key}.{role}: {problem}"
            out[key if len(key) != 4 else key.title()] = sub
            if len(key) != 4:
                out[key.lower()] = sub
        else:
            return None, (f"{key}: unknown key; known keys: {', '.join(ROLES)}, or a table "
                          "per script (Hang, Arab, ...) or language (ko, ar, ...)")
    return out, None


def _names(value):
    if isinstance(value, str) and value.strip():
        return (value.strip(),), None
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(v.strip() for v in value), None
    return None, "expected a font family or a font file, or a list of font files"


# -- stylesheets ------------------------------------------------------------------------
FONT_FACE_RULE = re.compile(r"@font-face\s*\{[^}]*\}", re.IGNORECASE)
_DECLARATION = re.compile(r"(font-family\s*:\s*)([^;}]+)", re.IGNORECASE)
_GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}


def role_of(families: list[str]) -> str:
    names = {f.strip("\"' ").lower() for f in families}
    if names & {"monospace", "source code pro"}:
        return "code"
    if names & {"sans-serif", "source sans 3"}:
        return "headings"
    return "body"


def extend_stacks(css: str, fonts: FontPlan) -> str:
    """`css` with the plan's families in every font-family list: the project's own first,
    the other scripts' before the generic family at the end."""
    if not (fonts.first or fonts.last):
        return css
    first, last = dict(fonts.first), dict(fonts.last)

    def extend(match: re.Match) -> str:
        families = [f.strip() for f in match.group(2).split(",")]
        role = role_of(families)
        important = ""
        if families[-1].lower().endswith("!important"):
            families[-1] = families[-1][:-len("!important")].strip()
            important = " !important"
        generic = [f for f in families[-1:] if f.lower() in _GENERIC]
        named = families[:len(families) - len(generic)]
        quoted = lambda names: [f'"{n}"' for n in names if f'"{n}"' not in named]  # noqa: E731
        stack = quoted(first.get(role, ())) + named + quoted(last.get(role, ())) + generic
        return match.group(1) + ", ".join(stack) + important
    # @font-face rules name one family each: left as they are.
    pieces = FONT_FACE_RULE.split(css)
    faces = FONT_FACE_RULE.findall(css)
    out = [_DECLARATION.sub(extend, pieces[0])]
    for face, piece in zip(faces, pieces[1:]):
        out += [face, _DECLARATION.sub(extend, piece)]
    return "".join(out)


def font_face_css(faces, url_of) -> str:
    """@font-face rules for `faces`; `url_of(face)` gives the URL of each file."""
    rules = []
    for face in faces:
        rules.append(f'@font-face {{ font-family: "{face.family}"; src: url("{url_of(face)}"); '
                     f"font-weight: {face.weight}; font-style: {face.style}; }}")
    return "\n".join(rules)
