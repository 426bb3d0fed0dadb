"""Markdown -> XHTML, one stage at a time: inline source in, the model's XHTML out.

No builds: markup.convert with a trivial id claimer and image resolver, and the structure
functions (reading order, titles, parts) on a few files in tmp_path. What a whole build
makes of the same Markdown is tested by test_publications, test_real_markdown and others.
"""

from __future__ import annotations

import html as html_text
import re
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import REPO, run_quire

from quire import markup, structure
from quire.errors import QuireError
from quire.load import load
from quire.outputs.pdf import render_print_html
from quire.model import Document, Metadata, Publication


def convert(text: str, lang: str = "en", numbering: bool = True) -> markup.Converted:
    used: set[str] = set()

    def claim(wanted: str) -> str:
        candidate, n = wanted, 2
        while candidate in used:
            candidate, n = f"{wanted}-{n}", n + 1
        used.add(candidate)
        return candidate

    return markup.convert(text, lang=lang, label="doc.md", first_line=1, claim_id=claim,
                          resolve_image=lambda src, line: f"images/{src}",
                          numbering=markup.Numbering(enabled=numbering))


def xhtml(text: str, lang: str = "en") -> str:
    return convert(text, lang).xhtml().strip()


# -- headings and ids ---------------------------------------------------------------------

def test_headings_get_ids_and_are_listed():
    body = convert("# Title\n\n## Intro\n\nText.\n\n## Intro\n")
    assert body.xhtml() == ('<h1 id="title">Title</h1>\n<h2 id="intro">Intro</h2>\n'
                            '<p>Text.</p>\n<h2 id="intro_1">Intro</h2>')
    assert [(h.level, h.text, h.id) for h in body.headings] == [
        (1, "Title", "title"), (2, "Intro", "intro"), (2, "Intro", "intro_1")]
    assert body.targets["intro"] == "Intro"


def test_ids_are_claimed_for_the_publication_and_followed_by_links():
    used = {"intro"}                        # another document has it already

    def claim(wanted: str) -> str:
        new = wanted + "-2" if wanted in used else wanted
        used.add(new)
        return new

    body = markup.convert("## Intro\n\n[back](#intro)\n", lang="en", label="b.md", first_line=1,
                          claim_id=claim, resolve_image=lambda src, line: src)
    assert body.xhtml() == '<h2 id="intro-2">Intro</h2>\n<p><a href="#intro-2">back</a></p>'
    assert body.renamed == {"intro": "intro-2"}


def test_an_empty_raw_html_heading_is_removed_with_a_warning():
    body = convert("<h2></h2>\n\nText\n")
    assert body.xhtml().strip() == "<p>Text</p>"
    assert body.warnings == ["doc.md: removed an empty <h2> heading"]


# -- footnotes ----------------------------------------------------------------------------

def test_footnotes_leave_the_text_numbered_by_first_call():
    body = convert("Text[^b] and more[^a].\n\n[^a]: Note A.\n[^b]: Note B with [^a].\n")
    assert body.xhtml().strip() == (
        '<p>Text<a class="noteref" id="fnref-1" href="#fn-1">1</a> and more'
        '<a class="noteref" id="fnref-2" href="#fn-2">2</a>.</p>')
    notes = [(n.id, n.ref_id, n.number, n.html) for n in body.footnotes]
    assert notes == [
        ("fn-1", "fnref-1", 1, '<p>Note B with <a class="noteref" id="fnref-2-2" '
                               'href="#fn-2">2</a>.</p>'),
        ("fn-2", "fnref-2", 2, "<p>Note A.</p>")]


# -- tables, figures, lists -----------------------------------------------------------------

def test_a_table_caption_paragraph_becomes_a_numbered_caption():
    assert xhtml("| a | b |\n|---|---|\n| 1 | 2 |\n\nTable: Numbers {#tab-n}\n") == (
        '<table id="tab-n">\n<caption><span class="caption-label">Table 1</span> Numbers'
        '</caption><thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n'
        '<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>')


