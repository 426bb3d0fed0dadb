"""The command line: arguments -> load -> build -> exit code. No logic of its own."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from .version import __version__
from .errors import QuireError
from .model import PDF_VARIANTS
from .outputs import FORMATS


class _Collect(logging.Handler):
    """Collects quire's warnings; `flush` prints them grouped by kind (warning_groups),
    in watch mode only those the last build did not print."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.shown = None                   # a warning_groups.Shown in watch mode

    def emit(self, record):
        self.messages.append(record.getMessage())

    def flush(self):
        from .warning_groups import lines

        messages, self.messages = self.messages, []
        again = 0
        if self.shown is not None:
            messages, again = self.shown.new(messages)
        for line in lines(messages):
            print(line, file=sys.stderr)
        if again:
            print(f"({again} warning{'s' if again > 1 else ''} as in the last build, "
                  "not shown again)", file=sys.stderr)


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
    from .usage import COMMANDS, DESCRIPTION, EPILOG, HELP

    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="quire", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=raw)
    parser.add_argument("--version", action="version", version=f"quire {__version__}",
                        help="print quire's version and exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str) -> argparse.ArgumentParser:
        summary, description, examples = COMMANDS[name]
        return commands.add_parser(name, help=summary, description=description,
                                   epilog=examples, formatter_class=raw)

    formats = {"choices": (*FORMATS, "all"), "default": "all", "help": HELP["format"]}
    build = command("build")
    build.add_argument("path", nargs="?", default=".", type=Path, help=HELP["path"])
    build.add_argument("--out", type=Path, metavar="DIR", help=HELP["out"])
    build.add_argument("--format", **formats)
    build.add_argument("--variant", choices=PDF_VARIANTS, help=HELP["variant"])
    build.add_argument("--strict", action="store_true", help=HELP["strict"])
    build.add_argument("-j", "--jobs", type=_jobs, default=_cores(), metavar="N", help=HELP["jobs"])
    build.add_argument("-q", "--quiet", action="store_true", help=HELP["quiet"])
    for name in ("watch", "serve"):
        loop = command(name)
        loop.add_argument("path", nargs="?", default=".", type=Path,
                          help="the project folder (default: the current folder)")
        loop.add_argument("--out", type=Path, metavar="DIR", help=HELP["out"])
        if name == "watch":
            loop.add_argument("--format", **formats)
        else:
            loop.add_argument("--port", type=_port, default=8000, help=HELP["port"])
    batch = command("batch")
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
    batch.add_argument("--format", **formats)
    batch.add_argument("--variant", choices=PDF_VARIANTS, help=HELP["variant"])
    batch.add_argument("--strict", action="store_true", help="fail a project on any warning")
    batch.add_argument("--report", type=Path, metavar="FILE",
                       help="write a JSON report: each project's status, files, time, errors")
    batch.add_argument("-q", "--quiet", action="store_true",
                       help="print failures and the summary only")
    check = command("check")
    check.add_argument("path", nargs="?", default=".", type=Path,
                       help="a project folder (default: the current folder) or a PDF file")
    check.add_argument("--strict", action="store_true",
                       help="exit 1 on the layout report's findings too (holes, notes away "
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
            return _check(args, collect)
        if args.command in ("watch", "serve"):
            return _loop(args, collect)
        if args.command == "batch":
            return _batch(args)
        return _build(args, collect)
    except QuireError as err:
        if progress:
            progress.done()
        collect.flush()
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        if progress:
            progress.done()
            logger.removeHandler(progress)
        collect.flush()
        logger.removeHandler(collect)


def _build(args, collect: _Collect, report: bool = True):
    """quire build: the one build path (build.build); `collect` prints its warnings."""
    from .build import build

    try:
        result = build(args.path, FORMATS if args.format == "all" else (args.format,),
                       args.out, args.variant, args.strict, getattr(args, "jobs", None),
                       page_list=getattr(args, "page_list", True))
    finally:
        for handler in logging.getLogger("quire").handlers:
            if isinstance(handler, _Progress):
                handler.done()              # cleared before the first warning
    collect.flush()
    if not args.quiet:
        for path in result.written:
            print(f"up to date: {path}" if result.up_to_date else f"wrote {path}")
    return 0 if report else list(result.written)


def _batch(args) -> int:
    """quire batch: batch.run with its progress (batch_progress.py), then the summary."""
    from . import batch
    from .batch_progress import Progress

    terminal = sys.stderr.isatty() and not os.environ.get("CI")
    shown: list[Progress] = []

    def begin(total: int) -> None:
        shown.append(Progress(total, sys.stdout, sys.stderr, terminal, args.quiet))

    try:
        report = batch.run(args.source, args.out, args.executor, args.address, args.jobs,
                           FORMATS if args.format == "all" else (args.format,), args.variant,
                           args.strict, on_item=lambda item: shown[0].finished(item),
                           on_running=lambda n: shown[0].running(n), on_begin=begin)
    finally:
        if shown:
            shown[0].close()
    if args.report:
        batch.write_report(report, args.report)
    print(report.summary())
    return 1 if report.failed else 0


def _loop(args, collect: _Collect) -> int:
    """quire watch / quire serve: build, then rebuild on every change until interrupted."""
    from . import preview
    from .warning_groups import Shown

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
    collect.shown = Shown()

    def build() -> list[Path]:
        try:
            written = _build(build_args, collect, report=False)
        except QuireError as err:
            collect.flush()
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


def _check(args, collect: _Collect) -> int:
    """quire check: check.py's findings, printed; the exit code."""
    from . import check

    if args.path.suffix.lower() == ".pdf":
        report = check.check_pdf_file(args.path)
    else:
        report = check.check_project(args.path, _cores())
    collect.flush()                         # the build's, when it had to build
    return check.print_report(report, args.strict)
