"""The PDF laid out in parts by several processes is the PDF of a single render: the same
pages, text, folios, running heads, contents, page references, footnotes, outline,
destinations and links; and its bytes do not depend on the number of processes."""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
from pathlib import Path

import pikepdf
import pytest

from conftest import REPO, make_project, render_pdf, run_quire
from design_fixtures import generated_book
from projects import book, notes_chapter
from quire import markup, parallel
from quire.cache import BuildCache
from quire.errors import QuireError
from quire.load import load
from quire.outputs import write_to
from quire.outputs.pdf import chunked, chunks, join, layout, workers


def parted_book(two_sided: bool) -> dict[str, str]:
    """Two parts of chapters of uneven length (so parts start on odd and even pages), with
    footnotes and page references that cross parts."""
    files = {"quire.toml": 'title = "Delt bok"\nlang = "nb"\nauthors = ["Kari Nordmann"]\n'
                           'date = "2026-02-01"\n'
             + ("[pdf]\ntwo_sided = true\n" if two_sided else "")}
    for part in (1, 2):
        for n in range(1, 4):
            text, notes = notes_chapter(f"D{part}K{n}x", 2 + 5 * ((part + n) % 3))
            files[f"content/del-{part}/kapittel-{n}.md"] = f"""# Kapittel {part}.{n}

Se [første avsnitt](../del-1/kapittel-1.md#avsnitt-d1k1){{.page}} og
[siste avsnitt](../del-2/kapittel-3.md#avsnitt-d2k3){{.page}}.

## Avsnitt D{part}K{n}

{text}

{notes}
"""
    return files


def facts(path: Path) -> dict:
    """What a reader of the PDF sees and follows: each page's text and boxes, the outline,
    the named destinations and the links."""
    texts = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")
    with pikepdf.open(path) as document:
        pages = {page.objgen: index for index, page in enumerate(document.pages)}
        outline = []
        with document.open_outline() as tree:
            def walk(items, depth):
                for item in items:
                    dest = item.destination
                    outline.append((depth, item.title, pages[dest[0].objgen],
                                    round(float(dest[2]), 2), round(float(dest[3]), 2)))
                    walk(item.children, depth + 1)
            walk(tree.root, 0)
        dests = {name: (pages[dest[0].objgen], round(float(dest[2]), 2), round(float(dest[3]), 2))
                 for name, dest in pikepdf.NameTree(document.Root.Names.Dests).items()}
        links = [(index, [round(float(v), 1) for v in annot.Rect], str(annot.get("/Dest", "")),
                  str(annot.get("/A", {}).get("/URI", "")))
                 for index, page in enumerate(document.pages)
                 for annot in page.obj.get("/Annots", [])]
        boxes = [[[float(v) for v in page.obj[box]] for box in ("/MediaBox", "/TrimBox",
                                                               "/BleedBox")]
                 for page in document.pages]
        intents = len(document.Root.OutputIntents)
    return {"pages": len(boxes), "text": texts, "outline": outline, "dests": dests,
            "links": links, "boxes": boxes, "intents": intents}


