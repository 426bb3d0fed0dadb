"""The seed article, built as a user would: both files, checked with real tools."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pikepdf
from lxml import etree
from pypdf import PdfReader

from conftest import SEED, epub_text, epubcheck, letters, pdf_pages, problems

LABEL = "AKTUELT I FORENINGEN"


def seed_sentences() -> list[str]:
    """The seed's sentences in order, Markdown markup removed (the label is checked apart)."""
    text = SEED.read_text(encoding="utf-8")
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)       # links -> their text
    lines = [line.strip().lstrip("#").strip() for line in text.splitlines()]
    lines = [re.sub(r"^- ", "", line).replace("**", "") for line in lines
             if line and line != "---" and line != LABEL]
    sentences = []
    for line in lines:
        sentences += [s for s in re.split(r"(?<=[.!?:])\s+", line) if letters(s)]
    return sentences


def assert_in_order(sentences: list[str], text: str) -> None:
    haystack, position = letters(text), 0
    for sentence in sentences:
        found = haystack.find(letters(sentence), position)
        assert found >= 0, f"missing or out of order: {sentence!r}"
        position = found + len(letters(sentence))


def test_seed_sentences_are_many():
    assert len(seed_sentences()) > 40


def test_pdf_has_every_sentence_in_order(seed_build):
    pages = pdf_pages(seed_build["pdf"])
    assert_in_order(seed_sentences(), "\n".join(pages))
    assert letters(LABEL) in letters(pages[0])


def test_epub_has_every_sentence_in_order(seed_build):
    text = epub_text(seed_build["epub"])
    assert_in_order(seed_sentences(), text)
    assert letters(LABEL) in letters(text)


def test_epub_passes_epubcheck(seed_build):
    assert problems(epubcheck(seed_build["epub"])) == []


def test_build_reports_no_warnings(seed_build):
    assert "warning" not in seed_build["stderr"]


def test_pdf_fonts_are_embedded_and_ours(seed_build):
    names = set()
    with pikepdf.open(seed_build["pdf"]) as pdf:
        for page in pdf.pages:
            for _, font in page.resources.get("/Font", {}).items():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                descriptor = descendant.FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), \
                    f"{font.BaseFont} is not embedded"
                names.add(str(font.BaseFont).split("+", 1)[-1])
    assert any(n.startswith("Source-Serif-4") for n in names), names
    assert any(n.startswith("Source-Sans-3") for n in names), names


def test_pdf_metadata_and_outline(seed_build):
    reader = PdfReader(str(seed_build["pdf"]))
    info = reader.metadata
    assert info.title == "– Nukleærmedisin er et tverrfaglig og mangfoldig fagområde"
    assert info.author == "Lisbet T. Kongsvik"
    assert info.subject == "Nukleærmedisin"
    assert "nukleærmedisin" in info["/Keywords"]
    assert info["/CreationDate"].startswith("D:20190819")
    assert reader.trailer["/Root"]["/Lang"] == "nb"

    def titles(outline):
        for item in outline:
            yield from titles(item) if isinstance(item, list) else [item.title]
    outline = list(titles(reader.outline))
    assert outline[0].endswith("Nukleærmedisin er et tverrfaglig og mangfoldig fagområde")
    assert outline[1:] == ["Rivende utvikling i faget", "Personalisert medisin", "Vil styrke faget"]
    # The sub-headings nest under the title.
    assert isinstance(reader.outline[1], list) and len(reader.outline[1]) == 3


def test_pdf_pages_have_folios_and_journal_line(seed_build):
    pages = pdf_pages(seed_build["pdf"])
    assert len(pages) >= 2
    for number, text in enumerate(pages, 1):
        assert "Tidsskrift for Den norske legeforening" in text
        footer = text[text.index("Tidsskrift for Den norske legeforening"):]
        assert re.search(rf"(^|\s){number}(\s|$)", footer), f"no folio on page {number}"


def test_pdf_is_a4_by_default(seed_build):
    with pikepdf.open(seed_build["pdf"]) as pdf:
        x0, y0, x1, y1 = [float(v) for v in pdf.pages[0].TrimBox]
    assert (round(x1 - x0), round(y1 - y0)) == (595, 842)


def _opf(epub_path):
    with zipfile.ZipFile(epub_path) as zf:
        return etree.fromstring(zf.read("EPUB/content.opf")), zf