def test_a_lone_image_with_a_title_is_a_numbered_figure_in_the_documents_language():
    body = convert('![En katt](cat.png "Katten"){#fig-cat}\n', lang="nb")
    assert body.xhtml().strip() == (
        '<figure id="fig-cat"><img alt="En katt" src="images/cat.png"/><figcaption>'
        '<span class="caption-label">Figur 1</span> Katten</figcaption></figure>')
    assert body.targets == {"fig-cat": "Figur 1"}


def test_numbering_off_leaves_captions_unlabelled():
    assert "caption-label" not in convert('![A](a.png "Cap")\n', numbering=False).xhtml()


def test_an_image_without_alt_text_is_counted_and_warned_about():
    body = convert("![](a.png)\n")
    assert body.images_without_alt == 1
    assert body.warnings == ["doc.md:1: image 'a.png' has no alt text"]


def test_task_lists_strikethrough_bare_urls_and_definition_lists():
    assert xhtml("- [x] done\n- [ ] todo\n") == (
        '<ul class="task-list">\n<li class="task-list-item">☑ done</li>\n'
        '<li class="task-list-item">☐ todo</li>\n</ul>')
    assert xhtml("~~gone~~ and https://example.org\n") == (
        '<p><del>gone</del> and <a href="https://example.org">https://example.org</a></p>')
    assert xhtml("Term\n:   Definition\n") == "<dl>\n<dt>Term</dt>\n<dd>Definition</dd>\n</dl>"


def test_github_alerts_are_admonitions():
    assert xhtml("> [!NOTE]\n> Be careful.\n") == (
        '<div class="admonition note">\n<p class="admonition-title">Note</p>\n'
        "<p>Be careful.</p>\n</div>")


# -- raw HTML -------------------------------------------------------------------------------

def test_raw_html_is_repaired_and_cleaned_with_warnings_naming_the_line():
    body = convert('<div onclick="x()"><p>Hi <b>there</div>\n\n<script>alert(1)</script>\n')
    assert body.xhtml().strip() == "<div><p>Hi <b>there</b></p></div>"
    assert body.warnings == ['doc.md:1: removed onclick="x()" (script)',
                             "doc.md:3: removed <script> (active or unsafe HTML)"]


def test_obsolete_tags_become_their_modern_kin():
    assert xhtml("<center>Old</center> <font color=red>x</font>\n") == (
        "<div>Old</div>\n<p><span>x</span></p>")


def test_a_block_inside_a_paragraph_moves_out_of_it():
    assert xhtml("<p>a<div>b</div></p>\n") == "<p>a</p><div>b</div>"


def test_characters_xml_cannot_hold_are_dropped_or_replaced():
    assert markup.inner_xhtml(markup.parse_fragment("<p>a\x01b &#0; &#x1F600;</p>")) == (
        "<p>ab \ufffd \U0001F600</p>")


# -- typography by language -------------------------------------------------------------------

@pytest.mark.parametrize("lang, text, expected", [
    ("en", 'He said "hi \'you\'"...', "He said “hi ‘you’”…"),
    ("nb", 'Han sa "hei \'du\' der".', "Han sa «hei ‘du’ der»."),
    ("de", 'Er sagte "Hallo \'du\'".', "Er sagte „Hallo ‚du‘“."),
    ("ru", 'Он сказал "да \'нет\'".', "Он сказал «да „нет“»."),
    ("fr", 'Il a dit "bonjour".', "Il a dit «\u202fbonjour\u202f»."),
    ("ja", '彼は"はい"と言った。', "彼は「はい」と言った。"),
])
def test_quotation_marks_are_the_languages(lang, text, expected):
    assert xhtml(text + "\n", lang) == f"<p>{expected}</p>"


def test_a_dialogue_dash_is_followed_by_a_no_break_space_in_norwegian():
    assert xhtml("– Hei, sa han.\n", "nb") == "<p>–\u00a0Hei, sa han.</p>"
    assert xhtml("– Hi, he said.\n", "en") == "<p>– Hi, he said.</p>"


def test_code_keeps_its_straight_quotes():
    assert xhtml('Say `"hi"` and "hi".\n', "nb") == '<p>Say <code>"hi"</code> and «hi».</p>'


