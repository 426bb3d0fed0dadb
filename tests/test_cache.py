"""The build cache: nothing to do when nothing changed, and never a stale output."""

from __future__ import annotations

import zipfile

import pytest

from conftest import make_project, run_quire
from projects import image

DOC = "---\ntitle: Bok\nlang: nb\n---\n\n# Kapittel\n\nFørste tekst.\n\n![Bilde](bilde.png)\n"


@pytest.fixture
def project(tmp_path):
    root = make_project(tmp_path, {"content/a.md": DOC, "content/bilde.png": image("PNG", (40, 30)),
                                   "quire.toml": 'name = "bok"\n[pdf]\nbleed = "0mm"\n'})
    first = run_quire("build", root)
    assert first.returncode == 0 and "wrote" in first.stdout, first.stderr
    return root


def outputs(root):
    return {p.name: p.read_bytes() for p in (root / "dist").glob("bok*")}


def test_nothing_changed_nothing_built(project):
    before = outputs(project)
    again = run_quire("build", project)
    assert again.returncode == 0
    assert "up to date" in again.stdout and "wrote" not in again.stdout
    assert outputs(project) == before


@pytest.mark.parametrize("change", ["text", "image", "stylesheet", "template", "config", "epoch",
                                    "output"])
def test_every_input_change_rebuilds(project, change):
    before = outputs(project)
    env = {}
    if change == "text":
        (project / "content/a.md").write_text(DOC.replace("Første tekst.", "Ny tekst."))
    elif change == "image":
        (project / "content/bilde.png").write_bytes(image("PNG", (40, 30), (200, 10, 10)))
    elif change == "stylesheet":
        (project / "styles").mkdir()
        (project / "styles/epub.css").write_text("p { color: #333; }\n")
    elif change == "template":
        (project / "templates").mkdir()
        (project / "templates/_footnotes.xhtml").write_text("")
        (project / "templates/_header.html").write_text(
            '<header class="document-header"><h1 class="title">{{ doc.title }} (ny)</h1></header>\n')
    elif change == "config":
        (project / "quire.toml").write_text('name = "bok"\n[pdf]\nbleed = "2mm"\n')
    elif change == "epoch":
        env = {"SOURCE_DATE_EPOCH": "1700000000"}
    elif change == "output":
        (project / "dist" / "bok.epub").write_bytes(b"damaged")
    again = run_quire("build", project, env=env)
    assert again.returncode == 0, again.stderr
    assert "wrote" in again.stdout and "up to date" not in again.stdout
    after = outputs(project)
    assert after["bok.epub"] != b"damaged"
    if change == "text":
        with zipfile.ZipFile(project / "dist" / "bok.epub") as zf:
            assert "Ny tekst." in zf.read("EPUB/text/a.xhtml").decode()
    if change != "output":
        assert after != before


def test_epub_only_after_a_full_build_reuses_the_layout(tmp_path):
    # An EPUB alone has the print page list only with `[epub] page_list = true` (the
    # default, "auto", gives it one when the same build makes the PDF: test_page_list.py).
    project = make_project(tmp_path, {
        "content/a.md": DOC, "content/bilde.png": image("PNG", (40, 30)),
        "quire.toml": 'name = "bok"\n[pdf]\nbleed = "0mm"\n[epub]\npage_list = true\n'})
    assert run_quire("build", project).returncode == 0
    full = (project / "dist" / "bok.epub").read_bytes()
    (project / "dist" / "bok.epub").unlink()
    again = run_quire("build", project, "--format", "epub")
    assert again.returncode == 0
    assert (project / "dist" / "bok.epub").read_bytes() == full


def test_strict_is_not_skipped_by_the_cache(tmp_path):
    root = make_project(tmp_path, {"content/a.md": "# T\n\n![](x.png)\n",
                                   "content/x.png": image("PNG", (10, 10))})
    assert run_quire("build", root, "--format", "epub").returncode == 0
    strict = run_quire("build", root, "--format", "epub", "--strict")
    assert strict.returncode == 1 and "has no alt text" in strict.stderr


def test_files_outside_the_usual_folders_are_watched_too(tmp_path):
    """An image beside the project's folders (../images/x.png) is an input like any other."""
    root = make_project(tmp_path, {"content/a.md": "# T\n\n![Bilde](../images/x.png)\n",
                                   "images/x.png": image("PNG", (20, 20))})
    assert run_quire("build", root, "--format", "epub").returncode == 0
    (root / "images" / "x.png").write_bytes(image("PNG", (20, 20), (250, 0, 0)))
    again = run_quire("build", root, "--format", "epub")
    assert "wrote" in again.stdout and "up to date" not in again.stdout
    with zipfile.ZipFile(next((root / "dist").glob("*.epub"))) as zf:
        assert zf.read("EPUB/images/x.png") == (root / "images" / "x.png").read_bytes()
    assert "up to date" in run_quire("build", root, "--format", "epub").stdout
