"""Bad input: one clear line naming the file (and line), exit 1, old outputs untouched."""

from __future__ import annotations

import pytest

from conftest import make_project, run_quire

GOOD = """---
title: Et lite dokument
lang: nb
---

Første avsnitt med «sitat».

![Et bilde](bilde.svg)
"""
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def one_error_line(done, *parts: str) -> str:
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, done.stderr
    for part in parts:
        assert part in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def built(tmp_path):
    """A small project built once (EPUB only, for speed), with its output's bytes."""
    root = make_project(tmp_path / "p", {"content/a.md": GOOD, "content/bilde.svg": SVG})
    done = run_quire("build", root, "--format", "epub")
    assert done.returncode == 0, done.stderr
    epub = root / "dist" / "et-lite-dokument.epub"
    return root, epub, epub.read_bytes()


def test_missing_project(tmp_path):
    done = run_quire("build", tmp_path / "nowhere")
    one_error_line(done, "nowhere", "project folder not found")


def test_missing_content_folder(tmp_path):
    make_project(tmp_path, {"quire.toml": 'title = "Bok"\n'})
    done = run_quire("build", tmp_path)
    one_error_line(done, "content", "content folder not found")


def test_invalid_front_matter_names_file_and_line(built):
    root, epub, before = built
    (root / "content/a.md").write_text("---\ntitle: Tittel\nlang: [nb\n---\nTekst\n")
    line = one_error_line(run_quire("build", root, "--format", "epub"), "content/a.md:3:",
                          "invalid YAML front matter")
    assert epub.read_bytes() == before, line


def test_unknown_front_matter_key_suggests(built):
    """Front matter is tolerant (other tools' keys are ignored), with a hint for a typo;
    --strict fails on it."""
    root, epub, before = built
    (root / "content/a.md").write_text("---\ntitle: Tittel\nlnag: nb\n---\nTekst\n")
    done = run_quire("build", root, "--format", "epub", "--strict")
    assert done.returncode == 1
    assert ("warning: front matter keys quire does not use were ignored: "
            "'lnag' (content/a.md:3; did you mean 'lang'?)") in done.stderr
    assert epub.read_bytes() == before


def test_missing_image_names_file_and_line(built):
    root, epub, before = built
    (root / "content/a.md").write_text(GOOD.replace("bilde.svg", "borte.png"))
    one_error_line(run_quire("build", root), "content/a.md:8:", "image 'borte.png' not found")
    assert epub.read_bytes() == before


def test_image_outside_the_project_is_refused(built, tmp_path):
    root, epub, before = built
    (tmp_path / "secret.svg").write_text(SVG)
    (root / "content/a.md").write_text(GOOD.replace("bilde.svg", "../../secret.svg"))
    one_error_line(run_quire("build", root), "content/a.md:8:", "outside the project folder")
    assert epub.read_bytes() == before


def test_unwritable_output_folder(built, tmp_path):
    root, _, _ = built
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    one_error_line(run_quire("build", root, "--out", blocker), str(blocker), "cannot write")
    assert blocker.read_text() == "not a folder"


def test_output_that_cannot_be_replaced_keeps_the_old(built):
    root, epub, before = built
    (root / "dist" / "et-lite-dokument.pdf").mkdir()       # a folder where the PDF should go
    one_error_line(run_quire("build", root), "et-lite-dokument.pdf", "cannot be written")
    assert (root / "dist" / "et-lite-dokument.pdf").is_dir()
    assert not [p for p in (root / "dist").iterdir() if p.name.endswith(".tmp")]


def test_config_errors_all_at_once(built):
    root, epub, before = built
    (root / "quire.toml").write_text(
        'titel = "Bok"\nlang = 7\n[pdf]\npage_size = "A3x"\n')
    done = run_quire("build", root)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    err = done.stderr
    assert "quire.toml:1: titel: unknown key; did you mean 'title'?" in err
    assert "quire.toml:2: lang: expected a language tag" in err
    assert "quire.toml:4: pdf.page_size: expected one of A4, A5, B5, Letter, 6x9in" in err
    assert "got 'A3x'" in err
    assert "3 errors in quire.toml; nothing was built." in err
    assert epub.read_bytes() == before


def test_invalid_utf8_names_the_line(tmp_path):
    make_project(tmp_path, {"content/a.md": b"# Tittel\n\nGod linje\n\xff\xfe feil\n"})
    one_error_line(run_quire("build", tmp_path), "content/a.md:4:", "not valid UTF-8")


def test_bad_usage_exits_2(tmp_path):
    done = run_quire("build", tmp_path, "--format", "docx")
    assert done.returncode == 2
    assert "invalid choice" in done.stderr
