"""Print production: PDF/X-4 by default, the screen and archive variants, page geometry."""

from __future__ import annotations

import re
import subprocess

import pikepdf
import pytest

from conftest import make_project, run_quire

MM = 72 / 25.4


def colour_spaces(pdf: pikepdf.Pdf) -> set[str]:
    """Every colour space a page draws with: operators, resources and images, recursively."""
    found: set[str] = set()

    def walk(obj, resources):
        for operands, op in pikepdf.parse_content_stream(obj):
            op = str(op)
            if op in ("rg", "RG"):
                found.add("DeviceRGB")
            elif op in ("k", "K"):
                found.add("DeviceCMYK")
            elif op in ("g", "G"):
                found.add("DeviceGray")
            elif op in ("cs", "CS"):
                found.add(str(operands[0]).lstrip("/"))
        for _, xobject in resources.get("/XObject", {}).items():
            if xobject.get("/Subtype") == "/Image":
                space = xobject.get("/ColorSpace")
                if isinstance(space, pikepdf.Array) and str(space[0]) == "/ICCBased":
                    found.add(f"ICCBased-{int(space[1].N)}")
                elif space is not None:
                    found.add(str(space).lstrip("/"))
            elif xobject.get("/Subtype") == "/Form":
                walk(xobject, xobject.get("/Resources", pikepdf.Dictionary()))

    for page in pdf.pages:
        walk(page, page.resources)
    return found


def test_print_pdf_is_pdfx4_cmyk(seed_build):
    with pikepdf.open(seed_build["pdf"]) as pdf:
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1 and intents[0].S == "/GTS_PDFX"
        assert int(intents[0].DestOutputProfile.N) == 4
        assert "ISO Coated v2" in str(intents[0].OutputConditionIdentifier)
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfxid:GTS_PDFXVersion") == "PDF/X-4"
        spaces = colour_spaces(pdf)
        assert "DeviceRGB" not in spaces and "ICCBased-3" not in spaces, spaces
        assert "DeviceCMYK" in spaces
        for page in pdf.pages:
            trim = [float(v) for v in page.TrimBox]
            bleed = [float(v) for v in page.BleedBox]
            assert trim[2] - trim[0] == pytest.approx(210 * MM, abs=0.1)
            assert trim[3] - trim[1] == pytest.approx(297 * MM, abs=0.1)
            assert trim[0] - bleed[0] == pytest.approx(3 * MM, abs=0.05)
            assert bleed[3] - trim[3] == pytest.approx(3 * MM, abs=0.05)
            for font in page.resources.Font.values():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                assert "/FontFile2" in descendant.FontDescriptor or \
                       "/FontFile3" in descendant.FontDescriptor


