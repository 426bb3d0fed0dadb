"""Languages: a document's language guessed from its text, and what a language tag implies.

A document without `lang` (front matter or quire.toml) is not silently English: its prose
(code left out) is looked at. The script decides where one language is written in it
(Hangul: ko, kana: ja, Han alone: zh-Hans or zh-Hant, Greek: el, Thai: th, Hebrew: he,
...); Latin, Cyrillic, Arabic, Devanagari and the other shared scripts go to py3langid
(a naive Bayes model of 140 languages shipped in its wheel: deterministic, ~5 ms a
document). A guess counts only when the text is long enough, the model is sure and the
language is written in the script found; otherwise the caller warns and uses the
publication's language or `und` (undetermined, a valid BCP 47 tag: EPUBCheck and reading
systems accept it; it claims nothing).

From a tag, via Babel's CLDR data: the writing direction, the script, a name for messages.
It leaves out documents written in several languages: one language per document (a
passage in another language takes a `lang` attribute in the Markdown).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# Scripts in which (nearly) one language is written: the script decides.
SCRIPT_LANGUAGES = {
    "Hang": "ko", "Grek": "el", "Thai": "th", "Hebr": "he", "Armn": "hy", "Geor": "ka",
    "Laoo": "lo", "Khmr": "km", "Mymr": "my", "Sinh": "si", "Taml": "ta", "Telu": "te",
    "Knda": "kn", "Mlym": "ml", "Gujr": "gu", "Guru": "pa", "Orya": "or", "Tibt": "bo",
    "Ethi": "am", "Thaa": "dv", "Cher": "chr", "Tfng": "zgh", "Olck": "sat", "Mong": "mn",
}
_CJK = {"Hani", "Hira", "Kana"}
# Scripts written right to left (for tags whose script is given, e.g. und-Arab).
RTL_SCRIPTS = {"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg", "Samr", "Mand"}
# py3langid's labels that are not the tag quire writes.
_MODEL_TAGS = {"no": "nb", "ary": "ar", "arz": "ar", "uzs": "uz", "gug": "gn", "hbo": "he",
               "grc": "el"}
log = logging.getLogger("quire")
MIN_LETTERS = 40            # letters of text below which no guess is trusted
MIN_LETTERS_BY_SCRIPT = 12  # ... when the script alone decides
MIN_PROBABILITY = 0.9       # py3langid's (normalised) probability
SAMPLE = 20_000             # characters of prose looked at


@dataclass(frozen=True)
class Guess:
    lang: str               # a BCP 47 tag; "und" or "und-Xxxx" (a script) when unsure
    confident: bool
    reason: str = ""        # why it is not confident, for the warning
    best: str = ""          # the model's best guess when it is not confident
    scripts: frozenset = frozenset()    # the scripts of MIN_LETTERS_BY_SCRIPT letters or more


def detect(text: str, classify=None) -> Guess:
    """The language of a text (prose: leave code out before). `classify(sample)` may stand
    in for py3langid's `model_classify` (a cache in front of it: cache.Guesses)."""
    text = text[:SAMPLE]
    scripts: Counter = Counter()
    for char, n in Counter(text).items():           # each distinct character once
        if char.isalpha():
            scripts[_script(char)] += n
    for common in ("Zyyy", "Zinh", "Zzzz"):
        scripts.pop(common, None)
    letters = sum(scripts.values())
    if not letters:
        return Guess("und", False, "it has no text")
    found = frozenset(s for s, n in scripts.items() if n >= MIN_LETTERS_BY_SCRIPT)
    cjk = sum(scripts[s] for s in _CJK)
    top, count = scripts.most_common(1)[0]
    if cjk >= count:                     # Han and kana count together
        top, count = "Hani", cjk
    unsure = "und" if top in ("Latn", "Zyyy") else f"und-{top}"
    short = f"it has only {letters} letters of text"
    if top == "Hani":
        if count < MIN_LETTERS_BY_SCRIPT:
            return Guess("und-Hani", False, short, scripts=found)
        if scripts["Hira"] + scripts["Kana"] >= 0.05 * cjk:
            return Guess("ja", True)
        return Guess(_chinese(text), True)
    if top in SCRIPT_LANGUAGES:
        if count < MIN_LETTERS_BY_SCRIPT:
            return Guess(unsure, False, short, scripts=found)
        return Guess(SCRIPT_LANGUAGES[top], True)
    if letters < MIN_LETTERS:
        return Guess(unsure, False, short, scripts=found)
    label, probability = (classify or model_classify)(text)
    lang = _MODEL_TAGS.get(label, label)
    if label == "zxx" or probability < MIN_PROBABILITY:
        return Guess(unsure, False, f"the best guess, {name(lang)}, is only "
                                    f"{probability:.0%} likely", lang, found)
    if script(lang) != top:
        if _locale(f"{lang}-{top}") is None or _locale(f"{lang}-{top}").script != top:
            return Guess(unsure, False, f"the best guess, {name(lang)}, is not written "
                                        f"in the text's script ({top})", lang, found)
        lang = f"{lang}-{top}"                  # Serbian in Latin letters: sr-Latn
    return Guess(lang, True)


