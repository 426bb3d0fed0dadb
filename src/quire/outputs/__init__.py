"""Outputs: sibling writers that each render the same Publication to one file.

Each writer module has `file_name(publication)` and `write(publication, target)`; this
package picks the writer by name and makes the write atomic (a temporary file beside the
target, renamed).
"""

from __future__ import annotations

import importlib
import logging
import os
import tempfile
from dataclasses import astuple
from pathlib import Path
from typing import Callable

from ..cache import BuildCache
from ..errors import OutputError
from ..model import PageStart, Publication

FORMATS = ("pdf", "epub")
log = logging.getLogger("quire")


def build_all(publication: Publication, formats, out_dir: Path,
              check: Callable[[Path], None] | None = None,
              cache: BuildCache | None = None, digest: str = "", jobs: int = 1) -> list[Path]:
    """Write each format. The PDF's layout tells the EPUB where printed pages start; an
    EPUB-only build with a page list takes them from the cache or lays the pages out
    without writing a PDF. `jobs` processes lay out a long PDF in parts."""
    written, starts = [], None
    if cache and digest and publication.page_list:
        stored = cache.page_starts(digest)
        starts = tuple(PageStart(*s) for s in stored) if stored is not None else None
    if "pdf" in formats:
        log.info("laying out and writing the PDF (%d documents)...", len(publication.documents))
        path, starts = build(publication, "pdf", out_dir, check, cache=cache, jobs=jobs)
        written.append(path)
    elif "epub" in formats and publication.page_list and starts is None:
        from .pdf import page_starts
        log.info("laying out the pages for the EPUB's page list...")
        starts = page_starts(publication, cache, jobs)
    if cache and digest and starts is not None:
        cache.store_page_starts(digest, [list(astuple(s)) for s in starts])
    if "epub" in formats:
        log.info("writing the EPUB...")
        path, _ = build(publication, "epub", out_dir, check,
                        page_starts=starts if publication.page_list else ())
        written.append(path)
    return written


def build(publication: Publication, fmt: str, out_dir: Path,
          check: Callable[[Path], None] | None = None, **options):
    """Write `publication` as `fmt` into `out_dir`: (the file, what the writer returned).
    The previous file survives any failure.

    `check(target)`, called before the new file replaces the old one, may refuse it by
    raising a QuireError (as --strict does on warnings).
    """
    writer = importlib.import_module(f".{fmt}", __name__)   # WeasyPrint loads only for pdf
    target = out_dir / writer.file_name(publication)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                             dir=out_dir)
        os.close(handle)
    except OSError as err:
        raise OutputError(f"{out_dir}: cannot write the output folder "
                          f"({err.strerror or err})") from None
    temp = Path(temp_name)
    try:
        result = writer.write(publication, temp, **options)
        if check:
            check(target)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except OSError as err:
        raise OutputError(f"{target}: cannot be written ({err.strerror or err})") from None
    finally:
        temp.unlink(missing_ok=True)
    return target, result