def test_no_line_leaves_the_text_block(seed_build):
    """Every word of the seed lies between the left and right margins (20 mm each)."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(seed_build["pdf"]), "-"],
                           capture_output=True, text=True, check=True).stdout
    bleed, margin, width = 3 * MM, 20 * MM, 210 * MM
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)<', xhtml)
    assert len(words) > 600
    for x_min, x_max, word in words:
        assert float(x_min) >= bleed + margin - 0.5, word
        assert float(x_max) <= bleed + width - margin + 0.5, word


@pytest.fixture(scope="module")
def variants(seed_project, tmp_path_factory):
    out = tmp_path_factory.mktemp("variants")
    for variant in ("screen", "archive"):
        done = run_quire("build", seed_project, "--format", "pdf", "--variant", variant,
                         "--out", out)
        assert done.returncode == 0, done.stderr
        assert "warning" not in done.stderr, done.stderr
    return out


def test_screen_pdf_is_tagged_and_accessible(variants):
    with pikepdf.open(variants / "nukleaermedisin-screen.pdf") as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked is True
        assert str(root.Lang) == "nb"
        assert "/StructTreeRoot" in root
        assert root.ViewerPreferences.DisplayDocTitle is True
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
        figures = []

        def walk(node):
            if isinstance(node, pikepdf.Dictionary):
                if node.get("/S") == "/Figure":
                    figures.append(str(node.get("/Alt", "")))
                kids = node.get("/K")
                if isinstance(kids, pikepdf.Array):
                    for kid in kids:
                        walk(kid)
                elif isinstance(kids, pikepdf.Dictionary):
                    walk(kids)
        walk(root.StructTreeRoot)
        assert any(alt.startswith("Plassholder: fotografiet") for alt in figures), figures
        assert "DeviceCMYK" not in colour_spaces(pdf)
        assert not any("/OutputIntents" in root and o.S == "/GTS_PDFX"
                       for o in root.get("/OutputIntents", []))


def test_archive_pdf_is_pdfa3u(variants):
    with pikepdf.open(variants / "nukleaermedisin-archive.pdf") as pdf:
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfaid:part") == "3" and xmp.get("pdfaid:conformance") == "U"
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"


@pytest.mark.parametrize("size, width, height", [("A5", 148, 210), ("B5", 176, 250),
                                                 ("Letter", 215.9, 279.4), ("6x9in", 152.4, 228.6),
                                                 ("170mm 240mm", 170, 240)])
def test_page_sizes_and_mirrored_margins(tmp_path, size, width, height):
    text = "\n\n".join(f"Avsnitt {n}. " + "Tekst som fyller sider. " * 40 for n in range(12))
    root = make_project(tmp_path, {
        "content/a.md": f"# Kapittel\n\n{text}\n",
        "quire.toml": f'name = "bok"\n[pdf]\npage_size = "{size}"\ntwo_sided = true\n'
                      '[pdf.margins]\ninner = "25mm"\nouter = "12mm"\n'})
    done = run_quire("build", root, "--format", "pdf")
    assert done.returncode == 0, done.stderr
    pdf_path = root / "dist" / "bok.pdf"
    with pikepdf.open(pdf_path) as pdf:
        assert len(pdf.pages) >= 3
        for page in pdf.pages:
            trim = [float(v) for v in page.TrimBox]
            assert trim[2] - trim[0] == pytest.approx(width * MM, abs=0.2)
            assert trim[3] - trim[1] == pytest.approx(height * MM, abs=0.2)
    # Right-hand pages (odd) have the wide margin on the left, left-hand pages on the right.
    for number, inner_left in ((1, True), (2, False)):
        box = subprocess.run(["pdftotext", "-bbox", "-f", str(number), "-l", str(number),
                              str(pdf_path), "-"], capture_output=True, text=True).stdout
        xs = [float(x) for x in re.findall(r'<word xMin="([\d.]+)"', box)]
        left = min(xs) - 3 * MM
        expected = 25 if inner_left else 12
        assert left == pytest.approx(expected * MM, abs=1.5), (number, left / MM)


def test_pdfs_render_and_check_clean(seed_build, tmp_path):
    """poppler draws every page without complaint (a broken image stream shows here) and
    qpdf finds the file structurally sound."""
    import projects
    root = make_project(tmp_path / "book", projects.book())
    assert run_quire("build", root, "--format", "pdf").returncode == 0
    for pdf_path in (seed_build["pdf"], next((root / "dist").glob("*.pdf"))):
        drawn = subprocess.run(["pdftoppm", "-r", "20", "-png", str(pdf_path), str(tmp_path / "p")],
                               capture_output=True, text=True)
        assert drawn.returncode == 0 and drawn.stderr == "", drawn.stderr
        checked = subprocess.run(["qpdf", "--check", str(pdf_path)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_preflight_passes_the_seed(seed_project):
    done = run_quire("check", seed_project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "nukleaermedisin.pdf: no problems found" in done.stdout


def test_preflight_finds_what_a_printer_rejects(tmp_path):
    from projects import image
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50">'
           '<rect width="100" height="50" fill="#3366cc"/></svg>')
    root = make_project(tmp_path, {
        "content/a.md": "# Tittel\n\nTekst helt ut mot kanten.\n\n![Lite bilde](lite.png){width=100%}\n\n"
                        "![Tegning](tegning.svg)\n",
        "content/lite.png": image("PNG", (120, 80)),
        "content/tegning.svg": svg,
        "quire.toml": 'name = "x"\n[pdf.margins]\ntop = "2mm"\nbottom = "12mm"\n'
                      'inner = "2mm"\nouter = "2mm"\n'})
    done = run_quire("check", root)
    assert done.returncode == 1
    assert re.search(r"x\.pdf: content/a\.md: page 1: an image of 120x80 px is placed at \d+ dpi",
                     done.stdout)
    assert "RGB" not in done.stdout             # the SVG is drawn in CMYK (cmyk.convert_svg_tree)
    assert "x.pdf: content/a.md: page 1: text within 5 mm of the trim" in done.stdout
    from quire import preflight                 # RGB that reaches a PDF is found
    from quire.outputs.pdf import patches
    weasyprint = patches.weasyprint()
    weasyprint.HTML(string='<p style="color: #3366cc">RGB</p>').write_pdf(tmp_path / "rgb.pdf")
    assert "page 1: RGB colour in a CMYK job" in preflight.check_pdf(
        tmp_path / "rgb.pdf", cmyk_job=True, min_dpi=150)
    built = run_quire("build", root, "--format", "pdf")
    assert built.returncode == 0 and "x.pdf: preflight: page 1: an image of 120x80" in built.stderr
    assert run_quire("build", root, "--format", "pdf", "--strict").returncode == 1
    screen = run_quire("build", root, "--format", "pdf", "--variant", "screen")
    assert "preflight" not in screen.stderr
    checked = run_quire("check", root / "dist" / "x-screen.pdf")
    assert "RGB" not in checked.stdout                 # not a CMYK job: RGB is right there


def test_hyphenation_patterns_read_by_a_helper_process_are_pyphens_own(monkeypatch):
    import pyphen

    from quire.outputs.pdf import hyphenation

    monkeypatch.setattr(pyphen, "hdcache", {})
    hyphenation.preload(["nb", "en-GB", "xx"])()
    for name in ("nb_NO", "en_GB"):
        path = pyphen.LANGUAGES[name]
        assert pyphen.hdcache[path].patterns == pyphen.HyphDict(path).patterns
    assert len(pyphen.hdcache) == 2                 # no patterns for "xx"
    word = "nukleærmedisinere"
    assert pyphen.Pyphen(lang="nb").inserted(word) == "nuk-leær-me-di-si-ne-re"
    assert pyphen.Pyphen(lang="nb", cache=False).inserted(word) == "nuk-leær-me-di-si-ne-re"
