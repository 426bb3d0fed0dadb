"""Books, journal issues and loose folders: valid EPUBs, matching contents, notes, xrefs."""

from __future__ import annotations

import re
import zipfile

import pytest
from lxml import etree
from pypdf import PdfReader

import projects
from conftest import epub_text, epubcheck, letters, make_project, pdf_pages, problems, run_quire

XHTML = "{http://www.w3.org/1999/xhtml}"


def build(tmp_path_factory, name, files, *args):
    root = make_project(tmp_path_factory.mktemp(name), files)
    done = run_quire("build", root, *args)
    assert done.returncode == 0, done.stderr
    dist = root / "dist"
    return {"root": root, "stderr": done.stderr,
            "pdf": next(dist.glob("*.pdf"), None), "epub": next(dist.glob("*.epub"))}


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return build(tmp_path_factory, "book", projects.book())


@pytest.fixture(scope="module")
def issue(tmp_path_factory):
    return build(tmp_path_factory, "issue", projects.journal_issue())


@pytest.fixture(scope="module")
def loose(tmp_path_factory):
    return build(tmp_path_factory, "loose", projects.loose_folder())


@pytest.mark.parametrize("name", ["book", "issue", "loose"])
def test_epubcheck_clean(name, request):
    assert problems(epubcheck(request.getfixturevalue(name)["epub"])) == []


def nav_tree(epub_path):
    """The toc nav as nested (text, [children])."""
    with zipfile.ZipFile(epub_path) as zf:
        nav = etree.fromstring(zf.read("EPUB/nav.xhtml"))
    toc = nav.find(f".//{XHTML}nav[@id='toc']/{XHTML}ol")

    def walk(ol):
        return [(" ".join("".join(li[0].itertext()).split()),
                 walk(li.find(f"{XHTML}ol")) if li.find(f"{XHTML}ol") is not None else [])
                for li in ol.findall(f"{XHTML}li")]
    return walk(toc)


def outline_tree(pdf_path):
    reader = PdfReader(str(pdf_path))

    def walk(items):
        tree = []
        for item in items:
            if isinstance(item, list):
                tree[-1] = (tree[-1][0], walk(item))
            else:
                tree.append((" ".join(item.title.split()), []))
        return tree
    return walk(reader.outline)


def test_book_contents_match_in_nav_ncx_and_bookmarks(book):
    expected = [
        ("Innledning", [("Historikk", [])]),
        ("Metoder", [("Målemetoder", [("Kalibrering", [])])]),
        ("Resultater", [("Diskusjon", [])]),
    ]
    assert nav_tree(book["epub"]) == expected
    assert outline_tree(book["pdf"]) == expected
    with zipfile.ZipFile(book["epub"]) as zf:
        ncx = etree.fromstring(zf.read("EPUB/toc.ncx"))
    ns = "{http://www.daisy.org/z3986/2005/ncx/}"

    def ncx_walk(parent):
        return [(p.findtext(f"{ns}navLabel/{ns}text"), ncx_walk(p))
                for p in parent.findall(f"{ns}navPoint")]
    assert ncx_walk(ncx.find(f"{ns}navMap")) == expected


def test_loose_folder_parts_and_titles(loose):
    tree = nav_tree(loose["epub"])
    titles = [t for t, _ in tree]
    # README first, files before subfolders, subfolders become parts, a file with no
    # heading takes its name.
    assert titles == ["README", "Empty", "Guide", "Other"]
    guide = dict(tree)["Guide"]
    assert [t for t, _ in guide] == ["Introduction", "Deep dive"]
    assert dict(guide)["Introduction"] == [("Getting started", [])]
    outline = outline_tree(loose["pdf"])
    assert [t for t, _ in outline] == titles
    with zipfile.ZipFile(loose["epub"]) as zf:
        names = zf.namelist()
    assert "EPUB/text/guide-intro.xhtml" in names and "EPUB/text/other-intro.xhtml" in names


def test_footnotes_on_the_page_of_their_call(book):
    pages = [letters(p) for p in pdf_pages(book["pdf"])]
    calls = 0
    for prefix, count in (("A", 14), ("B", 6)):
        for n in range(1, count + 1):
            call = letters(f"Merke {prefix}{n} står her")
            note = letters(f"Notetekst {prefix}{n} forklarer kilden")
            on = [i for i, p in enumerate(pages) if call in p]
            assert len(on) == 1, f"call {prefix}{n} found on pages {on}"
            assert note in pages[on[0]], f"note {prefix}{n} not on page {on[0] + 1}"
            calls += 1
    assert calls == 20


def test_footnotes_in_epub_are_epub3_notes(book):
    with zipfile.ZipFile(book["epub"]) as zf:
        doc = etree.fromstring(zf.read("EPUB/text/01-innledning.xhtml"))
    refs = doc.findall(f".//{XHTML}a[@role='doc-noteref']")
    notes = doc.findall(f".//{XHTML}aside[@role='doc-footnote']")
    assert len(refs) == len(notes) == 14
    epub_type = "{http://www.idpf.org/2007/ops}type"
    for ref, note in zip(refs, notes):
        assert ref.get(epub_type) == "noteref" and note.get(epub_type) == "footnote"
        assert ref.get("href") == "#" + note.get("id")
        back = note.find(f".//{XHTML}a[@role='doc-backlink']")
        assert back.get("href") == "#" + ref.get("id")