@pytest.mark.parametrize("project", ["one-sided", "two-sided", "book", "floats", "spilled"])
def test_parts_join_into_the_single_render(project, tmp_path, monkeypatch):
    """"floats": the generated book of test_design, whose figures move past text;
    "spilled": the two-sided book joined with the book written out and read back after
    every chunk (join.SPILL, which a long book reaches)."""
    files = (book() if project == "book" else generated_book(3) if project == "floats"
             else parted_book(project in ("two-sided", "spilled")))
    if project == "spilled":
        monkeypatch.setattr(join, "SPILL", 1)
    root = make_project(tmp_path / "project", files)
    _, one_starts = render_pdf(root, tmp_path / "one.pdf", monkeypatch, chunked=False)
    _, parts_starts = render_pdf(root, tmp_path / "parts.pdf", monkeypatch, chunked=True)
    one, parts = facts(tmp_path / "one.pdf"), facts(tmp_path / "parts.pdf")
    for key in one:
        assert parts[key] == one[key], key
    assert parts_starts == one_starts            # the EPUB's page list
    assert one["outline"] and one["links"] and parts["intents"] == 1
    if project in ("two-sided", "spilled"):      # blank pages were needed, and inserted
        assert any(not text.strip() for text in one["text"][:-1])
    if project not in ("book", "floats"):        # page references across parts are filled
        shown = "".join(parts["text"])
        assert "(side " in shown and "(side 000)" not in shown
    done = subprocess.run(["qpdf", "--check", str(tmp_path / "parts.pdf")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize("spill", [40, 1])
def test_parts_share_one_icc_profile_and_each_image(spill, tmp_path, monkeypatch):
    monkeypatch.setattr(join, "SPILL", spill)
    root = make_project(tmp_path / "project", book())
    render_pdf(root, tmp_path / "parts.pdf", monkeypatch, chunked=True)
    with pikepdf.open(tmp_path / "parts.pdf") as document:
        big = [obj for obj in document.objects
               if isinstance(obj, pikepdf.Stream) and len(obj.read_raw_bytes()) > 400_000]
        assert len(big) == 1                     # the ICC profile, once
        images = {obj.objgen for page in document.pages
                  for obj in page.Resources.get("/XObject", {}).values()
                  if obj.get("/Subtype") == "/Image" and obj.get("/Width") == 900}
        assert len(images) == 1                  # skanner.png, shown in two documents


def test_bytes_do_not_depend_on_the_number_of_processes(tmp_path, monkeypatch):
    """... nor on workers retiring after each chunk (workers._serve); and the folders
    WeasyPrint copies the fonts to (one per process now that each loads them once:
    patches.SheetMemo) are gone after the build, workers' too."""
    import tempfile

    root = make_project(tmp_path / "project", parted_book(two_sided=False))
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    render_pdf(root, tmp_path / "a.pdf", monkeypatch, chunked=True, jobs=1)
    render_pdf(root, tmp_path / "b.pdf", monkeypatch, chunked=True, jobs=2)
    retired = []
    original = workers.Workers._replace
    monkeypatch.setattr(workers.Workers, "_replace",
                        lambda self, pid: retired.append(pid) or original(self, pid))
    monkeypatch.setattr(workers, "RETIRE_GROWTH", -2**40)   # each worker retires after a chunk
    render_pdf(root, tmp_path / "c.pdf", monkeypatch, chunked=True, jobs=2)
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    assert (tmp_path / "b.pdf").read_bytes() == (tmp_path / "c.pdf").read_bytes()
    assert len(retired) >= 3 and not list(temp.glob("weasyprint-*"))


def test_a_stylesheet_that_needs_the_whole_book_is_laid_out_in_one_piece(tmp_path,
                                                                         monkeypatch):
    files = parted_book(two_sided=False)
    theme = (REPO / "styles" / "print.css").read_text(encoding="utf-8")
    files["styles/print.css"] = theme + '@page { @bottom-center { content: "av " counter(pages); } }'
    root = make_project(tmp_path / "project", files)
    monkeypatch.setattr(chunks, "MIN_CHUNK", 1)
    monkeypatch.setattr(chunks, "CHUNK_SIZE", 1)
    publication = load(root)
    assert chunks.plan(publication)
    with pytest.raises(chunks.Unsplittable, match=r"counter\(pages\)"):
        chunked.render(publication, chunks.plan(publication), None, None, "", 2)
    write_to(publication, "pdf", tmp_path / "book.pdf", jobs=2)
    text = facts(tmp_path / "book.pdf")
    assert all(f"av {text['pages']}" in page for page in text["text"][3:-1])


def test_jobs_on_the_command_line(tmp_path):
    root = make_project(tmp_path / "project", parted_book(two_sided=True))
    done = run_quire("build", root, "--format", "pdf", "--jobs", "0")
    assert done.returncode == 2 and "'0' is not a number of processes" in done.stderr
    done = run_quire("build", root, "--format", "pdf", "-j", "2")
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout and not list((root / "dist").glob(".quire-chunks-*"))


def _killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)      # as the out-of-memory killer would


def test_a_process_that_dies_stops_the_build_instead_of_hanging(tmp_path, monkeypatch):
    root = make_project(tmp_path / "project", parted_book(two_sided=False))
    target = tmp_path / "book.pdf"
    target.write_bytes(b"the previous build")
    monkeypatch.setattr(workers, "lay_out_chunk", _killed)
    with pytest.raises(QuireError, match="killed by SIGKILL"):
        render_pdf(root, target, monkeypatch, chunked=True, jobs=2)
    assert target.read_bytes() == b"the previous build"
    with pytest.raises(QuireError, match="killed by SIGKILL"):
        list(parallel.imap(_killed, [(1,), (2,)], jobs=2))


def test_after_an_edit_only_the_parts_it_changed_are_laid_out_again(tmp_path, monkeypatch):
    """The build cache keeps each part as laid out and as written: a rebuild lays out the
    parts an edit changed, and gives the bytes and page starts of a build from scratch."""
    root = make_project(tmp_path / "project", parted_book(two_sided=True))
    cache = BuildCache(tmp_path / "out")
    laid_out: list[int] = []
    enter = workers.MarginHook.__enter__

    def counted(hook):
        laid_out.append(hook.index)
        return enter(hook)
    monkeypatch.setattr(workers.MarginHook, "__enter__", counted)
    monkeypatch.setattr(chunks, "MIN_CHUNK", 1)
    monkeypatch.setattr(chunks, "CHUNK_SIZE", 1)

    def build(name: str, cache=None, jobs: int = 1):
        laid_out.clear()
        starts = write_to(load(root), "pdf", tmp_path / name, cache=cache, jobs=jobs).starts
        return starts, (tmp_path / name).read_bytes()

    first = build("first.pdf", cache)
    parts = len(chunks.plan(load(root)))
    assert sorted(set(laid_out)) == list(range(parts))
    assert build("again.pdf", cache) == first and laid_out == []

    last = root / "content" / "del-2" / "kapittel-3.md"
    last.write_text(last.read_text(encoding="utf-8") + "\nEn ny setning til slutt.\n",
                    encoding="utf-8")
    edited = build("edited.pdf", cache)
    assert set(laid_out) == {parts - 1}             # the last chapter's part alone
    assert edited == build("fresh.pdf") and edited != first
    layout.lay_out(load(root), cache=cache, jobs=1)  # an EPUB-only build between two PDFs
    assert build("edited-again.pdf", cache) == edited and laid_out == []

    # A chapter early in the book grows by pages: the parts after it move (their folios
    # and sides change), in processes, from the cached numbers and layouts.
    early = root / "content" / "del-1" / "kapittel-1.md"
    early.write_text(early.read_text(encoding="utf-8") + "\n\n".join(
        f"Et nytt avsnitt, nummer {n}, som gjør kapitlet lengre." for n in range(60)),
        encoding="utf-8")
    longer = build("longer.pdf", cache, jobs=2)
    assert longer == build("fresh-longer.pdf")
    laid_out.clear()                                # the EPUB's page list: no layout
    assert layout.lay_out(load(root), cache=cache, jobs=1).starts == longer[0]
    assert laid_out == []
    # The parts' PDFs that the last two PDF builds did not use are deleted.
    stored = tmp_path / "out" / ".quire-cache" / "chunks"
    before = len(list(stored.glob("*.pdf")))
    assert build("same.pdf", cache)[1] == build("same.pdf", cache)[1] == longer[1]
    assert before > parts == len(list(stored.glob("*.pdf")))


def test_markdown_is_converted_in_processes_only_where_the_cache_lacks_it(tmp_path,
                                                                        monkeypatch):
    root = make_project(tmp_path / "project", parted_book(two_sided=False))
    alone = load(root)
    monkeypatch.setattr(importlib.import_module("quire.load"), "PARALLEL_TEXT", 1)
    html_of = BuildCache(tmp_path / "out").markdown(markup.to_html)
    pooled, imap = [], parallel.imap

    def counted(function, items, jobs, meanwhile=None):
        pooled.append(len(items))
        return imap(function, items, jobs, meanwhile)
    monkeypatch.setattr(parallel, "imap", counted)
    assert load(root, html_of=html_of, jobs=2) == alone and pooled == [6]
    assert load(root, html_of=html_of, jobs=2) == alone and pooled == [6]   # all cached
    chapter = root / "content" / "del-1" / "kapittel-2.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nEn setning til.\n",
                       encoding="utf-8")
    edited = load(root, html_of=html_of, jobs=2)
    assert pooled == [6, 1] and edited == load(root)


