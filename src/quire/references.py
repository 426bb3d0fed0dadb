"""What a manuscript's image and link references name, read as other tools write them.

- A remote image (http:, https:, //host) is never fetched: it becomes its alt text, with a
  warning (a badge or a logo on the web is not part of the book).
- A `data:image/...` URI is decoded; the image is then checked like any file.
- Percent-encoded paths (`up%20%26%20going/cover.jpg`, as GitHub writes them) resolve.
- A path that mkdocs resolves against a page's URL (`user-guide/cli/` for
  `user-guide/cli.md`, so raw HTML writes `../img/x.png`) resolves the same way here.
- A link to a file that is not part of the publication becomes plain text (the outputs have
  no such file), with one grouped warning per document.
It leaves out fetching anything: a build reads only the project.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from urllib.parse import quote, unquote

from lxml import html

from .errors import ContentError
from .resources import REMOTE, resolve_local

DATA_URI = re.compile(r"^data:([\w.+\-]+/[\w.+\-]+)?((?:;[\w\-]+=[^;,]*)*)(;base64)?,(.*)$",
                      re.IGNORECASE | re.DOTALL)
DATA_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/jpg": ".jpg",
              "image/gif": ".gif", "image/webp": ".webp", "image/svg+xml": ".svg"}
MAX_DATA = 20_000_000       # bytes of one decoded data: image


_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def spellings(reference: str) -> list[str]:
    """A path as written, with CommonMark's backslash escapes undone (GitHub writes
    `up\\%20&\\%20going/`; Python-Markdown keeps the backslash), then percent-decoded."""
    plain = _ESCAPE.sub(r"\1", reference)
    return list(dict.fromkeys((reference, plain, unquote(plain))))


def is_remote(src: str) -> bool:
    """A reference to the network (anything with a scheme but data:, or //host)."""
    return src.startswith("//") or bool(REMOTE.match(src)) and not is_data(src)


def is_data(src: str) -> bool:
    return src[:5].lower() == "data:"


def remote_images(root, label: str, line_of, warnings: list[str]) -> None:
    """Replace each remote image by its alt text (nothing when it has none)."""
    for img in list(root.iter("img")):
        src = img.get("src", "").strip()
        if not is_remote(src):
            continue
        line = line_of(src)
        where = f"{label}:{line}" if line else label
        alt = (img.get("alt") or "").strip()
        warnings.append(f"{where}: remote image '{src[:80]}' is not fetched; "
                        + (f"its alt text '{alt[:40]}' is printed" if alt
                           else "it has no alt text, so nothing is printed"))
        span = html.Element("span", {"class": "remote-image"})
        span.text = alt
        span.tail = img.tail
        img.getparent().replace(img, span)


def decode_data(src: str, label: str, line: int | None) -> tuple[str, bytes]:
    """(suffix, bytes) of a data: image, or a ContentError saying what is wrong."""
    match = DATA_URI.match(src.strip())
    shown = src[:40] + ("..." if len(src) > 40 else "")
    if not match:
        raise ContentError(label, f"image '{shown}' is not a valid data: URI", line)
    kind = (match.group(1) or "").lower()
    if kind not in DATA_TYPES:
        raise ContentError(label, f"image '{shown}' is of type '{kind or 'text/plain'}'; "
                                  "use PNG, JPEG, GIF, WebP or SVG", line)
    payload = match.group(4)
    if len(payload) > MAX_DATA * 4 // 3 + 4:
        raise ContentError(label, f"image '{shown}' is larger than {MAX_DATA:,} bytes", line)
    try:
        data = (base64.b64decode(re.sub(r"\s+", "", unquote(payload)), validate=True)
                if match.group(3) else unquote(payload).encode("utf-8"))
    except (binascii.Error, ValueError):
        raise ContentError(label, f"image '{shown}' is not valid base64", line) from None
    if not data:
        raise ContentError(label, f"image '{shown}' is empty", line)
    return DATA_TYPES[kind], data


def resolve_file(src: str, document: Path, root: Path, label: str, line: int | None) -> Path:
    """The image file `src` names from `document`: as written, percent-decoded, or (as
    mkdocs reads raw HTML) from the page's own URL folder. The first error when none is."""
    src = src.strip()
    bases = [document.parent]
    if document.stem.lower() not in ("readme", "index"):
        bases.append(document.parent / document.stem)       # mkdocs: user-guide/cli/
    first = None
    for base in bases:
        for candidate in spellings(src):
            try:
                return resolve_local(candidate, base, root, label, line, what="image")
            except ContentError as err:
                if candidate.startswith(("/", "\\")) or REMOTE.match(candidate):
                    raise
                first = first or err
    raise first


# URI schemes a reading system knows (EPUBCheck warns about others: "ttps://" typed for https).
SCHEMES = {"http", "https", "mailto", "ftp", "ftps", "sftp", "tel", "sms", "urn", "doi",
           "irc", "ircs", "news", "nntp", "geo", "magnet", "git", "ssh", "xmpp", "ws", "wss",
           "feed", "svn", "rtsp", "spotify", "bitcoin", "matrix"}
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def outside_links(root, label: str, keep, warnings: list[str]) -> None:
    """Links to local files that are not part of the publication become plain text;
    `keep(href)` says which hrefs are fine. One warning lists them."""
    dropped = []
    for a in list(root.iter("a")):
        href = (a.get("href") or "").strip()
        if is_remote(href) and not href.startswith("//"):
            scheme = href.split(":", 1)[0].lower()
            if scheme in SCHEMES:
                a.set("href", quote(re.sub(r"\s+", "", href), safe=_URL_SAFE))  # typed in
                continue
        elif not href or href.startswith("#") or is_remote(href) or keep(href):
            continue
        dropped.append(href)
        del a.attrib["href"]
        for name in ("target", "rel", "hreflang", "type", "download"):
            a.attrib.pop(name, None)
    if dropped:
        shown = ", ".join(f"'{h[:50]}'" for h in dict.fromkeys(dropped[:5]))
        more = f" and {len(dropped) - 5} more" if len(dropped) > 5 else ""
        warnings.append(f"{label}: {len(dropped)} link(s) to files outside the publication "
                        f"(or with a misspelt scheme) were made plain text: {shown}{more}")
