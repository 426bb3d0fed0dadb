"""Outputs: sibling writers that each render the same Publication to one file.

The writers are registered by name in WRITERS (a new output is a new writer module and
one line there); each follows contract.Writer. `build_all` runs the print layout stage
once when a writer needs it (the PDF draws it, the EPUB's page list reads its page
starts), hands every writer the same frozen BuildContext, and makes the writes atomic,
all together: every output is written to a temporary file beside its target, and they
are renamed only when every writer has succeeded. What a killed build left (temporary
files and layout folders named with its process id) is removed by the next build.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import astuple
from pathlib import Path
from typing import Callable

from ..errors import OutputError
from ..model import PageStart, Publication
from .contract import DRAWN, NO_LAYOUT, PAGES, BuildContext, PageLayout, Writer

__all__ = ["WRITERS", "FORMATS", "writer", "build_all", "write_to", "BuildContext",
           "PageLayout", "Writer", "NO_LAYOUT", "PAGES", "DRAWN", "remove_leftovers"]
# The writers by name: the module that implements contract.Writer (imported when used,
# so WeasyPrint loads only for a PDF).
WRITERS = {
    "pdf": "quire.outputs.pdf",
    "epub": "quire.outputs.epub",
}
FORMATS = tuple(WRITERS)
log = logging.getLogger("quire")


def writer(name: str) -> Writer:
    return importlib.import_module(WRITERS[name])


def build_all(publication: Publication, formats, out_dir: Path,
              check: Callable[[Path], None] | None = None, cache=None, settings: str = "",
              inputs: str = "", jobs: int = 1, report: list | None = None) -> list[Path]:
    """Write each format into `out_dir`, all or none. `check(target)`, called before any
    file is replaced, may refuse a file by raising a QuireError (as --strict does on
    warnings). `inputs` and `settings` are the build's digests (cache.digests); `jobs`
    processes lay out a long PDF in chunks; the layout report's lines go into `report`."""
    remove_leftovers(out_dir)
    formats = tuple(formats)
    writers = [writer(name) for name in formats]
    need = max((w.needs_layout(publication, formats) for w in writers), default=NO_LAYOUT)
    staged: list[tuple[Path, Path]] = []        # (temporary file, target)
    try:
        with _drawing_folder(out_dir, need == DRAWN) as drawing:
            layout = _print_layout(publication, cache, jobs, drawing, settings, inputs, need)
            context = BuildContext(cache, jobs, formats, layout, settings, report)
            for w in writers:
                log.info("writing the %s...", w.name.upper())
                staged.append(_stage(publication, w, out_dir, context, check))
        for _, target in staged:                # refused before any file is replaced
            if target.is_dir() and not target.is_symlink():
                raise OutputError(f"{target}: cannot be written (a folder of that name is "
                                  "in the way); the previous outputs were left as they were")
        for temp, target in staged:
            try:
                os.chmod(temp, 0o644)
                os.replace(temp, target)
            except OSError as err:
                raise OutputError(f"{target}: cannot be written ({err.strerror or err})") \
                    from None
    finally:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
    return [target for _, target in staged]


def write_to(publication: Publication, fmt: str, target: Path, cache=None, jobs: int = 1,
             report: list | None = None) -> PageLayout | None:
    """One output alone, at `target` (quire check, tests): the print layout it used."""
    out_dir = target.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    w = writer(fmt)
    need = w.needs_layout(publication, (fmt,))
    with _drawing_folder(out_dir, need == DRAWN) as drawing:
        layout = _print_layout(publication, cache, jobs, drawing, "", "", need)
        temp, _ = _stage(publication, w, out_dir, BuildContext(cache, jobs, (fmt,), layout,
                                                              "", report), None)
    try:
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return layout


def _print_layout(publication, cache, jobs, drawing, settings, inputs, need):
    """The print layout stage, when a writer needs it: drawn for the PDF; for the EPUB's
    page list alone, the page starts of the last layout of the same inputs, else a
    layout without drawing."""
    if need == NO_LAYOUT:
        return None
    from .pdf.layout import lay_out

    variant = publication.pdf.variant
    if need == PAGES and cache is not None and inputs:
        stored = cache.page_starts(inputs, variant)
        if stored is not None:
            return PageLayout(tuple(PageStart(*s) for s in stored))
    if need == PAGES:
        log.info("laying out the print pages for the EPUB's page list ([epub] page_list = "
                 "true: an EPUB alone costs a print layout)...")
    else:
        log.info("laying out and drawing the PDF (%d documents)...",
                 len(publication.documents))
    layout = lay_out(publication, cache, jobs, drawing, settings)
    if cache is not None and inputs:
        cache.store_page_starts(inputs, variant, [list(astuple(s)) for s in layout.starts])
    return layout


@contextmanager
def _drawing_folder(out_dir: Path, wanted: bool):
    """A folder of this build's beside the outputs, where the print layout draws the PDF."""
    if not wanted:
        yield None
        return
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        folder = tempfile.TemporaryDirectory(prefix=f".quire-chunks-{os.getpid()}-",
                                             dir=out_dir)
    except OSError as err:
        raise OutputError(f"{out_dir}: cannot write the output folder "
                          f"({err.strerror or err})") from None
    with folder as name:
        yield Path(name)


def _stage(publication, w, out_dir: Path, context: BuildContext, check):
    """Have writer `w` write its file under a temporary name: (temporary file, target)."""
    target = out_dir / w.file_name(publication)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}-",
                                             suffix=".tmp", dir=out_dir)
        os.close(handle)
    except OSError as err:
        raise OutputError(f"{out_dir}: cannot write the output folder "
                          f"({err.strerror or err})") from None
    temp = Path(temp_name)
    try:
        w.write(publication, temp, context)
        if check:
            check(target)
    except OSError as err:
        temp.unlink(missing_ok=True)
        raise OutputError(f"{target}: cannot be written ({err.strerror or err})") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp, target


# temporary outputs, and layout folders (.quire-parts-* by earlier versions of quire)
_LEFTOVER = re.compile(r"^\.(?:.+\.(?:pdf|epub)\.(?:(\d+)-)?\w+\.tmp"
                       r"|quire-(?:chunks|parts)-(?:(\d+)-)?.+)$")
_OLD_LEFTOVER = 600         # seconds: a leftover without a process id, surely abandoned


def remove_leftovers(out_dir: Path) -> None:
    """Remove the temporary files and layout folders that killed builds left in `out_dir`:
    those of processes that no longer run (a build running beside this one keeps its own)."""
    try:
        entries = list(out_dir.iterdir())
    except OSError:
        return
    for entry in entries:
        match = _LEFTOVER.match(entry.name)
        if not match:
            continue
        pid = match.group(1) or match.group(2)
        try:
            if pid and _alive(int(pid)):
                continue
            if not pid and time.time() - entry.lstat().st_mtime < _OLD_LEFTOVER:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
        except OSError:
            pass


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True
