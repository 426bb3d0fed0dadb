"""quire: Markdown manuscripts to a print-ready PDF and an EPUB 3, from one source."""

from __future__ import annotations

__version__ = "0.1.0"

from pathlib import Path  # noqa: E402


def build(project: Path, formats=("pdf", "epub"), out_dir: Path | None = None) -> list[Path]:
    """Load the project once and write each format; returns the files written."""
    from .load import load
    from .outputs import build_all

    publication = load(Path(project))
    return build_all(publication, formats, Path(out_dir) if out_dir else publication.root / "dist")