def _script(char: str) -> str:
    from fontTools import unicodedata  # comes with WeasyPrint

    return unicodedata.script(char)


def model_classify(sample: str) -> tuple[str, float]:
    """py3langid's label and (normalised) probability for a sample of text."""
    label, probability = _identifier().classify(sample)
    return str(label), float(probability)


def _identifier():
    with _LOADING:                  # a preload() under way finishes first
        return _model()


@lru_cache(maxsize=1)
def _model():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


_LOADING = threading.Lock()


def release() -> None:
    """Let go of py3langid's model (70 MiB), read again when next needed: processes
    forked for the print layout never guess languages."""
    with _LOADING:
        _model.cache_clear()


def preload() -> threading.Thread:
    """Start reading py3langid's model (0.7 s of CPU, most of it LZMA, which lets other
    threads run) in a thread, so that it overlaps the Markdown conversion. Join the thread
    before forking."""
    thread = threading.Thread(target=_identifier, daemon=True)
    thread.start()
    return thread


@lru_cache(maxsize=1)
def cldr() -> dict:
    """quire's extract of CLDR (tools/cldr_data.py): quotation marks, Han variants."""
    return json.loads(resources.files("quire").joinpath("data/cldr.json")
                      .read_text(encoding="utf-8"))


def _chinese(text: str) -> str:
    """zh-Hans or zh-Hant, by the characters only one of them uses (CLDR exemplars)."""
    data = cldr()
    simplified = sum(text.count(c) for c in set(text) & set(data["han_simplified_only"]))
    traditional = sum(text.count(c) for c in set(text) & set(data["han_traditional_only"]))
    if simplified == traditional:
        return "zh"
    return "zh-Hans" if simplified > traditional else "zh-Hant"


PROSE_SKIP = {"code", "pre", "kbd", "samp", "script", "style", "math", "svg"}


def prose(root, limit: int = SAMPLE) -> str:
    """The text of an element tree without code, up to about `limit` characters."""
    parts: list[str] = []
    size = 0

    def walk(el) -> None:
        nonlocal size
        if size >= limit:
            return
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag.rsplit("}", 1)[-1] not in PROSE_SKIP:
            parts.append(el.text or "")
            size += len(el.text or "")
            for child in el:
                walk(child)
        parts.append(el.tail or "")
        size += len(el.tail or "")
    text = root.text or ""
    for child in root:
        walk(child)
    return " ".join((text + " " + " ".join(parts)).split())[:limit]


def majority(langs: list[str]) -> str:
    """The language most documents have (the first of them on a tie)."""
    counts = Counter(langs)
    best = max(counts.values())
    return next(lang for lang in langs if counts[lang] == best)


# -- what a tag implies ------------------------------------------------------------------

def subtags(lang: str) -> list[str]:
    """A tag's subtags: 'zh_Hant-TW' -> ['zh', 'Hant', 'TW']."""
    return lang.replace("_", "-").split("-")


def primary(lang: str) -> str:
    """The primary language subtag, lower case: 'en-GB' -> 'en' (the one place that says so)."""
    return subtags(lang)[0].lower()


@lru_cache(maxsize=256)
def _locale(lang: str):
    """Babel's Locale for a tag, or None (unknown, undetermined, private use)."""
    from babel import Locale, UnknownLocaleError

    if primary(lang) in ("und", "", "x", "i", "zxx", "mul", "mis"):
        return None
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        try:
            return Locale.parse(primary(lang))
        except (UnknownLocaleError, ValueError, TypeError):
            return None


def script(lang: str) -> str:
    """The script a tag is written in: its script subtag, else CLDR's likely script."""
    for tag in subtags(lang)[1:]:
        if len(tag) == 4 and tag.isalpha():
            return tag.title()
    from babel.core import get_global

    likely = get_global("likely_subtags")
    regions = [t.upper() for t in subtags(lang)[1:] if len(t) == 2 and t.isalpha()]
    full = (likely.get(f"{primary(lang)}_{regions[0]}") if regions else None) \
        or likely.get(primary(lang)) or ""
    for tag in full.split("_")[1:]:
        if len(tag) == 4:
            return tag
    return "Zyyy"


