"""Where a build's time goes: `quire build ARGS` in this process, with wall-clock timers
around its stages (and WeasyPrint's), printed at the end. Use -j 1 (workers are not timed).

    python bench/stages.py build PROJECT --out /tmp/out -j 1

Nested stages overlap (the PDF's render includes the stylesheet cascade and the layout), so
the column does not add up; a stage that a module imports under another name is not timed.
"""

from __future__ import annotations

import atexit
import functools
import importlib
import sys
import time

START = time.perf_counter()
STAGES = [
    ("quire.load", "load"), ("quire.markup", "convert"), ("quire.cache", "inputs_digest"),
    ("quire.outputs.pdf.html", "render_print_html"), ("quire.outputs.pdf.layout", "lay_out"),
    ("quire.outputs.pdf.chunked", "render"), ("quire.outputs.pdf.workers", "lay_out_chunk"),
    ("quire.outputs.pdf.join", "join"), ("quire.outputs.pdf.cmyk", "convert_image"),
    ("quire.preflight", "check_pdf"), ("quire.outputs.text_check", "check_written"),
    ("quire.outputs.epub", "write"), ("quire.outputs.epub", "_deterministic_zip"),
    ("quire.outputs.epub", "_stylesheet_items"), ("quire.outputs.epub_fonts", "subset"),
    ("quire.outputs.pdf.hyphenation", "preload"), ("quire.templates", "render"),
    ("weasyprint", "HTML.render"), ("weasyprint.document", "Document.write_pdf"),
    ("weasyprint.css", "get_all_computed_styles"),
    ("weasyprint.css", "preprocess_stylesheet"), ("weasyprint.layout", "layout_document"),
    ("weasyprint.pdf.fonts", "build_fonts_dictionary"), ("weasyprint.pdf", "generate_pdf"),
]
totals: dict[str, tuple[int, float]] = {}


def timed(owner, attr: str, label: str) -> None:
    function = getattr(owner, attr)

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            count, seconds = totals.get(label, (0, 0.0))
            totals[label] = (count + 1, seconds + time.perf_counter() - start)
    setattr(owner, attr, wrapper)


def main() -> int:
    import quire.cli
    import weasyprint  # noqa: F401
    imports = time.perf_counter() - START
    for module, name in STAGES:
        try:
            owner = importlib.import_module(module)
        except ImportError:
            continue
        *path, attr = name.split(".")
        for part in path:
            owner = getattr(owner, part)
        if hasattr(owner, attr):
            timed(owner, attr, f"{module}.{name}")

    @atexit.register
    def report():
        print(f"imports (quire.cli, weasyprint): {imports:.2f} s; "
              f"total {time.perf_counter() - START:.2f} s", file=sys.stderr)
        for label, (count, seconds) in sorted(totals.items(), key=lambda kv: -kv[1][1]):
            print(f"  {seconds:7.2f} s  x{count:<4} {label}", file=sys.stderr)
    return quire.cli.main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
