"""The images a publication uses, each stored once under a unique file name.

A manuscript's image (a local file inside the project, or a `data:image/...` URI) is
checked (images.media_type reads its first bytes) and registered as an Asset with a name
such as `images/photo.png`; the same file or the same bytes get the same name. It leaves
out fetching remote images (references.remote_images turns them into their alt text).
"""

from __future__ import annotations

from pathlib import Path

from . import images, references
from .errors import ContentError
from .model import Asset
from .resources import IMAGE_TYPES, ascii_slug


class Assets:
    def __init__(self, root: Path):
        self.root = root
        self.by_source: dict[Path, Asset] = {}
        self.by_data: dict[bytes, Asset] = {}       # data: URI images, by their bytes
        self.names: set[str] = set()

    def image(self, src: str, document: Path, label: str, line: int | None) -> str:
        """The asset name of the image `src` in `document` (a ContentError if it is bad)."""
        data = None
        if references.is_data(src):
            suffix, data = references.decode_data(src, label, line)
            if data in self.by_data:
                return self.by_data[data].name
            path = document.parent / f"image{suffix}"
        else:
            path = references.resolve_file(src, document, self.root, label, line)
            if path in self.by_source:
                return self.by_source[path].name
            if path.suffix.lower() not in IMAGE_TYPES:
                raise ContentError(label, f"image '{src}' has an unsupported format "
                                          f"(use {', '.join(sorted(IMAGE_TYPES))})", line)
        media_type = images.media_type(path, src, label, line, data)
        suffix = {v: k for k, v in IMAGE_TYPES.items() if k != ".jpeg"}[media_type]
        stem, n = ascii_slug(path.stem, "image"), 2
        name = f"images/{stem}{suffix}"
        while name in self.names:
            name, n = f"images/{stem}-{n}{suffix}", n + 1
        self.names.add(name)
        if data is not None:
            self.by_data[data] = Asset(document, name, media_type, data)
        else:
            self.by_source[path] = Asset(path, name, media_type)
        return name

    def all(self) -> tuple[Asset, ...]:
        return (*self.by_source.values(), *self.by_data.values())
