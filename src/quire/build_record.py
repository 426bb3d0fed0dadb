"""What a build keeps in its cache for a later `quire check`, which cannot read it from the
files themselves: the layout report's lines (keyed by the PDF's digest) and which EPUB
file came from which Markdown file (keyed by the EPUB's digest). check.py reads them back.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

LAYOUT = "layout-report"         # cache kinds
SOURCES = "epub-sources"


def remember(cache, written, publication, layout: list[str]) -> None:
    """Keep what a later check needs of this build: the layout report of the PDF written,
    and which EPUB file holds which Markdown file."""
    store = cache.store("check")
    for path in written:
        digest = digest_of(path)
        if path.suffix == ".pdf":
            store.put_json(store.key(LAYOUT, digest), {"layout": layout, "documents": {
                doc.id: str(doc.source) for doc in publication.documents}})
        elif path.suffix == ".epub":
            store.put_json(store.key(SOURCES, digest), {
                f"text/{doc.slug}.xhtml": str(doc.source) for doc in publication.documents})


def digest_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
