"""mkdocs snippets (`--8<-- "file"`): put in from inside the project only, each snippet file
a build input, each refused one an error naming the file and line (all at once), a missing
one a warning (as mkdocs does by default; a docs folder out of its repository builds)."""

from __future__ import annotations

import os

from conftest import epub_text, epubcheck, make_project, problems, run_quire


def _build(root, *args):
    done = run_quire("build", root, "--format", "epub", *args)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_snippets_are_put_in_and_rebuild_when_changed(tmp_path):
    root = make_project(tmp_path, {
        "content/a.md": "---\nlang: en\n---\n\n# One\n\nBefore the snippet.\n\n"
                        '--8<-- "includes/note.md"\n\nAfter the snippet.\n',
        "content/b.md": "---\nlang: en\n---\n\n# Two\n\n--8<--\ncontent/part.md\n--8<--\n",
        "content/part.md": "A part written once and *included* here.\n",
        "includes/note.md": "The first version of the included note.\n",
    })
    done = _build(root)
    assert done.returncode == 0, done.stderr
    epub = next((root / "dist").glob("*.epub"))
    text = " ".join(epub_text(epub).split())
    assert "Before the snippet. The first version of the included note. After the snippet." in text
    assert text.count("A part written once") == 1        # part.md is not a chapter as well
    assert problems(epubcheck(epub)) == []
    assert "up to date" in _build(root).stdout
    (root / "includes/note.md").write_text("The second version.\n", encoding="utf-8")
    done = _build(root)
    assert "wrote" in done.stdout, done.stdout
    assert "The second version." in epub_text(epub)


def test_a_missing_snippet_is_a_warning_and_strict_fails(tmp_path):
    """mkdocs reads snippet paths from the folder of mkdocs.yml, above docs/: `docs/x` is
    found as `x`; a file left behind in the repository is a warning, not a failed build."""
    root = make_project(tmp_path, {
        "index.md": "---\nlang: en\n---\n\n# Docs\n\nThe docs, as mkdocs has them.\n\n"
                    '--8<-- "docs/img/figure.svg"\n\n--8<-- "CONTRIBUTING.md"\n',
        "img/figure.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10">'
                          '<title>A figure drawn inline</title><rect width="20" height="10"/></svg>\n',
    })
    done = _build(root)
    assert done.returncode == 0, done.stderr
    assert "index.md:11: snippet 'CONTRIBUTING.md' not found" in done.stderr
    epub = next((root / "dist").glob("*.epub"))
    assert "A figure drawn inline" in epub_text(epub)
    assert problems(epubcheck(epub)) == []
    assert _build(root, "--strict").returncode == 1


def test_snippets_cannot_leave_the_project(tmp_path):
    secret = make_project(tmp_path, {"secret.md": "SECRET TEXT\n"}) / "secret.md"
    root = make_project(tmp_path / "p", {
        "content/a.md": ("# A\n\nText.\n\n"
                         '--8<-- "missing.md"\n\n'                       # line 5
                         '--8<-- "../secret.md"\n\n'                     # 7
                         f'--8<-- "{secret}"\n\n'                        # 9
                         '--8<-- "https://example.com/x.md"\n\n'         # 11
                         '--8<-- "link.md"\n'),                          # 13
    })
    os.symlink(secret, root / "link.md")
    (root / "dist").mkdir()
    (root / "dist" / "old.epub").write_bytes(b"old")
    done = _build(root)
    assert done.returncode == 1
    errors = [line.removeprefix("error: ") for line in done.stderr.splitlines()
              if line.startswith(("error:", "content/"))]
    assert [line.split(":")[1] for line in errors] == ["7", "9", "11", "13"], done.stderr
    assert "outside the project folder" in errors[0] and "outside the project" in errors[3]
    assert "absolute path" in errors[1]
    assert "quire never fetches" in errors[2]
    assert "4 errors in content/a.md; nothing was built." in done.stderr
    assert ("warning: content/a.md:5: snippet 'missing.md' not found in the project folder; "
            "its text is left out") in done.stderr.splitlines()
    assert "SECRET" not in done.stderr + done.stdout
    assert (root / "dist" / "old.epub").read_bytes() == b"old"
    assert not list((root / "dist").glob("p*.epub"))



def test_the_limits_hold_for_what_snippets_put_in(tmp_path):
    import pytest

    from quire import snippets
    from quire.errors import QuireError

    root = make_project(tmp_path, {"deep.md": "> " * 300 + "deep\n"})
    with pytest.raises(QuireError, match="a.md"):
        snippets.expand('Text.\n\n--8<-- "deep.md"\n', root, root / "a.md", "a.md")
    many = make_project(tmp_path / "m", {f"s{n}.md": "\n".join(
        [f'--8<-- "s{n + 1}.md"'] * 20) for n in range(6)} | {"s6.md": "x\n" * 100})
    with pytest.raises(QuireError, match="more than"):
        snippets.expand('--8<-- "s0.md"\n', many, many / "a.md", "a.md")


