"""quire.build as a library user calls it: the one build path, its result and its errors."""

from __future__ import annotations

import pytest

import quire
from conftest import make_project
from projects import image


def test_build_returns_files_warnings_with_place_and_up_to_date(tmp_path):
    root = make_project(tmp_path / "p", {
        "content/a.md": "---\ntitle: A\nlang: en\n---\n\nText.\n\n![](pic.png)\n",
        "content/pic.png": image("PNG"),
    })
    first = quire.build(root, formats=("epub",))
    assert not first.up_to_date
    assert [p.name for p in first.written] == ["a.epub"] and first.written[0].is_file()
    alt = [w for w in first.warnings if "alt text" in w.message]
    assert alt and alt[0].path == "content/a.md" and alt[0].line == 8
    again = quire.build(root, formats=("epub",))
    assert again.up_to_date and again.written == first.written
    assert [w.message for w in again.warnings] == [w.message for w in first.warnings]
    heard = []
    (root / "content" / "a.md").write_text("---\ntitle: A\nlang: en\n---\n\nOther.\n\n"
                                           "![](pic.png)\n", encoding="utf-8")
    third = quire.build(root, formats=("epub",), on_warning=heard.append)
    assert not third.up_to_date and heard == list(third.warnings)


def test_build_errors_are_quire_errors_and_strict_keeps_the_old_files(tmp_path):
    root = make_project(tmp_path / "p", {"content/a.md": "# A\n\n![](pic.png)\n",
                                         "content/pic.png": image("PNG")})
    built = quire.build(root, formats=("epub",))
    before = built.written[0].read_bytes()
    (root / "content" / "a.md").write_text("# A\n\nNew text.\n\n![](pic.png)\n")
    with pytest.raises(quire.QuireError):
        quire.build(root, formats=("epub",), strict=True)
    assert built.written[0].read_bytes() == before
    with pytest.raises(quire.QuireError, match="unknown format"):
        quire.build(root, formats=("docx",))
    with pytest.raises(quire.QuireError):
        quire.build(tmp_path / "missing")


@pytest.mark.parametrize("message, path, line", [
    ("content/a.md:8: image 'x.png' has no alt text", "content/a.md", 8),
    ("quire.toml: fonts.body: no font file 'x.ttf'", "quire.toml", None),
    ("front matter keys quire does not use were ignored: hide (content/a.md:2)", None, None),
    ("PDF: quire theme: shared.css: ignored", None, None),
])
def test_a_warning_knows_its_place_only_when_it_names_a_file(message, path, line):
    warning = quire.BuildWarning.of(message)
    assert (warning.path, warning.line) == (path, line)
