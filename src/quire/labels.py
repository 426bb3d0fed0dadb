"""Words quire itself puts on the page (Figur, Tabell, Innhold, ...) in the document's
language, from the data file data/labels.toml; English for a word a language lacks."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

from . import language

SUMMARY_KEYS = ("summary", "summary_alt", "summary_pages", "summary_end")


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, str]]:
    text = resources.files("quire").joinpath("data/labels.toml").read_text(encoding="utf-8")
    return {tag.lower(): words for tag, words in tomllib.loads(text).items()}


def _own(lang: str) -> tuple[str, dict[str, str]]:
    """(the entry's tag, its words) for a language tag: zh-Hant-TW finds zh-Hant, zh-TW
    finds zh-Hant (CLDR's likely script), de-AT finds de, no finds nb; ("en", {}) if none."""
    table = _table()
    tags = [t.lower() for t in language.subtags(language.print_lang(lang)) if t]
    candidates = ["-".join(tags[:n]) for n in range(len(tags), 0, -1)]
    written = language.script(lang).lower()
    if tags and written not in ("zyyy", "latn"):
        candidates.insert(len(candidates) - 1, f"{tags[0]}-{written}")
    for candidate in candidates:
        if candidate in table:
            return candidate, table[candidate]
    return "en", {}


@lru_cache(maxsize=64)
def labels(lang: str) -> dict[str, str]:
    """Every label for `lang`, English where it has none; `page_before` and `page_after`
    surround a page number in a reference ("side 12", "12ページ")."""
    words = {**_table()["en"], **_own(lang)[1]}
    pattern = words.get("page_reference") or words["page"] + " {}"
    words["page_before"], _, words["page_after"] = pattern.partition("{}")
    return words


@lru_cache(maxsize=1)
def unnumbered() -> frozenset[str]:
    """Titles of front and back matter in every language the data file has (casefolded):
    a Chinese 前言 in a book whose language was taken for Japanese is still a preface."""
    return frozenset(title.casefold() for words in _table().values()
                     for title in words.get("unnumbered", ()))


def summary(lang: str, alt_text: bool, page_numbers: bool) -> tuple[str, str]:
    """(the accessibility summary, its language): in `lang` where the data file has all
    of it, else in English."""
    tag, words = _own(lang)
    if not all(key in words for key in SUMMARY_KEYS):
        tag, words = "en", _table()["en"]
    base, alt, pages, end = (words[key] for key in SUMMARY_KEYS)
    return base + (alt if alt_text else "") + (pages if page_numbers else "") + end, tag
