"""The chunks of a long PDF (chunked.py) joined into one file, with pikepdf.

A blank page goes where a chunk must open on the other side; the outline is one tree, nested
by WeasyPrint's own rule; named destinations are one tree, and links to other chunks
(`quire-anchor:` URIs, chunks.ANCHOR_URI) point at it; identical images and ICC profiles are stored once.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

from . import patches
from .chunks import ANCHOR_URI



SPILL = 40      # chunks copied into the book before it is written out and read back


def join(results, offsets: list[int], blanks: list[bool], target: Path) -> None:
    """Write the chunks' PDFs (`results`, as workers.py lays them out) as one PDF at
    `target`; `offsets` and `blanks` place each chunk.

    pikepdf copies each chunk's pages, content streams included, into the book's memory:
    306 chunks (sixteen times the six ydkjs books) took 1.1 GB. Every SPILL chunks the
    book so far is written beside `target` and opened again, which reads its objects from
    the file as they are needed: 363 MiB at most, for 5 s more (a short book never
    spills)."""
    import pikepdf

    book = pikepdf.open(results[0].path)
    opened, spilled = [], []
    for number, (result, blank) in enumerate(zip(results[1:], blanks[1:])):
        chunk = pikepdf.open(result.path)
        opened.append(chunk)
        if blank:
            book.pages.append(_blank_page(book, chunk.pages[0]))
        with warnings.catch_warnings():     # named destinations are made anew below
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            book.pages.extend(chunk.pages)
        if len(opened) >= SPILL:
            book = _spill(book, opened, target.with_name(f"join-{number}.pdf"), spilled)
            opened = []
    pages = list(book.pages)

    dests = []
    for result, offset in zip(results, offsets):
        for name, page, x, y in result.anchors:
            dests.append((name, pikepdf.Array([pages[offset + page].obj, pikepdf.Name.XYZ,
                                                x, y, 0])))
    names, seen = [], set()
    for name, dest in sorted(dests, key=lambda item: item[0]):
        if name not in seen:
            seen.add(name)
            names += [pikepdf.String(name), dest]
    # One Array made at once: pikepdf's Array.extend copies the array (5,000 names: 15 s).
    book.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=pikepdf.Array(names)))

    for page in pages:
        for annot in page.obj.get("/Annots", []):
            uri = str(annot.get("/A", {}).get("/URI", ""))
            if uri.startswith(ANCHOR_URI):
                del annot["/A"]
                annot.Dest = pikepdf.String(uri[len(ANCHOR_URI):])
    tree, skipped, last, previous = [], [], None, 0
    last = [tree]
    number = 0
    for result, blank in zip(results, blanks):
        number += blank
        for page_bookmarks in result.bookmarks:
            previous = patches.bookmark_tree(page_bookmarks, skipped, last, previous,
                                             number)
            number += 1
    if "/Outlines" in book.Root:
        del book.Root["/Outlines"]
    if tree:
        _outline(book, tree, pages)
    _share_resources(book)
    book.save(target, deterministic_id=True, compress_streams=True,
              object_stream_mode=pikepdf.ObjectStreamMode.generate)
    for chunk in opened:
        chunk.close()
    book.close()
    for path in spilled:
        path.unlink()


def _spill(book, opened: list, path: Path, spilled: list[Path]):
    """The book written to `path` as it is (streams as they are) and opened from there;
    the chunks copied into it, and the file it was opened from, are closed."""
    import pikepdf

    _share_resources(book)              # each image and profile once in the file
    book.save(path, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none,
              object_stream_mode=pikepdf.ObjectStreamMode.preserve)
    book.close()
    for chunk in opened:
        chunk.close()
    if spilled:
        spilled.pop().unlink()          # the previous spill, read by the book just closed
    spilled.append(path)
    return pikepdf.open(path)


def _blank_page(book, like):
    import pikepdf
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, Resources=pikepdf.Dictionary(),
                              Contents=book.make_stream(b""))
    for box in ("/MediaBox", "/TrimBox", "/BleedBox"):
        if box in like.obj:
            page[box] = pikepdf.Array([float(v) for v in like.obj[box]])
    return pikepdf.Page(book.make_indirect(page))


def _outline(book, tree, pages) -> None:
    """The outline as WeasyPrint writes it (pdf/anchors.py add_outlines)."""
    import pikepdf

    def add(items, parent):
        count, made = len(items), []
        for title, (page, x, y), children, state in items:
            item = book.make_indirect(pikepdf.Dictionary(
                Title=pikepdf.String(title),
                Dest=pikepdf.Array([pages[page].obj, pikepdf.Name.XYZ, x, y, 0])))
            kids, kids_count = add(children, item)
            item.Count = -kids_count if state == "closed" else kids_count
            if state != "closed":
                count += kids_count
            if made:
                item.Prev = made[-1]
                made[-1].Next = item
            if kids:
                item.First, item.Last = kids[0], kids[-1]
            item.Parent = parent
            made.append(item)
        return made, count

    root = book.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines))
    made, count = add(tree, root)
    root.Count, root.First, root.Last = count, made[0], made[-1]
    book.Root.Outlines = root


def _share_resources(book) -> None:
    """Each chunk brings its own copy of the ICC profile and of every image it shows: keep
    one of each (fonts differ, each chunk embeds the subset it uses)."""
    import pikepdf

    canonical: dict[bytes, object] = {}
    seen: dict[tuple, object] = {}

    def same(stream):
        if stream.objgen in seen:
            return seen[stream.objgen]
        key = hashlib.sha256(stream.read_raw_bytes() + repr(sorted(
            (k, repr(v)) for k, v in stream.items()
            if k not in ("/Length", "/SMask"))).encode()).digest()
        if "/SMask" in stream:
            key += hashlib.sha256(stream.SMask.read_raw_bytes()).digest()
        seen[stream.objgen] = canonical.setdefault(key, stream)
        return seen[stream.objgen]

    for intent in book.Root.get("/OutputIntents", []):
        if "/DestOutputProfile" in intent:
            intent.DestOutputProfile = same(intent.DestOutputProfile)
    for page in book.pages:
        resources = page.obj.get("/Resources", {})
        for name, space in list(resources.get("/ColorSpace", {}).items()):
            if (isinstance(space, pikepdf.Array) and len(space) == 2
                    and space[0] == pikepdf.Name.ICCBased):
                resources.ColorSpace[name] = pikepdf.Array(
                    [pikepdf.Name.ICCBased, same(space[1])])
        for name, xobject in list(resources.get("/XObject", {}).items()):
            if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == "/Image":
                resources.XObject[name] = same(xobject)
