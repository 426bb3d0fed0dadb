"""Paths inside the project, the built-in theme, media types and readable file names."""

from __future__ import annotations

import re
import unicodedata
from importlib import resources
from pathlib import Path, PurePosixPath

from .errors import ContentError

IMAGE_TYPES = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp",
}
FONT_TYPES = {".woff2": "font/woff2", ".woff": "font/woff", ".otf": "font/otf", ".ttf": "font/ttf"}
REMOTE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")


def theme_dir() -> Path:
    """The built-in stylesheet folder (the repository's styles/, shipped as quire.styles)."""
    return Path(str(resources.files("quire.styles")))


def templates_dir() -> Path:
    return Path(__file__).parent / "templates"


def inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def refuse_outside(path: Path, root: Path, label: str) -> None:
    """Refuse a file or folder of the project whose real path (links followed) leaves it,
    before anything reads it."""
    if (path.is_symlink() or path.exists()) and not inside(path, root):
        raise ContentError(label, "is a link to outside the project folder; refused "
                                  "(quire reads only the project and its theme)")


def resolve_local(reference: str, base: Path, root: Path, label: str, line: int | None,
                  what: str = "file") -> Path:
    """The file a relative reference in a manuscript names, refused if it leaves `root`."""
    if REMOTE.match(reference):
        raise ContentError(label, f"{what} '{reference}' is not a local file; "
                                  "quire never fetches from the network", line)
    if reference.startswith("/") or reference.startswith("\\"):
        raise ContentError(label, f"{what} '{reference}' is an absolute path; "
                                  "use a path relative to the document", line)
    path = (base / PurePosixPath(reference)).resolve()
    if not inside(path, root):
        raise ContentError(label, f"{what} '{reference}' is outside the project folder", line)
    if not path.is_file():
        raise ContentError(label, f"{what} '{reference}' not found", line)
    return path


def ascii_slug(text: str, fallback: str = "publication") -> str:
    """A file-name-safe slug: 'Første kapittel: Æøå' -> 'forste-kapittel-aeoa'."""
    text = text.replace("æ", "ae").replace("Æ", "Ae").replace("ø", "o").replace("Ø", "O")
    text = text.replace("ß", "ss").replace("œ", "oe").replace("Œ", "Oe")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:80].rstrip("-") or fallback


def relative(path: Path, base: Path) -> str:
    """`path` as a label relative to `base` (as given when it is not inside it)."""
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)
