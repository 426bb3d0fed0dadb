"""Exceptions that libraries raise on a document, as one-line errors that name it.

WeasyPrint, lxml, Pillow, Python-Markdown and the rest fail now and then on input they do
not expect. Such a failure is input trouble for the user, not a bug of quire: it becomes a
ContentError naming the document and saying what to do. An exception raised in quire's own
code is left alone (it is a bug and keeps its traceback). Known failures get a workaround
where they arise (see outputs/pdf.py, markup.parse_fragment); this is the net below them.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from .errors import ContentError, QuireError

LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "cssselect2", "tinyhtml5", "html5lib", "lxml",
             "PIL", "markdown", "pymdownx", "pygments", "yaml", "ebooklib", "fontTools",
             "pyphen", "pikepdf", "jinja2")
T = TypeVar("T")


def _package_of(filename: str) -> str:
    """The top-level package a source file belongs to ("" for quire's own or unknown)."""
    parts = Path(filename).parts
    for marker in ("site-packages", "dist-packages"):
        if marker in parts:
            index = parts.index(marker)
            if index + 1 < len(parts):
                return parts[index + 1].removesuffix(".py")
    return ""


def from_library(err: BaseException) -> str:
    """The library that raised `err` ("" when it came from quire or Python itself): the
    package of the innermost frame, or of the exception's class (lxml raises from C)."""
    if isinstance(err, (QuireError, KeyboardInterrupt, MemoryError, SystemExit)):
        return ""
    module = type(err).__module__.split(".")[0]
    if module in LIBRARIES:
        return module
    frames = traceback.extract_tb(err.__traceback__)
    remote = getattr(err.__cause__, "tb", "")       # multiprocessing's RemoteTraceback
    if isinstance(remote, str) and remote:
        files = [line.split('"')[1] for line in remote.splitlines()
                 if line.strip().startswith('File "')]
        package = _package_of(files[-1]) if files else ""
        return package if package in LIBRARIES else ""
    if frames:
        package = _package_of(frames[-1].filename)
        return package if package in LIBRARIES else ""
    return ""


def describe(err: BaseException) -> str:
    text = " ".join(str(err).split())
    if len(text) > 160:
        text = text[:157] + "..."
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def wrapped(err: BaseException, label: str, doing: str) -> ContentError:
    """The error to show for a library's exception `err` raised while `doing` `label`."""
    library = from_library(err)
    return ContentError(label, f"{library} failed while {doing} ({describe(err)}); this is "
                               "input the library cannot handle: simplify the passage or "
                               "report it with this line")


def guarded(label: str, doing: str, work: Callable[[], T]) -> T:
    """`work()`, with a library's exception turned into a ContentError naming `label`."""
    try:
        return work()
    except Exception as err:
        if not from_library(err):
            raise
        raise wrapped(err, label, doing) from None


def culprit(items: Iterable[tuple[str, Callable[[], object]]]) -> tuple[str, BaseException] | None:
    """The first (label, exception) for which `try_one()` raises a library's exception, to
    name the document when a whole publication failed."""
    for label, try_one in items:
        try:
            try_one()
        except Exception as err:  # noqa: BLE001 - only libraries' exceptions count
            if from_library(err):
                return label, err
    return None
