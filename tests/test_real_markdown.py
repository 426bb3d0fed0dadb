"""Markdown as people write it for GitHub, mkdocs and books: it builds, nothing is lost,
and what a library cannot handle is an error naming the document, never a traceback."""

from __future__ import annotations

import base64
import io
import socket
import zipfile

import pytest
from PIL import Image

from conftest import epub_text, epubcheck, make_project, pdf_pages, problems, run_quire


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
    from quire.outputs import pdf

    real = pdf.Session.render

    def render(self, html):
        if "POISON" in html:
            raise etree.ParserError("Document is empty")
        return real(self, html)

    monkeypatch.setattr(pdf.Session, "render", render)
    root = make_project(tmp_path, {"01-a.md": "# A\n\nFine.\n", "02-b.md": "# B\n\nPOISON\n"})
    assert cli.main(["build", str(root), "--format", "pdf", "-j", "1"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: 02-b.md: lxml failed while laying it out for print "
                          "(ParserError: Document is empty)"), err
    assert "\n" not in err
    assert not (root / "dist").exists() or not list((root / "dist").glob("*.pdf"))

    with pytest.raises(AssertionError):        # quire's own bug: not wrapped
        failures.guarded("x.md", "converting it", lambda: (_ for _ in ()).throw(
            AssertionError("a bug")))