def test_a_large_inline_svg_is_scaled_to_the_page_not_cut(tmp_path):
    """mkdocs' plugin-events.svg (527pt x 1786pt, put in by a snippet): its own width,
    height and viewBox kept, shrunk to fit the text block in print, scaled not clipped."""
    svg = ('<svg width="527pt" height="1786pt"\n viewBox="0 0 527 1786" '
           'xmlns="http://www.w3.org/2000/svg">\n<rect width="527" height="1786" fill="none" '
           'stroke="black"/>\n<text x="430" y="1770">END-MARK</text>\n</svg>\n')
    root = make_project(tmp_path, {
        "a.md": "---\nlang: en\n---\n# Events\n\nThe events of a plugin, drawn below.\n\n"
                '--8<-- "img/events.svg"\n\nAfter the drawing.\n',
        "img/events.svg": svg})
    done = run_quire("build", root)
    assert done.returncode == 0, done.stderr
    assert "within 5 mm" not in done.stderr and "outside the text block" not in done.stderr, \
        done.stderr
    epub = next((root / "dist").glob("*.epub"))
    assert problems(epubcheck(epub)) == []
    import zipfile
    with zipfile.ZipFile(epub) as zf:
        assert b'viewBox="0 0 527 1786"' in zf.read("EPUB/text/a.xhtml")


# -- mdBook's includes ------------------------------------------------------------------

def _mdbook(tmp_path, chapter: str, extra: dict | None = None):
    return make_project(tmp_path, {
        "book.toml": '[book]\ntitle = "Listings"\nlanguage = "en"\n',
        "src/SUMMARY.md": "- [One](ch01.md)\n- [Two](ch02.md)\n",
        "src/ch01.md": chapter,
        "src/ch02.md": "# Two\n\nText.\n",
        "listings/ch01/src/main.rs": "use std::io;\n\n// ANCHOR: here\nfn main() {\n"
                                     "    // ANCHOR: inner\n    println!(\"Guess!\");\n"
                                     "    // ANCHOR_END: inner\n}\n// ANCHOR_END: here\n",
        "listings/ch01/output.txt": "$ cargo run\n   Compiling guessing_game\n"
                                    "    Finished dev\n     Running `target/debug/game`\n",
        **(extra or {})})


def test_mdbook_includes_are_put_in_with_their_ranges_and_anchors(tmp_path):
    """rust-lang/book writes its listings as `{{#rustdoc_include file:anchor}}` and
    `{{#include file}}` inside code fences: without them the book printed the directives
    and no code. Ranges (N, N:, :M, N:M) and anchors select lines; anchor markers are left
    out; an escaped include stays as text; an included file rebuilds the book; rustdoc's
    hidden lines in Rust code are left out, as mdBook shows them."""
    chapter = ("# One\n\n```rust\n{{#rustdoc_include ../listings/ch01/src/main.rs:here}}\n```\n\n"
               "```text\n{{#include ../listings/ch01/output.txt:2:3}}\n```\n\n"
               "```rust\n{{#include ../listings/ch01/src/main.rs:inner}}\n```\n\n"
               "```rust\n{{#include ../listings/ch01/src/main.rs::1}}\n```\n\n"
               "Write \\{{#include file.rs}} to include a file.\n\n"
               "```rust,ignore\n# use std::collections::HashMap;\nlet shown = 1;\n#\n"
               "## escaped\n#[derive(Debug)]\n```\n")
    root = _mdbook(tmp_path, chapter)
    done = _build(root)
    assert done.returncode == 0, done.stderr
    epub = next((root / "dist").glob("*.epub"))
    text = "".join(epub_text(epub).split())                 # code is split in tokens
    assert 'fnmain(){println!("Guess!");}' in text
    assert "Compilingguessing_gameFinisheddev" in text and "cargorun" not in text
    assert "ANCHOR" not in text and "usestd::io;" in text
    assert "Write{{#includefile.rs}}toincludeafile." in text
    assert "HashMap" not in text and "letshown=1;#escaped#[derive(Debug)]" in text   # rustdoc
    assert problems(epubcheck(epub)) == []
    (root / "listings/ch01/output.txt").write_text("$ cargo run\n   Compiling again\n")
    assert _build(root).returncode == 0
    rebuilt = "".join(epub_text(next((root / "dist").glob("*.epub"))).split())
    assert "Compilingagain" in rebuilt


def test_mdbook_includes_that_leave_the_project_are_refused_and_missing_ones_warned(tmp_path):
    outside = tmp_path / "outside.rs"
    outside.write_text("secret\n")
    chapter = ("# One\n\n```rust\n{{#include ../../outside.rs}}\n```\n\n"
               "```rust\n{{#include /etc/hostname}}\n```\n\n"
               "```rust\n{{#include ../listings/ch01/src/main.rs:nowhere}}\n```\n\n"
               "```rust\n{{#include ../listings/missing.rs}}\n```\n")
    root = _mdbook(tmp_path / "book", chapter)
    done = _build(root)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    lines = [line.removeprefix("error: ") for line in done.stderr.splitlines()]
    assert any(line.startswith("src/ch01.md:4:") and "outside the project folder" in line
               for line in lines), done.stderr
    assert any(line.startswith("src/ch01.md:8:") and "inside the project" in line
               for line in lines), done.stderr
    assert any(line.startswith("src/ch01.md:12:") and "no anchor 'nowhere'" in line
               for line in lines), done.stderr
    assert "secret" not in done.stderr
    (root / "src/ch01.md").write_text("# One\n\n{{#include ../listings/missing.rs}}\n")
    done = _build(root)
    assert done.returncode == 0 and "src/ch01.md:3: include '../listings/missing.rs' not found" \
        in done.stderr, done.stderr