def test_the_html_before_typography_does_not_depend_on_the_language():
    assert markup.to_html('"a"') == markup.to_html('"a"')
    assert "«" not in markup.to_html('"a"') and "“" not in markup.to_html('"a"')


@pytest.mark.parametrize("opening, lang", [
    ("```rust,ignore,does_not_compile", "rust"), ("```rust,noplayground", "rust"),
    ('```python title="setup.py"', "python"), ("~~~ console $ ls", "console"),
    ("```python", "python"), ('```python hl_lines="1"', "python")])
def test_a_fence_whose_info_string_has_more_than_a_language_is_still_code(opening, lang):
    """CommonMark takes the first word of a fence's info string for the language (mdBook
    splits it at a comma: "rust,ignore"); Python-Markdown took such a fence for text, and
    rust-lang/book printed over 300 of its code blocks as paragraphs. A fence inside a
    longer one is left as it is."""
    fence = opening.lstrip()[:3]
    html = markup.to_html(f"Text.\n\n{opening}\nif x {{ return 1; }}\n{fence}\n\nAfter.\n")
    assert "<pre" in html and "```" not in html and "<p>After.</p>" in html, html
    if lang in ("rust", "python"):                                # highlighted as such
        assert '<span class="k' in html, html
    nested = markup.to_html(f"````\n{opening}\nx\n````\n")
    assert opening in html_text.unescape(nested), nested    # Pygments 2.20 writes &quot;


def test_a_fenced_block_in_a_list_a_quote_or_an_admonition_is_code_there():
    """Python-Markdown's fenced_code reads fences at the top level only: a fence in a list
    item (GitHub's 3 spaces under "1. "), in a block quote (nested too, as mkdocs' docs
    write their examples) or in an admonition was printed as a line of inline code that
    ended the list. Each is now a code block in its place, highlighted in its language;
    a fence with no closing one stays text."""
    html = markup.to_html(
        "1. Install:\n\n   ```bash\n   pip install quire\n   ```\n\n2. Build.\n\n"
        "> Note:\n>\n> > ```python\n> > if x:\n> >\n> >     return 1\n> > ```\n\n"
        "!!! note\n    Text.\n\n    ```rust,ignore\n    fn main() {}\n    ```\n\n"
        "Top:\n\n  ```\n  plain text\n  ```\n\n- open:\n\n  ```\n  never closed\n")
    assert html.count("<pre>") == 4 and "```bash" not in html and ":::" not in html, html
    assert html.count("<ol") == 1 and "<li>\n<p>Build.</p>" in html      # one list
    assert '<span class="k">if</span>' in html and '<span class="k">fn</span>' in html
    assert "<blockquote>\n<p>Note:</p>\n<blockquote>" in html
    assert "return" in html.split("</pre>")[1] and "    <span" in html   # blank line kept
    assert "```\nnever closed" in html or "never closed" in html.split("</pre>")[-1]
    nested = markup.to_html(
        "*   **analytics**: options.\n\n    *   **gtag**: an ID, in the\n    `G-` format.\n\n"
        "        ```yaml\n        gtag: G-ABC123\n        ```\n\n        After.\n")
    assert nested.count("<pre>") == 1 and nested.count("<ul>") == 2 and ":::" not in nested
    assert nested.index("<pre>") > nested.index("gtag") and "G-ABC123" in nested   # mkdocs
    shown = markup.to_html("A fence, shown:\n\n    ```python\n    x = 1\n    ```\n")
    assert "```python" in shown and shown.count("<pre>") == 1      # indented code, as written


def test_a_lead_is_blocks_without_notes_or_headings_in_the_documents_typography():
    lead, warnings = markup.short_text('A *lead* with a note[^1] and "quotes".\n\n[^1]: x\n',
                                       "nb", "doc.md")
    assert lead.strip() == "<p>A <em>lead</em> with a note and «quotes».</p>"
    assert warnings == []
    assert markup.short_text("# Heading\n", "en", "doc.md")[0].startswith("<p")


