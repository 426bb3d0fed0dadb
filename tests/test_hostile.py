"""Hostile input, hostile folders (issue 13): what an attacker or a careless user can put in
a project never reaches an output as a script or a remote reference, never reads outside
the project, never runs code, never leaves half-written outputs, and fails in one line."""

from __future__ import annotations

import re
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import epubcheck, make_project, problems, run_quire

DOC = "---\ntitle: Prøve\nlang: nb\n---\n\nTekst.\n\n{extra}\n"
XHTML = "{http://www.w3.org/1999/xhtml}"
ACTIVE = {"script", "iframe", "object", "embed", "frame", "frameset", "applet", "portal",
          "handler", "listener", "set", "animate", "animateMotion", "animateTransform",
          "foreignObject", "base", "meta", "link", "style", "form", "input", "button",
          "audio", "video", "source", "picture", "template", "discard", "feImage"}
ALLOWED_LINK = re.compile(r"^(https?:|mailto:|#|[^:]*$)", re.IGNORECASE)


def one_error(done, *parts):
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    for part in parts:
        assert part in errors[0], errors[0]
    return errors[0]


def project_with(tmp_path, extra: str, files=None):
    return make_project(tmp_path / "p", {"content/a.md": DOC.format(extra=extra), **(files or {})})


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
    '<svg width="10" height="10"><a href="#x"><set attributeName="href" '
    'to="javascript:alert(1)"/><text y="9">set</text></a></svg>',
    '<svg width="10" height="10"><a href="#x"><animate attributeName="href" '
    'values="javascript:alert(2)"/><text y="9">animate</text></a></svg>',
    '<svg xmlns:q="http://www.w3.org/1999/xlink" width="10" height="10">'
    '<a q:href="javascript:alert(3)"><text y="9">xlink</text></a></svg>',
    '<svg width="10" height="10"><use href="data:image/svg+xml;base64,'
    'PHN2ZyB4bWxucz0naHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmcnPjxzY3JpcHQ+YWxlcnQoNCk8L3NjcmlwdD48L3N2Zz4='
    '#x"/></svg>',
    '<a href="data:application/xhtml+xml;base64,PHNjcmlwdD4=">datalink</a>',
    '<span style="background: url(javascript:alert(5))">styleurl</span>',
    '<portal src="https://evil.example/portal"></portal>',
    '<svg width="10" height="10"><handler type="application/ecmascript">alert(6)</handler></svg>',
    '<svg width="10" height="10"><style>@import url(https://evil.example/a.css);</style></svg>',
    '<svg width="10" height="10"><image href="https://evil.example/i.png" width="5" '
    'height="5"/></svg>',
    '<span style="background-image: url(https://evil.example/bg.png)">bg</span>',
    '<img srcset="https://evil.example/s.png 2x" src="https://evil.example/s.png" alt="s"/>',
    '<picture><source srcset="https://evil.example/p.webp"/></picture>',
    '<span style="color: red; background: \\75rl(https://evil.example/esc.png)">escaped</span>',
    '<span style="background: image-set(\'https://evil.example/set.png\' 1x)">imageset</span>',
    '<a href="https://ok.example/" ping="https://evil.example/ping">ping</a>',
    '<meta http-equiv="refresh" content="0; url=https://evil.example/"/>',
    '<base href="https://evil.example/"/>',
    '<math><mi href="javascript:alert(7)">x</mi></math>',
    '<svg width="10" height="10"><foreignObject><iframe src="https://evil.example/"/>'
    '</foreignObject></svg>',
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