def test_ids_unique_across_the_publication(book):
    with zipfile.ZipFile(book["epub"]) as zf:
        ids = []
        for name in zf.namelist():
            if name.startswith("EPUB/text/"):
                ids += etree.fromstring(zf.read(name)).xpath("//@id")
    assert len(ids) == len(set(ids))
    assert "målemetoder" in ids          # readable, with the letters kept


def opens(page: str, title: str) -> bool:
    """Whether a page opens the chapter `title` (the book design sets its number above)."""
    return re.match(rf"(KAPITTEL \d+\s+)?{title}\b", page.lstrip()) is not None


def test_printed_contents_page_numbers(book):
    pages = pdf_pages(book["pdf"])
    toc_page = next(i for i, p in enumerate(pages) if "Innhold" in p)
    toc = pages[toc_page]
    for title in ("Innledning", "Metoder", "Resultater"):
        match = re.search(rf"{title}[ .]*?(\d+)", toc)
        assert match, f"{title} not in the contents: {toc!r}"
        printed = int(match.group(1))
        starts = [i + 1 for i, p in enumerate(pages) if i > toc_page and opens(p, title)]
        assert starts and printed == starts[0], (title, printed, starts)


def test_cross_references_resolve(book):
    pages = pdf_pages(book["pdf"])
    start = next(i for i, p in enumerate(pages) if "Målemetoder" in p and "Innhold" not in p
                 and "Se Målemetoder" not in p)
    text = "\n".join(pages)
    assert re.search(rf"Målemetoder \(side {start + 1}\)", text), "page reference"
    assert "Utstyret er vist i Figur 1.1" in text          # a book numbers by chapter
    assert "Målingene står i Tabell 2.1" in text
    with zipfile.ZipFile(book["epub"]) as zf:
        chapter2 = etree.fromstring(zf.read("EPUB/text/02-metoder.xhtml"))
        chapter1 = etree.fromstring(zf.read("EPUB/text/01-innledning.xhtml"))
    link = [a for a in chapter2.iter(f"{XHTML}a") if a.text == "Figur 1.1"][0]
    assert link.get("href") == "01-innledning.xhtml#fig-skanner"
    assert chapter1.find(f".//{XHTML}figure[@id='fig-skanner']") is not None
    back = [a for a in chapter1.iter(f"{XHTML}a") if a.text == "Målemetoder"][0]
    assert back.get("href") == "02-metoder.xhtml#målemetoder"


def test_images_stored_once_with_their_types(book):
    with zipfile.ZipFile(book["epub"]) as zf:
        opf = zf.read("EPUB/content.opf").decode()
        names = zf.namelist()
    images = [n for n in names if n.startswith("EPUB/images/")]
    assert sorted(images) == ["EPUB/images/figur.svg", "EPUB/images/foto.jpg",
                              "EPUB/images/kurve.gif", "EPUB/images/omslag.jpg",
                              "EPUB/images/skanner.png"]
    for media in ("image/png", "image/jpeg", "image/gif", "image/svg+xml"):
        assert f'media-type="{media}"' in opf
    assert 'properties="cover-image"' in opf


def test_code_is_highlighted_and_intact(book):
    with zipfile.ZipFile(book["epub"]) as zf:
        text = zf.read("EPUB/text/02-metoder.xhtml").decode()
    pre = re.search(r"<pre>.*?</pre>", text, re.S).group(0)
    code = re.sub(r"<[^>]+>", "", pre).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert "def aktivitet(a0: float, t: float, halveringstid: float) -> float:\n" \
           "    return a0 * 0.5 ** (t / halveringstid)  # <b>ikke</b> HTML" in code
    assert 'class="k"' in pre                    # Pygments classes, styled by shared.css


def test_book_front_matter(book):
    pages = pdf_pages(book["pdf"])
    # cover, half-title (right), blank, title page (right), colophon (its back)
    assert letters(pages[2]) == letters("Håndbok i nukleærmedisin") and not pages[3].strip()
    assert letters("Fra sporstoff til behandling") in letters(pages[4])
    assert "ISBN 9788202000002" in pages[5]
    text = epub_text(book["epub"])
    assert "ISBN 9788202000002" in text
    with zipfile.ZipFile(book["epub"]) as zf:
        nav = zf.read("EPUB/nav.xhtml").decode()
    assert 'epub:type="cover"' in nav and 'epub:type="titlepage"' in nav


