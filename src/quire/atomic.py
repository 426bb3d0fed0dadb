"""Writing a file whole or not at all: a temporary file beside it, renamed over it.

The one helper for small files quire writes in one piece (the build cache's entries, the
batch report); a reader never sees half a file, and a failure leaves the old one and no
temporary file. The outputs themselves are staged by outputs/__init__.py, which renames
them together once every writer has succeeded. It leaves out fsync: a crash may lose the
new file, never leave a broken one in its place.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_bytes(path: Path, data: bytes, prefix: str | None = None) -> None:
    """Write `data` at `path` through a temporary file in the same folder (named
    `prefix` + random, by default `.<name>.` + random); the folder is made if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=prefix or f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
