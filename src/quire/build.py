"""The one build path: a project folder to its files, for the CLI, watch, serve and library
users alike.

    build(project) -> BuildResult(written, warnings, up_to_date)

It computes the inputs' digest, answers "up to date" from the cache when nothing changed
(with the warnings of the build that made the files), else loads the publication once and
has each writer write it (outputs.build_all), and records the build in the cache. Warnings
are collected from quire's logger while it runs; `strict` turns any of them into a failed
build that leaves the previous files as they were. Printing is the caller's business.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from .errors import QuireError
from .outputs import FORMATS    # the writers' names (the writers load when used)

# "content/a.md:7: ...", "quire.toml: ...": a file name (no spaces, a dot or a slash) first
_WHERE = re.compile(r"^(?P<path>[^\s:]*[./][^\s:]*)(?::(?P<line>\d+))?: (?P<text>.+)$",
                    re.DOTALL)


@dataclass(frozen=True)
class BuildWarning:
    """Something a build ignored or degraded: the message as printed, and where."""

    message: str
    path: str | None = None
    line: int | None = None

    @classmethod
    def of(cls, message: str) -> BuildWarning:
        where = _WHERE.match(message)
        if not where:
            return cls(message)
        line = where.group("line")
        return cls(message, where.group("path"), int(line) if line else None)


@dataclass(frozen=True)
class BuildResult:
    written: tuple[Path, ...]
    warnings: tuple[BuildWarning, ...]
    up_to_date: bool                # nothing needed building: the files were already there


class _Collect(logging.Handler):
    def __init__(self, on_warning: Callable[[BuildWarning], None] | None):
        super().__init__(logging.WARNING)
        self.warnings: list[BuildWarning] = []
        self.on_warning = on_warning

    def emit(self, record):
        warning = BuildWarning.of(record.getMessage())
        self.warnings.append(warning)
        if self.on_warning:
            self.on_warning(warning)


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def build(project: Path | str, formats=FORMATS, out_dir: Path | str | None = None,
          variant: str | None = None, strict: bool = False, jobs: int | None = None, *,
          page_list: bool = True,
          on_warning: Callable[[BuildWarning], None] | None = None) -> BuildResult:
    """Build `project` (a folder, or one Markdown file) into `out_dir` (default:
    PROJECT/dist, beside the file for a file) as `formats`.

    `variant` chooses the PDF (print, screen, archive); `jobs` the processes for a long
    PDF (default: the cores); `page_list=False` skips the print layout an EPUB's page list
    needs (the preview). `on_warning` hears each warning as it comes. Errors raise
    QuireError; with `strict`, so do warnings, and nothing is replaced."""
    logger = logging.getLogger("quire")
    collect = _Collect(on_warning)
    logger.addHandler(collect)
    if logger.level == logging.NOTSET or logger.level > logging.WARNING:
        logger.setLevel(logging.WARNING)
    try:
        return _build(Path(project), tuple(formats), out_dir, variant, strict,
                      jobs or cores(), page_list, collect)
    finally:
        logger.removeHandler(collect)


def _build(project: Path, formats, out_dir, variant, strict, jobs, page_list,
           collect: _Collect) -> BuildResult:
    from .cache import BuildCache, digests

    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise QuireError(f"unknown format {unknown[0] if unknown else '(none)'}; "
                         f"known: {', '.join(FORMATS)}")
    root = project.resolve()
    single = root.name if root.suffix.lower() == ".md" else ""     # quire build file.md
    root = root.parent if single else root
    out = Path(out_dir).resolve() if out_dir else root / "dist"
    cache = BuildCache(out) if root.is_dir() else None
    key = cache_key(formats, variant, page_list, single)
    if cache and (record := last_build(project, formats, out, variant, strict, page_list)):
        for message in record["warnings"]:       # the warnings of the build that made them
            logging.getLogger("quire").warning("%s", message)
        return BuildResult(tuple(Path(name) for name in record["outputs"]),
                           tuple(collect.warnings), up_to_date=True)

    from . import markup
    from .load import load
    from .outputs import build_all

    publication = load(project, html_of=cache.markdown(markup.to_html) if cache else None,
                       jobs=jobs, meanwhile=_import_weasyprint if "pdf" in formats else None,
                       classify=cache.guesses() if cache else None)
    if variant:
        publication = replace(publication, pdf=replace(publication.pdf, variant=variant))
    if not page_list:
        publication = replace(publication, page_list=False)
    if strict and collect.warnings:
        raise QuireError(f"{len(collect.warnings)} warning(s) and --strict: nothing was built.")
    # now that the files the build reads are known: the one digest of this build
    digest = digests(root, publication.inputs) if cache else None
    inputs = digest.inputs + single if digest else ""

    def check(target: Path) -> None:
        if strict and collect.warnings:
            raise QuireError(f"{target}: {len(collect.warnings)} warning(s) and --strict; "
                             "the previous file was left as it was.")

    layout: list[str] = []              # the layout report's lines, for quire check
    written = build_all(publication, formats, out, check=check, cache=cache,
                        settings=digest.settings if digest else "", inputs=inputs, jobs=jobs,
                        report=layout)
    if cache:
        from .build_record import remember
        remember(cache, written, publication, layout)
        cache.record(key, inputs, written, [w.message for w in collect.warnings],
                     [str(p) for p in publication.inputs])
    return BuildResult(tuple(written), tuple(collect.warnings), up_to_date=False)


def cache_key(formats, variant: str | None, page_list: bool = True, single: str = "") -> str:
    """The name under which the cache records a build of these formats and options
    (`single`: the Markdown file built alone, `quire build file.md`)."""
    return f"{'+'.join(formats)}|{variant or ''}|{page_list}|{single}"


def last_build(project: Path | str, formats=FORMATS, out_dir: Path | str | None = None,
               variant: str | None = None, strict: bool = False,
               page_list: bool = True) -> dict | None:
    """The cache's record of the last build (outputs: {path: digest}, warnings) when its
    inputs and outputs are as it left them, so that nothing needs building; else None.
    With `strict`, a build that had warnings is never up to date. Reads digests only."""
    from .cache import BuildCache, inputs_digest

    root = Path(project).resolve()
    single = root.name if root.suffix.lower() == ".md" else ""
    root = root.parent if single else root
    if not root.is_dir():
        return None
    cache = BuildCache(Path(out_dir).resolve() if out_dir else root / "dist")
    key = cache_key(tuple(formats), variant, page_list, single)
    if not cache.recorded(key):             # a first build: nothing to digest against
        return None
    record = cache.up_to_date(key, inputs_digest(root, cache.extra_inputs(key)) + single)
    return None if not record or (strict and record["warnings"]) else record


def _import_weasyprint() -> None:
    from .outputs.pdf import patches

    patches.weasyprint()    # 0.4 s, while other processes convert the Markdown
