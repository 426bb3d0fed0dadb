"""quire: Markdown manuscripts to a print-ready PDF and an EPUB 3, from one source."""

from __future__ import annotations

__version__ = "0.1.0"

from .build import BuildResult, BuildWarning, build  # noqa: E402
from .errors import QuireError  # noqa: E402

__all__ = ["BuildResult", "BuildWarning", "QuireError", "__version__", "build"]
