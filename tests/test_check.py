"""quire check: reuses an up-to-date build, runs EPUBCheck and names its findings by the
Markdown file and line, and checks a PDF file's glyphs as a build does."""

from __future__ import annotations

import shutil
import subprocess
import zipfile

from conftest import make_project, run_quire

from quire import check

BOOK = {
    "quire.toml": 'title = "Checked"\nlang = "en"\n',
    "content/01-one.md": "# One\n\nThe first chapter has a paragraph of text.\n",
    "content/02-two.md": "# Two\n\nAn opening paragraph.\n\n"
                         "The second paragraph of chapter two is here.\n",
}


def test_check_reuses_an_up_to_date_build(tmp_path):
    root = make_project(tmp_path, BOOK)
    assert run_quire("build", root).returncode == 0
    pdf = next((root / "dist").glob("*.pdf"))
    before = pdf.stat().st_mtime_ns
    done = run_quire("check", root)
    assert done.returncode == 0, done.stderr
    assert "as built (up to date)" in done.stderr
    assert "laid out" not in done.stderr
    assert "no problems found" in done.stdout
    assert pdf.stat().st_mtime_ns == before
    again = run_quire("check", root)            # from the cache: same answer
    assert again.returncode == 0 and again.stdout == done.stdout


def test_check_builds_first_when_out_of_date(tmp_path):
    root = make_project(tmp_path, BOOK)
    done = run_quire("check", root)
    assert done.returncode == 0, done.stderr
    assert list((root / "dist").glob("*.pdf")) and list((root / "dist").glob("*.epub"))
    assert "as built (up to date)" in done.stderr


