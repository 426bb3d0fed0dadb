"""Language: detection, quotation marks, hyphenation, right-to-left text and labels, in
both outputs, on real text (the art-of-command-line translations, words from CLDR)."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest
from babel import Locale
from conftest import REPO, epubcheck, make_project, problems, run_quire
from lxml import etree

from quire import cache, labels, language, markup
from quire.load import load
from quire.outputs.pdf import render_print_html

CORPUS = REPO.parent / "shared" / "corpus" / "art-of-command-line"      # shared/ beside
XHTML = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}


def corpus_text(name: str, limit: int | None = None) -> str:
    """A corpus file as Markdown quire can build alone: no remote images or badges,
    links to the other files made plain text; the first `limit` characters (at a blank
    line)."""
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is not here")
    text = (CORPUS / name).read_text(encoding="utf-8")
    text = re.sub(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)", "", text)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]*)\]\((?!https?:|#)[^)]*\)", r"\1", text)
    if limit and len(text) > limit:
        text = text[:text.index("\n\n", limit)]
    return text


def expected_tag(name: str) -> str:
    tag = re.match(r"README-?(.*)\.md", name).group(1) or "en"
    return "zh-Hans" if tag == "zh" else tag


def words(lang: str, count: int) -> list[str]:
    """Real words of a language: CLDR's names of languages, in that language."""
    names = Locale.parse(lang.replace("-", "_")).languages
    return [names[key] for key in ("en", "fr", "de", "es", "it", "pt", "nl", "sv")[:count]]


def opf_of(epub: Path) -> etree._Element:
    with zipfile.ZipFile(epub) as zf:
        return etree.fromstring(zf.read("EPUB/content.opf"))


