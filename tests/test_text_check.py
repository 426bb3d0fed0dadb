"""The text check after layout: the print PDF's text against its source, on real builds.

Correct builds use the theme. The defect the check must catch: a project's own
styles/shared.css (it replaces the theme's shared layer) splits one family by
unicode-range into two files made by fontTools' subsetter; WeasyPrint 70 prints wrong
letters with it, and quire prints it right only thanks to its patch (outputs/pdf/patches.py,
`_one_pdf_font_per_file`). With that patch undone the defect is back, and the check must
fail the build.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from conftest import REPO, make_project, run_quire

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")

CZECH = """Karel Čapek napsal hru o robotech. Slovo *pouze* je kurzívou; stejně tak *čeština*
a **tučně řečeno**. Příliš žluťoučký kůň úpěl ďábelské ódy.[^a] Dobrý večer, paní
Nováková; *Šťastný nový rok* a ***Řeřicha s ďáblem***.

[^a]: Poznámka pod čarou: ěščřžýáíéúů ĚŠČŘŽÝÁÍÉÚŮ.
"""
POLISH = ("Zażółć gęślą jaźń. *Łódź* i **Świętokrzyskie**; źdźbło, ćma, "
          "Mikołaj Kopernik pisał po łacinie.\n")
RUSSIAN = "Съешь же ещё этих мягких французских булок, да выпей *чаю*. **Ёжик** в тумане.\n"
GREEK = "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία. *Αθήνα* και **Θεσσαλονίκη**, «ελληνικά».\n"
VIETNAMESE = "Tiếng Việt có dấu: *Hà Nội*, **Thành phố Hồ Chí Minh**, người Việt Nam.\n"


SPLIT_CSS = "".join(
    f'@font-face {{ font-family: "Split Serif"; font-style: {style}; '
    f'src: url(fonts/split-{part}-{style}.ttf); unicode-range: {ranges}; }}\n'
    for style in ("normal", "italic")
    for part, ranges in (("latin", "U+0000-00FF"), ("ext", "U+0100-024F"))
) + 'html, h1, h2, h3, h4, h5, h6, .toc { font-family: "Split Serif"; }\n'


@pytest.fixture(scope="module")
def split_fonts(tmp_path_factory) -> dict[str, bytes]:
    """DejaVu Serif (regular, italic) cut in two files per face: U+0000-00FF and
    U+0100-024F (and the spaces), each with its own glyph ids."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    fonts = {}
    folder = tmp_path_factory.mktemp("fonts")
    for style, file in (("normal", "DejaVuSerif.ttf"), ("italic", "DejaVuSerif-Italic.ttf")):
        for part, (low, high) in (("latin", (0x20, 0xFF)), ("ext", (0x100, 0x24F))):
            font = TTFont(DEJAVU / file)
            subsetter = subset.Subsetter(subset.Options(layout_features=[]))
            # with the spaces, as Google Fonts' and Fontsource's subsets have them
            subsetter.populate(unicodes=[*range(low, high + 1), 0x20, 0xA0])
            subsetter.subset(font)
            path = folder / f"split-{part}-{style}.ttf"
            font.save(path)
            fonts[f"styles/fonts/{path.name}"] = path.read_bytes()
    return fonts


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def run_unpatched(*args):
    """`quire ARGS` in a process where quire does not tell font files apart: the bug back."""
    script = ("import sys\nfrom quire.outputs.pdf import patches\n"
              "assert callable(patches.PERMANENT['one font per file'])\n"
              "patches.PERMANENT['one font per file'] = lambda saved: None\n"
              "from quire.cli import main\n"
              "sys.exit(main(sys.argv[1:]))\n")
    return subprocess.run([sys.executable, "-c", script, *map(str, args)],
                          capture_output=True, text=True, check=False)


def errors(stderr: str) -> list[str]:
    """The lines of the build error (its first line starts with "error: ")."""
    lines = stderr.splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith("error: ")), len(lines))
    return [line.removeprefix("error: ") for line in lines[first:]]


# -- a correct build passes -----------------------------------------------------------

