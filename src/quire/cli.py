"""The command line: arguments -> load -> build -> exit code. No logic of its own."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from . import __version__
from .errors import QuireError


class _Collect(logging.Handler):
    """Prints quire's warnings as they come."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())
        print(f"warning: {record.getMessage()}", file=sys.stderr)


class _Progress(logging.Handler):
    """Stage lines (info) on one self-erasing terminal line; nothing in pipes and CI."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.addFilter(lambda record: record.levelno == logging.INFO)

    def emit(self, record):
        sys.stderr.write(f"\r\033[K{record.getMessage()}")
        sys.stderr.flush()

    def done(self):
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quire", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"quire {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build = commands.add_parser("build", help="build the PDF and the EPUB of a project")
    build.add_argument("path", nargs="?", default=".", type=Path,
                       help="the project folder (default: the current folder), or one "
                            "Markdown file to build alone")
    build.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: PATH/dist)")
    build.add_argument("--format", choices=("pdf", "epub", "all"), default="all")
    build.add_argument("--variant", choices=("print", "screen", "archive"),
                       help="the PDF to make: print (PDF/X-4, CMYK; the default), "
                            "screen (tagged PDF/UA-1) or archive (PDF/A-3u)")
    build.add_argument("--strict", action="store_true", help="fail the build on any warning")
    build.add_argument("-j", "--jobs", type=_jobs, default=_cores(), metavar="N",
                       help="processes that lay out a long PDF in parts "
                            "(default: the number of cores, %(default)s)")
    build.add_argument("-q", "--quiet", action="store_true",
                       help="print warnings and errors only, not the files written")
    for name, text in (("watch", "rebuild whenever the project changes"),
                       ("serve", "preview in the browser, rebuilt and reloaded on every change")):
        loop = commands.add_parser(name, help=text)
        loop.add_argument("path", nargs="?", default=".", type=Path)
        loop.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: PATH/dist)")
        if name == "watch":
            loop.add_argument("--format", choices=("pdf", "epub", "all"), default="all")
        else:
            loop.add_argument("--port", type=_port, default=8000,
                              help="the port on 127.0.0.1 to serve on (default: 8000; 0: any free port)")
    batch = commands.add_parser("batch", help="build many projects at once (here, Dask or Ray)")
    batch.add_argument("source", type=Path, metavar="SOURCE",
                       help="a folder of project folders, or a manifest (.toml, .yaml)")
    batch.add_argument("--out", type=Path, metavar="DIR",
                       help="output folder, DIR/<project>/ each (default: SOURCE/dist)")
    batch.add_argument("--executor", choices=("local", "dask", "ray"), default="local",
                       help="local processes (the default), a Dask or a Ray cluster")
    batch.add_argument("--address", metavar="ADDR",
                       help="the Dask scheduler or Ray cluster (default: start one here)")
    batch.add_argument("-j", "--jobs", type=_jobs, default=_cores(), metavar="N",
                       help="projects built at once (default: the cores, %(default)s)")
    batch.add_argument("--format", choices=("pdf", "epub", "all"), default="all")
    batch.add_argument("--variant", choices=("print", "screen", "archive"))
    batch.add_argument("--strict", action="store_true", help="fail a project on any warning")
    batch.add_argument("--report", type=Path, metavar="FILE", help="write a JSON report")
    batch.add_argument("-q", "--quiet", action="store_true",
                       help="print failures and the summary only")
    check = commands.add_parser("check", help="preflight: what a printer would reject")
    check.add_argument("path", nargs="?", default=".", type=Path,
                       help="a project folder (its print PDF is built first) or a PDF file")
    check.add_argument("--strict", action="store_true",
                       help="fail on the layout report's findings too (holes, notes away "
                            "from their calls, hyphen ladders, ...)")
    return parser


def _cores() -> int:
    from .build import cores
    return cores()


def _jobs(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number of processes (1 or more)")
    return int(value)


def _port(value: str) -> int:
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"'{value}' is not a port (0 to 65535; 0: any free one)")
    return int(value)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    collect = _Collect()
    logger = logging.getLogger("quire")
    logger.addHandler(collect)
    progress = _Progress() if (sys.stderr.isatty() and args.command == "build"
                               and not os.environ.get("CI")) else None
    if progress:
        logger.addHandler(progress)
    logger.setLevel(logging.INFO if progress else logging.WARNING)
    logger.propagate = False
    try:
        if args.command == "check":
            return _check(args)
        if args.command in ("watch", "serve"):
            return _loop(args, collect)
        if args.command == "batch":
            return _batch(args)
        return _build(args, collect)
    except QuireError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        logger.removeHandler(collect)
        if progress:
            progress.done()
            logger.removeHandler(progress)


def _build(args, collect: _Collect, report: bool = True):
    """quire build: the one build path (build.build); `collect` prints its warnings."""
    from .build import FORMATS, build

    try:
        result = build(args.path, FORMATS if args.format == "all" else (args.format,),
                       args.out, args.variant, args.strict, getattr(args, "jobs", None),
                       page_list=getattr(args, "page_list", True))
    finally:
        for handler in logging.getLogger("quire").handlers:
            if isinstance(handler, _Progress):
                handler.done()
    if not args.quiet:
        for path in result.written:
            print(f"up to date: {path}" if result.up_to_date else f"wrote {path}")
    return 0 if report else list(result.written)


def _batch(args) -> int:
    """quire batch: batch.run, one line per project as it finishes, then the summary."""
    from . import batch
    from .build import FORMATS

    def heard(item: dict) -> None:
        if item["status"] == "failed":
            for error in item["errors"]:
                print(f"error: {item['name']}: {error['message']}", file=sys.stderr)
        elif not args.quiet:
            peak = f", {item['peak_memory'] / 2**20:.0f} MB" if item["peak_memory"] else ""
            print(f"{item['status']}: {item['name']} ({len(item['files'])} files, "
                  f"{item['seconds']:.1f} s{peak})", flush=True)

    report = batch.run(args.source, args.out, args.executor, args.address, args.jobs,
                       FORMATS if args.format == "all" else (args.format,), args.variant,
                       args.strict, on_item=heard)
    if args.report:
        batch.write_report(report, args.report)
    print(report.summary())
    return 1 if report.failed else 0


def _loop(args, collect: _Collect) -> int:
    """quire watch / quire serve: build, then rebuild on every change until interrupted."""
    from . import preview

    root = args.path.resolve()
    if not root.is_dir():
        raise QuireError(f"{args.path}: project folder not found")
    serving = args.command == "serve"
    # The preview (an EPUB without the print layout) never replaces the real outputs.
    default_out = root / "dist" / ".preview" if serving else root / "dist"
    out = args.out.resolve() if args.out else default_out
    build_args = argparse.Namespace(path=root, out=out, variant=None, strict=False, quiet=True,
                                    format="epub" if serving else args.format,
                                    page_list=not serving)
    shown = preview.Preview()

    def build() -> list[Path]:
        collect.messages.clear()
        try:
            written = _build(build_args, collect, report=False)
        except QuireError as err:
            shown.update(None, str(err))
            raise
        shown.update(next((p for p in written if p.suffix == ".epub"), None))
        return written

    def say(line: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {line}", flush=True)

    if serving:
        server = preview.serve(shown, args.port)
        say(f"serving http://127.0.0.1:{server.server_port}/ (Ctrl-C stops)")
    preview.watch(root, out, build, say)
    return 0


def _check(args) -> int:
    import tempfile

    from .preflight import check_pdf

    path = args.path
    layout: list[str] = []
    if path.suffix.lower() == ".pdf":
        if not path.is_file():
            raise QuireError(f"{path}: no such PDF")
        findings = check_pdf(path, cmyk_job=_is_cmyk_job(path))
        label = str(path)
    else:
        from .load import load
        from .outputs import write_to

        publication = load(path)
        publication = replace(publication, pdf=replace(publication.pdf, variant="print"))
        logging.getLogger("quire").setLevel(logging.ERROR)   # findings are printed below
        with tempfile.TemporaryDirectory() as temp:
            pdf = Path(temp) / f"{publication.name}.pdf"
            write_to(publication, "pdf", pdf, jobs=_cores(), report=layout)
            findings = check_pdf(pdf, cmyk_job=True, min_dpi=publication.pdf.resolution)
        label = f"{publication.name}.pdf"
    for finding in findings:
        print(f"{label}: {finding}")
    for line in layout:                 # the layout report: what a proofreader would mark
        print(f"layout: {line}")
    if findings:
        print(f"{len(findings)} problem(s) a printer would reject.", file=sys.stderr)
    if layout:
        print(f"{len(layout)} layout finding(s) a proofreader would mark"
              + (" (--strict)." if args.strict else "."), file=sys.stderr)
    if findings or (layout and args.strict):
        return 1
    print(f"{label}: no problems found" if not layout else
          f"{label}: no problems a printer would reject")
    return 0


def _is_cmyk_job(path: Path) -> bool:
    import pikepdf
    try:
        with pikepdf.open(path) as pdf:
            return any(str(o.get("/S")) == "/GTS_PDFX" for o in pdf.Root.get("/OutputIntents", []))
    except pikepdf.PdfError as err:
        raise QuireError(f"{path}: not a readable PDF ({err})") from None

