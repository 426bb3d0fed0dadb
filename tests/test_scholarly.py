"""Citations, formulas and the index, in both outputs (issue 17): a three-chapter textbook
with a real BibTeX file, every citation form, inline and display maths and index marks on
several pages, built and checked with EPUBCheck, pikepdf and the PDF's text."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pikepdf
import pytest
from conftest import (REPO, epubcheck, letters, make_project, pdf_pages, problems, render_pdf,
                      run_quire)
from lxml import etree
from scholarly_book import textbook

from quire import index, markup
from quire.load import load

XHTML = "{http://www.w3.org/1999/xhtml}"
TITLES = ["The TeXbook", "How to Write a Proof", "A Mathematical Theory of Communication",
          "The LaTeX Companion", "On Random Graphs I", "The Unicode Standard"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("textbook"), textbook())
    done = run_quire("build", root, "--strict")
    assert done.returncode == 0, done.stderr
    dist = root / "dist"
    return {"root": root, "pdf": dist / "numbers-signals-and-type.pdf",
            "epub": dist / "numbers-signals-and-type.epub"}


def epub_documents(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as zf:
        return {name.split("/", 1)[1]: etree.fromstring(zf.read(name))
                for name in zf.namelist() if name.endswith(".xhtml")}


def test_every_citation_links_to_an_entry_that_exists(built):
    docs = epub_documents(built["epub"])
    ids = {(name, el.get("id")) for name, root in docs.items() for el in root.iter()
           if el.get("id")}
    citations = [(name, span) for name, root in docs.items()
                 for span in root.iter(f"{XHTML}span") if span.get("class") == "citation"]
    # [@k, p. 33], [@a; @b], @k, [-@k, pp.], [see @k, chap. 2], in a note, [@k] twice
    assert len(citations) == 8
    cited = set()
    for name, span in citations:
        links = list(span.iter(f"{XHTML}a"))
        assert links, etree.tostring(span)
        for a in links:
            file, _, anchor = a.get("href").rpartition("#")
            target = (f"text/{file}" if file else name, anchor)
            assert target in ids, a.get("href")
            assert anchor.startswith("ref-")
            cited.add(anchor)
    assert len(cited) == 6                      # every work of refs.bib is cited
    entries = [el for el in docs["text/references.xhtml"].iter() if el.get("class") == "csl-entry"]
    assert [e.get("id") for e in entries if e.get("id") in cited] == [e.get("id") for e in entries]
    text = " ".join(docs["text/references.xhtml"].itertext())
    for title in TITLES:
        assert title in text
    assert any(a.get("href") == "https://doi.org/10.2307/2974556"
               for a in docs["text/references.xhtml"].iter(f"{XHTML}a"))


def test_the_citation_forms_read_as_the_style_writes_them(built):
    text = re.sub(r"\s+", " ", "".join(pdf_pages(built["pdf"])))
    joined = letters(text.replace("-\n", ""))          # across hyphenated line ends
    for cited in ("(Knuth 1984, 33)", "(Knuth 1984; Lamport 1995)", "Shannon (1948) founded",
                  "see also (1948, 379–380)", "(see Erdős and Rényi 1959",
                  "advice (Shannon 1948)", "(Goossens et al. 1994)"):
        assert cited in text or letters(cited) in joined, cited
    for title in TITLES:
        assert letters(title) in joined


def test_no_source_syntax_is_left_in_either_output(built):
    pdf_text = "".join(pdf_pages(built["pdf"]))
    docs = epub_documents(built["epub"])
    epub_text = " ".join(" ".join(root.find(f"{XHTML}body").itertext()) for root in docs.values())
    for text in (pdf_text, epub_text):
        assert "[@" not in text and "@shannon" not in text and "{.index" not in text
        assert not re.search(r"\\(frac|sum|sqrt|log|le|pm)\b|\\\(|\\\[|\^\{", text)
        # the only dollars are prices, which pandoc's rules leave alone
        assert re.sub(r"\$(20|30)\b", "", text).count("$") == 0


def test_formulas_are_mathml_with_their_tex_in_the_epub(built):
    docs = epub_documents(built["epub"])
    maths = [(name, m) for name, root in docs.items()
             for m in root.iter("{http://www.w3.org/1998/Math/MathML}math")]
    assert len(maths) == 9
    assert all(m.get("alttext") for _, m in maths)
    assert {m.get("display") for _, m in maths} == {"inline", "block"}
    with zipfile.ZipFile(built["epub"]) as zf:
        opf = etree.fromstring(zf.read("EPUB/content.opf"))
    props = {item.get("href"): item.get("properties") or ""
             for item in opf.iter("{http://www.idpf.org/2007/opf}item")}
    for name in {name for name, _ in maths}:
        assert "mathml" in props[name.removeprefix("EPUB/")].split()


def test_the_page_with_a_formula_has_vector_drawing_and_no_image(built):
    pages = pdf_pages(built["pdf"])
    # letters only: a book's measure may break the line (or the word) between the two
    number = next(i for i, text in enumerate(pages)
                  if "quadraticformula" in re.sub(r"[\W_]+", "", text.casefold()))
    with pikepdf.open(built["pdf"]) as document:
        page = document.pages[number]
        ops = [str(op) for _, op in pikepdf.parse_content_stream(page)]
        objects = list(page.Resources.get("/XObject", {}).values())
        images = [x for x in objects if x.get("/Subtype") == "/Image"]
        for form in (x for x in objects if x.get("/Subtype") == "/Form"):
            ops += [str(op) for _, op in pikepdf.parse_content_stream(form)]
    assert not images
    assert ops.count("c") > 50 and ops.count("f") + ops.count("f*") > 10  # glyph outlines


def index_entries(publication) -> list[tuple[str, list[str]]]:
    """(entry text as printed, its marks), from the index document."""
    doc = next(d for d in publication.documents if 'data-epub-type="index"' in d.body)
    found = []
    for li in markup.parse_xhtml(doc.body).iter("li"):
        term = li.find("span[@class='index-term']").text
        locators = li.find("span[@class='index-locators']")
        if locators is not None:
            found.append((term, locators.get("data-marks").split()))
    return found


def mark_pages(path: Path) -> dict[str, int]:
    with pikepdf.open(path) as document:
        pages = {page.obj.objgen: n for n, page in enumerate(document.pages, 1)}
        return {name: pages[dest[0].objgen]
                for name, dest in pikepdf.NameTree(document.Root.Names.Dests).items()
                if re.fullmatch(r"ix-\d+", name)}


@pytest.mark.parametrize("chunked", [False, True], ids=["single", "parallel"])
def test_index_pages_are_the_pages_of_the_marks(built, tmp_path, monkeypatch, chunked):
    target = tmp_path / "book.pdf"
    publication, _ = render_pdf(built["root"], target, monkeypatch, chunked=chunked)
    pages = mark_pages(target)
    text = pdf_pages(target)
    index_page = re.sub(r"\s+", " ", text[-1])
    assert index_page.startswith("Index")
    entries = index_entries(publication)
    assert len({page for marks in [m for _, m in entries] for page in map(pages.get, marks)}) >= 4
    for term, marks in entries:
        numbers = sorted({pages[m] for m in marks})
        expected = ", ".join(f"{a}–{b}" if b > a else str(a) for a, b in _runs(numbers))
        assert f"{term}, {expected}" in index_page, (term, expected, index_page)
    for mark in dict(entries)["entropy"]:       # each mark's page shows the word
        assert "entropy" in text[pages[mark] - 1].lower()
    assert len({pages[m] for m in dict(entries)["entropy"]}) >= 3


def _runs(numbers):
    runs = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return runs


def test_the_epub_index_links_resolve_and_epubcheck_is_clean(built):
    docs = epub_documents(built["epub"])
    ids = {(name, el.get("id")) for name, root in docs.items() for el in root.iter()
           if el.get("id")}
    index_doc = docs["text/index.xhtml"]
    kinds = {el.get("{http://www.idpf.org/2007/ops}type") for el in index_doc.iter()}
    assert {"index", "index-group", "index-entry-list", "index-entry", "index-term",
            "index-locator", "index-xref-preferred"} <= kinds
    links = list(index_doc.iter(f"{XHTML}a"))
    assert len(links) > 8
    for a in links:
        file, _, anchor = a.get("href").rpartition("#")
        assert ((f"text/{file}" if file else "text/index.xhtml"), anchor) in ids, a.get("href")
    terms = [el.text for el in index_doc.iter(f"{XHTML}span") if el.get("class") == "index-term"]
    top = terms[:2] + terms[3:]
    assert terms[0] == "Ångström" and "Ørsted" in top
    landmarks = docs["nav.xhtml"].find(f".//{XHTML}nav[@id='landmarks']")
    kinds = {a.get("{http://www.idpf.org/2007/ops}type"): a.get("href")
             for a in landmarks.iter(f"{XHTML}a")}
    assert kinds["index"] == "text/index.xhtml"
    assert problems(epubcheck(built["epub"])) == []


def test_norwegian_letters_sort_after_z():
    words = ["ål", "øl", "zebra", "ære", "Aker", "Østre", "bær", "Ørsted", "ärlig"]
    ordered = sorted(words, key=lambda w: index.sort_key(w, "nb"))
    assert ordered == ["Aker", "bær", "zebra", "ære", "ärlig", "øl", "Ørsted", "Østre", "ål"]
    assert [index.group_letter(w, "nb") for w in ("ål", "øl", "Aker")] == ["Å", "Ø", "A"]
    assert index.group_letter("Ørsted", "en") == "O"


@pytest.mark.parametrize("text, formulas", [
    ("A price of $20 and another of $30.", 0),
    ("Costs $5, or $ 6.", 0),
    ("Inline $x^2$ and $y$.", 2),
    ("Display $$a_1 * b_2 * c_3$$ here.", 1),
    (r"Escaped \$x\$ is not.", 0),
    ("In code `$x$` it stays.", 0),
    (r"Both \(a_b\) and \[c_d\].", 2),
])
def test_dollar_rules_are_pandocs(text, formulas):
    html = markup.to_html(text)
    assert html.count('class="quire-tex"') == formulas, html
    assert "<em>" not in html


def test_problems_are_reported_at_once_with_file_and_line(tmp_path):
    files = textbook()
    files["refs.bib"] += "\n@article{broken,\n  author = {Someone\n  title = {Unclosed},\n}\n"
    files["content/02-signals.md"] = files["content/02-signals.md"].replace(
        "@shannon1948 founded", "@shanon1948 founded")
    files["content/03-type.md"] = files["content/03-type.md"].replace(
        "$$E = mc^2$$", "$$E = \\frac{mc^2$$")
    root = make_project(tmp_path / "p", files)
    done = run_quire("build", root)
    assert done.returncode == 1
    err = done.stderr
    assert "Traceback" not in err
    assert re.search(r"refs\.bib:\d+: malformed entry", err), err
    assert ("content/02-signals.md:3: unknown citation key 'shanon1948'; "
            "did you mean 'shannon1948'?") in err, err
    assert "content/03-type.md:6: cannot read the formula 'E = \\frac{mc^2'" in err, err
    assert "3 errors; nothing was built." in err


def test_without_a_bibliography_at_signs_stay_text(tmp_path):
    root = make_project(tmp_path / "p", {"notes.md": (
        "# Notes\n\nWrite to ada@example.com or @ada_l [@not, p. 3] and [x]{.index}.\n")})
    publication = load(root)
    body = publication.documents[0].body
    assert "ada@example.com or @ada_l [@not, p. 3]" in re.sub(r"<[^>]+>", "", body)
    assert "quire-cite" not in body


def test_vancouver_numbers_the_references_in_order_of_citation(tmp_path):
    root = make_project(tmp_path / "p", textbook("vancouver"))
    publication = load(root)
    refs = next(d for d in publication.documents if d.slug == "references")
    entries = re.findall(r'id="ref-(\w+)"><span class="csl-left-margin">(\d+)\.', refs.body)
    assert entries[:3] == [("knuth1984", "1"), ("lamport1995", "2"), ("shannon1948", "3")]
    first = publication.documents[0].body
    assert re.search(r'<a href="#ref-knuth1984"[^>]*>1</a>', first), first


@pytest.mark.parametrize("name, data", [
    ("refs.json", ('[{"id": "doe2020", "type": "book", "title": "A Book",'
                  ' "author": [{"family": "Doe", "given": "Jane"}], "issued": {"date-parts": [[2020]]}}]')),
    ("refs.yaml", ("references:\n- id: doe2020\n  type: book\n  title: A Book\n"
                  "  author:\n  - family: Doe\n    given: Jane\n  issued: 2020\n")),
])
def test_csl_json_and_yaml_bibliographies(tmp_path, name, data):
    root = make_project(tmp_path / "p", {
        "quire.toml": f'title = "T"\nbibliography = ["{name}"]\ncitation_style = "apa"\n',
        name: data, "content/a.md": "# A\n\nAs shown [@doe2020, p. 4].\n"})
    body = load(root).documents[0].body
    assert '<a href="#ref-doe2020"' in body and "Doe, 2020, p. 4" in body, body
    assert re.search(r'id="ref-doe2020">Doe, J\. \(2020\)\. <i>A Book</i>', body), body


@pytest.mark.parametrize("bibliography", [True, False], ids=["citations", "no-citations"])
def test_parked_bodies_load_the_same_publication(tmp_path, monkeypatch, bibliography):
    """A long manuscript's converted bodies are parked between the loading steps (as XML,
    parsed again when next needed: markup.Converted). Loaded parked and not, the
    publication is the same: numbering by chapter, citations, formulas, the index in the
    author's <div id="index">, links between documents and figure references."""
    from quire import load as load_module
    files = textbook()
    if not bibliography:
        files["quire.toml"] = files["quire.toml"].replace('bibliography = "refs.bib"\n', "")
    files["quire.toml"] += 'numbering = "chapter"\n'
    files["content/01-numbers.md"] += ("\n\n![A plot](plot.png \"Sums\"){#fig-sum}\n\n"
                                       "See [the signals](02-signals.md#signals) and [](#fig-sum).\n")
    files["content/03-type.md"] += '\n\nBack to [](#fig-sum).\n\n<div id="index"></div>\n'
    root = make_project(tmp_path / "p", files)
    (root / "content" / "plot.png").write_bytes(
        (REPO / "content" / "images" / "foto-mangler.png").read_bytes())
    whole = load(root)
    parks = []
    real_park = markup.Converted.park

    def park(self):
        parks.append(self.tree is not None and self.parking)
        real_park(self)
    monkeypatch.setattr(markup.Converted, "park", park)
    monkeypatch.setattr(load_module, "PARK_TEXT", 0)
    parked = load(root)
    assert sum(parks) >= 4 * 3            # each document parked after each step
    assert parked == whole
    assert "Figure 1.1" in whole.documents[2].body and 'class="index"' in whole.documents[2].body
