"""Outputs: sibling writers that each render the same Publication to one file.

Each writer module has `file_name(publication)` and `write(publication, target)`; this
package picks the writer by name and makes the writes atomic, all together: every output
is written to a temporary file beside its target, and they are renamed only when every
stage has succeeded. What a killed build left (temporary files and part folders named with
its process id) is removed by the next build.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import astuple
from pathlib import Path
from typing import Callable

from ..cache import BuildCache
from ..errors import OutputError
from ..model import PageStart, Publication

log = logging.getLogger("quire")


def build_all(publication: Publication, formats, out_dir: Path,
              check: Callable[[Path], None] | None = None,
              cache: BuildCache | None = None, digest: str = "", jobs: int = 1) -> list[Path]:
    """Write each format. The PDF's layout tells the EPUB where printed pages start; an
    EPUB-only build with a page list takes them from the cache or lays the pages out
    without writing a PDF. `jobs` processes lay out a long PDF in parts."""
    remove_leftovers(out_dir)
    staged: list[tuple[Path, Path]] = []        # (temporary file, target)
    try:
        written = _stage_all(publication, formats, out_dir, check, cache, digest, jobs, staged)
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
    return written


def _stage_all(publication, formats, out_dir, check, cache, digest, jobs, staged):
    written, starts = [], None
    if cache and digest and publication.page_list:
        stored = cache.page_starts(digest)
        starts = tuple(PageStart(*s) for s in stored) if stored is not None else None
    if "pdf" in formats:
        log.info("laying out and writing the PDF (%d documents)...", len(publication.documents))
        path, starts = build(publication, "pdf", out_dir, check, staged, cache=cache,
                             jobs=jobs)
        written.append(path)
    elif "epub" in formats and publication.page_list and starts is None:
        from .pdf import page_starts
        log.info("laying out the pages for the EPUB's page list...")
        starts = page_starts(publication, cache, jobs)
    if cache and digest and starts is not None:
        cache.store_page_starts(digest, [list(astuple(s)) for s in starts])
    if "epub" in formats:
        log.info("writing the EPUB...")
        path, _ = build(publication, "epub", out_dir, check, staged,
                        page_starts=starts if publication.page_list else ())
        written.append(path)
    return written


def build(publication: Publication, fmt: str, out_dir: Path,
          check: Callable[[Path], None] | None = None,
          staged: list[tuple[Path, Path]] | None = None, **options):
    """Write `publication` as `fmt` into `out_dir`: (the file, what the writer returned).
    The previous file survives any failure. With `staged`, the new file is left under its
    temporary name and (temporary file, target) appended: the caller renames it.

    `check(target)`, called before the new file replaces the old one, may refuse it by
    raising a QuireError (as --strict does on warnings).
    """
    writer = importlib.import_module(f".{fmt}", __name__)   # WeasyPrint loads only for pdf
    target = out_dir / writer.file_name(publication)
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
        result = writer.write(publication, temp, **options)
        if check:
            check(target)
        if staged is not None:
            staged.append((temp, target))
            return target, result
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except OSError as err:
        raise OutputError(f"{target}: cannot be written ({err.strerror or err})") from None
    finally:
        if staged is None or (temp, target) not in staged:
            temp.unlink(missing_ok=True)
    return target, result


_LEFTOVER = re.compile(r"^\.(?:.+\.(?:pdf|epub)\.(?:(\d+)-)?\w+\.tmp|quire-parts-(?:(\d+)-)?.+)$")
_OLD_LEFTOVER = 600         # seconds: a leftover without a process id, surely abandoned


def remove_leftovers(out_dir: Path) -> None:
    """Remove the temporary files and part folders that killed builds left in `out_dir`:
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
