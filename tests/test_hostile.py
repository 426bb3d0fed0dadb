"""Hostile input, hostile folders (issue 13): what an attacker or a careless user can put in
a project never reaches an output as a script or a remote reference, never reads outside
the project, never runs code, never leaves half-written outputs, and fails in one line."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from conftest import DOC, epubcheck, make_project, one_error, problems, project_with, run_quire
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

XHTML = "{http://www.w3.org/1999/xhtml}"
ACTIVE = {"script", "iframe", "object", "embed", "frame", "frameset", "applet", "portal",
          "handler", "listener", "set", "animate", "animateMotion", "animateTransform",
          "foreignObject", "base", "meta", "link", "style", "form", "input", "button",
          "audio", "video", "source", "picture", "template", "discard", "feImage"}
ALLOWED_LINK = re.compile(r"^(https?:|mailto:|#|[^:]*$)", re.IGNORECASE)


def inert(xhtml: str) -> list[str]:
    """What in a page (or fragment) could run or load from the network: [] when nothing."""
    found = []
    root = etree.fromstring(xhtml.encode()) if xhtml.lstrip().startswith("<?xml") else \
        etree.fromstring(f'<div xmlns="http://www.w3.org/1999/xhtml">{xhtml}</div>'.encode())
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = etree.QName(el).localname
        if name in ACTIVE and not (name in ("link", "meta", "style") and
                                   el.getparent() is not None and
                                   etree.QName(el.getparent()).localname == "head"):
            found.append(f"<{name}>")
        for attribute, value in el.attrib.items():
            local = etree.QName(attribute).localname.lower()
            squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
            if local.startswith("on") or local in ("srcset", "ping", "to", "values", "from",
                                                    "by", "action", "formaction", "poster"):
                found.append(f"{name}@{local}")
            if local in ("href", "src") and not ALLOWED_LINK.match(squeezed):
                found.append(f"{name}@{local}={value[:40]}")
            if local in ("src",) and "://" in squeezed:
                found.append(f"{name}@src={value[:40]}")
            if local == "href" and name != "a" and not squeezed.startswith(("#", "../", "styles/")):
                found.append(f"{name}@href={value[:40]}")
            if "url(" in squeezed.replace("\\", "") and not re.fullmatch(
                    r"(?:[^u]|u(?!rl\())*(url\(['\"]?#[^)]*\)(?:[^u]|u(?!rl\())*)*", squeezed):
                found.append(f"{name}@{local}: url()")
            if re.search(r"javascript:|vbscript:|image-set|@import|\\", squeezed):
                found.append(f"{name}@{local}={value[:40]}")
    return found


def epub_pages(epub) -> dict[str, str]:
    with zipfile.ZipFile(epub) as zf:
        return {name: zf.read(name).decode("utf-8") for name in zf.namelist()
                if name.endswith((".xhtml", ".css", ".opf", ".ncx"))}


# -- 1. the allowlist sanitizer ---------------------------------------------------------

PAYLOADS = [
    '<x:script xmlns:x="http://www.w3.org/1999/xhtml">alert("ns-script")</x:script>',
    '<h:iframe xmlns:h="http://www.w3.org/1999/xhtml" src="https://evil.example/f"></h:iframe>',
    ('<svg width="10" height="10"><a href="#x"><set attributeName="href" '
    'to="javascript:alert(1)"/><text y="9">set</text></a></svg>'),
    ('<svg width="10" height="10"><a href="#x"><animate attributeName="href" '
    'values="javascript:alert(2)"/><text y="9">animate</text></a></svg>'),
    ('<svg xmlns:q="http://www.w3.org/1999/xlink" width="10" height="10">'
    '<a q:href="javascript:alert(3)"><text y="9">xlink</text></a></svg>'),
    ('<svg width="10" height="10"><use href="data:image/svg+xml;base64,'
    'PHN2ZyB4bWxucz0naHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmcnPjxzY3JpcHQ+YWxlcnQoNCk8L3NjcmlwdD48L3N2Zz4='
    '#x"/></svg>'),
    '<a href="data:application/xhtml+xml;base64,PHNjcmlwdD4=">datalink</a>',
    '<span style="background: url(javascript:alert(5))">styleurl</span>',
    '<portal src="https://evil.example/portal"></portal>',
    '<svg width="10" height="10"><handler type="application/ecmascript">alert(6)</handler></svg>',
    '<svg width="10" height="10"><style>@import url(https://evil.example/a.css);</style></svg>',
    ('<svg width="10" height="10"><image href="https://evil.example/i.png" width="5" '
    'height="5"/></svg>'),
    '<span style="background-image: url(https://evil.example/bg.png)">bg</span>',
    '<img srcset="https://evil.example/s.png 2x" src="https://evil.example/s.png" alt="s"/>',
    '<picture><source srcset="https://evil.example/p.webp"/></picture>',
    '<span style="color: red; background: \\75rl(https://evil.example/esc.png)">escaped</span>',
    '<span style="background: image-set(\'https://evil.example/set.png\' 1x)">imageset</span>',
    '<a href="https://ok.example/" ping="https://evil.example/ping">ping</a>',
    '<meta http-equiv="refresh" content="0; url=https://evil.example/"/>',
    '<base href="https://evil.example/"/>',
    '<math><mi href="javascript:alert(7)">x</mi></math>',
    ('<svg width="10" height="10"><foreignObject><iframe src="https://evil.example/"/>'
    '</foreignObject></svg>'),
    '<span foo:bar="1">prefixed attribute</span>',
    '<p><urn:isbn:123></p>',
    '<javascript:alert(8)>',
]


def test_hostile_html_reaches_no_output(tmp_path):
    body = "\n\n".join(p for p in PAYLOADS if "<img" not in p)
    root = project_with(tmp_path, body)
    done = run_quire("build", root)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "removed <script>" in done.stderr and "removed <iframe>" in done.stderr
    remote = [line for line in done.stderr.splitlines() if "remote reference" in line]
    assert len(remote) == 1, done.stderr                       # one grouped warning
    pages = epub_pages(root / "dist" / "prove.epub")
    text = pages["EPUB/text/a.xhtml"]
    assert "evil.example" not in "".join(pages.values())
    assert "alert(" not in text and "javascript" not in text
    assert inert(text) == [], inert(text)
    assert "styleurl" in text and "escaped" in text and "color: red" in text
    assert 'href="https://ok.example/"' in text
    assert problems(epubcheck(root / "dist" / "prove.epub")) == []
    pdf = (root / "dist" / "prove.pdf").read_bytes()
    assert b"evil.example" not in pdf and b"JavaScript" not in pdf


def test_remote_image_in_a_lead_is_dropped(tmp_path):
    doc = ("---\ntitle: Prøve\nlead: 'Ingress <img src=\"https://evil.example/l.png\" alt=\"x\"/> "
           "og <script>alert(1)</script> slutt'\n---\n\nTekst.\n")
    root = make_project(tmp_path / "p", {"content/a.md": doc})
    done = run_quire("build", root, "--format", "epub")
    assert done.returncode == 0, done.stderr
    assert "remote reference" in done.stderr and "removed <script>" in done.stderr
    text = epub_pages(root / "dist" / "prove.epub")["EPUB/text/a.xhtml"]
    assert "evil.example" not in text and "alert" not in text and "Ingress" in text


@pytest.mark.parametrize("css, message", [
    ("@IMPORT url(https://evil.example/a.css);", "never fetches"),
    ("p { background: \\75rl(https://evil.example/b.png); }", "never fetches"),
    ("p { background: image-set('https://evil.example/c.png' 1x); }", "never fetches"),
    ("p { background: url('data:text/css,p{}'); }", "data: URL"),
], ids=["import-caps", "escaped-url", "image-set", "data-css"])
def test_stylesheet_references_are_read_as_css(tmp_path, css, message):
    root = project_with(tmp_path, "", {"styles/epub.css": f"p {{ color: black; }}\n{css}\n"})
    one_error(run_quire("build", root, "--format", "epub"), "styles/epub.css:2:", message)


def test_imported_stylesheet_is_checked_too(tmp_path):
    root = project_with(tmp_path, "", {
        "styles/epub.css": "@import 'more.css';\n",
        "styles/more.css": "p { color: black; }\np { background: url(https://evil.example/x); }\n"})
    one_error(run_quire("build", root, "--format", "epub"), "styles/more.css:2:",
              "never fetches")


_FRAGMENTS = st.sampled_from([
    "<script>alert(1)</script>", "<x:script xmlns:x='http://www.w3.org/1999/xhtml'>a()</x:script>",
    "<svg>", "</svg>", "<math>", "</math>", "<a href='javascript:a()'>", "</a>",
    "<a href='https://ok.example/'>", "<a xlink:href='java\tscript:a()'>",
    "<set attributeName='href' to='javascript:a()'/>", "<animate values='javascript:a()'/>",
    "<use href='https://evil.example/u.svg#a'/>", "<image href='//evil.example/i.png'/>",
    "<span style='background:u\\72l(https://evil.example/e)'>", "</span>",
    "<span style=\"background:url('https://evil.example/q')\">",
    "<div onclick='a()' onmouseover='b()'>", "</div>", "<p>", "</p>", "text ",
    "<iframe src='https://evil.example/'>", "<object data='x'>", "<embed src='x'>",
    "<img src='x.png' srcset='https://evil.example/s 2x' alt=''>",
    "<a ping='https://evil.example/p'>", "<foreignObject>", "</foreignObject>",
    "<style>@import 'https://evil.example/s.css';</style>", "<base href='https://evil.example/'>",
    "<meta http-equiv='refresh' content='0;url=https://evil.example/'>",
    "<svg:script xmlns:svg='http://www.w3.org/2000/svg'>a()</svg:script>",
    "<h:a xmlns:h='http://www.w3.org/1999/xhtml' href='vbscript:a()'>", "<portal>",
    "<handler>", "<rect fill='url(https://evil.example/f)' style='fill:url(#g)'/>",
    "<mi href='javascript:a()'>", "<!-- c -->", "<![CDATA[ x ]]>", "&amp;", "<urn:x:y>",
    "<a href='data:text/html,<script>a()</script>'>", "<image href='data:image/svg+xml,x'/>",
    "<table><tr><td background='https://evil.example/t.png'>", "</td></tr></table>",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_FRAGMENTS, min_size=1, max_size=12))
def test_generated_fragments_are_inert(pieces):
    from quire import markup

    text = "".join(pieces)
    result = markup.convert(text, lang="en", label="a.md", first_line=1,
                            claim_id=lambda wanted: wanted, resolve_image=lambda src, line: src)
    xhtml = result.xhtml()
    assert inert(xhtml) == [], (text, xhtml)
    assert "evil.example" not in xhtml, (text, xhtml)


# -- helpers for builds that must fail and leave the outputs alone ------------------------

def outputs(root) -> dict[str, bytes]:
    dist = root / "dist"
    return {p.name: p.read_bytes() for p in dist.iterdir() if p.is_file()} if dist.is_dir() else {}


def good_then(tmp_path, break_it, *parts, files=None, build=("build",)):
    """Build a good project, break it with `break_it(root)`, build again: one error line
    naming `parts`, no traceback, the previous outputs byte-identical, no stray files."""
    root = project_with(tmp_path, "", files)
    done = run_quire(*build, root)
    assert done.returncode == 0, done.stderr
    before = outputs(root)
    assert before
    break_it(root)
    line = one_error(run_quire(*build, root), *parts)
    assert outputs(root) == before
    assert not [p.name for p in (root / "dist").iterdir() if p.name.endswith(".tmp")
                or p.name.startswith(".quire-parts-")]
    return root, line


CANARY = "CANARY-7f3a outside the project"


def canary(tmp_path, name="outside.md"):
    path = tmp_path / name
    path.write_text(f"---\ntitle: Canary\n---\n\n{CANARY}\n")
    return path


def assert_no_canary(root):
    for path in (root / "dist").rglob("*"):
        if path.is_file():
            assert b"CANARY-7f3a" not in path.read_bytes(), path
            if path.suffix == ".epub":
                with zipfile.ZipFile(path) as zf:
                    assert all(b"CANARY-7f3a" not in zf.read(n) for n in zf.namelist())


# -- 2. nothing outside the project is read -----------------------------------------------

@pytest.mark.parametrize("where, message", [
    ("content/b.md", "content/b.md: is a link to outside the project folder"),
    ("content", "content: is a link to outside the project folder"),
    ("styles/epub.css", "styles/epub.css: is a link to outside the project folder"),
    ("templates/_header.html", "templates/_header.html: a link to a file outside the project"),
    ("quire.toml", "quire.toml: is a link to outside the project folder"),
], ids=["markdown", "content-folder", "stylesheet", "template", "quire.toml"])
def test_links_out_of_the_project_are_refused(tmp_path, where, message):
    outside = canary(tmp_path)
    if where == "content":
        (tmp_path / "elsewhere").mkdir()
        (tmp_path / "elsewhere" / "a.md").write_text(outside.read_text())
        outside = tmp_path / "elsewhere"

    def link(root):
        target = root / where
        if target.is_dir():
            import shutil
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        target.symlink_to(outside)
    root, _ = good_then(tmp_path, link, message)
    assert_no_canary(root)


# -- 3. templates run sandboxed -----------------------------------------------------------

@pytest.mark.parametrize("template, message", [
    ("x\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n", "templates/_header.html:2:"),
    ("{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}\n",
     "templates/_header.html:1:"),
    ("{% set x = [] %}{{ x.append(1) }}\n", "templates/_header.html:1:"),
    ("{{ 1 / 0 }}\n", "templates/_header.html:1:"),
], ids=["mro", "globals", "mutation", "zero-division"])
def test_templates_cannot_reach_python(tmp_path, template, message):
    root, _ = good_then(tmp_path, lambda root: make_project(
        root, {"templates/_header.html": template}), message)
    assert not list(tmp_path.rglob("PWNED")) and not (root.parent / "PWNED").exists()
    assert not (Path.cwd() / "PWNED").exists()      # where a popen would have run


# -- 4. the cache verifies what it reads --------------------------------------------------

def _long_project(root):
    para = ("Avsnitt med nok tekst til at boken legges ut i deler, og litt til. " * 12 + "\n\n")
    return make_project(root, {
        "quire.toml": 'title = "Lang"\nlang = "nb"\n',
        **{f"content/{n}.md": f"# Kapittel {n}\n\n" + para * 40 for n in (1, 2, 3)},
        "content/4.md": "# Kapittel 4\n\nKort [se kapittel 1](1.md){.page}.\n\n"
                        "![Bilde](bilde.png \"Et bilde\")\n",
        "content/bilde.png": __import__("projects").image("PNG", (60, 40)),
    })


def _damage(cache_dir):
    """Damage every cache entry, each in one of several ways."""
    import hashlib
    damaged = 0
    for n, path in enumerate(sorted(p for p in cache_dir.rglob("*") if p.is_file())):
        data = path.read_bytes()
        kind = n % 3                 # a resealed edit only where JSON has a shape to check
        if path.suffix in (".json", ".numbers", ".findings", ".text") or path.name == "builds":
            kind = 3 if n % 2 else kind
        if kind == 0:                                   # one bit flipped
            i = len(data) * 2 // 3
            data = data[:i] + bytes([data[i] ^ 0x10]) + data[i + 1:]
        elif kind == 1:                                 # truncated
            data = data[:len(data) // 2]
        elif kind == 2:                                 # edited, as a person would
            data = data.replace(b"Kapittel", b"KAPITTEL-EDITED").replace(b"e", b"E", 3) \
                + b"<p>INJECTED</p>"
        else:                                           # well sealed, wrong shape
            body = b'["not", "what", {"starts": 1}]'
            data = b"quire-cache 1 sha256:" + hashlib.sha256(body).hexdigest().encode() \
                + b"\n" + body
        path.write_bytes(data)
        damaged += 1
    return damaged


def test_a_damaged_cache_is_rebuilt_never_trusted(tmp_path):
    root = _long_project(tmp_path / "p")
    first = run_quire("build", root, "-j", "2")
    assert first.returncode == 0, first.stderr
    cache = root / "dist" / ".quire-cache"
    assert (cache / "chunks").is_dir()               # laid out in chunks: their cache too
    assert _damage(cache) > 10
    with open(root / "content" / "2.md", "a") as out:
        out.write("\nEn ny setning.\n")
    again = run_quire("build", root, "-j", "2")
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr
    clean = run_quire("build", root, "-j", "2", "--out", tmp_path / "clean")
    assert clean.returncode == 0, clean.stderr
    for name in ("lang.pdf", "lang.epub"):
        assert (root / "dist" / name).read_bytes() == (tmp_path / "clean" / name).read_bytes()
    pages = epub_pages(root / "dist" / "lang.epub")
    assert not any("EDITED" in t or "INJECTED" in t for t in pages.values())
    _damage(cache)                                   # and once more, with nothing changed
    third = run_quire("build", root, "-j", "1")
    assert third.returncode == 0 and "Traceback" not in third.stderr, third.stderr
    for name in ("lang.pdf", "lang.epub"):
        assert (root / "dist" / name).read_bytes() == (tmp_path / "clean" / name).read_bytes()


# -- 5. all outputs or none ---------------------------------------------------------------

def test_a_failing_epub_stage_leaves_the_pdf_alone(tmp_path):
    good_then(tmp_path, lambda root: make_project(root, {
        "templates/nav.xhtml": "<html><body>{% for x in 1 %}{% endfor %}</body></html>\n"}),
        "templates/nav.xhtml:1:")


def test_leftovers_of_killed_builds_are_removed(tmp_path):
    import os
    import subprocess
    import time
    dead = subprocess.Popen(["true"])
    dead.wait()
    root = project_with(tmp_path, "")
    dist = root / "dist"
    dist.mkdir()
    leftovers = [dist / f".prove.pdf.{dead.pid}-abcd1234.tmp", dist / ".prove.epub.k2j4h_x1.tmp",
                 dist / f".quire-parts-{dead.pid}-q1w2e3", dist / ".quire-parts-zz9y8x"]
    for path in leftovers:
        if "parts" in path.name:
            path.mkdir()
            (path / "part-00000.pdf").write_bytes(b"%PDF-")
        else:
            path.write_bytes(b"half a file")
    old = time.time() - 3600
    for path in leftovers[1::2]:
        os.utime(path, (old, old))
    alive = dist / f".prove.pdf.{os.getpid()}-live0001.tmp"      # a build still running
    alive.write_bytes(b"in progress")
    done = run_quire("build", root)
    assert done.returncode == 0, done.stderr
    assert not any(path.exists() for path in leftovers)
    assert alive.exists()
    assert sorted(p.name for p in dist.iterdir() if not p.name.startswith(".quire-cache")) == \
        sorted([alive.name, "prove.epub", "prove.pdf"])


# -- 6. bounded work ----------------------------------------------------------------------

@pytest.mark.parametrize("body, message", [
    ("> " * 100000 + "x", "content/a.md:8: nesting deeper than 100 levels"),
    ("+ " * 100000 + "x", "content/a.md:8: nesting deeper than 100 levels"),
    ("<div>" * 100000 + "x", "content/a.md:8: nesting deeper than 220 elements"),
    ("\n".join("    " * i + "- x" for i in range(300)), "content/a.md:108: nesting deeper"),
    ("[" * 50000, "content/a.md:8: more than 1000 '['"),
    ("*a" * 50000, "content/a.md:8: more than 5000 '*' and '_'"),
], ids=["quotes", "lists", "divs", "indentation", "brackets", "emphasis"])
def test_pathological_markdown_is_refused_in_one_line(tmp_path, body, message):
    good_then(tmp_path, lambda root: make_project(
        root, {"content/a.md": DOC.format(extra=body)}), message)


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    good_then(tmp_path, lambda root: make_project(
        root, {"content/a.md": DOC.format(extra=("Lorem ipsum. " * 80 + "\n\n") * 12000)}),
        "content/a.md:", "MB; the limit is 10 MB")


def test_a_huge_title_is_a_config_error(tmp_path):
    good_then(tmp_path, lambda root: make_project(
        root, {"content/a.md": "---\ntitle: '" + "Ord " * 25000 + "'\n---\n\nTekst.\n"}),
        "content/a.md:2: title: 99,999 characters; a title can have at most 1,000")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([
    "# Same\n\n", "## Same *em* text\n\n", "Para with **strong** and `code`.\n\n",
    "- item \"quoted\" -- dash...\n- item two\n\n", "> quote [link](https://x.example/)\n\n",
    "Text[^n] after.\n\n[^n]: A note.\n\n", "Line one  \nline two <span>raw</span> tail\n\n",
    "*[HTML]: Hyper\n\nHTML here.\n\n", "Term\n:   definition\n\n",
    "An \\*escaped\\* star, &amp; &copy; and ***both*** _under_ __strong__.\n\n",
    "See <https://x.example/a> or <a@b.example>, ![pic](p.png \"T\") [ref][r] [r].\n\n",
    "[r]: https://r.example/\n\n", "``code with ` tick`` and [*em link*](u 'title')'s.\n\n",
    "<b>bold **not**</b> 'single' 1990's --- \"end\"\n\n"]), min_size=1, max_size=30))
def test_linear_inline_pass_is_python_markdowns(pieces):
    import markdown

    from quire.markdown_linear import LinearInline
    text = "".join(pieces)
    extensions = ["extra", "toc", "smarty", "admonition", "sane_lists"]
    original = markdown.Markdown(extensions=extensions, output_format="xhtml").convert(text)
    linear = markdown.Markdown(extensions=[*extensions, LinearInline()],
                               output_format="xhtml").convert(text)
    assert linear == original


# -- 7. one line, not a traceback ---------------------------------------------------------

@pytest.mark.parametrize("title, message", [
    ('"Tittel \\x01 med kontrolltegn"', "title: contains the character U+0001"),
    ('"Tittel \\uD800 med surrogat"', "title: contains the character U+D800"),
], ids=["control", "surrogate"])
def test_unwritable_characters_in_a_title(tmp_path, title, message):
    good_then(tmp_path, lambda root: make_project(
        root, {"content/a.md": f"---\ntitle: {title}\n---\n\nTekst.\n"}), message)


def test_quire_toml_that_is_a_folder(tmp_path):
    good_then(tmp_path, lambda root: (root / "quire.toml").mkdir(), "quire.toml: is a folder")


@pytest.mark.parametrize("toml, message", [
    ('[pdf]\npage_size = "0mm 0mm"\n', "pdf.page_size: expected a page between 50 mm"),
    ('[pdf]\npage_size = "100mm 150mm"\n[pdf.margins]\ninner = "50mm"\nouter = "40mm"\n',
     "pdf.margins: 50mm + 40mm leave no room on a page 100mm in width"),
])
def test_a_page_that_cannot_hold_text_is_a_config_error(tmp_path, toml, message):
    root = tmp_path / "p"
    (root / "content").mkdir(parents=True)
    (root / "content" / "a.md").write_text("# A\n\nText.\n")
    (root / "quire.toml").write_text(toml)
    done = run_quire("build", root)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert message in done.stderr and not (root / "dist" / "a.pdf").exists()
