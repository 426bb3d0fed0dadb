"""The book design, code, hyphenation, figures at their true size and the layout report,
checked from the PDFs themselves (pdftotext's boxes, pdfimages, the content streams)."""

from __future__ import annotations

import itertools
import re
import statistics
import subprocess
from html import unescape
from pathlib import Path

import design_fixtures as fixtures
import pikepdf
import pytest
from conftest import make_project, run_quire

from quire import design
from quire.load import load
from quire.outputs.pdf import render_print_html

MM = 72 / 25.4


def build(root: Path, *args: str) -> Path:
    done = run_quire("build", root, "--format", "pdf", *args)
    assert done.returncode == 0, done.stderr
    return next((root / "dist").glob("*.pdf"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    return build(make_project(tmp_path_factory.mktemp("gen"), fixtures.generated_book()))


@pytest.fixture(scope="module")
def ydkjs(tmp_path_factory) -> Path:
    if not fixtures.CORPUS.is_dir():
        pytest.skip("the corpus is not here")
    return build(fixtures.ydkjs_book(tmp_path_factory.mktemp("ydkjs")))


def lines_of(pdf: Path) -> dict[int, list[tuple[float, float, float, str]]]:
    """Per page (from 1): the lines pdftotext finds, as (x min, x max, y min, text)."""
    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    pages: dict[int, list] = {}
    for number, page in enumerate(out.split("<page ")[1:], 1):
        found = []
        for line in re.findall(r"<line (.*?)</line>", page, re.DOTALL):
            x0, y0, x1 = (float(re.search(rf'{k}="([\d.]+)"', line).group(1))
                          for k in ("xMin", "yMin", "xMax"))
            words = [unescape(w) for w in re.findall(r">([^<]*)</word>", line)]
            found.append((x0, x1, y0, " ".join(words)))
        pages[number] = found
    return pages


def page_size(pdf: Path) -> tuple[float, float]:
    with pikepdf.open(pdf) as doc:
        x0, y0, x1, y1 = (float(v) for v in doc.pages[0].TrimBox)
    return (x1 - x0) / MM, (y1 - y0) / MM


def full_lines(pages) -> list[str]:
    """Lines of justified text: as wide as the widest lines of their page (not the last
    line of a paragraph, not headings, folios or code)."""
    result = []
    for lines in pages.values():
        widths = [x1 - x0 for x0, x1, _, _ in lines]
        if not widths:
            continue
        widest = statistics.median(sorted(widths)[-max(1, len(widths) // 3):])
        result += [text for x0, x1, _, text in lines
                   if x1 - x0 > 0.97 * widest and " " in text and not text.startswith("→")]
    return result


def images(pdf: Path) -> list[tuple[int, int, int, str, str]]:
    """pdfimages -list: (page, width px, x-ppi, colour, encoding) per image."""
    out = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                         check=True).stdout.splitlines()[2:]
    rows = [line.split() for line in out]
    return [(int(r[0]), int(r[3]), int(r[12]), r[5], r[8]) for r in rows if r[2] == "image"]


def font_sizes(pdf: Path, family: str) -> set[float]:
    """The sizes (pt) at which text in fonts whose name contains `family` is set
    (WeasyPrint sets sizes in CSS px under a 0.75 scale)."""
    sizes = set()
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            fonts = {str(k): str(v.get("/BaseFont", "")) for k, v in
                     page.resources.get("/Font", {}).items()}
            matrix_scale = 1.0
            for operands, op in pikepdf.parse_content_stream(page):
                if str(op) == "Tm":
                    matrix_scale = abs(float(operands[3]))
                elif str(op) == "Tf" and family in fonts.get(str(operands[0]), ""):
                    sizes.add(round(float(operands[1]) * matrix_scale * 0.75, 2))
    return sizes


# -- the book design -------------------------------------------------------------------

def test_design_is_chosen_from_the_shape_and_can_be_overridden():
    from quire import design
    assert design.choose(None, [False, False, False]) == "book"
    assert design.choose(None, [False]) == "journal"                 # one article
    assert design.choose(None, [True, True]) == "journal"            # an issue with bylines
    assert design.choose("journal", [False, False]) == "journal"
    assert design.validate_design("magazine")[1]
    assert design.validate_design({"layout": "book", "font_sise": "11pt"})[1].endswith(
        "did you mean 'font_size'?")
    assert design.chapters([("a", "Preface"), ("b", "Beginnings"), ("c", "Endings")], "en") == {
        "b": ("Chapter 1", "1", "Beginnings"), "c": ("Chapter 2", "2", "Endings")}
    assert design.chapters([("a", "Chapter 3: Scope"), ("b", "Appendix A: More")], "en") == {
        "a": ("Chapter 3", "3", "Scope"), "b": ("Appendix A", "A", "More")}


@pytest.mark.parametrize("lang, label", [
    ("zh-Hans", "第2章"), ("zh-Hant", "第2章"), ("ja", "第2章"), ("ko", "제2장"),
    ("ru", "Глава 2"), ("es", "Capítulo 2"), ("pl", "Rozdział 2"), ("nb", "Kapittel 2"),
    ("sw", "Chapter 2")])
def test_a_chapter_is_labelled_in_its_books_language(lang, label):
    """The label above a chapter's title is the book's language's (babel's chapter
    caption, the number where that language puts it), English where quire has none: a
    Chinese book printed "CHAPTER 2" above "ECMAScript 6 简介"."""
    from quire import design
    titles = [("a", "Preface"), ("b", "简介"), ("c", "let")]
    assert design.chapters(titles, lang)["c"] == (label, "2", "let")


def test_a_chapter_is_labelled_in_its_own_language_in_a_collection(tmp_path):
    """A collection of articles in several languages (learnxinyminutes' folders, one per
    language) labels each chapter in its document's language, not the first document's:
    a Russian article after an Arabic one was "باب 2"."""
    from quire import design
    titles = [("a", "مقدمة", "ar"), ("b", "Введение", "ru"), ("c", "Utangulizi", "sw"),
              ("d", "Einleitung", None)]
    assert [label for label, _, _ in design.chapters(titles, "ar").values()] == [
        "باب 1", "Глава 2", "Chapter 3", "باب 4"]
    root = make_project(tmp_path, {
        "content/a.md": "---\nlang: ar\n---\n\n# مقدمة\n\nنص.\n",
        "content/b.md": "---\nlang: ru\n---\n\n# Введение\n\nТекст.\n"})
    html = render_print_html(load(root))
    assert "Глава 2" in html and "باب 2" not in html


@pytest.mark.parametrize("lang, front, back", [
    ("zh", "前言", "参考文献"), ("zh-Hant", "序言", "參考文獻"), ("ja", "まえがき", "索引"),
    ("ko", "머리말", "찾아보기"), ("ru", "Предисловие", "Литература"), ("de", "Vorwort", "Glossar"),
    ("cs", "Předmluva", "Rejstřík"), ("en", "前言", "Bibliography")])
def test_front_and_back_matter_and_the_books_own_page_are_not_chapters(lang, front, back):
    """A preface, a bibliography or an index is not numbered, in any language the data
    file has (whatever the book's language); nor is the document titled as the book (its
    README). ruanyf/es6tutorial numbered its README "ES6 入门教程" chapter 1, and each
    chapter one more than the SUMMARY's own numbers."""
    from quire import design
    titles = [("readme", "ES6  入门教程"), ("front", front), ("a", "ECMAScript 6 简介"),
              ("b", "let 和 const 命令"), ("back", back)]
    numbers = design.chapters(titles, lang, "ES6 入门教程")
    assert list(numbers) == ["a", "b"] and numbers["b"][1] == "2"
    assert "readme" in design.chapters(titles, lang)            # another book's title
    twice = titles + [("again", "ES6 入门教程")]                  # translations, one title
    assert {"readme", "again"} <= design.chapters(twice, lang, "ES6 入门教程").keys()
    late = titles[1:] + titles[:1]                                # not the opening page
    assert "readme" in design.chapters(late, lang, "ES6 入门教程")


def test_a_book_has_a_book_trim_measure_and_type_size(generated):
    width, height = page_size(generated)
    assert (round(width), round(height)) == (156, 234)
    lengths = [len(line) for line in full_lines(lines_of(generated))]
    assert len(lengths) > 200
    assert 60 <= statistics.median(lengths) <= 75, statistics.median(lengths)
    assert font_sizes(generated, "Source-Serif-4") >= {10.5}


def test_folios_sit_on_the_outer_corners_and_chapters_open_on_the_right(generated):
    pages = lines_of(generated)
    width = page_size(generated)[0] * MM
    sides = {}
    for number, lines in pages.items():
        folios = [(x0, x1) for x0, x1, y0, text in lines if text == str(number) and y0 > 600]
        if folios:
            x0 = folios[0][0]
            sides[number] = "right" if x0 > width / 2 else "left"
    assert len(sides) > 15
    assert all(side == ("right" if number % 2 else "left") for number, side in sides.items()), sides
    openings = [n for n, lines in pages.items() if any(re.fullmatch(r"CHAPTER \d+", t)
                                                        for *_, t in lines)]
    assert len(openings) == 4 and all(n % 2 == 1 for n in openings), openings
    heads = {n: [t for _, _, y0, t in lines if y0 < 50] for n, lines in pages.items()}
    assert any("A Generated Book" in h for n, h in heads.items() if n % 2 == 0 and n > 8)
    assert any("Things of kind 2" in h for n, h in heads.items() if n % 2 == 1)
    text = " ".join(t for lines in pages.values() for *_, t in lines)
    assert "Tidsskrift" not in text and "Contents" in text and "Section 2.4" in text


def test_code_is_never_hyphenated_compounded_or_wrapped_unmarked(generated):
    pages = lines_of(generated)
    codes = ("origin/master", "--ignore-unmatch", "--interactive", "someVeryLongFunctionName")
    lines = [t for n in sorted(pages) for *_, t in pages[n]]
    for line, following in itertools.pairwise(lines):
        if line.endswith("-") and following:
            joined = line.split()[-1][:-1] + following.split()[0]
            assert not any(joined in code and line.split()[-1] not in code for code in codes), \
                (line, following)
    sizes = font_sizes(generated, "Source-Code-Pro")
    assert sizes and all(abs(size - 10.5 * 0.88) < 0.05 for size in sizes), sizes
    assert any(t.startswith("→") for t in lines)         # a wrapped code line, marked
    assert any("// a comment that is long" in t for t in lines)


@pytest.mark.parametrize("height", [85, 88, 91, 94])
def test_a_code_block_breaks_with_two_lines_each_side(tmp_path, height):
    """A code block that meets the foot of a page leaves at least two of its lines there
    and takes at least two to the next page (orphans, widows on the block): the page's
    height moves the foot across the block line by line (with `orphans: 1; widows: 1`,
    85 and 88 mm leave one line on each side). A line too long for the measure is
    continued under "→"."""
    code = "\n".join(f"line {n:02} = f(v{n})" for n in range(1, 9))
    long_line = "wrapped = " + " + ".join(f"term_{n}" for n in range(14))
    filler = "\n\n".join(f"Paragraph {n} of the filler." for n in range(9))
    root = make_project(tmp_path, {
        "content/a.md": f"# Code\n\n{filler}\n\n```\n{code}\n{long_line}\n```\n\nAfter.\n",
        "quire.toml": f'lang = "en"\n[pdf]\npage_size = "120mm {height}mm"\n'})
    pages = lines_of(build(root))
    block = {number: [t for *_, t in lines if re.match(r"line \d\d =|wrapped =|→", t)]
             for number, lines in pages.items()}
    block = {number: lines for number, lines in block.items() if lines}
    assert sum(len(lines) for lines in block.values()) >= 10, block
    assert len(block) >= 2, (height, block)                    # the block meets the foot
    assert all(len(lines) >= 2 for lines in block.values()), (height, block)
    continued = [t for lines in block.values() for t in lines if t.startswith("→")]
    assert continued and all("term_" in t for t in continued), block


def test_no_ladder_of_three_hyphens(tmp_path):
    words = ("Incomprehensibilities characteristically accompany internationalization "
             "notwithstanding uncharacteristically counterproductive responsibilities. ")
    root = make_project(tmp_path, {
        "content/a.md": "# Narrow\n\n" + "\n\n".join([words * 12] * 6) + "\n",
        "quire.toml": 'lang = "en"\n[pdf]\npage_size = "80mm 120mm"\n'
                      '[pdf.margins]\ntop = "10mm"\nbottom = "12mm"\ninner = "10mm"\nouter = "10mm"\n'})
    pages = lines_of(build(root))
    runs, run, hyphenated = [], 0, 0
    for number in sorted(pages):
        for *_, text in pages[number]:
            run = run + 1 if text.endswith("-") else 0
            hyphenated += text.endswith("-")
            runs.append(run)
    assert hyphenated > 20                      # hyphenation is at work...
    assert max(runs) <= 2                       # ...but never three lines in a row


# -- figures ---------------------------------------------------------------------------

def test_figures_at_their_true_size_with_their_captions(generated):
    placed = images(generated)
    assert len(placed) == 8
    assert all(ppi >= 149 for _, _, ppi, _, _ in placed), placed
    assert sum(1 for _, _, ppi, _, _ in placed if ppi <= 151) >= 4     # small ones: not enlarged
    assert all(colour == "cmyk" and encoding == "image" for *_, colour, encoding in placed)
    pages = lines_of(generated)
    captions = [n for n in sorted(pages) for *_, t in pages[n]
                if re.match(r"Figure \d+\.\d+ ", t)]
    assert [page for page, *_ in placed] == captions
    text = " ".join(t for lines in pages.values() for *_, t in lines)
    assert "Figure 1.1" in text and "Figure 4.2" in text            # numbered by chapter
    with pikepdf.open(generated) as pdf:                            # never taller than the block
        height = float(pdf.pages[0].TrimBox[3]) - float(pdf.pages[0].TrimBox[1])
    assert all(width / ppi * 72 < height for _, width, ppi, _, _ in placed)


def test_sizes_from_html_and_attributes_are_honoured(tmp_path):
    root = make_project(tmp_path, {
        "content/a.md": "# A\n\n<img src=\"d.png\" alt=\"HTML width\" width=\"96\">\n\n"
                        "![Half](d.png){width=50%}\n\n![Natural](d.png)\n",
        "content/d.png": fixtures.line_art((600, 300)),
        "quire.toml": 'lang = "en"\n[pdf]\nresolution = 200\n'})
    placed = images(build(root))
    # 96 px = 1 in; half of 170 mm; 600 px at 200 ppi
    assert [ppi for *_, ppi, _, _ in placed] == [600, pytest.approx(179, abs=3), 200]


# -- the real book and the seed ------------------------------------------------------------

def test_a_real_book_prints_as_a_book(ydkjs):
    pages = lines_of(ydkjs)
    assert [round(v) for v in page_size(ydkjs)] == [156, 234]
    lengths = [len(line) for line in full_lines(pages)]
    assert 60 <= statistics.median(lengths) <= 75, statistics.median(lengths)
    openings = [n for n, lines in pages.items()
                if any(re.fullmatch(r"(CHAPTER \d+|APPENDIX [A-D])", t) for *_, t in lines)]
    assert len(openings) == 9 and all(n % 2 == 1 for n in openings), openings
    assert all(ppi >= 149 for _, _, ppi, _, _ in images(ydkjs))


def test_the_seed_article_keeps_the_journal_design(seed_build):
    pdf = seed_build["pdf"]
    assert [round(v) for v in page_size(pdf)] == [210, 297]
    pages = lines_of(pdf)
    assert len(pages) == 2
    foot = [t for _, _, y0, t in pages[2] if y0 > 780]
    assert "Tidsskrift for Den norske legeforening" in " ".join(foot)
    assert all(not t.startswith("KAPITTEL") for lines in pages.values() for *_, t in lines)


def test_theme_values_from_quire_toml_and_custom_css(tmp_path):
    root = make_project(tmp_path, {
        "content/a.md": "# A\n\nSome text.\n",
        "quire.toml": 'lang = "en"\n[design]\nlayout = "journal"\nfont_size = "12pt"\n',
        "styles/custom.css": "h1.title { font-size: 30pt; }\n"})
    pdf = build(root)
    assert 12.0 in font_sizes(pdf, "Source-Serif-4")
    assert 30.0 in font_sizes(pdf, "Source-Sans-3")
    bad = make_project(tmp_path / "bad", {"content/a.md": "# A\n",
                                          "quire.toml": '[design]\nlayout = "poster"\n'})
    done = run_quire("build", bad)
    assert done.returncode == 1 and "design: layout: expected" in done.stderr


# -- the layout report -----------------------------------------------------------------

def test_the_layout_report_finds_what_a_proofreader_would_mark(tmp_path):
    root = make_project(tmp_path, fixtures.problems_book())
    done = run_quire("check", root, "--strict")
    assert done.returncode == 1
    found = [line for line in done.stdout.splitlines() if line.startswith("layout: ")]
    kinds = {}
    for line in found:
        match = re.match(r"layout: (content/ch\d\.md)(:\d+)?: page (\d+): ([^:]+):", line)
        assert match, line
        kinds.setdefault(match.group(4), []).append((match.group(1), match.group(2)))
    assert kinds.keys() == {"hole", "note away from its call", "hyphen ladder",
                            "line or image outside the text block",
                            "caption parted from its figure", "heading at the foot of a page",
                            "image under the resolution floor", "widow", "orphan",
                            "figure far from its first reference"}, found
    assert ("content/ch1.md", ":3") in kinds["hole"]
    assert all(source == "content/ch2.md" and line for source, line in
               kinds["note away from its call"])
    assert {s for s, _ in kinds["heading at the foot of a page"]} == {"content/ch5.md"}
    assert kinds["image under the resolution floor"] == [("content/ch3.md", ":9")]
    assert kinds["caption parted from its figure"] == [("content/ch4.md", ":5")]
    assert kinds["figure far from its first reference"] == [("content/ch6.md", ":85")]
    assert ("content/ch6.md", ":5") in kinds["widow"]
    assert all(line for _, line in kinds["widow"] + kinds["orphan"])
    built = run_quire("build", root, "--format", "pdf")
    assert built.returncode == 0 and "problems.pdf: layout: " in built.stderr
    assert run_quire("build", root, "--format", "pdf", "--strict").returncode == 1
    assert run_quire("check", root).returncode == 1          # the stretched image: preflight


def test_a_long_run_after_code_breaks_inside_the_text_block(tmp_path):
    """Inline code and the text after it with no break between them (no break before a
    full-width colon, nor around a quotation mark) make one run; where it is longer than
    what is left of the line, `overflow-wrap: break-word` breaks it rather than letting it
    run past the text block (ruanyf/es6tutorial printed such a list item 23 mm into the
    margin). Names from the standard library, words from CLDR's Chinese."""
    import collections
    import importlib.machinery
    import pathlib

    from babel import Locale
    names = sorted(f"{cls.__module__}.{cls.__qualname__}.{name}"
                   for module in (collections, importlib.machinery, pathlib)
                   for cls in vars(module).values() if isinstance(cls, type)
                   for name in vars(cls) if not name.startswith("_"))[:90]
    words = sorted(Locale("zh").languages.values(), key=len, reverse=True)[:90]
    items = [f"- `{name}`\uff1a\u2018{word}\u2019" for name, word in zip(names, words)]
    root = make_project(tmp_path, {
        "quire.toml": '[pdf]\npage_size = "A5"\n',
        "content/index.md": "---\ntitle: 溢出\nlang: zh\n---\n\n# 名称\n\n"
                            + "\n".join(items) + "\n"})
    done = run_quire("build", root, "--format", "pdf")
    assert done.returncode == 0 and "layout" not in done.stderr, done.stderr
    checked = run_quire("check", root)
    assert "outside the text block" not in checked.stdout, checked.stdout
    text = subprocess.run(["pdftotext", str(next((root / "dist").glob("*.pdf"))), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert all(word in text.replace("\n", "") for word in words)


def test_a_graphviz_diagram_sits_in_the_text_block_in_its_fonts_metrics(tmp_path):
    """A Graphviz SVG (SVG 1.1's DOCTYPE, a viewBox and no size, text in "Times,serif",
    as rust-lang/book's figures) alone in a paragraph of a book: not pushed past the text
    block by the paragraph's first-line indent (it was, 4.4 mm: only raster images were
    known to stand alone), and its text set in the face made on Times' metrics where one is
    installed (fontconfig gave Noto Serif, wider, and the labels ran together)."""
    from quire import fonts
    svg = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
           '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n'
           ' "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
           '<svg viewBox="0.00 0.00 1500.00 650.00" xmlns="http://www.w3.org/2000/svg">\n'
           '<g transform="scale(4.1667 4.1667) translate(4 152)">'
           '<polygon fill="#ffffff" stroke="transparent" points="-4,4 -4,-152 356,-152 356,4"/>'
           '<text text-anchor="middle" x="40" y="-120" font-family="Times,serif" '
           'font-size="14.00">capacity</text></g></svg>\n')
    root = make_project(tmp_path, {
        "content/01.md": "# One\n\nText before.\n\n![A diagram](d.svg)\n\nText after.\n",
        "content/02.md": "# Two\n\nText.\n", "content/d.svg": svg})
    pdf = build(root)
    checked = run_quire("check", root)
    assert "outside the text block" not in checked.stdout and "RGB" not in checked.stdout, \
        checked.stdout
    listed = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    if fonts._system_fonts().family("Liberation Serif"):         # fonts-liberation (CI)
        assert "Liberation-Serif" in listed, listed


def test_a_quotation_taller_than_half_a_page_breaks_and_a_short_one_stays_whole(tmp_path):
    """A quotation's height is estimated from its lines: a quoted list of short steps (the
    first words of The Zen of Python's aphorisms, one an item) may break across pages
    rather than jump to the next and leave a hole (ruanyf/es6tutorial: 47 % of a page),
    while a short quotation stays whole on one page. The steps follow text of six
    lengths, so that some start low on a page."""
    import codecs
    import this

    zen = [line for line in codecs.decode(this.s, "rot13").splitlines()[2:] if line]
    prose = " ".join(line.strip() for line in (codecs.__doc__ or "").splitlines()
                     if line.strip())
    steps = "\n".join(f"> {n}. {' '.join(line.split()[:4])}"
                      for n, line in enumerate((zen * 2)[:26], 1))
    short = f"> {zen[0]} {zen[1]}\n>\n> {zen[2]}"
    files = {f"content/{k:02}.md": f"# Part {k}\n\n" + "\n\n".join([prose] * (2 * k))
             + f"\n\n{steps}\n\nAfter.\n\n{prose}\n\n{short}\n\nEnd.\n"
             for k in range(1, 7)}
    root = make_project(tmp_path, files)
    pdf = build(root)
    checked = run_quire("check", root)
    assert "hole" not in checked.stdout, checked.stdout
    pages = lines_of(pdf)
    starts = [n for n, found in pages.items() for *_, text in found
              if text.startswith(zen[0][:20])]
    assert len(starts) == 6 and all(
        any(text.startswith(zen[2][:20]) for *_, text in pages[n]) for n in starts)


def test_a_table_taller_than_half_a_page_breaks_rather_than_leave_a_hole(tmp_path):
    """A table of 28 rows (CLDR's languages: tag, English name, own name) after text of
    six lengths: one taller than half the text block may break between its rows, its head
    repeated, rather than jump to the next page (rust-lang/book's table of operators left
    75 % of a page empty)."""
    import codecs

    from babel import Locale
    tags = ["ar", "cs", "da", "de", "el", "es", "fa", "fi", "fr", "he", "hi", "id", "it", "ja",
            "ko", "nb", "nl", "pl", "pt", "ro", "ru", "sl", "sv", "th", "tr", "uk", "vi", "zh"]
    rows = "\n".join(f"| {t} | {Locale('en').languages[t]} | {Locale(t).languages[t]} |"
                     for t in tags)
    table = "| Tag | English | Own name |\n|---|---|---|\n" + rows
    prose = " ".join(line.strip() for line in (codecs.__doc__ or "").splitlines()
                     if line.strip())
    files = {f"content/{k:02}.md": f"# Part {k}\n\n" + "\n\n".join([prose] * (2 * k))
             + f"\n\n{table}\n\nAfter.\n" for k in range(1, 7)}
    root = make_project(tmp_path, files)
    build(root)
    checked = run_quire("check", root)
    assert "hole" not in checked.stdout, checked.stdout


def test_images_in_a_table_are_sized_to_their_cell_and_leave_no_hole(tmp_path):
    """rust-lang/book's table of Ferris icons: SVGs 1259 px wide (Illustrator's width and
    height) in the first of two columns. Each was laid out the measure's width, a row a
    third of a page, and the table, kept whole, left a 64 % hole. An image in a table cell
    takes at most its share of the measure and a fifth of the text block's height, and the
    table's height estimate counts its images (text of six lengths before it: no hole)."""
    import codecs

    svg = ('<?xml version="1.0" encoding="utf-8"?>\n<svg version="1.1" xmlns="http://www.w3.'
           'org/2000/svg" width="1259px" height="847px" viewBox="0 0 1259 847"><rect x="0" '
           'y="0" width="1259" height="847" fill="#c33"/></svg>\n')
    rows = "\n".join(f'| <img src="ferris-{n}.svg" alt="Ferris {n}"/> | {meaning} |'
                     for n, meaning in enumerate(["This code does not compile!",
                                                  "This code panics!", "This code does not "
                                                  "produce the desired behavior."]))
    table = "| Ferris | Meaning |\n|---|---|\n" + rows
    prose = " ".join(line.strip() for line in (codecs.__doc__ or "").splitlines()
                     if line.strip())
    files = {f"content/{k:02}.md": f"# Part {k}\n\n" + "\n\n".join([prose] * (2 * k))
             + f"\n\n{table}\n\nAfter.\n" for k in range(1, 7)}
    files.update({f"content/ferris-{n}.svg": svg for n in range(3)})
    root = make_project(tmp_path, files)
    publication = load(root)
    html = render_print_html(publication)
    height = design.text_block(publication.pdf)[1]
    sizes = [(float(w), float(h)) for w, h in re.findall(
        r'<img[^>]*ferris-\d\.svg[^>]*style="[^"]*width: ([\d.]+)mm; height: ([\d.]+)mm', html)]
    assert len(sizes) == 18 and all(h <= 0.2 * height + 0.01 for _, h in sizes), sizes
    build(root)
    checked = run_quire("check", root)
    assert "hole" not in checked.stdout, checked.stdout


def test_an_image_as_wide_as_the_measure_before_a_line_break_is_not_reported(tmp_path):
    """donnemartin/system-design-primer centres its diagrams in raw HTML, the image's line
    ended by `<br/>` after a newline: `<p align="center"><img src=...>\\n  <br/>
    <i>Source: ...</i></p>`. The space before the break ends the image's line and prints
    nothing; the layout report counted it and reported 72 lines "outside the text block"
    (0.9 mm, a space; 5.3 mm in a justified line). A space is not ink. After another
    paragraph, the book's first-line indent pushed such an image 4.4 mm out: a paragraph
    that opens with an image on a line of its own is not indented."""
    figure = ('<p align="center">\n  <img src="wide.png">\n  <br/>\n  <i><a href="http://'
              'www.example.org/">Source: Scalability, availability, stability</a></i>\n</p>')
    root = make_project(tmp_path, {
        "content/01.md": "# One\n\nText before.\n\n" + figure + "\n\nText after.\n",
        "content/02.md": "# Two\n\nText.\n",
        "content/wide.png": fixtures.line_art((3000, 900))})
    build(root)
    checked = run_quire("check", root)
    assert "outside the text block" not in checked.stdout, checked.stdout


# -- figures as floats, notes on the page of their call -------------------------------------

def test_figures_float_past_text_and_holes_drop(tmp_path):
    """The generated book's figures that do not fit go to the next page while the text
    after them fills the page (4 holes before quire moved figures, none now); the EPUB
    keeps the source order; a figure pinned with {.here} stays."""
    root = make_project(tmp_path, fixtures.generated_book(4))
    pdf = build(root)
    done = run_quire("check", root)
    holes = [line for line in done.stdout.splitlines() if ": hole: " in line]
    assert not holes, holes
    pages = lines_of(pdf)
    text = [t for n in sorted(pages) for *_, t in pages[n]]
    # Figure 2.1 (a tall diagram) follows the start of the paragraph after it in print ...
    caption = next(i for i, t in enumerate(text) if t.startswith("Figure 2.1 "))
    paragraph = next(i for i, t in enumerate(text) if t.startswith("Paragraph 2. ")
                     and i > text.index("Things of kind 2"))
    assert paragraph < caption
    # ... and the EPUB keeps the source order.
    run_quire("build", root, "--format", "epub")
    import zipfile
    with zipfile.ZipFile(next((root / "dist").glob("*.epub"))) as epub:
        chapter = next(epub.read(n).decode() for n in epub.namelist() if "ch2" in n)
    assert chapter.index("A figure of a tall diagram") < chapter.index("Paragraph 2. ")


def test_a_figure_right_under_a_heading_floats_past_the_text_after_it(tmp_path):
    """A section that opens with its diagram (system-design-primer: "## Anki flashcards",
    then the image, then the text): when heading and diagram do not fit in the rest of a
    page, the heading no longer goes to the next page with the diagram and leaves the
    page half empty; the diagram moves past the section's text, which follows its heading
    on the page. Text before it of six lengths: the Zen of Python."""
    import codecs
    import this
    zen = [line for line in codecs.decode(this.s, "rot13").splitlines()[2:] if line]
    prose = " ".join(zen)
    files = {f"content/{k:02}.md": f"# Part {k}\n\n" + "\n\n".join([prose] * k)
             + "\n\n## Flashcards\n\n![A tall diagram](tall.png)\n\n"
             + "\n\n".join(zen + [prose]) + "\n\n## Next\n\nThe end.\n" for k in range(1, 7)}
    files["content/tall.png"] = fixtures.line_art((1200, 1500))
    root = make_project(tmp_path, files)
    build(root)
    checked = run_quire("check", root)
    holes = [line for line in checked.stdout.splitlines() if ": hole: " in line]
    assert not holes, holes


def test_every_note_is_printed_on_the_page_of_its_call(tmp_path):
    """Calls near the foot of pages, notes too long to fit under them: the line with the
    call goes to the next page with its note (single render; test_parallel compares the
    parts with it)."""
    files = fixtures.problems_book()
    files = {"quire.toml": files["quire.toml"], "content/ch2.md": files["content/ch2.md"],
             "content/ch1.md": "# One\n\nA first chapter.\n"}
    root = make_project(tmp_path, files)
    pdf = build(root)
    done = run_quire("check", root, "--strict")
    assert "note away from its call" not in done.stdout, done.stdout
    for number, lines in lines_of(pdf).items():
        body = " ".join(t for *_, t in lines)
        for call in re.findall(r"Call (\d+)\.", body):
            index = int(call) + 1       # notes are numbered from 1, calls from 0
            assert re.search(rf"(^| ){index}\. The note goes on", body), (number, call)


def test_a_cover_of_another_shape_is_fitted_whole_with_its_edges_extended(tmp_path):
    """A 2:3 cover on A4 (plus 3 mm bleed): every pixel row and column of the image is
    printed (scaled to fit, not cropped), the bars beside it continue its edge pixels, and
    the image fills the page to the bleed edge. The output is named after the title."""
    from PIL import Image
    cover = Image.new("RGB", (400, 600), (250, 200, 0))
    cover.paste((20, 40, 120), (0, 0, 400, 60))             # a dark band at the top edge
    out = tmp_path / "cover.png"
    cover.save(out)
    root = make_project(tmp_path / "p", {
        "quire.toml": 'title = "Up"\nlang = "en"\ncover = "content/cover.png"\n'
                      '[pdf]\npage_size = "A4"\n',
        "content/a.md": "# A\n\nText.\n", "content/b.md": "# B\n\nText.\n",
        "content/cover.png": out.read_bytes()})
    pdf = build(root)
    assert pdf.name == "up.pdf"
    listed = subprocess.run(["pdfimages", "-list", "-f", "1", "-l", "1", str(pdf)],
                            capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    width, height = (int(v) for v in listed[0].split()[3:5])
    assert height == 600 and width == round(600 * 216 / 303)   # wider: bars beside it
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-png", "-r", "20", "-f", "1", "-l", "1", str(pdf), str(png)],
                   check=True)
    page = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    w, h = page.size
    # The bars: dark where the image's edge is dark (the top band), yellow below it.
    assert sum(page.getpixel((1, 2))) < 250 and page.getpixel((1, h // 2))[2] < 80
    assert page.getpixel((w - 2, h // 2))[0] > 200


def test_a_page_where_a_section_begins_keeps_its_running_head(tmp_path):
    """Sections (documents nested under a chapter in SUMMARY.md, as an mdBook nests them)
    begin on the chapter's pages, not on a page of their own: the right-hand head of the
    page where one begins was empty (its title set the head's string, and the head showed
    a string only on pages where it was not set). Every page of running text has its
    head; a chapter's opening page has none. Text: the Zen of Python."""
    import codecs
    import this
    zen = [line for line in codecs.decode(this.s, "rot13").splitlines()[2:] if line]
    text = "\n\n".join(" ".join(zen[i:i + 3]) * 2 for i in range(0, len(zen), 3))
    sections = [f"Section {n}" for n in range(1, 7)]
    files = {"content/SUMMARY.md": "- [One](one.md)\n" + "".join(
                 f"    - [{title}](s{n}.md)\n" for n, title in enumerate(sections))
             + "- [Two](two.md)\n",
             "content/one.md": f"# One\n\n{text}\n",
             "content/two.md": f"# Two\n\n{text}\n"}
    files.update({f"content/s{n}.md": f"# {title}\n\n{text}\n"
                  for n, title in enumerate(sections)})
    pdf = build(make_project(tmp_path, files))

    def lines(number: int) -> list[str]:
        printed = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number),
                                  "-layout", str(pdf), "-"], capture_output=True, text=True,
                                 check=True).stdout
        return [line.strip() for line in printed.splitlines() if line.strip()]
    with pikepdf.open(pdf) as opened:
        count = len(opened.pages)
    pages = {n: lines(n) for n in range(1, count + 1)}
    first = next(n for n, found in pages.items() if found and found[0].startswith("CHAPTER"))
    begun = [n for n, found in pages.items() if n > first and any(
        line in sections for line in found[1:-1])]
    assert any(n % 2 for n in begun), begun                 # some begin on a right page
    left = set()
    for n in range(first + 1, count + 1):
        found = pages[n]
        if not found or found[0].startswith("CHAPTER"):
            continue
        if n % 2:
            assert found[0] in ["One", "Two"] + sections, (n, found[:3])
        else:
            left.add(found[0])
    assert len(left) == 1 and not any(line in left for line in text.splitlines()), left
