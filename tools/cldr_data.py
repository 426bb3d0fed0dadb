"""Regenerate src/quire/data/cldr.json from the Unicode CLDR's XML data.

    apt-get install unicode-cldr-core       # CLDR's common/ data, in /usr/share/unicode/cldr
    python tools/cldr_data.py [CLDR_COMMON_DIR [OUT]]

Writes, for every CLDR locale, its quotation marks (outer open, outer close, inner open,
inner close) resolved through CLDR's inheritance (parentLocale, then truncation, then
root), and the Han characters that only simplified (zh) or only traditional (zh_Hant)
Chinese uses, from the two locales' exemplar characters. Babel, which quire uses for the
rest of CLDR, does not carry either (checked with Babel 2.19).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from xml.etree import ElementTree

OUT = Path(__file__).resolve().parent.parent / "src" / "quire" / "data" / "cldr.json"
FIELDS = ("quotationStart", "quotationEnd", "alternateQuotationStart", "alternateQuotationEnd")


def main(common: Path, out: Path = OUT) -> None:
    main_dir = common / "main"
    own: dict[str, dict[str, str]] = {}
    for path in sorted(main_dir.glob("*.xml")):
        root = ElementTree.parse(path).getroot()
        found = {}
        for field in FIELDS:
            el = root.find(f"delimiters/{field}")
            if el is not None and el.text:
                found[field] = el.text
        own[path.stem] = found
    parents = {}
    supplemental = ElementTree.parse(common / "supplemental" / "supplementalData.xml")
    for el in supplemental.getroot().iter("parentLocale"):
        for locale in el.get("locales").split():
            parents[locale] = el.get("parent")

    def parent(locale: str) -> str | None:
        if locale == "root":
            return None
        if locale in parents:
            return parents[locale]
        return locale.rsplit("_", 1)[0] if "_" in locale else "root"

    def resolve(locale: str, field: str) -> str:
        while locale is not None:
            if field in own.get(locale, {}):
                return own[locale][field]
            locale = parent(locale)
        raise KeyError(field)

    quotes = {locale: "".join(resolve(locale, f) for f in FIELDS) for locale in sorted(own)}
    simplified = _exemplars(main_dir / "zh.xml")
    traditional = _exemplars(main_dir / "zh_Hant.xml")
    data = {
        "source": f"Unicode CLDR {_version(common)} (common/main/*.xml delimiters and "
                  "zh / zh_Hant exemplar characters), by tools/cldr_data.py",
        "quotes": quotes,
        "han_simplified_only": "".join(sorted(simplified - traditional)),
        "han_traditional_only": "".join(sorted(traditional - simplified)),
    }
    lines = ["{"]
    lines.append(f'"source": {json.dumps(data["source"], ensure_ascii=False)},')
    lines.append('"quotes": {')
    lines.append(",\n".join(f'  "{k}": {json.dumps(v, ensure_ascii=False)}'
                            for k, v in quotes.items()))
    lines.append("},")
    lines.append(f'"han_simplified_only": {json.dumps(data["han_simplified_only"], ensure_ascii=False)},')
    lines.append(f'"han_traditional_only": {json.dumps(data["han_traditional_only"], ensure_ascii=False)}')
    lines.append("}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert json.loads(out.read_text(encoding="utf-8")) == data
    print(f"{out}: {len(quotes)} locales")


def _exemplars(path: Path) -> set[str]:
    """The main exemplar set of a locale (a UnicodeSet like "[a b c-f {ch}]")."""
    root = ElementTree.parse(path).getroot()
    el = next(e for e in root.iter("exemplarCharacters") if e.get("type") is None)
    chars: set[str] = set()
    for item in el.text.strip("[]").split():
        if re.fullmatch(r".-.", item):
            chars.update(chr(c) for c in range(ord(item[0]), ord(item[2]) + 1))
        elif len(item) == 1:
            chars.add(item)
    return chars


def _version(common: Path) -> str:
    text = (common / "dtd" / "ldml.dtd").read_text(encoding="utf-8")
    match = re.search(r'<!ATTLIST version cldrVersion CDATA #FIXED "([\d.]+)"', text)
    return match.group(1) if match else "?"


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/usr/share/unicode/cldr/common"),
         Path(sys.argv[2]) if len(sys.argv) > 2 else OUT)
