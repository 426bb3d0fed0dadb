"""quire check: reuses an up-to-date build, runs EPUBCheck and names its findings by the
Markdown file and line, and checks a PDF file's glyphs as a build does."""

from __future__ import annotations

import shutil
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