def test_journal_issue_bylines_and_new_pages(issue):
    pages = pdf_pages(issue["pdf"])
    starts = {}
    for n, author in enumerate(("LISBET T. KONGSVIK", "PER HANSEN", "ANNE BERG"), 1):
        found = [i for i, p in enumerate(pages) if f"Artikkel nummer {n}" in p and author in p]
        assert found, f"article {n} has no byline"
        starts[n] = found[-1]
    assert starts[1] < starts[2] < starts[3]
    for n in (2, 3):
        assert pages[starts[n]].lstrip().upper().startswith(("ORIGINALARTIKKEL", "KRONIKK"))
    text = epub_text(issue["epub"])
    assert "forfatter2@example.org" in text


def test_running_heads(book):
    import subprocess

    def first_line(number):
        text = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), "-layout",
                               str(book["pdf"]), "-"], capture_output=True, text=True).stdout
        return next((line.rstrip() for line in text.splitlines() if line.strip()), "")

    pages = pdf_pages(book["pdf"])
    # A title at the left edge opens a chapter; a right-hand head is set to the right.
    opening = {i + 1 for i in range(len(pages)) if first_line(i + 1).startswith("KAPITTEL")}
    assert len(opening) == 3                          # no head above a chapter's number
    contents = next(i + 1 for i, p in enumerate(pages) if "Innhold" in p)
    assert first_line(contents) == "Innhold"          # front matter has no heads
    heads = {n: first_line(n).strip() for n in range(contents + 1, len(pages) + 1)
             if n not in opening and pages[n - 1].strip()}
    assert heads, "no running pages to check"
    for number, head in heads.items():
        if number % 2 == 0:
            assert head == "Håndbok i nukleærmedisin", (number, head)
        else:
            assert head in ("Innledning", "Metoder", "Resultater"), (number, head)


def page_list_checks(epub_path, pdf_path):
    """Each page-list entry's marker is followed by the text that starts that PDF page."""
    with zipfile.ZipFile(epub_path) as zf:
        nav = etree.fromstring(zf.read("EPUB/nav.xhtml"))
        page_list = nav.find(f".//{XHTML}nav[@id='page-list']")
        entries = [(a.text, a.get("href")) for a in page_list.iter(f"{XHTML}a")]
        files = {n: zf.read(n).decode() for n in zf.namelist() if n.startswith("EPUB/text/")}
    pages = pdf_pages(pdf_path)
    for label, href in entries:
        name, anchor = href.split("#")
        text = files[f"EPUB/{name}"]
        after = re.sub(r"<[^>]+>", " ", text[text.index(f'id="{anchor}"'):].split(">", 1)[1])
        start = letters(after)[:12]
        page = letters(pages[int(label) - 1])
        assert start and start in page[:400], (label, start, page[:120])
    return entries


def test_page_list_follows_the_pdf(book):
    entries = page_list_checks(book["epub"], book["pdf"])
    labels = [int(label) for label, _ in entries]
    assert labels == sorted(labels) and len(labels) >= 6
    # Every page of the chapters has an entry; front matter (cover, title, colophon, contents)
    # and blank pages none.
    pages = pdf_pages(book["pdf"])
    first = next(i + 1 for i, p in enumerate(pages) if opens(p, "Innledning"))
    assert labels == [n for n in range(first, len(pages) + 1) if pages[n - 1].strip()]
    with zipfile.ZipFile(book["epub"]) as zf:
        opf = zf.read("EPUB/content.opf").decode()
    assert "printPageNumbers" in opf and "pageBreakMarkers" in opf and "pageBreakSource" in opf


def test_seed_page_list(seed_build):
    entries = page_list_checks(seed_build["epub"], seed_build["pdf"])
    assert [label for label, _ in entries] == ["1", "2"]


def test_two_sided_chapters_open_on_right_hand_pages(tmp_path):
    files = projects.book()
    files["quire.toml"] += "[pdf]\ntwo_sided = true\n"
    root = make_project(tmp_path, files)
    done = run_quire("build", root, "--format", "pdf")
    assert done.returncode == 0, done.stderr
    pages = pdf_pages(next((root / "dist").glob("*.pdf")))
    for title in ("Innledning", "Metoder", "Resultater"):
        opening = [i + 1 for i, p in enumerate(pages) if opens(p, title)]
        assert opening and opening[0] % 2 == 1, (title, opening)
    blank = [i + 1 for i, p in enumerate(pages) if i > 0 and not p.strip()]   # not the cover
    assert blank, "two-sided print needs blank left pages before some chapters"


def test_links_to_a_heading_that_other_documents_share(tmp_path):
    root = make_project(tmp_path, {
        "content/a.md": "# A\n\n## Summary\n\nSee [the other summary](b.md#summary).\n",
        "content/b.md": "# B\n\n## Summary\n\nText.\n"})
    done = run_quire("build", root, "--format", "epub")
    assert done.returncode == 0 and "no such heading" not in done.stderr, done.stderr
    with zipfile.ZipFile(next((root / "dist").glob("*.epub"))) as zf:
        a = zf.read("EPUB/text/a.xhtml").decode()
        b = zf.read("EPUB/text/b.xhtml").decode()
    assert 'href="b.xhtml#summary-2"' in a and 'id="summary-2"' in b
