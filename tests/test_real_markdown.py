"""Markdown as people write it for GitHub, mkdocs and books: it builds, nothing is lost,
and what a library cannot handle is an error naming the document, never a traceback."""

from __future__ import annotations

import base64
import io
import socket
import zipfile

import pytest
from conftest import epub_text, epubcheck, make_project, pdf_pages, problems, run_quire
from PIL import Image


def build(root, *args):
    done = run_quire("build", root, *args)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def only_epub(root):
    return next((root / "dist").glob("*.epub"))


def png(size=(40, 30), colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


# -- 1. crashes ------------------------------------------------------------------------------

def test_footnote_whose_first_line_ends_with_a_space(tmp_path):
    """WeasyPrint 70 asserts on ' \\n' in a footnote; quire hands it single spaces."""
    root = make_project(tmp_path, {"a.md": "# Notes\n\nText with a note.[^1]\n\n"
                                           "[^1]: First line ends with a space \n"
                                           "    and the note goes on.\n"})
    done = build(root)
    assert done.returncode == 0, done.stderr
    text = " ".join(" ".join(pdf_pages(root / "dist" / "notes.pdf")).split())
    assert "First line ends with a space and the note goes on." in text


def test_document_that_is_only_a_doctype(tmp_path):
    root = make_project(tmp_path, {"a.md": "<!DOCTYPE html>\n",
                                   "b.md": "# B\n\n<!DOCTYPE html>\n<p>Body text</p>\n"})
    done = build(root, "--format", "epub")
    assert done.returncode == 0, done.stderr
    assert "Body text" in epub_text(only_epub(root))
    assert problems(epubcheck(only_epub(root))) == []


def test_serve_port_out_of_range_is_bad_usage(tmp_path):
    root = make_project(tmp_path, {"a.md": "# A\n\nText.\n"})
    done = run_quire("serve", root, "--port", "99999")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "'99999' is not a port" in done.stderr


def test_serve_port_in_use_is_one_line(tmp_path):
    root = make_project(tmp_path, {"a.md": "# A\n\nText.\n"})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_quire("serve", root, "--port", str(port))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == (f"error: cannot serve on 127.0.0.1:{port} (Address already "
                                   "in use); choose another port with --port")


def test_library_exception_names_the_document(tmp_path, monkeypatch, capsys):
    """An exception WeasyPrint (here: lxml) raises in the layout names the document that
    fails alone; an exception of quire's own stays a traceback."""
    from lxml import etree

    from quire import cli, failures
    from quire.outputs.pdf import session as pdf

    real = pdf.Session.render

    def render(self, html):
        if "POISON" in html:
            raise etree.ParserError("Document is empty")
        return real(self, html)

    monkeypatch.setattr(pdf.Session, "render", render)
    root = make_project(tmp_path, {"01-a.md": "# A\n\nFine.\n", "02-b.md": "# B\n\nPOISON\n"})
    assert cli.main(["build", str(root), "--format", "pdf", "-j", "1"]) == 1
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(err) == 1, err
    err = err[0]
    assert err.startswith("error: 02-b.md: lxml failed while laying it out for print "
                          "(ParserError: Document is empty)"), err
    assert "\n" not in err
    assert not (root / "dist").exists() or not list((root / "dist").glob("*.pdf"))

    with pytest.raises(AssertionError):        # quire's own bug: not wrapped
        failures.guarded("x.md", "converting it", lambda: (_ for _ in ()).throw(
            AssertionError("a bug")))


PERSIAN_LIST = ('<div dir="rtl" markdown="1">\n\n### فهرست\n\n* [PHP](#php)\n'
                '  <ul dir="rtl">\n    <li><a href="#symfony">Symfony</a></li>\n  </ul>\n'
                '* [Python](#python)\n* [R](#r)\n\n### PHP\n\nمتن.\n\n### Symfony\n\n'
                'متن.\n\n### Python\n\nمتن.\n\n### R\n\nمتن.\n\n</div>\n')


def test_python_markdown_failing_on_a_document_names_it(tmp_path, monkeypatch, capsys):
    """An exception Python-Markdown raises on a document whose language quire must guess
    is one line naming the file (it was a traceback: the guess converts the text before
    the documents are made). The failure is Python-Markdown 3.11's own on the Persian
    list below, with quire's way round it taken out."""
    from quire import cli, dialects

    monkeypatch.delattr(dialects._AfterRawList, "lastChild")
    root = make_project(tmp_path, {"01-a.md": "# A\n\nFine words in English here.\n",
                                   "02-b.md": "# فهرست کتاب\n\n" + PERSIAN_LIST})
    assert cli.main(["build", str(root), "--format", "epub", "-j", "1"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and lines[0].startswith(
        "error: 02-b.md: markdown failed while converting it (IndexError: child index out of "
        "range)"), err


def test_a_markdown_list_after_an_html_list_in_a_markdown_block(tmp_path):
    """EbookFoundation/free-programming-books' Persian list: items of a Markdown list
    inside `<div dir="rtl" markdown="1">` hold `<ul dir="rtl"><li>...</li></ul>`, and
    Python-Markdown 3.11 failed on the next item (IndexError). The lists are kept, the
    HTML one too."""
    root = make_project(tmp_path, {"a.md": "---\nlang: fa\n---\n\n# فهرست کتاب\n\n"
                                           + PERSIAN_LIST})
    done = build(root, "--format", "epub")
    assert done.returncode == 0, done.stderr
    epub = only_epub(root)
    shown = epub_text(epub)
    assert all(word in shown for word in ("PHP", "Symfony", "Python", "R")), shown
    assert problems(epubcheck(epub)) == []


# -- 2. nothing fatal that a printer would not care about ------------------------------------

def test_other_tools_front_matter_is_ignored_with_one_note(tmp_path):
    mkdocs = "---\nhide:\n  - navigation\n  - toc\ntoc_depth: 2\ntitle: {}\n---\n\nText {}.\n"
    root = make_project(tmp_path, {
        "a.md": mkdocs.format("Alpha", "a"), "b.md": mkdocs.format("Beta", "b"),
        "c.md": "---\ntitle: Gamma\nauthor: Ada Lovelace\nweight: 3\n---\n\nText c.\n"})
    done = build(root, "--format", "epub")
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "front matter keys" in line]
    assert warnings == [("warning: front matter keys quire does not use were ignored: "
                         "'hide' (a.md:2, b.md:2), 'toc_depth' (a.md:5, b.md:5), "
                         "'weight' (c.md:4)")], done.stderr
    epub = only_epub(root)
    with zipfile.ZipFile(epub) as zf:
        assert "Ada Lovelace" in zf.read("EPUB/content.opf").decode()
    assert "hide" not in epub_text(epub)
    assert problems(epubcheck(epub)) == []


def test_pandoc_and_jekyll_spellings(tmp_path):
    root = make_project(tmp_path, {"a.md": "---\ntitle: Notes\nauthor: Ada Lovelace\n"
                                           "tags: [engines, notes]\nlanguage: en-GB\n---\n\nText.\n"})
    done = build(root, "--format", "epub")
    assert done.returncode == 0 and "warning" not in done.stderr.replace(
        "cannot tell the language", ""), done.stderr
    with zipfile.ZipFile(only_epub(root)) as zf:
        opf = zf.read("EPUB/content.opf").decode()
    assert "Ada Lovelace" in opf and "<dc:subject>engines</dc:subject>" in opf
    assert "<dc:language>en-GB</dc:language>" in opf


def test_quire_toml_stays_strict(tmp_path):
    root = make_project(tmp_path, {"quire.toml": 'title = "T"\nhide = true\n',
                                   "a.md": "# A\n\nText.\n"})
    done = build(root, "--format", "epub")
    assert done.returncode == 1
    assert "quire.toml:2: hide: unknown key" in done.stderr


def test_a_dash_block_that_is_not_yaml_is_markdown(tmp_path):
    root = make_project(tmp_path, {"a.md": "---\nJust a line between rules.\n---\n\n"
                                           "More text: with a colon.\n",
                                   "b.md": "Title: Meta lines\nAuthor: Grace Hopper\n\n"
                                           "The body after Python-Markdown meta lines.\n"})
    done = build(root, "--format", "epub")
    assert done.returncode == 0, done.stderr
    text = epub_text(only_epub(root))
    assert "Just a line between rules." in text and "More text: with a colon." in text
    assert "Title:" not in text and "Meta lines" in text
    with zipfile.ZipFile(only_epub(root)) as zf:
        assert "Grace Hopper" in zf.read("EPUB/content.opf").decode()
        assert b"<hr" in zf.read(next(n for n in zf.namelist() if n.endswith("a.xhtml")))


def test_remote_image_prints_its_alt_text(tmp_path):
    root = make_project(tmp_path, {"a.md": "# A\n\n[![Build status](https://ci.example/b.svg)]"
                                           "(https://ci.example/)\n\nText.\n"})
    done = build(root, "--format", "epub")
    assert done.returncode == 0, done.stderr
    assert ("a.md:3: remote image 'https://ci.example/b.svg' is not fetched; its alt text "
            "'Build status' is printed") in done.stderr
    assert "Build status" in epub_text(only_epub(root))
    assert problems(epubcheck(only_epub(root))) == []


def test_data_uri_image_is_decoded_checked_and_embedded(tmp_path):
    data = base64.b64encode(png()).decode()
    root = make_project(tmp_path, {"a.md": f"# A\n\n![A red box](data:image/png;base64,{data})\n"})
    done = build(root)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(only_epub(root)) as zf:
        images = [n for n in zf.namelist() if n.startswith("EPUB/images/")]
        assert len(images) == 1 and zf.read(images[0]) == png()
    assert problems(epubcheck(only_epub(root))) == []
    from pypdf import PdfReader
    page = PdfReader(str(root / "dist" / "a.pdf")).pages[-1]
    assert len(page.images) == 1

    (root / "a.md").write_text("# A\n\n![Not a picture](data:image/png;base64,aGVsbG8=)\n")
    done = build(root)
    assert done.returncode == 1
    assert "a.md:3: image 'data:image/png;base64,aGVsbG8=' cannot be read" in done.stderr


def test_percent_encoded_paths_resolve(tmp_path):
    root = make_project(tmp_path, {
        "README.md": "# Set\n\n<img src=\"up %26 going/cover.png\" alt=\"Cover\" width=\"75\">\n\n"
                     "* [Up & Going](up\\%20&\\%20going/ch1.md#the-start)\n",
        "up & going/ch1.md": "# Chapter 1\n\n## The start\n\nText.\n",
        "up & going/cover.png": png()})
    done = build(root, "--format", "epub")
    assert done.returncode == 0, done.stderr
    assert "link" not in done.stderr
    assert problems(epubcheck(only_epub(root))) == []


def test_all_errors_of_a_run_at_once(tmp_path):
    root = make_project(tmp_path, {"a.md": "# A\n\nText.\n"})
    assert build(root, "--format", "epub").returncode == 0
    before = only_epub(root).read_bytes()
    make_project(root, {"a.md": "# A\n\n![One](gone1.png)\n\n![Two](gone2.png)\n",
                        "b.md": "---\ntitle: [\n---\n",
                        "c.md": "# C\n\n![Three](gone3.png)\n"})
    done = build(root, "--format", "epub")
    assert done.returncode == 1
    lines = [line for line in done.stderr.strip().splitlines()
             if not line.startswith(("warning:", "warnings:"))]
    assert lines == ["error: a.md:3: image 'gone1.png' not found",
                     "a.md:5: image 'gone2.png' not found",
                     ("b.md:2: invalid YAML front matter: expected the node content, "
                      "but found '<stream end>'"),
                     "c.md:3: image 'gone3.png' not found",
                     "4 errors in 3 files; nothing was built."], done.stderr
    assert only_epub(root).read_bytes() == before


def test_links_to_files_outside_the_publication_become_text(tmp_path):
    root = make_project(tmp_path, {
        "a.md": "# A\n\nSee [the licence](LICENSE.txt), [contributing](../CONTRIBUTING.md) "
                "and [b](b.md#b), [cash](ttps://github.com/dthree/cash) and "
                "[perf](http://en.wikipedia.org/wiki/ Perf_(Linux)).\n",
        "b.md": "# B\n\nText.\n", "LICENSE.txt": "MIT\n"})
    done = build(root, "--format", "epub")
    assert done.returncode == 0, done.stderr
    assert ("a.md: 2 link(s) to files outside the publication (or with a misspelt scheme) "
            "were made plain text: 'LICENSE.txt', '../CONTRIBUTING.md'") in done.stderr
    # the misspelt scheme is the sanitizer's to remove (it keeps http, https, mailto)
    assert 'a.md:3: removed href="ttps://github.com/dthree/cash"' in done.stderr
    assert "the licence" in epub_text(only_epub(root))
    assert problems(epubcheck(only_epub(root))) == []


# -- 3. GitHub Markdown ----------------------------------------------------------------------

GFM = """# GitHub

- [ ] open task
- [x] done task

~~struck~~ text and a bare https://example.org/path?q=1 link.

> [!NOTE]
> Useful information.

- level one
  - level two
    - level three
- back
    - four-space nested

| a | b |
|---|---|---|
| 1 | 2 |
"""


def test_github_markdown_in_both_outputs(tmp_path):
    root = make_project(tmp_path, {"a.md": GFM})
    done = build(root)
    assert done.returncode == 0, done.stderr
    assert "removed" not in done.stderr
    epub = only_epub(root)
    assert problems(epubcheck(epub)) == []
    with zipfile.ZipFile(epub) as zf:
        xhtml = zf.read(next(n for n in zf.namelist() if n.endswith("a.xhtml"))).decode()
    assert "\u2610 open task" in xhtml and "\u2611 done task" in xhtml
    assert "<del>struck</del>" in xhtml
    assert '<a href="https://example.org/path?q=1">' in xhtml
    assert '<div class="admonition note">' in xhtml and "[!NOTE]" not in xhtml
    assert "<li>level one<ul>\n<li>level two<ul>\n<li>level three</li>" in xhtml
    assert "<li>back<ul>\n<li>four-space nested</li>" in xhtml
    assert "<td>1</td>" in xhtml and "|---" not in xhtml
    text = " ".join(pdf_pages(root / "dist" / "github.pdf"))
    for words in ("open task", "done task", "struck", "Useful information", "level three"):
        assert words in text
    assert "[!NOTE]" not in text and "~~" not in text and "|---" not in text


def test_list_reindenting_leaves_code_and_four_space_lists_alone():
    from quire.dialects import fix_tables, reindent_lists, separate_rules

    four = ["- a", "    - b", "", "        code in b", "- c"]
    assert reindent_lists(four) == four
    two = ["- a", "  - b", "    more of b", "", "```", "  - not a list", "```", "", "text"]
    assert reindent_lists(two) == ["- a", "    - b", "        more of b", "", "```",
                                   "  - not a list", "```", "", "text"]
    assert fix_tables(["| a | b |", "|---|---|---|", "| 1 | 2 |"])[1] == "|---|---|"
    assert fix_tables(["| a | b | c |", "|---|---|"])[1] == "|---|---|---|"
    assert separate_rules(["", "----", "----"]) == ["", "----", "", "----"]
    assert separate_rules(["Setext", "----"]) == ["Setext", "----"]


# -- 4. structure without configuration ------------------------------------------------------

def nav_entries(epub) -> list[str]:
    from lxml import etree
    with zipfile.ZipFile(epub) as zf:
        nav = etree.fromstring(zf.read("EPUB/nav.xhtml"))
    toc = nav.find(".//{http://www.w3.org/1999/xhtml}nav")
    return [" ".join("".join(a.itertext()).split())
            for a in toc.iter("{http://www.w3.org/1999/xhtml}a")]


def opf_title(epub) -> str:
    import re
    with zipfile.ZipFile(epub) as zf:
        return re.search(r"<dc:title[^>]*>([^<]*)<", zf.read("EPUB/content.opf").decode()).group(1)


def test_reading_order_and_titles_from_a_readme(tmp_path):
    chapter = "# My Book\n\n# {}\n\nText of {}.\n"
    root = make_project(tmp_path / "my-folder", {
        "README.md": "# My Book\n\nIntro.\n\n* [Start](ch1.md)\n* [Then](ch2.md)\n"
                     "* [Last](ch10.md)\n* [Contents](toc.md)\n",
        "toc.md": "# My Book\n\n## Table of Contents\n\n* Chapter 1\n* Chapter 2\n",
        "apA.md": chapter.format("Appendix A", "a"),
        "ch10.md": chapter.format("Chapter 10", "ten"),
        "ch1.md": chapter.format("Chapter 1", "one"),
        "ch2.md": chapter.format("Chapter 2", "two")})
    done = build(root, "--format", "epub")
    assert done.returncode == 0, done.stderr
    epub = only_epub(root)
    assert opf_title(epub) == "My Book"
    entries = nav_entries(epub)
    assert [e for e in entries if e.startswith(("Chapter", "Appendix", "My Book"))] == [
        "My Book", "Chapter 1", "Chapter 2", "Chapter 10", "Appendix A"], entries
    text = epub_text(epub)
    assert "Table of Contents" not in text                  # toc.md left out
    with zipfile.ZipFile(epub) as zf:
        chapter_one = zf.read(next(n for n in zf.namelist() if n.endswith("ch1.xhtml")))
    assert b"My Book" not in chapter_one.split(b"<body")[1]  # the shared heading is not printed
    assert problems(epubcheck(epub)) == []


def test_summary_md_orders_and_is_left_out(tmp_path):
    root = make_project(tmp_path, {
        "SUMMARY.md": "# Summary\n\n- [Zeta](zeta.md)\n- [Alpha](alpha.md)\n",
        "alpha.md": "# Alpha\n\nA.\n", "zeta.md": "# Zeta\n\nZ.\n"})
    done = build(root, "--format", "epub")
    assert done.returncode == 0, done.stderr
    assert [e for e in nav_entries(only_epub(root)) if e in ("Alpha", "Zeta", "Summary")] == [
        "Zeta", "Alpha"]


def test_natural_path_order_without_a_readme(tmp_path):
    root = make_project(tmp_path, {f"ch{n}.md": f"# Chapter {n}\n\nText.\n" for n in (10, 2, 1)})
    (root / "preface.md").write_text("# The Series\n\n# Preface\n\nWhy.\n")
    done = build(root, "--format", "epub")
    assert done.returncode == 0, done.stderr
    entries = nav_entries(only_epub(root))
    assert [e for e in entries if e.startswith("Chapter")] == [
        "Chapter 1", "Chapter 2", "Chapter 10"]
    assert "Preface" in entries and "The Series" not in entries   # a running title above it


def test_front_matter_title_and_same_heading_print_once(tmp_path):
    root = make_project(tmp_path, {"a.md": "---\ntitle: The Title\n---\n\n# The Title\n\nBody.\n"})
    done = build(root, "--format", "epub")
    assert done.returncode == 0, done.stderr
    assert epub_text(only_epub(root)).count("The Title") == 1


def test_quire_toml_beside_the_markdown_and_one_file(tmp_path):
    root = make_project(tmp_path, {"quire.toml": 'title = "Beside"\n',
                                   "a.md": "# A\n\nText a.\n", "b.md": "# B\n\nText b.\n"})
    done = build(root, "--format", "epub")
    assert done.returncode == 0, done.stderr
    assert opf_title(root / "dist" / "beside.epub") == "Beside"

    loose = make_project(tmp_path / "loose", {"one.md": "# One\n\nFirst.\n",
                                              "two.md": "# Two\n\nSecond.\n"})
    done = build(loose / "two.md", "--format", "epub")
    assert done.returncode == 0, done.stderr
    text = epub_text(loose / "dist" / "two.epub")
    assert "Second." in text and "First." not in text
    done = build(loose / "one.md", "--format", "epub")
    assert done.returncode == 0 and "up to date" not in done.stdout, done.stdout
    assert "First." in epub_text(loose / "dist" / "one.epub")
    done = build(loose / "three.md")
    assert done.returncode == 1 and "three.md: no such Markdown file" in done.stderr


# -- 5. nothing leaves the page --------------------------------------------------------------

def drawn_images(pdf) -> list[list[list[float]]]:
    """Per page, the matrix (a b c d e f) each image is drawn with."""
    from pypdf import PdfReader
    pages = []
    for page in PdfReader(str(pdf)).pages:
        found = []
        page.extract_text(visitor_operand_before=lambda op, args, cm, tm, found=found: found.append(
            list(cm)) if op == b"Do" else None)
        pages.append(found)
    return pages


def word_boxes(pdf) -> list[tuple[float, float, str]]:
    """(xMax, page width, word) for every word pdftotext finds."""
    import re
    import subprocess
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    boxes = []
    for width, body in re.findall(r'<page width="([\d.]+)"[^>]*>(.*?)</page>', html, re.DOTALL):
        for x_max, word in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"'
                                      r' yMax="[\d.]+">([^<]*)</word>', body):
            boxes.append((float(x_max), float(width), word))
    return boxes


def test_nothing_leaves_the_page(tmp_path):
    long = "Supercalifragilistic" * 6
    url = "https://example.org/" + "/".join(["a-very-long-path-segment"] * 6)
    root = make_project(tmp_path, {
        "a.md": f"""# Images

<img src="wide.png" width="200" alt="Two hundred wide">

<figure><img src="tall.png" alt="A tall one"><br><figcaption>Caption of the tall one.</figcaption></figure>

![A tall Markdown figure](tall.png "Tall caption")

| Column | Another |
|---|---|
| {long} | `{url}` |

A paragraph with {url} inside.
""", "wide.png": png((900, 600)), "tall.png": png((470, 970), (30, 90, 160))})
    done = build(root)
    assert done.returncode == 0, done.stderr
    pdf = root / "dist" / "images.pdf"
    drawn = [m for page in drawn_images(pdf) for m in page]
    assert len(drawn) == 3
    assert round(drawn[0][0]) == 150                # width="200": 200 px = 150 pt
    text_block = (297 - 20 - 24) / 25.4 * 72        # A4 less the top and bottom margins
    page_width = 210 / 25.4 * 72
    for a, _, _, d, e, f in drawn:
        assert d <= text_block and e >= 0 and e + a <= page_width
    words = word_boxes(pdf)
    assert any(long[:20] in w for _, _, w in words)
    outer = 20 / 25.4 * 72
    assert all(x_max <= width - outer + 2 for x_max, width, _ in words), [
        (x, w) for x, width, w in words if x > width - outer + 2]
    assert problems(epubcheck(only_epub(root))) == []


def test_a_link_to_a_left_out_contents_file_goes_to_the_generated_contents(tmp_path):
    """ydkjs' READMEs link `[Table of Contents](toc.md)`: toc.md is left out (quire makes
    the contents), and the link goes to quire's contents in both outputs."""
    import pikepdf

    root = make_project(tmp_path, {
        "README.md": "---\nlang: en\n---\n# The Book\n\n[Table of Contents](toc.md)\n\n"
                     "An introduction to the book, long enough to have a language.\n",
        "toc.md": "# Contents\n\n* [Chapter One](ch1.md)\n",
        "ch1.md": "---\nlang: en\n---\n# Chapter One\n\nThe first chapter's text. Back to the "
                  "[contents](./toc.md#contents).\n"})
    done = run_quire("build", root)
    assert done.returncode == 0, done.stderr
    assert "toc.md" not in done.stderr                     # no dead-link warning
    epub = next((root / "dist").glob("*.epub"))
    assert problems(epubcheck(epub)) == []

    with zipfile.ZipFile(epub) as zf:
        for name in ("EPUB/text/readme.xhtml", "EPUB/text/ch1.xhtml"):
            assert b'href="../nav.xhtml#toc"' in zf.read(name), name
        assert b'<itemref idref="nav" linear="no"/>' in zf.read("EPUB/content.opf")
    with pikepdf.open(next((root / "dist").glob("*.pdf"))) as pdf:
        links = [str(a.get("/Dest")) for page in pdf.pages for a in page.get("/Annots", [])]
        names = list(pdf.Root.Names.Dests.Names)
        toc_page = names[names.index("quire-toc") + 1][0]
        contents_text = [n for n, page in enumerate(pdf.pages) if page.obj == toc_page]
    assert links.count("quire-toc") >= 2, links
    assert contents_text, "the contents page is not in the PDF"


def test_image_sizes_in_percent_or_units_pass_epubcheck(tmp_path):
    """`{width=100%}` (attribute lists) and width="200px": HTML wants a number of pixels
    in the attribute; the rest goes into the style (EPUBCheck RSC-005 otherwise)."""
    root = make_project(tmp_path, {
        "a.md": "---\nlang: en\n---\n# Sizes\n\nImages sized as people size them.\n\n"
                "![Wide](a.png){width=100%}\n\n![Pixels](a.png){width=120px}\n\n"
                '<img src="a.png" alt="Tall" height="3cm">\n',
        "a.png": png()})
    done = build(root, "--format", "epub")
    assert done.returncode == 0, done.stderr
    epub = only_epub(root)
    assert problems(epubcheck(epub)) == []
    with zipfile.ZipFile(epub) as zf:
        text = zf.read("EPUB/text/a.xhtml").decode()
    assert 'style="width: 100%"' in text and 'width="120"' in text
    assert "height: 3cm" in text


def test_a_thematic_break_is_not_rgb_in_print(tmp_path):
    """Markdown's `---` between paragraphs: WeasyPrint shades the user agent's inset border
    in RGB; the theme draws a plain line in the text colour (CMYK)."""
    root = make_project(tmp_path, {"a.md": "---\nlang: en\n---\n# Rules\n\nText before the "
                                           "rule, in English.\n\n---\n\nText after it.\n"})
    done = build(root, "--format", "pdf", "--strict")
    assert done.returncode == 0, done.stderr
    assert "RGB" not in done.stderr