def direction(lang: str) -> str:
    """"rtl" or "ltr" (CLDR's character order for the language)."""
    if any(len(t) == 4 and t.title() in RTL_SCRIPTS for t in subtags(lang)[1:]):
        return "rtl"
    locale = _locale(lang)
    return "rtl" if locale is not None and locale.character_order == "right-to-left" \
        else "ltr"


def name(lang: str) -> str:
    """The language's English name, for messages ("Norwegian Bokmål")."""
    locale = _locale(lang)
    return f"{locale.get_display_name('en')} ({lang})" if locale is not None else lang


def print_lang(lang: str) -> str:
    """The tag for the print HTML, where WeasyPrint picks hyphenation patterns by it:
    Pyphen has Norwegian as nb and nn only, so `no` (in practice Bokmål) becomes `nb`."""
    tags = subtags(lang)
    if tags[0].lower() == "no":
        return "-".join(["nb", *tags[1:]])
    return lang


_NAME_TAG = re.compile(r"(?:^|[-_.])([a-z]{2,3}(?:[-_](?:[A-Z][a-z]{3}|[A-Za-z]{2}|\d{3}))?)$")


def in_name(path) -> str | None:
    """The language tag a file's or its folder's name ends in ("README-cs.md",
    "free-programming-books-fa_IR.md", "index.fr.md", "zh-cn/json.md"), as a BCP 47 tag,
    if CLDR knows the language; None if there is none."""
    for name in (path.stem, path.parent.name):
        found = _NAME_TAG.search(name)
        if found is None or (name == path.parent.name and found.start(1) > 0):
            continue                    # a folder is named by the tag alone
        tag = found.group(1).replace("_", "-")
        if _locale(tag) is not None:
            return tag
    return None


_WRITTEN_IN = {"Hans": {"Hani"}, "Hant": {"Hani"}, "Jpan": {"Hani", "Hira", "Kana"},
               "Kore": {"Hang", "Hani"}}     # a tag's script -> its letters' scripts


def _written(tag: str, scripts: frozenset) -> bool:
    """Whether a text with letters of `scripts` has letters of the script `tag` is in."""
    own = script(tag)
    return own == "Zyyy" or not _WRITTEN_IN.get(own, {own}).isdisjoint(scripts)


def _fits(tag: str, guess: Guess) -> bool:
    """Whether a language tag from a file's name may stand for a text quire could not
    place: the model's best guess is that language, or the text has letters of the
    language's own script (not Latin: "how-to.md" names no Tongan text)."""
    if guess.best and primary(guess.best) == primary(tag):
        return True
    return script(tag) not in ("Latn", "Zyyy") and _written(tag, guess.scripts)


def choose(labels: list[str], own: list[str | None], guesses: list[Guess | None],
           configured: str | None, named: list[str | None] | None = None
           ) -> tuple[str, list[str], list[str]]:
    """The publication's language and each document's, with a warning for each document
    whose language had to be guessed and could not be: (publication, documents, warnings).

    `own` is each document's `lang` (front matter or quire.toml), `guesses` the guess for
    those without, `named` the tag each file's name ends in (in_name). A document whose
    guess is not confident takes the tag its name ends in when the text fits it (_fits:
    EbookFoundation/free-programming-books' lists of English titles under Bengali
    headings, free-programming-books-bn.md), else the publication's language, unless the
    text has no letters of that language's script (a Bengali list took Persian's, and was
    set right to left): then it stays undetermined (`und`, `und-Beng`). The publication's
    language is the configured one, else the one most documents have (guesses that are
    not confident do not vote, names do).
    """
    named = named or [None] * len(labels)
    hinted = [tag if guess is not None and not guess.confident and tag and _fits(tag, guess)
              else None for tag, guess in zip(named, guesses)]
    votes = [lang or hint or guess.lang for lang, hint, guess in zip(own, hinted, guesses)
             if lang or hint or (guess is not None and guess.confident)]
    publication = configured or (majority(votes) if votes else None)
    langs, warnings = [], []
    for label, lang, guess, hint in zip(labels, own, guesses, hinted):
        if lang:
            langs.append(lang)
        elif guess.confident:
            langs.append(guess.lang)
        elif hint:
            log.info("%s: language %s, from its name", label, name(hint))
            langs.append(hint)
        else:
            fallback = publication if publication and (
                not guess.scripts or _written(publication, guess.scripts)) else None
            used = fallback or guess.lang
            what = (f"'{used}', the language of the other documents" if fallback
                    else f"'{used}' (undetermined)")
            warnings.append(f"{label}: cannot tell the language of the text ({guess.reason}); "
                            f"using {what}. Set it with lang: in the front matter or "
                            f"lang = \"...\" in quire.toml (a BCP 47 tag such as nb, en, "
                            f"zh-Hant)")
            langs.append(used)
    if publication is None:
        publication = majority(langs)
    return publication, langs, warnings