# -- structure: reading order, titles, parts ------------------------------------------------------

def files(root: Path, names: dict[str, str]) -> list[Path]:
    for name, text in names.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return [root / name for name in names]


def names(paths: list[Path], root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def test_path_order_puts_the_readme_first_and_compares_numbers_as_numbers(tmp_path):
    files(tmp_path, {"ch10.md": "x", "ch2.md": "x", "README.md": "x", "a/ch1.md": "x",
                     "toc.md": "x"})
    found = structure.document_files(tmp_path, tmp_path, None)
    assert names(found, tmp_path) == ["README.md", "ch2.md", "ch10.md", "a/ch1.md"]


def test_a_summary_gives_the_reading_order_and_is_no_document(tmp_path, caplog):
    """SUMMARY.md is the book, as mdBook and GitBook read it: a file it does not list is
    left out, with one warning naming it (ruanyf/es6tutorial printed its sidebar.md and a
    vendored library's README after the book)."""
    files(tmp_path, {"SUMMARY.md": "- [B](b.md)\n- [A](a.md)\n- [C](c.md)\n",
                     "a.md": "x", "b.md": "x", "c.md": "x", "d.md": "x",
                     "app/vendor/README.md": "# Vendor\n"})
    found = structure.document_files(tmp_path, tmp_path, None)
    assert names(found, tmp_path) == ["b.md", "a.md", "c.md"]
    assert [r.getMessage() for r in caplog.records] == [
        "SUMMARY.md: 2 Markdown file(s) it does not list were left out: "
        "'d.md', 'app/vendor/README.md'; list them in it to publish them"]


def test_a_readme_listing_the_documents_orders_them(tmp_path):
    files(tmp_path, {"README.md": "# Book\n\n* [Two](two.md)\n* [One](one.md)\n",
                     "one.md": "x", "two.md": "x"})
    found = structure.document_files(tmp_path, tmp_path, None)
    assert names(found, tmp_path) == ["README.md", "two.md", "one.md"]


def test_quire_toml_documents_win(tmp_path):
    files(tmp_path, {"a.md": "x", "b.md": "x"})
    assert names(structure.document_files(tmp_path, tmp_path, ["b.md", "a.md"]),
                 tmp_path) == ["b.md", "a.md"]


@pytest.mark.parametrize("text, heading", [
    ("# Title\n\nText", "Title"), ("Title\n=====\n", "Title"), ("## Sub\n# Title", None),
    ("```\n# not\n```\n# Title", "Title"), ("Text only", None)])
def test_first_heading(text, heading):
    assert structure.first_heading(text) == heading


def test_a_heading_most_documents_of_a_folder_share_is_the_folders():
    folder = Path("book")
    assert structure.shared_headings({folder: ["My Book", "My Book", "Other"]}) == {
        folder: "My Book"}
    assert structure.shared_headings({folder: ["My Book", "Other"]}) == {}


@pytest.mark.parametrize("stem, title", [("02-getting_started", "Getting started"),
                                         ("intro", "Intro"), ("10", "10")])
def test_humanise(stem, title):
    assert structure.humanise(stem) == title


def test_parts_are_runs_of_documents_numbered_through_the_publication():
    docs = tuple(Document(source=Path(f"{n}.md"), slug=n, id=n, lang="en", title=n, part=part)
                 for n, part in [("pre", ""), ("a1", "A"), ("a2", "A"), ("b1", "B"), ("c", "")])
    pub = Publication(root=Path("/x"), name="x", documents=docs, assets=(), metadata=Metadata(
        title="x", lang="en", identifier="x", modified=datetime(2000, 1, 1, tzinfo=timezone.utc)))
    whole = [(part, [d.id for d in run], number, opens)
             for part, run, number, opens in pub.parts()]
    assert whole == [("", ["pre"], 1, True), ("A", ["a1", "a2"], 2, True),
                     ("B", ["b1"], 3, True), ("", ["c"], 4, True)]
    chunk = [(part, [d.id for d in run], number, opens)
             for part, run, number, opens in pub.parts(docs[2:4])]
    assert chunk == [("A", ["a2"], 2, False), ("B", ["b1"], 3, True)]


def test_one_folder_of_chapters_is_no_part(tmp_path):
    """A GitBook's layout (README and SUMMARY beside docs/, every chapter in docs/) is one
    book: no part page titled with the folder's name. Two folders are two parts, and a
    chapter beside the one folder keeps it a part (as before)."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("# 书名\n\n前言。\n", encoding="utf-8")
    (tmp_path / "SUMMARY.md").write_text("* [前言](README.md)\n* [一](docs/one.md)\n"
                                         "* [二](docs/two.md)\n", encoding="utf-8")
    for name, title in (("one", "第一"), ("two", "第二")):
        (tmp_path / "docs" / f"{name}.md").write_text(f"# {title}\n\n正文。\n", encoding="utf-8")
    assert [d.part for d in load(tmp_path).documents] == ["", "", ""]
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "three.md").write_text("# 第三\n\n正文。\n", encoding="utf-8")
    (tmp_path / "SUMMARY.md").write_text("* [前言](README.md)\n* [一](docs/one.md)\n"
                                         "* [二](docs/two.md)\n* [三](more/three.md)\n",
                                         encoding="utf-8")
    assert [d.part for d in load(tmp_path).documents] == ["", "Docs", "Docs", "More"]
    (tmp_path / "more" / "three.md").unlink()
    (tmp_path / "three.md").write_text("# 第三\n\n正文。\n", encoding="utf-8")
    (tmp_path / "SUMMARY.md").write_text("* [前言](README.md)\n* [一](docs/one.md)\n"
                                         "* [二](docs/two.md)\n* [三](three.md)\n",
                                         encoding="utf-8")        # a chapter beside docs/
    assert [d.part for d in load(tmp_path).documents] == ["", "Docs", "Docs", ""]


def test_a_folder_named_by_a_language_is_a_part_named_in_that_language(tmp_path):
    """learnxinyminutes-docs keeps each translation in a folder named by its language tag:
    the parts were "Ar", "Zh cn" and "Pt br", English-looking words made from the tags.
    A folder named by a tag whose documents are in that language is titled with the
    language's own name (CLDR); one whose documents are in another language is not."""
    texts = {"ar/python.md": "ar", "zh-cn/python.md": "zh-Hans", "pt_BR/python.md": "pt",
             "no/python.md": "nb", "de/python.md": "en"}
    for name, lang in texts.items():
        path = tmp_path / "content" / name
        path.parent.mkdir(parents=True)
        path.write_text(f"---\nlang: {lang}\n---\n\nPython.\n", encoding="utf-8")
    parts = {str(d.source): d.part for d in load(tmp_path).documents}
    assert parts == {"content/ar/python.md": "العربية", "content/de/python.md": "De",
                     "content/no/python.md": "Norsk",
                     "content/pt_BR/python.md": "Português (Brasil)",
                     "content/zh-cn/python.md": "中文 (简体, 中国)"}


def test_an_mdbook_is_read_from_its_book_toml(tmp_path):
    """An mdBook's repository (rust-lang/book): book.toml, the book in src/ under its
    SUMMARY.md, and beside them a README, contributing notes and other Markdown that are
    no part of the book (quire built all 300 files of the repository). The book is
    src/'s documents in SUMMARY's order, titled, authored and in the language book.toml
    gives, their links to each other's pages (ch02.html) followed; SUMMARY's nesting makes
    sections of chapters (no chapter number, no new page, titled by the heading they open
    with whatever its level), its prefix chapters unnumbered, its link text the title of a
    document with no heading; quire.toml wins where it says otherwise."""
    files = {
        "book.toml": '[book]\ntitle = "The Book"\nauthors = ["Ann Author", "Ben Writer"]\n'
                     'language = "en"\n\n[output.html]\nadditional-css = ["x.css"]\n',
        "README.md": "# Repository\n\nHow to build.\n",
        "CONTRIBUTING.md": "# Contributing\n\nRules.\n",
        "nostarch/chapter01.md": "# Print copy\n\nText.\n",
        "src/SUMMARY.md": "# Summary\n\n[Foreword](foreword.md)\n\n- [Two](ch02.md)\n"
                          "    - [Two, first](ch02-01.md)\n- [One](ch01.md)\n"
                          "- [Three as listed](ch03.md)\n",
        "src/foreword.md": "# Foreword\n\nText.\n\n## Why this book\n\nText.\n",
        "src/ch02-01.md": "<!-- old -->\n\n<a id=\"old\"></a>\n\n## The first section\n\nText.\n",
        "src/ch03.md": "Text with no heading.\n",
        "src/ch01.md": "# One\n\nSee [the second](ch02.html#two) and [more](ch02.html).\n",
        "src/ch02.md": "# Two\n\nText.\n"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    publication = load(tmp_path)
    assert [(str(d.source), d.title, d.level) for d in publication.documents] == [
        ("src/foreword.md", "Foreword", 0), ("src/ch02.md", "Two", 1),
        ("src/ch02-01.md", "The first section", 2), ("src/ch01.md", "One", 1),
        ("src/ch03.md", "Three as listed", 1)]
    html = render_print_html(publication)
    assert html.count('class="chapter-label"') == 3          # Two, One, Three: 1, 2, 3
    assert re.search(r'<article class="document[^"]*section-document"[^>]*id="ch02-01"', html)
    assert "Why this book</a>" in html.split('id="quire-toc"')[1].split("</nav>")[0]  # prefix
    done = run_quire("build", tmp_path, "--format", "epub")
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(next((tmp_path / "dist").glob("*.epub"))) as zf:
        nav = zf.read("EPUB/nav.xhtml").decode()
    assert re.search(r">Two</a>\s*<ol>\s*<li><a [^>]*>The first section</a>", nav), nav
    one = next(d for d in publication.documents if d.title == "One")
    assert one.body.count('href="#ch02"') == 2           # mdBook's .html links, followed
    meta = publication.metadata
    assert (meta.title, [a.name for a in meta.authors], meta.lang) == (
        "The Book", ["Ann Author", "Ben Writer"], "en")
    (tmp_path / "quire.toml").write_text('title = "Another Title"\n', encoding="utf-8")
    assert load(tmp_path).metadata.title == "Another Title"
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "SUMMARY.md").write_text("- [One](ch01.md)\n", encoding="utf-8")
    (outside / "ch01.md").write_text("# Secret\n", encoding="utf-8")
    (tmp_path / "linked").symlink_to(outside)
    (tmp_path / "book.toml").write_text('[book]\nsrc = "linked"\n', encoding="utf-8")
    with pytest.raises(QuireError, match="outside the project folder"):
        load(tmp_path)


def test_a_cover_does_not_rename_the_publication(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text("# Hello\n\nText.\n", encoding="utf-8")
    (tmp_path / "cover.png").write_bytes(next((REPO / "content" / "images").glob("*.png")).read_bytes())
    (tmp_path / "quire.toml").write_text('title = "My Book"\nlang = "en"\ncover = "cover.png"\n',
                                         encoding="utf-8")
    publication = load(tmp_path)
    assert publication.name == "my-book"            # was the cover's asset name
    assert publication.cover.name == "images/cover.png"



def test_code_blocks_are_highlighted_by_their_language_through_the_lexer_memo():
    """codehilite looks up a lexer per code block; quire memoises the lookup by name
    (extensions._lexer_by_name). If codehilite stops calling the module's
    get_lexer_by_name, the memo stays empty and this fails."""
    from quire.markup import extensions
    extensions._LEXERS.clear()
    html = xhtml("```python\nx = 'a'\n```\n\n```no-such-language\nx = 'a'\n```\n\n"
                 "```Python\ny = 1\n```\n")
    assert extensions._LEXERS.keys() == {"python", "no-such-language", "text"}
    assert html.count('<span class="n">x</span>') == 1       # python: names are marked
    assert "<code>x = 'a'\n</code>" in html                  # unknown: plain text
    assert '<span class="n">y</span>' in html                 # names are not case-bound