def xhtml_of(epub: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(epub) as zf:
        return etree.fromstring(zf.read(f"EPUB/text/{name}"))


def pdf_text(pdf: Path, raw: bool = False) -> str:
    """The PDF's text; `raw` keeps the hyphens at line ends (pdftotext joins the words)."""
    return subprocess.run(["pdftotext", *(["-raw"] if raw else []), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def build(root: Path, *args: str) -> dict:
    done = run_quire("build", root, *args)
    assert done.returncode == 0, done.stderr
    dist = root / "dist"
    return {"pdf": next(dist.glob("*.pdf"), None), "epub": next(dist.glob("*.epub"), None),
            "stderr": done.stderr}


# -- detection -------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("README*.md")))
def test_detects_each_translation(name):
    """Script first (ja, ko, zh-Hans/zh-Hant, el), else py3langid: all 18 right."""
    root = markup.parse_fragment(markup.to_html(corpus_text(name)))
    guess = language.detect(language.prose(root))
    assert guess == language.Guess(expected_tag(name), True)


def test_the_model_let_go_is_read_again():
    """The print layout's workers are forked without the model (language.release): a
    guess after that reads it again and guesses as before."""
    text = language.prose(markup.parse_fragment(markup.to_html(corpus_text("README-pl.md"))))
    first = language.detect(text)
    language.release()
    assert language._model.cache_info().currsize == 0
    assert language.detect(text) == first == language.Guess("pl", True)


@pytest.mark.parametrize("path, tag", [
    ("content/free-programming-books-fa_IR.md", "fa-IR"), ("README-cs.md", "cs"),
    ("README-zh-Hant.md", "zh-Hant"), ("docs/index.fr.md", "fr"), ("zh-cn/json.md", "zh-cn"),
    ("ta/css.md", "ta"), ("how-to.md", None), ("README.md", None), ("chapter-01.md", None),
    ("ch01-02-hello-cargo.md", None), ("api-v2.md", None), ("docs/setup.md", None)])
def test_the_language_tag_a_file_name_ends_in(path, tag):
    assert language.in_name(Path(path)) == tag


def test_a_language_tag_in_a_file_name_places_a_text_the_guess_cannot(tmp_path):
    """EbookFoundation/free-programming-books: lists of books for readers of a language,
    English titles under headings in that language, one file each (…-bn.md, …-fa_IR.md).
    The guess cannot place such a list, and every one took the other documents'
    language, Persian: a Bengali list was set right to left. The tag in the file's name
    places a list whose text has letters of that language's script; a list with none
    (…-ml.md, English headings) stays undetermined rather than take a language whose
    letters it lacks. Titles: Python's module names; headings and prose: CLDR's words."""
    modules = sorted(sys.stdlib_module_names)

    def listing(headings: list[str]) -> str:
        return "\n\n".join(
            f"### {heading}\n\n" + "\n".join(f"* [{m}](https://example.org/{m}) - PDF"
                                               for m in modules[5 * n:5 * n + 5])
            for n, heading in enumerate(headings))
    persian = " ".join(cldr_words("fa"))
    root = make_project(tmp_path, {
        "content/books-fa_IR.md": f"# {cldr_words('fa')[0]}\n\n{persian}\n\n{persian}\n",
        "content/books-bn.md": listing(cldr_words("bn")[:6]),
        "content/books-ml.md": listing(["Index", "Computer Science", "Python", "Web"])})
    publication = load(root)
    found = {doc.source.name: (doc.lang, doc.direction) for doc in publication.documents}
    assert found == {"books-fa_IR.md": ("fa", "rtl"), "books-bn.md": ("bn", "ltr"),
                     "books-ml.md": ("und", "ltr")}, found


def test_a_rebuild_guesses_from_the_cache(tmp_path, monkeypatch):
    """The build cache keeps py3langid's guess by text sample: a rebuild after an edit past
    the sample (the end of a long chapter) does not read the model; an edit inside the
    sample does, and the guess follows the new text."""
    from quire.build import build as build_in_process
    long = corpus_text("README-cs.md") + "\n\n" + corpus_text("README-cs.md")   # a long chapter
    edited = long + "\n\nDalší věta na konci.\n"

    def sample(text):
        return language.prose(markup.parse_fragment(markup.to_html(text)))
    assert sample(edited) == sample(long)
    root = make_project(tmp_path / "p", {"content/01-a.md": long,
                                         "content/02-b.md": corpus_text("README-pl.md")})
    build_in_process(root, formats=("epub",))
    calls = []
    classify = language.model_classify
    monkeypatch.setattr(language, "model_classify",
                        lambda sample: calls.append(sample) or classify(sample))
    (root / "content/01-a.md").write_text(edited)
    build_in_process(root, formats=("epub",))
    assert calls == []
    assert [d.lang for d in load(root, classify=cache.BuildCache(root / "dist").guesses())
            .documents] == ["cs", "pl"]
    assert calls == []
    (root / "content/02-b.md").write_text(corpus_text("README-de.md"))
    publication = load(root, classify=cache.BuildCache(root / "dist").guesses())
    assert len(calls) == 1 and [d.lang for d in publication.documents] == ["cs", "de"]


def test_short_text_is_not_guessed_and_says_so(tmp_path):
    """Two words are too few: the build warns once, naming the file and how to set lang,
    and the EPUB says `und` (which EPUBCheck accepts), not English."""
    root = make_project(tmp_path / "p", {"notes.md": " ".join(words("de", 2)) + "\n"})
    out = build(root)
    warnings = [line for line in out["stderr"].splitlines() if "cannot tell the language" in line]
    assert len(warnings) == 1 and warnings[0].startswith("warning: notes.md: ")
    assert "lang:" in warnings[0] and "quire.toml" in warnings[0]
    assert opf_of(out["epub"]).findtext(".//dc:language", namespaces=OPF) == "und"
    assert problems(epubcheck(out["epub"])) == []


def test_an_unsure_document_takes_the_publications_language(tmp_path):
    root = make_project(tmp_path / "p", {
        "content/01-a.md": corpus_text("README-el.md", 4000),
        "content/02-b.md": corpus_text("README-el.md", 8000)[4000:],
        "content/03-c.md": " ".join(words("el", 1)) + "\n",
    })
    publication = load(root)
    assert [doc.lang for doc in publication.documents] == ["el", "el", "el"]
    assert publication.metadata.lang == "el"


# -- quotation marks -----------------------------------------------------------------

# CLDR's quotation marks (outer open/close, inner open/close); French with thin spaces.
QUOTES = {
    "ru": ("«", "»", "„", "“"), "nb": ("«", "»", "‘", "’"), "de": ("„", "“", "‚", "‘"),
    "cs": ("„", "“", "‚", "‘"), "pl": ("„", "”", "«", "»"),
    "fr": ("«\u202f", "\u202f»", "«\u202f", "\u202f»"), "ja": ("「", "」", "『", "』"),
    "en": ("“", "”", "‘", "’"),
}


@pytest.fixture(scope="module")
def quotes_build(tmp_path_factory) -> dict:
    files = {}
    for n, lang in enumerate(QUOTES, 1):
        w = words(lang, 5)
        files[f"content/{n:02d}-{lang}.md"] = (
            f"---\ntitle: {Locale.parse(lang).get_display_name(lang)}\nlang: {lang}\n---\n\n"
            f"{w[0]} \"{w[1]} '{w[2]}' {w[3]}\" {w[4]}.\n")
    root = make_project(tmp_path_factory.mktemp("quotes"), files)
    return {**build(root), "root": root}


@pytest.mark.parametrize("lang", list(QUOTES))
def test_quotes_by_language_in_both_outputs(quotes_build, lang):
    outer_open, outer_close, inner_open, inner_close = QUOTES[lang]
    w = words(lang, 5)
    nested = f"{outer_open}{w[1]} {inner_open}{w[2]}{inner_close} {w[3]}{outer_close}"
    n = list(QUOTES).index(lang) + 1
    page = xhtml_of(quotes_build["epub"], f"{n:02d}-{lang}.xhtml")
    assert nested in "".join(page.find(f"{XHTML}body").itertext())
    assert page.get("lang") == page.get(XML_LANG) == lang
    flat = re.sub(r"\s+", "", pdf_text(quotes_build["pdf"]))
    assert re.sub(r"\s+", "", nested) in flat


def test_apostrophes_stay_apostrophes():
    root = markup.parse_fragment(markup.to_html(corpus_text("README.md")))
    markup.typography(root, "ru")          # Russian marks, English text with don't
    text = "".join(root.itertext())
    assert "don’t" in text and "don„t" not in text and "don“t" not in text


# -- languages per document in both outputs ---------------------------------------------

def test_lang_per_document_in_epub_and_print_html(tmp_path):
    root = make_project(tmp_path / "p", {
        "content/01-uk.md": corpus_text("README-uk.md", 6000),
        "content/02-ko.md": corpus_text("README-ko.md", 6000),
        "content/03-no.md": "---\nlang: \"no\"\n---\n\n" + " ".join(words("nb", 5)) + ".\n",
        "content/04-zh.md": corpus_text("README-zh-Hant.md", 6000),
    })
    out = build(root, "--format", "epub")
    opf = opf_of(out["epub"])
    assert [e.text for e in opf.iterfind(".//dc:language", OPF)] == ["uk", "ko", "no", "zh-Hant"]
    assert opf.get(XML_LANG) == "uk"
    for name, lang in (("01-uk", "uk"), ("02-ko", "ko"), ("03-no", "no"), ("04-zh", "zh-Hant")):
        page = xhtml_of(out["epub"], f"{name}.xhtml")
        assert page.get("lang") == page.get(XML_LANG) == lang
        assert page.get("dir") is None
    html = etree.fromstring(render_print_html(load(root)).encode(), etree.HTMLParser())
    assert html.get("lang") == "uk" and html.get("dir") is None          # ltr
    # WeasyPrint hyphenates by lang, and has Norwegian patterns only as nb and nn.
    assert [a.get("lang") for a in html.iter("article")] == ["uk", "ko", "nb", "zh-Hant"]
    assert problems(epubcheck(out["epub"])) == []


# -- hyphenation -------------------------------------------------------------------------

def _hyphenated_latin(pdf: Path, source: str) -> list[str]:
    """Latin words the layout hyphenated ("Py-thon"): a line ends in letters and a hyphen,
    a line (pdftotext does not keep the order in Japanese) starts with the rest, and the
    source has the word whole and never that beginning with a hyphen ("some-command")."""
    lines = [line for line in pdf_text(pdf, raw=True).splitlines() if line.strip()]
    words = set(re.findall(r"[A-Za-z]+", source))
    ends = {m.group(1) for line in lines if (m := re.search(r"([A-Za-z]{2,})-$", line))}
    starts = {m.group(1) for line in lines if (m := re.match(r"([A-Za-z]{2,})", line))}
    return sorted(f"{a}-{b}" for a in ends for b in starts
                  if a + b in words and not re.search(rf"\b{a}-", source))


def test_no_english_hyphenation_in_japanese_or_russian(tmp_path):
    """Detected as ja and ru, their Latin words are not hyphenated by English patterns
    (before, `lang` was `en` and Japanese printed "Cyg-win"); the same text said to be
    English is. The EPUB (Japanese and Russian) passes EPUBCheck."""
    files = {"content/01-ja.md": corpus_text("README-ja.md", 24000),
             "content/02-ru.md": corpus_text("README-ru.md", 24000)}
    narrow = '[pdf]\ncolumns = 2\npage_size = "A5"\n'
    source = files["content/01-ja.md"] + files["content/02-ru.md"]
    detected = build(make_project(tmp_path / "detected", {**files, "quire.toml": narrow}))
    assert [e.text for e in opf_of(detected["epub"]).iterfind(".//dc:language", OPF)] \
        == ["ja", "ru"]
    assert _hyphenated_latin(detected["pdf"], source) == []
    assert problems(epubcheck(detected["epub"])) == []
    english = build(make_project(tmp_path / "english",
                                 {**files, "quire.toml": 'lang = "en"\n' + narrow}),
                    "--format", "pdf")
    assert _hyphenated_latin(english["pdf"], source)


# -- right to left -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def hebrew_build(tmp_path_factory) -> dict:
    """A Hebrew document (found by its script) with code, "C++", a list, a quotation and
    a note."""
    he = Locale.parse("he")
    names = sorted(he.languages.values())
    text = (f"# {he.languages['he']}\n\n" + ", ".join(names[:40]) + ".\n\n"
            + ", ".join(names[40:60]) + " C++ `ls -la /tmp` " + ", ".join(names[60:70])
            + ".[^1]\n\n- " + names[70] + "\n- " + names[71] + "\n\n> "
            + ", ".join(names[72:90]) + ".\n\n[^1]: " + ", ".join(names[90:100]) + ".\n")
    root = make_project(tmp_path_factory.mktemp("hebrew"), {"content/he.md": text})
    return {**build(root), "root": root}


def test_rtl_attributes_in_epub(hebrew_build):
    epub = hebrew_build["epub"]
    opf = opf_of(epub)
    assert opf.find("opf:spine", OPF).get("page-progression-direction") == "rtl"
    assert opf.get("dir") == "rtl" and opf.findtext(".//dc:language", namespaces=OPF) == "he"
    page = xhtml_of(epub, "he.xhtml")
    assert (page.get("lang"), page.get(XML_LANG), page.get("dir")) == ("he", "he", "rtl")
    isolated = [(el.text, el.get("dir")) for el in page.iter(f"{XHTML}bdi")]
    assert ("C++", "ltr") in isolated
    assert [el.get("dir") for el in page.iter(f"{XHTML}code")] == ["ltr"]
    with zipfile.ZipFile(epub) as zf:
        nav = etree.fromstring(zf.read("EPUB/nav.xhtml"))
    assert nav.get("dir") == "rtl" and nav.findtext(f".//{XHTML}h1") == "תוכן העניינים"
    assert problems(epubcheck(epub)) == []


def test_rtl_in_print(hebrew_build):
    html = etree.fromstring(render_print_html(load(hebrew_build["root"])).encode(),
                            etree.HTMLParser())
    assert (html.get("lang"), html.get("dir")) == ("he", "rtl")
    assert [(a.get("lang"), a.get("dir")) for a in html.iter("article")] == [("he", None)]
    text = pdf_text(hebrew_build["pdf"])
    # Without isolation the bidi algorithm moves the pluses: "++C".
    assert "C++" in text and "++C" not in text
    assert "la /tmp" in text and "pmt/" not in text        # the code, left to right


def test_a_left_to_right_document_in_a_right_to_left_book_keeps_its_direction(tmp_path):
    """The print HTML is one file: an English chapter after a Hebrew one sits inside the
    book's dir="rtl". Its heading, lead lines and lists are set from the left, and its
    lists indented on the left, as the Hebrew chapter's are from the right (learnxinyminutes:
    a Thai and a Tamil article after an Arabic one were set flush right under "[dir=rtl]"
    rules)."""
    he, en = Locale.parse("he"), Locale.parse("en")

    def chapter(locale, lang):
        names = sorted(locale.languages.values())
        return (f"---\nlang: {lang}\n---\n\n# {locale.languages[lang]}\n\n"
                + ", ".join(names[:60]) + ".\n\n- " + names[60] + "\n- " + names[61] + "\n")
    root = make_project(tmp_path, {"content/1-he.md": chapter(he, "he"),
                                   "content/2-en.md": chapter(en, "en")})
    pdf = build(root, "--format", "pdf")["pdf"]
    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    lines = {}
    for number, page in enumerate(out.split("<page ")[1:], 1):
        for line in re.findall(r"<line (.*?)</line>", page, re.DOTALL):
            x0, x1 = (float(re.search(rf'{k}="([\d.]+)"', line).group(1)) for k in ("xMin", "xMax"))
            text = " ".join(re.findall(r">([^<]*)</word>", line))
            lines.setdefault(number, []).append((x0, x1, text))

    def page_of(text):          # the last page with the line: a chapter's opening
        return max(n for n, found in lines.items() if any(t == text for *_, t in found))
    hebrew_title = he.languages["he"][::-1]             # pdftotext's visual order
    english, hebrew = page_of("English"), page_of(hebrew_title)
    left = min(x0 for x0, *_ in lines[english])
    right = max(x1 for _, x1, _ in lines[hebrew])
    heading = next(x0 for x0, _, t in lines[english] if t == "English")
    items = [x0 for x0, _, t in lines[english] if t.startswith("\u2022")]
    assert abs(heading - left) < 1 and items and all(x - left < 20 for x in items), lines[english]
    he_heading = next(x1 for _, x1, t in lines[hebrew] if t == hebrew_title)
    assert abs(he_heading - right) < 1, lines[hebrew]


def test_code_lines_in_wide_scripts_are_cut_before_the_measure_and_marked(tmp_path):
    """Code lines with Japanese and Tamil in them (CLDR's language names) are cut by the
    width of their characters, not their number: every printed line of the block begins
    a source line or carries the continuation sign. Counted as characters, such lines
    were wrapped again by WeasyPrint, unmarked (the-art-of-command-line's README-ja).
    (The PDF's Tamil text is compared by its lines, read in pdftotext's layout mode: its
    other modes part a Tamil line in two.)"""
    source = []
    for tag in ("ja", "ta"):
        names = sorted(Locale.parse(tag).languages.values(), key=len)[-12:]
        for start in range(0, 12, 4):
            joined = "\u3001".join(names[start:start + 4]) if tag == "ja" \
                else ", ".join(names[start:start + 4])
            source.append(f"x = '{joined}'")
    text = "# Code\n\nText.\n\n```python\n" + "\n".join(source) + "\n```\n\nEnd.\n"
    root = make_project(tmp_path, {"content/a.md": text, "content/b.md": "# B\n\nText.\n"})
    printed = subprocess.run(["pdftotext", "-layout", str(build(root, "--format", "pdf")["pdf"]),
                              "-"], capture_output=True, text=True, check=True).stdout
    lines = [line.strip() for line in printed.splitlines() if line.strip()]
    first = next(n for n, line in enumerate(lines) if line.startswith("x = "))
    block = lines[first:lines.index("End.")]
    assert sum(line.startswith("x = ") for line in block) == len(source)
    assert len(block) > len(source)                     # some lines were cut
    assert all(line.startswith(("x = ", "\u2192")) for line in block), block


# Left-to-right scripts whose shaping reorders, joins or splits letters; Latin letters with
# stacked combining marks (Yoruba, Lingala); English last, in letters drawn in those too.
RESHAPED = ["hi", "mr", "bn", "gu", "pa", "or", "ta", "te", "kn", "ml", "si", "th", "my",
            "km", "yo", "ln", "en"]


def cldr_words(lang: str) -> list[str]:
    """CLDR's names of languages, months and weekdays in `lang`: conjuncts, vowel signs
    written before their consonant, stacked marks."""
    locale = Locale.parse(lang)
    names = [locale.languages[key] for key in ("en", "fr", "de", "hi", "ja", "zh", "ar", "ta",
                                               "ru", "es", "pt", "it") if key in locale.languages]
    names += locale.months["format"]["wide"].values()
    names += locale.days["format"]["wide"].values()
    return list(dict.fromkeys(word for name in names for word in name.split()))


def test_reshaped_scripts_read_back_as_written(tmp_path):
    """Every word of fourteen scripts that reorder or join letters in shaping, and of
    Latin letters with stacked marks, reads back from the PDF as written, through
    pdftotext and quire's own text check. WeasyPrint gives each glyph the text of the
    first cluster it is drawn in: "ஜனவரி" read back "ஜெனவரெி", "மே" as "ம", Hindi
    "जर्मन" as "ज र्मन", and an "e" first drawn in Yoruba's "ẹ̀" read as nothing after
    it ("Vietnamese" as "Vitnams": the build stopped). The build's text check compares
    these words too."""
    files, expected = {}, {}
    for n, lang in enumerate(RESHAPED):
        expected[lang] = cldr_words(lang)
        items = "\n".join(f"- {word}" for word in expected[lang])   # no word is broken
        files[f"content/{n:02d}-{lang}.md"] = f"---\nlang: {lang}\n---\n\n# {lang}\n\n{items}\n"
    root = make_project(tmp_path, files)
    pdf = build(root, "--format", "pdf")["pdf"]

    def plain(text: str) -> str:
        return unicodedata.normalize("NFC", text).replace("\u200c", "").replace("\u200d", "")
    read = set(plain(pdf_text(pdf)).split())
    wrong = {lang: [word for word in words if plain(word) not in read]
             for lang, words in expected.items()}
    assert not any(wrong.values()), wrong
    assert sum(map(len, expected.values())) > 350


def test_right_to_left_ligatures_read_back_in_order(tmp_path):
    """Arabic and Persian words read back from the PDF as written, in a face that draws
    lam-alef as one glyph. WeasyPrint gives such a ligature its letters in reading
    order, and a reader, which takes a right-to-left line as drawn and turns it round,
    read them backwards: "لا" as "ال", "الأحد" as "األحد" (8 of CLDR's 40 Arabic
    words). Words: CLDR's."""
    files, expected = {}, {}
    for n, lang in enumerate(["ar", "fa"]):
        expected[lang] = cldr_words(lang)
        items = "\n".join(f"- {word}" for word in expected[lang])
        files[f"content/{n}-{lang}.md"] = f"---\nlang: {lang}\n---\n\n# {lang}\n\n{items}\n"
    # Noto Sans Arabic draws lam-alef as one glyph (the theme's Noto Naskh as two)
    files["quire.toml"] = '[fonts.Arab]\nbody = "Noto Sans Arabic"\n'
    pdf = build(make_project(tmp_path, files), "--format", "pdf")["pdf"]
    shown = re.sub("[\u200c\u200e\u200f\u202a-\u202e]", "", pdf_text(pdf))
    read = set(unicodedata.normalize("NFC", shown).split())
    wrong = {lang: [w for w in words if unicodedata.normalize("NFC", w.replace("\u200c", ""))
                    not in read] for lang, words in expected.items()}
    assert not any(wrong.values()), wrong


@pytest.mark.parametrize("lang, ragged", [("ta", True), ("th", True), ("ja", False),
                                          ("hi", False), ("en", False)])
def test_long_words_quire_cannot_hyphenate_are_set_ragged(tmp_path, lang, ragged):
    """Justified, a Tamil text of five long words a line stretched its spaces a word wide
    (learnxinyminutes' ta/json.md): text quire cannot hyphenate whose words are too long
    for the measure is set ragged. Hindi's shorter words stay justified, and so do
    Japanese (which breaks anywhere) and English (hyphenated). Words are CLDR's names
    of languages."""
    names = sorted(Locale.parse(lang).languages.values())[:120]
    if lang == "th":            # Thai puts spaces between phrases, not words
        names = ["".join(names[n:n + 4]) for n in range(0, len(names), 4)]
    text = f"---\nlang: {lang}\n---\n\n# T\n\n" + " ".join(names) + "\n"
    root = make_project(tmp_path, {"content/a.md": text, "content/b.md": "# B\n\nText.\n"})
    html = render_print_html(load(root))
    assert ('class="ragged"' in html) == ragged


# -- labels --------------------------------------------------------------------------

LANGUAGES = ["cs", "de", "el", "en", "es", "fr", "id", "it", "ja", "ko", "pl", "pt", "ro",
             "ru", "sl", "uk", "zh-Hans", "zh-Hant", "nb", "nn", "da", "sv", "fi", "nl",
             "ar", "he", "fa", "hi", "tr", "vi"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_labels_in_the_languages_own_words(lang):
    own = labels.labels(lang)
    english = labels.labels("en")
    for key in ("contents", "figure", "table", "notes", "cover", "title_page"):
        assert own[key]
        if lang != "en" and key in ("contents", "title_page"):
            assert own[key] != english[key], key


def test_labels_fall_back_to_english():
    assert labels.labels("xx")["figure"] == "Figure"
    assert labels.labels("und")["contents"] == "Contents"
    assert labels.labels("sv")["landmarks"] == "Orienteringspunkter"
    assert labels.labels("tr")["landmarks"] == "Landmarks"      # no Turkish word given
    assert labels.summary("ja", True, True)[1] == "en"


def test_figure_and_table_labels_in_the_documents_language(tmp_path):
    root = make_project(tmp_path / "p", {
        "content/01.md": "---\nlang: ja\n---\n\n" + corpus_text("README-ja.md", 300)
        + "\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nTable: " + words("ja", 1)[0] + "\n",
        "content/02.md": "---\nlang: ru\n---\n\n" + corpus_text("README-ru.md", 300)
        + "\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nTable: " + words("ru", 1)[0] + "\n",
    })
    docs = load(root).documents
    assert "表 1" in docs[0].body and "Таблица 2" in docs[1].body


# -- data from CLDR, and the seed ---------------------------------------------------------

CLDR = Path("/usr/share/unicode/cldr/common")


@pytest.mark.skipif(not CLDR.is_dir(), reason="CLDR's XML (Debian unicode-cldr-core)")
def test_cldr_extract_is_cldrs(tmp_path):
    out = tmp_path / "cldr.json"
    subprocess.run([sys.executable, str(REPO / "tools" / "cldr_data.py"), str(CLDR), str(out)],
                   check=True, capture_output=True)
    assert out.read_bytes() == (REPO / "src" / "quire" / "data" / "cldr.json").read_bytes()


def test_seed_keeps_its_norwegian_look(seed_build, seed_project):
    """Norwegian labels, dialogue dashes and hyphenation, as before (the article quotes
    nothing: « » for nb is tested above)."""
    epub = seed_build["epub"]
    with zipfile.ZipFile(epub) as zf:
        names = [n for n in zf.namelist() if n.startswith("EPUB/text/")]
        body = "".join(zf.read(n).decode() for n in names)
        nav = zf.read("EPUB/nav.xhtml").decode()
    assert "–\u00a0Faget var tidligere" in body and "“" not in body and "„" not in body
    assert "<h1 id=\"toc-title\">Innhold</h1>" in nav and "Orienteringspunkter" in nav
    text = pdf_text(seed_build["pdf"])
    assert "“" not in text and "„" not in text
    assert any(re.search(r"[a-zæøå]-$", line) for line in pdf_text(seed_build["pdf"], True)
               .splitlines())
    html = etree.fromstring(render_print_html(load(seed_project)).encode(), etree.HTMLParser())
    assert html.get("lang") == "nb" and html.get("dir") is None
    assert opf_of(epub).get("dir") is None


def test_a_greek_chapter_label_in_capitals_passes_the_text_check(tmp_path):
    """A Greek document's chapter label (its own language's, "Κεφάλαιο 2") is set in
    capitals, and Greek capitals drop the accent: "ΚΕΦΑΛΑΙΟ". The text check compares
    Greek without accents (it stopped the-art-of-command-line's build)."""
    greek = " ".join(cldr_words("el"))
    root = make_project(tmp_path, {"content/a.md": "# One\n\nSome English text here.\n",
                                   "content/b.md": f"---\nlang: el\n---\n\n# {words('el', 1)[0]}"
                                                   f"\n\n{greek}\n"})
    pdf = build(root, "--format", "pdf")["pdf"]
    assert "ΚΕΦΑΛΑΙΟ2" in "".join(pdf_text(pdf).split())       # letter-spaced
