"""A project's own templates pass through the manuscript's allowlist (issue 13): hostile
templates put no script and no remote reference into the EPUB; the built-in templates
copied into a project give the very same bytes (the guard changes nothing that is safe)."""

from __future__ import annotations

import shutil
import zipfile

from conftest import SEED, epubcheck, make_project, problems, run_quire
from test_hostile import epub_pages, inert

from quire.resources import templates_dir

EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}

DOCUMENT = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
HTML_OPEN
<head>
<meta charset="UTF-8"/>
<meta http-equiv="refresh" content="0;url=https://evil.example/refresh"/>
<base href="https://evil.example/base/"/>
<title>{{ doc.title }}</title>
<script>alert("head")</script>
<link rel="stylesheet" type="text/css" href="https://evil.example/remote.css"/>
<link rel="prefetch" href="https://evil.example/prefetch"/>
<style>@import url("https://evil.example/import.css"); p { color: black }</style>
<style>h1 { color: navy }</style>
{% for href in stylesheets %}
<link rel="stylesheet" type="text/css" href="{{ href }}"/>
{% endfor %}
</head>
<body onload="alert(1)" class="hostile">
<section class="document" id="{{ doc.id }}" epub:type="chapter" role="doc-chapter">
{{ page_head }}
<x:script xmlns:x="http://www.w3.org/1999/xhtml">alert("namespaced")</x:script>
<iframe src="https://evil.example/frame"></iframe>
<p style="background: url(https://evil.example/bg.png); color: red">Styled</p>
<img src="https://evil.example/track.png" alt="pixel"/>
<a href="javascript:alert(2)">click</a> <a href="https://example.org/ok">fine link</a>
SVG_LINE
{% include "_header.html" %}
{{ body }}
</section>
</body>
</html>
"""
DOCUMENT = DOCUMENT.replace("HTML_OPEN", (
    '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
    'lang="{{ doc.lang }}" xml:lang="{{ doc.lang }}" onclick="alert(0)">')).replace(
    "SVG_LINE", '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    '<image href="http://evil.example/i.png"/><set attributeName="href" '
    'to="javascript:alert(3)"/><rect width="5" height="5"/></svg>')
HEADER = """<header class="document-header">
<h1 class="title">{{ titles[doc.id] }}</h1>
<script>alert("header")</script>
<object data="https://evil.example/o.swf"></object>
</header>
"""


def _build(root):
    return run_quire("build", root, "--format", "epub", env=EPOCH)


def test_hostile_templates_put_no_script_and_no_remote_reference_into_the_epub(tmp_path):
    root = make_project(tmp_path / "p", {
        "content/a.md": "---\ntitle: Prøve\nlang: nb\n---\n\nTekst i brødteksten.\n",
        "templates/document.xhtml": DOCUMENT, "templates/_header.html": HEADER})
    done = _build(root)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    pages = epub_pages(root / "dist" / "prove.epub")
    page = pages["EPUB/text/a.xhtml"]
    assert inert(page) == [], inert(page)
    for name, text in pages.items():
        assert "evil.example" not in text and "alert(" not in text, name
    # what is safe stays: the body, the safe style, the book's stylesheet, epub:type, links
    assert "Tekst i brødteksten." in page and "Styled" in page
    assert 'epub:type="chapter"' in page and 'class="hostile"' in page
    assert "h1 { color: navy }" in page and 'href="../styles/shared.css"' in page
    assert 'style="color: red"' in page and 'href="https://example.org/ok"' in page
    assert "<rect" in page
    # the warnings name the template file and line
    warnings = done.stderr
    for expected in ("templates/document.xhtml:9: removed <script>",
                     "templates/document.xhtml:6: removed <meta>",
                     "templates/document.xhtml:7: removed <base>",
                     "templates/document.xhtml:11: removed <link>",
                     "templates/document.xhtml:21: removed <script>",
                     "templates/document.xhtml:22: removed <iframe>",
                     "templates/document.xhtml:25: removed href=\"javascript:alert(2)\"",
                     "templates/document.xhtml:26: removed <set>",
                     "templates/_header.html:3: removed <script>",
                     "templates/_header.html:4: removed <object>",
                     'templates/document.xhtml:3: removed onclick="alert(0)" (script)',
                     'templates/document.xhtml:18: removed onload="alert(1)" (script)',
                     "templates/document.xhtml:10: removed 2 remote reference(s)",
                     "remote reference(s)"):
        assert expected in warnings, warnings
    lines = [line for line in warnings.splitlines() if line.startswith("warning: ")]
    assert sum("removed <script>" in line for line in lines) == 3   # once each, not per page
    assert "3 × removed <script>" in warnings                        # and grouped by kind
    assert problems(epubcheck(root / "dist" / "prove.epub")) == []


def test_hostile_nav_and_title_page_templates_are_cleaned_too(tmp_path):
    builtin = templates_dir()
    nav = (builtin / "nav.xhtml").read_text(encoding="utf-8").replace(
        "<body>", '<body><script src="https://evil.example/nav.js"></script>'
                  '<img src="https://evil.example/nav.png" alt=""/>')
    title = (builtin / "_titlepage.html").read_text(encoding="utf-8").replace(
        '<p class="book-title">', '<iframe src="https://evil.example/t"></iframe>'
                                  '<p class="book-title" onmouseover="alert(4)">')
    root = make_project(tmp_path / "p", {
        "content/a.md": "---\ntitle: Prøve\nlang: nb\n---\n\nTekst.\n",
        "quire.toml": "title = 'Bok'\nlang = 'nb'\ntitle_page = true\n",
        "templates/nav.xhtml": nav, "templates/_titlepage.html": title})
    done = _build(root)
    assert done.returncode == 0, done.stderr
    pages = epub_pages(root / "dist" / "bok.epub")
    assert "EPUB/text/titlepage.xhtml" in pages
    for name in ("EPUB/nav.xhtml", "EPUB/text/titlepage.xhtml"):
        assert inert(pages[name]) == [], (name, inert(pages[name]))
        assert "evil.example" not in pages[name] and "alert(" not in pages[name]
    assert 'epub:type="toc"' in pages["EPUB/nav.xhtml"]
    assert "templates/nav.xhtml:" in done.stderr and "removed <script>" in done.stderr
    assert "templates/_titlepage.html:3: removed <iframe>" in done.stderr, done.stderr
    assert problems(epubcheck(root / "dist" / "bok.epub")) == []


def test_the_builtin_templates_in_a_project_give_the_same_bytes(tmp_path):
    """The guard keeps everything safe as it was: the seed article with copies of the
    built-in EPUB templates in templates/ is byte-identical to the one without."""
    plain = make_project(tmp_path / "plain", {"content/article.md": SEED.read_text("utf-8")})
    copied = tmp_path / "copied"
    shutil.copytree(plain, copied)
    (copied / "templates").mkdir()
    for name in ("document.xhtml", "nav.xhtml", "titlepage.xhtml", "_header.html",
                 "_footnotes.xhtml", "_titlepage.html"):
        shutil.copy(templates_dir() / name, copied / "templates" / name)
    for root in (plain, copied):
        done = _build(root)
        assert done.returncode == 0, done.stderr
    assert "removed" not in done.stderr
    first, second = (root / "dist" / "article.epub" for root in (plain, copied))
    with zipfile.ZipFile(second) as zf:
        assert any(b"<sup" in zf.read(n) or b"footnote" in zf.read(n) for n in zf.namelist())
    assert first.read_bytes() == second.read_bytes()
