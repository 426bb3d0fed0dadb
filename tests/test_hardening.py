"""Hardening: unsafe or broken input is refused with one exact line; builds repeat exactly."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile

import pytest
from PIL import Image
from pypdf import PdfReader

from conftest import DOC, epubcheck, make_project, one_error, problems, project_with, run_quire
from projects import image


@pytest.mark.parametrize("name, content, message", [
    ("bilde.png", b"not an image at all", "cannot be read as an image"),
    ("bilde.png", image("BMP", (8, 8)), "is in BMP format"),
    ("bilde.bmp", image("BMP", (8, 8)), "unsupported format"),
    ("bilde.svg", b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                  b'<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>', "entities"),
    ("bilde.svg", b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
                  b'<image xlink:href="http://example.org/x.png"/></svg>', "must be self-contained"),
    ("bilde.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "scripts and foreign objects are refused"),
    ("bilde.svg", b"<svg", "not well-formed SVG"),
], ids=["garbage", "bmp-as-png", "bmp", "svg-entities", "svg-external", "svg-script", "svg-broken"])
def test_bad_images(tmp_path, name, content, message):
    root = project_with(tmp_path, f"![Et bilde]({name})", {f"content/{name}": content})
    one_error(run_quire("build", root, "--format", "epub"), "content/a.md:8:", message)


def test_decompression_bomb(tmp_path):
    out = io.BytesIO()
    Image.new("1", (12_000, 9_000)).save(out, "PNG")
    root = project_with(tmp_path, "![Stor](stor.png)", {"content/stor.png": out.getvalue()})
    one_error(run_quire("build", root, "--format", "epub"), "content/a.md:8:", "stor.png")


@pytest.mark.parametrize("src, message", [      # a remote image: see test_real_markdown
    ("/etc/hostname", "absolute path"),
    ("../../../../../../etc/hostname", "outside the project folder"),
    ("lenke.png", "outside the project folder"),
])
def test_paths_that_leave_the_project(tmp_path, src, message):
    outside = tmp_path / "outside.png"
    outside.write_bytes(image("PNG"))
    root = project_with(tmp_path, f"![Bilde]({src})")
    os.symlink(outside, root / "content" / "lenke.png")
    one_error(run_quire("build", root, "--format", "epub"), "content/a.md:8:", message)


def test_remote_url_in_a_stylesheet(tmp_path):
    root = project_with(tmp_path, "", {"styles/shared.css":
                                       "p { color: black; }\n@import url(http://example.org/x.css);\n"})
    one_error(run_quire("build", root), "styles/shared.css:2:", "never fetches")


def test_empty_content_folder(tmp_path):
    root = make_project(tmp_path, {"quire.toml": "title = 'Tom'\n"})
    (root / "content").mkdir()
    one_error(run_quire("build", root), "no Markdown (.md) files")


def test_listed_document_missing(tmp_path):
    root = project_with(tmp_path, "", {"quire.toml": 'documents = ["a.md", "borte.md"]\n'})
    one_error(run_quire("build", root), "quire.toml", "borte.md", "not found")


def test_broken_project_template(tmp_path):
    root = project_with(tmp_path, "", {"templates/_header.html": "<header>{% if %}</header>\n"})
    one_error(run_quire("build", root, "--format", "epub"), "_header.html:1:", "template error")


def test_unsafe_html_is_removed_with_warnings(tmp_path):
    root = project_with(tmp_path, '<script>alert(1)</script>\n\n'
                                  '<p onclick="steal()">Klikk</p>\n\n'
                                  '[lenke](javascript:alert(1)) og <iframe src="x"></iframe>\n\n'
                                  '<span style="color:red">trygg&nbsp;tekst</span>')
    done = run_quire("build", root, "--format", "epub")
    assert done.returncode == 0, done.stderr
    assert "content/a.md:8: removed <script>" in done.stderr
    assert "removed onclick" in done.stderr and "removed href" in done.stderr
    assert "removed <iframe>" in done.stderr
    epub = root / "dist" / "prove.epub"
    with zipfile.ZipFile(epub) as zf:
        text = zf.read("EPUB/text/a.xhtml").decode()
        opf = zf.read("EPUB/content.opf").decode()
    for gone in ("<script", "onclick", "javascript:", "<iframe"):
        assert gone not in text
    assert "trygg\u00a0tekst" in text and "scripted" not in opf
    assert problems(epubcheck(epub)) == []


def test_strict_fails_on_warnings_and_keeps_the_old_file(tmp_path):
    root = project_with(tmp_path, "![](bilde.png)", {"content/bilde.png": image("PNG")})
    (root / "content" / "a.md").write_text(DOC.format(extra="![Alt](bilde.png)"))
    assert run_quire("build", root, "--format", "epub").returncode == 0
    epub = root / "dist" / "prove.epub"
    before = epub.read_bytes()
    (root / "content" / "a.md").write_text(DOC.format(extra="![](bilde.png)\n\nNy tekst."))
    loose = run_quire("build", root, "--format", "epub", "--out", tmp_path / "loose")
    assert loose.returncode == 0 and "content/a.md:8: image 'bilde.png' has no alt text" in loose.stderr
    done = run_quire("build", root, "--format", "epub", "--strict")
    one_error(done, "--strict")
    assert epub.read_bytes() == before


def test_metadata_with_markup_characters(tmp_path):
    title = 'A <b>bold</b> & "quoted" title </style>'
    root = make_project(tmp_path, {"content/a.md": f"---\ntitle: '{title}'\n---\n\nText.\n",
                                   "quire.toml": 'name = "odd"\n'})
    done = run_quire("build", root)
    assert done.returncode == 0, done.stderr
    assert problems(epubcheck(root / "dist" / "odd.epub")) == []
    assert PdfReader(str(root / "dist" / "odd.pdf")).metadata.title == title
    with zipfile.ZipFile(root / "dist" / "odd.epub") as zf:
        assert "A &lt;b&gt;bold&lt;/b&gt; &amp; \"quoted\" title" in zf.read("EPUB/text/a.xhtml").decode()


def test_manuscript_is_never_a_template(tmp_path):
    root = project_with(tmp_path, "{{ 7 * 7 }} {% raw %} {# x #}")
    assert run_quire("build", root, "--format", "epub").returncode == 0
    with zipfile.ZipFile(root / "dist" / "prove.epub") as zf:
        assert "{{ 7 * 7 }} {% raw %} {# x #}" in zf.read("EPUB/text/a.xhtml").decode()


def test_source_date_epoch_sets_every_date(tmp_path):
    root = project_with(tmp_path, "")
    outs = []
    for n in (1, 2):
        out = tmp_path / f"out{n}"
        done = run_quire("build", root, "--out", out, env={"SOURCE_DATE_EPOCH": "1700000000"})
        assert done.returncode == 0, done.stderr
        outs.append(out)
    for fmt in ("pdf", "epub"):
        assert (outs[0] / f"prove.{fmt}").read_bytes() == (outs[1] / f"prove.{fmt}").read_bytes()
    with zipfile.ZipFile(outs[0] / "prove.epub") as zf:
        assert "2023-11-14T22:13:20Z" in zf.read("EPUB/content.opf").decode()
        assert all(info.date_time == (2023, 11, 14, 22, 13, 20) for info in zf.infolist())
    info = PdfReader(str(outs[0] / "prove.pdf")).metadata
    assert info["/ModDate"].startswith("D:20231114221320")


def test_two_builds_at_once_never_corrupt(tmp_path):
    root = project_with(tmp_path, "")
    command = [sys.executable, "-m", "quire", "build", str(root), "--format", "epub"]
    runs = [subprocess.Popen(command, stderr=subprocess.PIPE) for _ in range(3)]
    assert all(run.wait() == 0 for run in runs)
    epub = root / "dist" / "prove.epub"
    with zipfile.ZipFile(epub) as zf:
        assert zf.testzip() is None
    assert [p.name for p in (root / "dist").iterdir() if not p.name.startswith(".")] == ["prove.epub"]


def test_documents_with_the_same_output_name(tmp_path):
    root = make_project(tmp_path, {"content/a-b.md": "# En\n", "content/a/b.md": "# To\n"})
    done = run_quire("build", root, "--format", "epub")
    assert done.returncode == 0, done.stderr
    epub = next((root / "dist").glob("*.epub"))
    with zipfile.ZipFile(epub) as zf:
        names = [n for n in zf.namelist() if n.startswith("EPUB/text/")]
    assert sorted(names) == ["EPUB/text/a-b-2.xhtml", "EPUB/text/a-b.xhtml",
                             "EPUB/text/titlepage.xhtml"]
    assert problems(epubcheck(epub)) == []


def test_weasyprint_warnings_name_the_stylesheet(tmp_path):
    root = project_with(tmp_path, "", {"styles/print.css": "p { colr: red; }\n"})
    done = run_quire("build", root, "--format", "pdf")
    assert done.returncode == 0
    assert "warning: PDF: styles/print.css: Ignored `colr: red` at 1:5, unknown property." \
        in done.stderr
    assert run_quire("build", root, "--format", "pdf", "--strict").returncode == 1