def test_epub_package_language_and_metadata(seed_build):
    with zipfile.ZipFile(seed_build["epub"]) as zf:
        names = zf.namelist()
        assert names[0] == "mimetype" and zf.getinfo("mimetype").compress_type == 0
        opf = etree.fromstring(zf.read("EPUB/content.opf"))
        assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "nb"
        ns = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
        assert opf.findtext(".//dc:language", namespaces=ns) == "nb"
        assert opf.findtext(".//dc:creator", namespaces=ns) == "Lisbet T. Kongsvik"
        modified = opf.find(".//opf:meta[@property='dcterms:modified']", ns).text
        assert modified == "2019-08-19T00:00:00Z"
        items = opf.findall(".//opf:manifest/opf:item", ns)
        fonts = [i.get("href") for i in items if i.get("media-type") == "font/ttf"]
        assert any("SourceSerif4" in f for f in fonts) and any("SourceSans3" in f for f in fonts)
        for font in fonts:
            assert f"EPUB/{font}" in names
        assert any(i.get("media-type") == "image/png" for i in items)
        for name in names:
            if name.endswith(".xhtml"):
                root = etree.fromstring(zf.read(name))
                assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "nb", name
                assert root.get("lang") == "nb", name


def test_epub_nav_lists_the_headings(seed_build):
    with zipfile.ZipFile(seed_build["epub"]) as zf:
        nav = etree.fromstring(zf.read("EPUB/nav.xhtml"))
        ncx = zf.read("EPUB/toc.ncx").decode()
    links = [" ".join(a.itertext()) for a in nav.iter("{http://www.w3.org/1999/xhtml}a")]
    for heading in ("Rivende utvikling i faget", "Personalisert medisin", "Vil styrke faget"):
        assert heading in links
        assert heading in ncx


def test_norwegian_typography(seed_build):
    with zipfile.ZipFile(seed_build["epub"]) as zf:
        text = zf.read("EPUB/text/nukleaermedisin.xhtml").decode()
    # A dialogue dash is followed by a no-break space, never an ordinary one.
    assert "–\u00a0Faget var tidligere" in text
    assert "–\u00a0Utfordringene" in text
    assert not re.search(r">\s*– ", text)
    assert 'lang="nb"' in text


def test_same_source_same_bytes(seed_project, seed_build, tmp_path):
    """Built again, and built from a copy somewhere else: the same bytes."""
    import shutil

    from conftest import run_quire
    elsewhere = tmp_path / "some" / "other" / "place"
    shutil.copytree(seed_project, elsewhere, ignore=shutil.ignore_patterns("dist"))
    for project, out in ((seed_project, tmp_path / "again"), (elsewhere, tmp_path / "moved")):
        done = run_quire("build", project, "--out", out)
        assert done.returncode == 0, done.stderr
        for fmt in ("pdf", "epub"):
            assert (out / f"nukleaermedisin.{fmt}").read_bytes() == seed_build[fmt].read_bytes()


def test_epub_only_build_follows_the_page_list_policy(seed_project, seed_build, tmp_path):
    """`[epub] page_list = "auto"` (the seed's default): an EPUB built alone has no print
    page list (no layout is made for it), and the same command gives the same bytes; with
    `page_list = true` the EPUB built alone is the full build's, page list included."""
    from conftest import run_quire

    def nav(epub: Path) -> str:
        with zipfile.ZipFile(epub) as book:
            name = next(n for n in book.namelist() if n.endswith("nav.xhtml"))
            return book.read(name).decode()

    alone = []
    for out in (tmp_path / "one", tmp_path / "two"):
        done = run_quire("build", seed_project, "--format", "epub", "--out", out)
        assert done.returncode == 0, done.stderr
        assert not (out / "nukleaermedisin.pdf").exists()
        alone.append((out / "nukleaermedisin.epub").read_bytes())
    assert alone[0] == alone[1]
    assert 'epub:type="page-list"' in nav(seed_build["epub"])
    assert 'epub:type="page-list"' not in nav(tmp_path / "one" / "nukleaermedisin.epub")

    asked = tmp_path / "asked"
    shutil.copytree(seed_project, asked, ignore=shutil.ignore_patterns("dist"))
    with open(asked / "quire.toml", "a", encoding="utf-8") as toml:
        toml.write('\n[epub]\npage_list = true\n')
    full = run_quire("build", asked, "--out", tmp_path / "full")
    assert full.returncode == 0, full.stderr
    epub = run_quire("build", asked, "--format", "epub", "--out", tmp_path / "epub")
    assert epub.returncode == 0, epub.stderr
    assert not (tmp_path / "epub" / "nukleaermedisin.pdf").exists()
    assert 'epub:type="page-list"' in nav(tmp_path / "epub" / "nukleaermedisin.epub")
    assert ((tmp_path / "epub" / "nukleaermedisin.epub").read_bytes()
            == (tmp_path / "full" / "nukleaermedisin.epub").read_bytes())