def test_documents_are_made_while_the_processes_convert_and_failures_are_redone_here(
        tmp_path, monkeypatch):
    """The loader makes each document as soon as its Markdown is converted (parallel.imap):
    the same publication as one process makes. A text whose conversion fails in a process
    is converted again in this one (where its error, if any, names its document); and an
    error that stops loading stops the processes too."""
    import multiprocessing

    root = make_project(tmp_path / "project", parted_book(two_sided=False))
    alone = load(root)
    monkeypatch.setattr(importlib.import_module("quire.load"), "PARALLEL_TEXT", 1)
    parent, to_html, redone = os.getpid(), markup.to_html, []

    def flaky(text):
        if "# Kapittel 1.2" in text:
            if os.getpid() != parent:
                raise RuntimeError("only in a process")
            redone.append(text)
        return to_html(text)
    monkeypatch.setattr(markup, "to_html", flaky)
    assert load(root, jobs=2) == alone and len(redone) == 1
    from quire import documents
    convert = documents.convert

    def broken(root_, content, path, *args, **kwargs):
        if path.parent.name == "del-1" and path.name == "kapittel-1.md":
            raise RuntimeError("quire's own bug, with texts still being converted")
        return convert(root_, content, path, *args, **kwargs)
    monkeypatch.setattr(documents, "convert", broken)
    with pytest.raises(RuntimeError, match="own bug"):
        load(root, jobs=2)
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("pinned", [True, False])
def test_figures_move_within_the_one_layout(pinned, tmp_path, monkeypatch):
    """Each chunk is laid out once, whether its figures move or not: figures move while
    the pages are made (floats.Filler), and only the print HTML is made again with the
    moves (for the text check); the single render likewise."""
    import weasyprint

    files = generated_book(3)
    if pinned:                                  # {.here}: nothing moves, figures remain
        files = {name: text.replace('pixels.")', 'pixels."){.here}') if name.endswith(".md")
                 else text for name, text in files.items()}
    root = make_project(tmp_path / "project", files)
    counts = {"renders": 0, "chunks": 0, "remakes": 0}
    render, lay_out_chunk = weasyprint.HTML.render, workers.lay_out_chunk
    remake = workers.render_print_html

    def counting(name, function):
        def counted(*args, **kwargs):
            moves = kwargs.get("moves", args[3] if len(args) > 3 else None)
            counts[name] += bool(moves) if name == "remakes" else 1
            return function(*args, **kwargs)
        return counted
    monkeypatch.setattr(weasyprint.HTML, "render", counting("renders", render))
    monkeypatch.setattr(workers, "lay_out_chunk", counting("chunks", lay_out_chunk))
    monkeypatch.setattr(workers, "render_print_html", counting("remakes", remake))
    render_pdf(root, tmp_path / "parts.pdf", monkeypatch, chunked=True, jobs=1)
    assert counts["renders"] == counts["chunks"], counts
    assert (counts["remakes"] == 0) == pinned, counts
    counts.update(renders=0, remakes=0)
    monkeypatch.setattr(layout, "render_print_html", counting("remakes", layout.render_print_html))
    render_pdf(root, tmp_path / "one.pdf", monkeypatch, chunked=False)
    assert counts["renders"] == 1, counts
    assert (counts["remakes"] == 0) == pinned, counts