def multiscript_project(root: Path) -> Path:
    return make_project(root, {
        "quire.toml": 'title = "Písmena: Čeština, Polski, Русский, Ελληνικά"\nlang = "cs"\n'
                      "title_page = true\ntoc = true\n"
                      'authors = ["Božena Němcová"]\n',
        "content/01-cs.md": "---\ntitle: Čeština\nauthors: [Jaroslav Hašek]\n---\n\n"
                            + CZECH + "\nNeviditelné: slovo\u200bspojené, ne\u00addě\u00adle, "
                            "漢字\u200b仮名.\n"
                            "\n1. první\n2. druhý\n\n| Město | Řeka |\n|---|---|\n"
                            "| Brno | Svratka |\n| Plzeň | Mže |\n",
        "content/02-pl.md": "---\ntitle: Polski\nlang: pl\n---\n\n" + POLISH,
        "content/03-ru.md": "---\ntitle: Русский\nlang: ru\n---\n\n" + RUSSIAN,
        "content/04-el.md": "---\ntitle: Ελληνικά\nlang: el\n---\n\n" + GREEK,
        "content/05-vi.md": "---\ntitle: Tiếng Việt\nlang: vi\n---\n\n" + VIETNAMESE,
    })


@pytest.fixture(scope="module")
def multiscript(tmp_path_factory) -> Path:
    root = multiscript_project(tmp_path_factory.mktemp("multiscript"))
    done = run_quire("build", root, "--format", "pdf")
    assert done.returncode == 0, done.stderr
    return root


def test_a_correct_multiscript_build_passes(multiscript):
    from quire.load import load
    from quire.outputs import pdf as pdf_output
    from quire.outputs import text_check

    pdf = next((multiscript / "dist").glob("*.pdf"))
    text = pdftotext(pdf)
    for word in ("Čapek", "Šťastný", "Łódź", "Ёжик", "Θεσσαλονίκη", "Hồ Chí Minh"):
        assert word in text
    publication = load(multiscript)
    source = text_check.Source(pdf_output.render_print_html(publication),
                               text_check.stylesheet_texts(publication))
    assert text_check.check(pdf, source) == {}


def test_text_a_stylesheet_hides_is_no_false_alarm(tmp_path):
    """A letter only in text the print stylesheet hides is not missing from the pages."""
    root = make_project(tmp_path, {
        "styles/print.css": (REPO / "styles" / "print.css").read_text("utf-8")
                            + ".kun-epub { display: none; }\n",
        "content/a.md": "# Skjult\n\nSynlig tekst på norsk.\n\n"
                        '<p class="kun-epub">Bare i e-boka: Dvořák.</p>\n'})
    done = run_quire("build", root, "--format", "pdf")
    assert done.returncode == 0, done.stderr
    assert "Dvořák" not in pdftotext(next((root / "dist").glob("*.pdf")))


# -- the bug comes back: the build fails --------------------------------------------

def czech_project(root: Path, long: bool = False) -> Path:
    """Czech text in regular, italic and bold, with the theme's fonts."""
    files: dict[str, str | bytes] = {}
    if long:        # long enough to be laid out in parts
        files["quire.toml"] = 'title = "Kniha"\nlang = "cs"\n'
        for n in range(1, 5):
            files[f"content/{n:02d}-kapitola.md"] = (f"# Kapitola {n}\n\n"
                                                     + (CZECH.split("[^a]")[0] + "\n\n") * 80)
    else:
        files["content/cs.md"] = "---\ntitle: Zkouška\nlang: cs\n---\n\n" + CZECH
    return make_project(root, files)


def split_the_fonts(root: Path, fonts: dict[str, bytes]) -> None:
    make_project(root, {"styles/shared.css": SPLIT_CSS, **fonts})


def test_the_split_font_fixture_is_the_defect(tmp_path, split_fonts):
    """Plain WeasyPrint 70 (a process without quire) prints wrong letters with the
    fixture's fonts (pdftotext); quire, with its patch, prints them right and its check
    passes. If the first part fails, WeasyPrint no longer has the defect."""
    root = czech_project(tmp_path)
    split_the_fonts(root, split_fonts)
    html = ('<html lang="cs"><head><link rel="stylesheet" href="styles/shared.css"></head>'
            "<body><p>Karel Čapek napsal hru. Slovo <i>pouze</i>; <i>Čeština</i>. "
            "Příliš žluťoučký kůň úpěl ďábelské ódy.</p></body></html>")
    (root / "page.html").write_text(html, "utf-8")
    plain = "import sys, weasyprint; weasyprint.HTML(sys.argv[1]).write_pdf(sys.argv[2])"
    subprocess.run([sys.executable, "-c", plain, root / "page.html", tmp_path / "plain.pdf"],
                   check=True, capture_output=True)
    words = set(pdftotext(tmp_path / "plain.pdf").split())
    assert not {"žluťoučký", "úpěl", "ďábelské"} <= words

    done = run_quire("build", root, "--format", "pdf")
    assert done.returncode == 0, done.stderr
    assert "Příliš žluťoučký kůň úpěl ďábelské ódy" in " ".join(
        pdftotext(next((root / "dist").glob("*.pdf"))).split())


