"""Planning a PDF laid out in chunks (outputs/pdf/chunks.py): pure functions, no layout."""

from __future__ import annotations

from dataclasses import replace

from conftest import make_project
from quire.load import load
from quire.outputs.pdf import chunks
from quire.outputs.pdf.chunks import Counted


def publication(tmp_path, sizes, toml='title = "Bok"\nlang = "nb"\n'):
    files = {"quire.toml": toml}
    for n, size in enumerate(sizes, 1):
        files[f"content/{n:02d}.md"] = f"# Kapittel {n}\n\n" + "Ord og ord. " * (size // 12)
    return load(make_project(tmp_path, files))


def test_a_short_publication_is_not_cut(tmp_path):
    assert chunks.plan(publication(tmp_path, [2000, 2000])) is None


def test_one_document_is_never_cut(tmp_path):
    assert chunks.plan(publication(tmp_path, [200_000])) is None


def test_the_cut_follows_document_boundaries_and_sizes(tmp_path):
    pub = publication(tmp_path, [30_000] * 8)
    plan = chunks.plan(pub)
    assert plan[0].front and plan[0].documents == ()        # title page and contents alone
    ids = [doc.id for doc in pub.documents]
    assert [d for c in plan for d in c.documents] == ids    # every document once, in order
    assert all(not c.front for c in plan[1:]) and len(plan) > 2
    # smaller limits cut finer; the cut never depends on anything but the text
    assert len(chunks.plan(pub, size=1, minimum=1)) == len(ids) + 1
    assert chunks.plan(pub) == plan


def test_screen_and_archive_pdfs_are_laid_out_in_one_piece(tmp_path):
    pub = publication(tmp_path, [30_000] * 8)
    for variant in ("screen", "archive"):
        assert chunks.plan(replace(pub, pdf=replace(pub.pdf, variant=variant))) is None


def test_placement_counts_pages_and_inserts_blanks_for_right_hand_openings():
    counted = [Counted(0, 3, "", "right"), Counted(1, 4, "right", "right"),
               Counted(2, 3, "right", "right"), Counted(3, 2, "right", "right")]
    placed = chunks.placement(counted)
    # 3 pages: chunk 1 would open on page 4 (left): a blank, it opens on 5; chunk 2 opens
    # on page 9 (right) as it is; chunk 3 would open on page 12 (left): a blank again
    assert placed.offsets == [0, 4, 8, 12] and placed.blanks == [False, True, False, True]
    # counting stops at the first chunk not counted yet
    assert chunks.placement(counted[:2] + [None, counted[3]]).offsets == [0, 4]
    assert chunks.placement([Counted(0, 3, "", "right"), Counted(1, 2, "", "right")]
                            ).offsets == [0, 3]                 # no forced side: no blank
    # right-to-left books start on the left
    assert chunks.placement([Counted(0, 1, "", "left"), Counted(1, 1, "left", "left")]
                            ).blanks == [False, True]


def test_page_numbers_take_the_first_anchor_of_a_name():
    anchors = [[("a", 0), ("b", 2)], [("c", 0), ("a", 1)]]
    assert chunks.page_numbers(anchors, [0, 5]) == {"a": "1", "b": "3", "c": "6"}


def test_page_references_become_literal_numbers_and_links_across_chunks():
    html = ('<html><head><style>a::after { content: target-counter(attr(href), page) }'
            '</style></head><body><p id="here">x</p><a href="#here">1</a>'
            '<a href="#there">2</a></body></html>')
    made, used = chunks.page_references(html, {"here": "4", "there": "17"}, "000")
    assert "attr(data-qpage)" in made and "target-counter" not in made
    assert 'data-qpage="4" href="#here"' in made
    assert f'data-qpage="17" href="{chunks.ANCHOR_URI}there"' in made
    assert used == {"here": "4", "there": "17"}
    _, unknown = chunks.page_references(html, None, "000")
    assert unknown == {"here": "000", "there": "000"}


def test_stylesheets_that_need_the_whole_book():
    ok = "a::after { content: target-counter(attr(href), page) } @page :left { }"
    assert chunks.whole_book_feature([ok]) is None
    for css, feature in (('@bottom-center { content: counter(pages) }', "counter(pages)"),
                         ("a::after { content: target-text(attr(href)) }", "target-text("),
                         ("@page :first { margin: 0 }", "@page :first"),
                         ("@page chapter:nth(1) { }", "@page chapter:nth(")):
        assert chunks.whole_book_feature([ok, css]) == feature


def test_a_chunk_showing_placeholders_is_not_drawn():
    assert chunks.writes_pdf(True, {"a": "1"}, {"a": "1"})
    assert chunks.writes_pdf(True, None, {})
    assert not chunks.writes_pdf(True, None, {"a": "000"})
    assert not chunks.writes_pdf(False, {"a": "1"}, {})
