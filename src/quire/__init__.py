"""quire: Markdown manuscripts to a print-ready PDF and an EPUB 3, from one source."""

from __future__ import annotations

from .build import BuildResult, BuildWarning, build
from .errors import QuireError
from .version import __version__

__all__ = ["BuildResult", "BuildWarning", "QuireError", "__version__", "build"]