@pytest.mark.parametrize("variant", ["print", "screen", "archive"])
def test_the_bug_back_fails_the_build_and_keeps_the_previous_pdf(tmp_path, split_fonts,
                                                                  variant):
    root = czech_project(tmp_path)
    done = run_quire("build", root, "--format", "pdf", "--variant", variant)
    assert done.returncode == 0, done.stderr
    pdf = next((root / "dist").glob("*.pdf"))
    before = pdf.read_bytes()

    split_the_fonts(root, split_fonts)
    done = run_unpatched("build", root, "--format", "pdf", "--variant", variant)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = errors(done.stderr)
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("content/cs.md: ")
    assert "fonts map glyphs wrong" in lines[0] and lines[0].endswith("nothing was built.")
    assert pdf.read_bytes() == before
    assert [p.name for p in (root / "dist").iterdir() if p.suffix != ""] == [pdf.name]


def test_the_bug_back_fails_a_build_laid_out_in_parts_every_time(tmp_path, split_fonts):
    from quire.load import load
    from quire.outputs.pdf import chunks

    root = czech_project(tmp_path, long=True)
    assert chunks.plan(load(root)) is not None       # laid out in parts
    done = run_quire("build", root, "--format", "pdf", "-j", "2")
    assert done.returncode == 0, done.stderr
    pdf = root / "dist" / "kniha.pdf"
    before = pdf.read_bytes()

    split_the_fonts(root, split_fonts)
    for _ in range(2):      # the second build finds the parts in the cache, with the check
        done = run_unpatched("build", root, "--format", "pdf", "-j", "2")
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        lines = errors(done.stderr)
        assert [line.split(":")[0] for line in lines] == [
            f"content/{n:02d}-kapitola.md" for n in range(1, 5)], done.stderr
        assert all("fonts map glyphs wrong" in line for line in lines)
        assert pdf.read_bytes() == before


def test_characters_no_font_has_are_one_warning_per_document(tmp_path):
    """An emoji or a private-use icon no installed font has prints as .notdef: one warning
    per document naming the characters (not WeasyPrint's line per character); --strict
    fails on it."""
    for code in ("e0f0", "e0f1"):
        if subprocess.run(["fc-list", f":charset={code}"], capture_output=True, text=True,
                          check=True).stdout.strip():
            pytest.skip(f"a font on this machine covers U+{code.upper()}")
    root = make_project(tmp_path, {
        "content/a.md": "# Tegn\n\nTegn ingen skrift har: \ue0f0 og \ue0f1.\n",
        "content/b.md": "# Andre\n\nBare vanlige bokstaver her.\n"})
    done = run_quire("build", root, "--format", "pdf")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "U+E0F" in line]
    assert lines == [line for line in lines if line.startswith("warning: content/a.md: ")]
    assert len(lines) == 1 and "U+E0F0, U+E0F1" in lines[0], done.stderr
    strict = run_quire("build", root, "--format", "pdf", "--strict")
    assert strict.returncode == 1


# -- a PDF changed after writing: the check function finds it -------------------------

def _source(root: Path):
    from quire.load import load
    from quire.outputs import pdf as pdf_output
    from quire.outputs import text_check

    publication = load(root)
    return text_check.Source(pdf_output.render_print_html(publication),
                             text_check.stylesheet_texts(publication))


def _first_page(pdf: pikepdf.Pdf) -> int:
    """The index of the page the first document starts on (it shows "Čapek")."""
    from quire.outputs import pdf_text

    return next(i for i, page in enumerate(pdf_text.read(pdf)) if "Čapek" in page.text)


def _body_font(page: pikepdf.Page, *letters: str) -> tuple[str, pikepdf.Object, list]:
    """The resource name of the Type0 font on `page` with the most glyphs (the body's)
    among those whose ToUnicode maps a glyph to each of `letters`, the font, and those
    glyphs' codes as 4 hex digits."""
    found = []
    for name, font in page.Resources.Font.items():
        cmap = font.ToUnicode.read_bytes()
        codes = [re.search(rb"<([0-9a-f]{4})> <%04x>" % ord(c), cmap) for c in letters]
        if all(codes):
            found.append((cmap.count(b"\n"), name, font, [m.group(1) for m in codes]))
    assert found, f"no font maps glyphs to {letters}"
    return max(found, key=lambda item: item[0])[1:]


