"""The EPUB's page list policy (`[epub] page_list`): "auto" gives the EPUB a page list when
the same build makes the PDF; true always (an EPUB alone then costs a print layout, and
says so); false never. Whether the build cache holds a layout never changes the bytes."""

from __future__ import annotations

import logging
import zipfile

import pytest

import quire
from conftest import epubcheck, make_project, problems, run_quire
from test_publications import page_list_checks

DOC = "# Kapittel {n}\n\n" + "Et avsnitt med nok tekst til flere sider. " * 400 + "\n"


def project(root, page_list=None):
    toml = 'title = "Sider"\nlang = "nb"\nname = "sider"\n'
    if page_list is not None:
        toml += f"[epub]\npage_list = {page_list}\n"
    files = {"quire.toml": toml}
    files.update({f"content/{n}.md": DOC.format(n=n) for n in (1, 2)})
    return make_project(root, files)


def has_page_list(epub) -> bool:
    with zipfile.ZipFile(epub) as zf:
        nav = zf.read("EPUB/nav.xhtml").decode()
        opf = zf.read("EPUB/content.opf").decode()
        text = "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("EPUB/text/"))
    found = 'id="page-list"' in nav
    assert found == ("printPageNumbers" in opf) == ('epub:type="pagebreak"' in text)
    return found


def test_auto_an_epub_alone_has_no_page_list_and_lays_nothing_out(tmp_path, caplog):
    root = project(tmp_path / "p")
    caplog.set_level(logging.INFO, logger="quire")
    result = quire.build(root, formats=("epub",))
    epub = result.written[0]
    assert not has_page_list(epub)
    assert not any("laying out" in r.getMessage() for r in caplog.records)
    assert problems(epubcheck(epub)) == []


def test_auto_with_the_pdf_the_epub_follows_its_pages(tmp_path):
    root = project(tmp_path / "p")
    done = run_quire("build", root)
    assert done.returncode == 0, done.stderr
    entries = page_list_checks(root / "dist" / "sider.epub", root / "dist" / "sider.pdf")
    assert len(entries) >= 3


def test_true_an_epub_alone_costs_a_layout_and_says_so(tmp_path, caplog):
    root = project(tmp_path / "p", "true")
    caplog.set_level(logging.INFO, logger="quire")
    alone = quire.build(root, formats=("epub",), out_dir=tmp_path / "alone").written[0]
    assert any("costs a print layout" in r.getMessage() for r in caplog.records)
    both = quire.build(root, out_dir=tmp_path / "both").written
    epub = next(p for p in both if p.suffix == ".epub")
    assert has_page_list(alone)
    assert alone.read_bytes() == epub.read_bytes()          # the same page list
    page_list_checks(alone, next(p for p in both if p.suffix == ".pdf"))


def test_false_never(tmp_path):
    root = project(tmp_path / "p", "false")
    written = quire.build(root).written
    assert not has_page_list(next(p for p in written if p.suffix == ".epub"))


@pytest.mark.parametrize("setting", [None, "true"])
def test_the_cache_never_changes_an_epub_alone(tmp_path, setting):
    """An EPUB alone after a PDF build (a cache holding its layout) is the EPUB alone built
    from nothing, byte for byte."""
    root = project(tmp_path / "p", setting)
    assert run_quire("build", root, "--format", "pdf").returncode == 0
    warm = run_quire("build", root, "--format", "epub")
    cold = run_quire("build", root, "--format", "epub", "--out", tmp_path / "cold")
    assert warm.returncode == cold.returncode == 0, warm.stderr + cold.stderr
    assert (root / "dist" / "sider.epub").read_bytes() == \
        (tmp_path / "cold" / "sider.epub").read_bytes()


def test_a_wrong_value_is_a_config_error(tmp_path):
    root = project(tmp_path / "p", '"sometimes"')
    done = run_quire("build", root, "--format", "epub")
    assert done.returncode == 1
    assert 'epub.page_list: expected "auto", true or false' in done.stderr