def test_epubcheck_findings_are_named_by_the_markdown_file(tmp_path):
    root = make_project(tmp_path, BOOK)
    assert run_quire("build", root, "--format", "epub").returncode == 0
    epub = next((root / "dist").glob("*.epub"))
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(epub) as source, zipfile.ZipFile(broken, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.endswith("text/02-two.xhtml"):
                data = data.replace(b"<p>The second", b'<p badattr="1">The second')
                assert b"badattr" in data
            out.writestr(item, data)
    lines = check.run_epubcheck(broken, None, {"text/02-two.xhtml": "content/02-two.md"}, root)
    assert lines, "EPUBCheck found nothing"
    assert all(line.startswith("content/02-two.md:5: EPUBCheck error RSC-005") for line in lines), \
        lines
    assert "badattr" in lines[0]


def test_check_pdf_file_runs_the_glyph_checks(tmp_path):
    root = make_project(tmp_path, {"a.md": "# Glyphs\n\nA private-use character: \ue000 here.\n"})
    done = run_quire("build", root, "--format", "pdf")
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "copy.pdf"
    shutil.copy(next((root / "dist").glob("*.pdf")), pdf)
    done = run_quire("check", pdf)
    assert done.returncode == 1
    assert "characters drawn with no glyph" in done.stdout, done.stdout
    assert "\ue000" in done.stdout


def _pdf_with_overflow(path, line: str, image_width: str) -> None:
    """A PDF as another tool might make it: a run of text that starts inside the page and
    runs off its right edge, an image wider than the page (WeasyPrint, no quire)."""
    import base64
    import io

    import weasyprint
    from PIL import Image

    png = io.BytesIO()
    Image.new("L", (1200, 300), 0).save(png, "PNG")
    uri = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    weasyprint.HTML(string=f"""<style>@page {{ size: A5; margin: 20mm }}
        p {{ font: 12pt serif }} h1 {{ break-before: page }}</style>
        <p><a href="#two">A short line, well inside the page.</a></p>
        <h1 id="two">Two</h1>
        <p style="white-space: nowrap">{line}</p>
        <p><img src="{uri}" style="width: {image_width}"></p>""").write_pdf(path)


def test_preflight_measures_the_whole_run_and_the_image(tmp_path):
    over, fine = tmp_path / "over.pdf", tmp_path / "fine.pdf"
    _pdf_with_overflow(over, "This line cannot break and goes on well past the right "
                             "edge of the paper it is printed on", "160mm")
    _pdf_with_overflow(fine, "Short.", "60mm")
    done = run_quire("check", over)
    assert done.returncode == 1
    assert f"{over}: page 2: text within 5 mm of the trim" in done.stdout, done.stdout
    assert f"{over}: page 2: an image within 5 mm of the trim or past it" in done.stdout
    done = run_quire("check", fine)
    assert done.returncode == 0, done.stdout
    lines = check._preflight(over, False, 150, {"two": "content/two.md"}, glyphs=False)
    assert "content/two.md: page 2: text within 5 mm of the trim" in lines, lines


def test_preflight_reads_a_shown_array_as_its_items_say():
    """The fast reading of WeasyPrint's TJ arrays (hex strings, numbers) gives what a
    visit of the items gives, and literal strings are read too."""
    import pikepdf

    from quire import preflight
    hexes = pikepdf.Array([pikepdf.String(b"\x00\x12"), -12, pikepdf.String(b""),
                           pikepdf.String(b"\x01\xa1\x00\x03"), 98.5, -0.25])
    assert preflight._shown(hexes) == (b"\x00\x12\x01\xa1\x00\x03", 86.25)
    literal = pikepdf.Array([pikepdf.String(b"(a)"), 10, pikepdf.String(b"b\\")])
    assert preflight._shown(literal) == (b"(a)b\\", 10.0)
    assert preflight._shown(pikepdf.String(b"xy")) == (b"xy", 0.0)


_DIAGRAM = """<svg xmlns="http://www.w3.org/2000/svg" width="240" height="90" viewBox="0 0 240 90">
<style>.edge { stroke: #336699 }</style>
<rect x="2" y="2" width="100" height="40" fill="yellow" stroke="black"/>
<ellipse cx="170" cy="22" rx="60" ry="20" style="fill: lightgreen; stroke: rgb(20, 120, 40)"/>
<line class="edge" x1="100" y1="22" x2="110" y2="22"/>
<polygon fill="#ffffff" stroke="transparent" points="200,88 200,60 238,60 238,88"/>
<text x="10" y="70">on_config</text>
<text x="10" y="85">fill: red; color: blue</text>
</svg>
"""


def test_svg_diagrams_print_in_cmyk(tmp_path):
    """A diagram inline (a snippet, as MkDocs' docs have it) and as an image file, in
    named, hex and rgb() colours, in style attributes and a <style>, a stroke
    "transparent" (as Graphviz writes), with text black by default, and a stylesheet
    naming colours and using hsl(): no RGB reaches the print PDF, and the colours are
    drawn in CMYK."""
    import pikepdf

    root = make_project(tmp_path / "p", {
        "content/diagram.md": "# Events\n\nInline:\n\n--8<-- \"img/d.svg\"\n\n"
                              "As a file:\n\n![The events](img/d.svg)\n",
        "content/img/d.svg": _DIAGRAM,
        "styles/custom.css": "h1 { color: navy } p { color: hsl(120, 60%, 30%) }\n"})
    done = run_quire("build", root, "--format", "pdf")
    assert done.returncode == 0, done.stderr
    pdf = next((root / "dist").glob("*.pdf"))
    done = run_quire("check", pdf)
    assert "RGB" not in done.stdout, done.stdout
    with pikepdf.open(pdf) as document:
        streams = [document.pages[0].Contents.read_bytes()] + [
            x.read_bytes() for x in document.pages[0].Resources.get("/XObject", {}).values()]
    drawn = b"".join(streams)
    assert drawn.count(b"/DeviceCMYK cs") >= 2 and b" rg\n" not in drawn
    assert b" RG\n" not in drawn               # Graphviz's stroke="transparent" too
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert text.count("fill: red; color: blue") == 2       # text is never a colour