def test_a_tampered_to_unicode_is_caught(multiscript, tmp_path):
    from quire.outputs import text_check

    pdf_path = next((multiscript / "dist").glob("*.pdf"))
    source = _source(multiscript)
    assert text_check.check(pdf_path, source) == {}
    with pikepdf.open(pdf_path) as pdf:
        _, font, [code] = _body_font(pdf.pages[_first_page(pdf)], "e")
        cmap = font.ToUnicode.read_bytes()
        font.ToUnicode.write(cmap.replace(b"<%s> <0065>" % code, b"<%s> <0078>" % code))
        pdf.save(tmp_path / "tampered.pdf")
        font.ToUnicode.write(cmap.replace(b"<%s> <0065>" % code, b""))
        pdf.save(tmp_path / "unmapped.pdf")

    problems = text_check.check(tmp_path / "tampered.pdf", source)
    assert source.order[0] in problems          # every page that shows that font's e
    for entry in problems.values():
        assert entry["words"] and all("x" in word for word in entry["words"])
        assert ["x", "e"] in entry["misdrawn"]      # the glyph is an e, its text says x
    unmapped = text_check.check(tmp_path / "unmapped.pdf", source)
    assert source.order[0] in unmapped
    assert all(entry["unmapped"] > 0 for entry in unmapped.values())


def test_a_glyph_swapped_in_the_page_is_caught(multiscript, tmp_path):
    """Another glyph drawn, its ToUnicode consistent: the words differ from the source."""
    from quire.outputs import text_check

    pdf_path = next((multiscript / "dist").glob("*.pdf"))
    with pikepdf.open(pdf_path) as pdf:
        page = pdf.pages[_first_page(pdf)]
        name, _, (a, o) = _body_font(page, "a", "o")
        current = b""

        def swap(match):        # in the strings shown in that font, every a becomes an o
            nonlocal current
            if match.group(1):
                current = b"/" + match.group(1)
                return match.group(0)
            if current != name.encode():
                return match.group(0)
            hexes = match.group(2)
            return b"<" + b"".join(o if hexes[i:i + 4] == a else hexes[i:i + 4]
                                   for i in range(0, len(hexes), 4)) + b">"
        content = re.sub(rb"/(\S+) [\d.]+ Tf|<([0-9a-f]+)>", swap, page.Contents.read_bytes())
        page.Contents.write(content)
        pdf.save(tmp_path / "swapped.pdf")
    problems = text_check.check(tmp_path / "swapped.pdf", _source(multiscript))
    words = next(iter(problems.values()))["words"]
    assert words and all("o" in word for word in words)


# -- the reader itself, on a PDF made by hand ----------------------------------------

def test_the_reader_decodes_every_text_operator(tmp_path):
    from quire.outputs import pdf_text

    pdf = pikepdf.new()
    to_unicode = pdf.make_stream(
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"1 begincodespacerange <0000> <ffff> endcodespacerange\n"
        b"2 beginbfrange\n<0001> <0003> <0041>\n<0004> <0005> [<0161> <010d>]\nendbfrange\n"
        b"1 beginbfchar\n<0006> <00660069>\nendbfchar\n"
        b"endcmap CMapName currentdict /CMap defineresource pop end end\n")
    type0 = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0, BaseFont=pikepdf.Name.X,
        Encoding=pikepdf.Name("/Identity-H"), ToUnicode=to_unicode,
        DescendantFonts=[pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                            Subtype=pikepdf.Name.CIDFontType2,
                                            BaseFont=pikepdf.Name.X)]))
    simple = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica,
        Encoding=pikepdf.Dictionary(BaseEncoding=pikepdf.Name.WinAnsiEncoding,
                                    Differences=[128, pikepdf.Name.Scaron])))
    form = pdf.make_stream(b"BT /F2 10 Tf 0 0 Td (In a form) Tj ET",
                           Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
                           BBox=[0, 0, 100, 100],
                           Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F2=simple)))
    content = (b"BT /F1 12 Tf 10 700 Td <000100020003> Tj (\\000\\004\\000\\005) Tj\n"
               b"T* [<0006> -200 <0001> 30 () 5 <0000>] TJ ET\n"
               b"BT /F2 12 Tf 14 TL (Hello \\(world\\)) ' 1 2 (Ende\\200) \" ET\n"
               b"/Fm1 Do\n")
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, 612, 792], Contents=pdf.make_stream(content),
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=type0, F2=simple),
                                     XObject=pikepdf.Dictionary(Fm1=form)))
    pdf.pages.append(pikepdf.Page(pdf.make_indirect(page)))
    pdf.save(tmp_path / "hand.pdf")

    [found] = pdf_text.read(tmp_path / "hand.pdf")
    assert found.segments == ["ABCšč", "fiA\ufffd", "Hello (world)", "EndeŠ", "In a form"]
    assert found.notdef == {"glyph 0"}          # code 0 is .notdef, and has no text
    assert found.unmapped == 1
