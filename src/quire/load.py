"""Read a project folder into one immutable Publication.

Config and front matter are validated, each Markdown file is converted once, ids are made
unique across the publication, links between documents are resolved and images registered.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import uuid
from pathlib import Path

from . import fonts, images, language, markup, parallel
from .config import FrontMatter, pdf_settings, read_config, split_front_matter
from .errors import ContentError, QuireError
from .model import Asset, Document, Metadata, Publication
from .resources import IMAGE_TYPES, REMOTE, ascii_slug, inside, resolve_local, theme_dir

log = logging.getLogger("quire")
LAYERS = ("shared", "print", "epub")
DOCUMENT_KEYS = {"title", "subtitle", "lang", "authors", "section", "lead", "date"}


class _Ids:
    """Hands out ids unique in the whole publication (used only while loading)."""

    def __init__(self):
        self.used: set[str] = set()
        self.slugs: set[str] = set()      # document file names (EPUB)
        self.current: set[str] = set()   # ids of the document being converted

    def claim(self, wanted: str) -> str:
        base = re.sub(r"[^\w.\-]+", "-", wanted, flags=re.UNICODE).strip("-") or "id"
        if not (base[0].isalpha() or base[0] == "_"):
            base = "x" + base
        candidate, n = base, 2
        while candidate in self.used or re.fullmatch(r"page-\d+", candidate):  # page markers
            candidate, n = f"{base}-{n}", n + 1
        self.used.add(candidate)
        self.current.add(candidate)
        return candidate


class _Assets:
    def __init__(self, root: Path):
        self.root = root
        self.by_source: dict[Path, Asset] = {}
        self.names: set[str] = set()

    def image(self, src: str, base: Path, label: str, line: int | None) -> str:
        path = resolve_local(src, base, self.root, label, line, what="image")
        if path in self.by_source:
            return self.by_source[path].name
        if path.suffix.lower() not in IMAGE_TYPES:
            raise ContentError(label, f"image '{src}' has an unsupported format "
                                      f"(use {', '.join(sorted(IMAGE_TYPES))})", line)
        media_type = images.media_type(path, src, label, line)
        suffix = {v: k for k, v in IMAGE_TYPES.items() if k != ".jpeg"}[media_type]
        stem, n = ascii_slug(path.stem, "image"), 2
        name = f"images/{stem}{suffix}"
        while name in self.names:
            name, n = f"images/{stem}-{n}{suffix}", n + 1
        self.names.add(name)
        self.by_source[path] = Asset(path, name, media_type)
        return name


PARALLEL_TEXT = 200_000     # characters of Markdown from which `jobs` processes convert it


def load(project: Path, html_of=None, jobs: int = 1, meanwhile=None) -> Publication:
    """The publication in `project`. `html_of(text)` may replace Python-Markdown's
    conversion (a cache in front of it); a long manuscript is converted by `jobs`
    processes, while this one runs `meanwhile()` (the CLI imports WeasyPrint)."""
    root = project.resolve()
    if not root.is_dir():
        raise QuireError(f"{project}: project folder not found")
    config = read_config(root / "quire.toml", "quire.toml")
    content = root / "content"
    if not content.is_dir():
        if config or not any(root.glob("*.md")):
            raise QuireError(f"{_rel(content, root.parent)}: content folder not found "
                             "(put the manuscript's Markdown files there)")
        content = root
    files = _document_files(root, content, config.get("documents"))
    if not files:
        raise QuireError(f"{_rel(content, root.parent)}: no Markdown (.md) files to publish")

    log.info("reading %d documents...", len(files))
    front = [_read_front_matter(root, path) for path in files]
    first = front[0].values if len(front) == 1 else {}
    settings = {**first, **config}
    for table in ("pdf", "epub"):                  # quire.toml wins key by key
        if table in first and table in config:
            settings[table] = {**first[table], **config[table]}
    if len(front) > 1:
        for path, fm in zip(files, front):
            for key in sorted(set(fm.values) - DOCUMENT_KEYS):
                log.warning("%s: '%s' in front matter describes the whole publication and is "
                            "ignored in a publication of several documents; put it in quire.toml",
                            _rel(path, root), key)
    convert = html_of or markup.to_html
    known = getattr(convert, "known", lambda text: False)     # in the cache
    todo = [text for text in dict.fromkeys(fm.body for fm in front) if not known(text)]
    html: dict[str, str] = {}
    if jobs > 1 and sum(len(text) for text in todo) >= PARALLEL_TEXT:
        html = dict(zip(todo, parallel.starmap(convert, [(t,) for t in todo], jobs, meanwhile)))

    def html_of(text: str) -> str:
        return html[text] if text in html else convert(text)
    lang, langs = _languages(root, files, front, settings.get("lang"), html_of, html)
    ids, assets = _Ids(), _Assets(root)
    numbering = markup.Numbering(enabled=settings.get("numbering", True))
    converted = []
    for path, fm, doc_lang in zip(files, front, langs):
        converted.append(_convert(root, content, path, fm, doc_lang, ids, assets, numbering,
                                  html_of))
    _link_documents(converted)
    documents = tuple(_document(c) for c in converted)
    for c in converted:
        for warning in c["body"].warnings:
            log.warning(warning)

    title = settings.get("title") or (documents[0].title if len(documents) == 1
                                      else _humanise(root.name))
    authors = settings.get("authors") or _unique(a for d in documents for a in d.authors)
    name = settings.get("name") or ascii_slug(title)
    isbn = settings.get("isbn", "")
    cover = None
    if settings.get("cover"):
        source = "quire.toml" if "cover" in config else str(documents[0].source)
        assets.image(settings["cover"], root, source, None)
        cover = assets.by_source[(root / settings["cover"]).resolve()]
    metadata = Metadata(
        title=title, lang=lang, subtitle=settings.get("subtitle", ""), authors=authors,
        publisher=settings.get("publisher", ""), journal=settings.get("journal", ""),
        rights=settings.get("rights", ""), date=settings.get("date", ""),
        subject=settings.get("subject", ""), description=settings.get("description", ""),
        keywords=settings.get("keywords", ()), editors=settings.get("editors", ()), isbn=isbn,
        identifier=settings.get("identifier") or (f"urn:isbn:{isbn}" if isbn else
                                                  _identifier(title, authors, name)),
        modified=_modified(settings.get("date", "")),
    )
    stylesheets, styled = _stylesheets(root)
    font_plan = fonts.plan(root, config.get("fonts", {}), documents)
    return Publication(
        root=root, name=ascii_slug(name), metadata=metadata, documents=documents,
        assets=tuple(assets.by_source.values()),
        stylesheets=stylesheets,
        inputs=tuple(sorted({*files, *assets.by_source, *(p for _, p in stylesheets), *styled,
                             *(face.path for face in font_plan.faces)})),
        templates_dir=(root / "templates") if (root / "templates").is_dir() else None,
        pdf=pdf_settings(settings.get("pdf", {})),
        toc=settings.get("toc", len(documents) > 1),
        title_page=settings.get("title_page", len(documents) > 1),
        cover=cover,
        page_list=settings.get("epub", {}).get("page_list", True),
        accessibility=tuple(config.get("accessibility", {}).items()),
        fonts=font_plan,
    )


def _rel(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def _document_files(root: Path, content: Path, order) -> list[Path]:
    if order:
        files = []
        for entry in order:
            path = (content / entry).resolve()
            if not inside(path, content) or not path.is_file():
                raise QuireError(f"quire.toml: documents: '{entry}' not found in "
                                 f"{_rel(content, root)}/")
            files.append(path)
        return files
    found = [p for p in content.rglob("*.md")
             if not any(part.startswith((".", "_")) for part in p.relative_to(content).parts)
             and p.is_file() and "dist" not in p.relative_to(content).parts[:1]]
    return sorted(found, key=lambda p: _reading_order(p.relative_to(content).parts))


def _reading_order(parts: tuple[str, ...]):
    """Files before subfolders, README/index first, numbers in names compared as numbers."""
    *folders, name = parts
    first = 0 if name.lower() in ("readme.md", "index.md") else 1
    return [(1, _natural(f)) for f in folders] + [(0, first, _natural(name))]


def _natural(text: str):
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", text)]


def _read_front_matter(root: Path, path: Path) -> FrontMatter:
    label = _rel(path, root)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ContentError(label, f"cannot be read: {err.strerror}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise ContentError(label, f"not valid UTF-8 (byte 0x{raw[err.start]:02x}); "
                                  "save the file as UTF-8", line)
    return split_front_matter(text.replace("\r\n", "\n"), label)


def _convert(root, content, path, fm, lang, ids, assets, numbering, html_of) -> dict:
    label = _rel(path, root)
    ids.current = set()
    relative = path.relative_to(content)
    base = ascii_slug("-".join(relative.with_suffix("").parts), "document")
    slug, n = base, 2
    while slug in ids.slugs:
        slug, n = f"{base}-{n}", n + 1
    ids.slugs.add(slug)
    doc_id = ids.claim(slug)
    body = markup.convert(
        fm.body, lang=lang, label=label, first_line=fm.body_line, claim_id=ids.claim,
        resolve_image=lambda src, line: assets.image(src, path.parent, label, line),
        numbering=numbering, html_of=html_of)
    title = fm.values.get("title")
    title_html = ""
    if not title:
        first_h1 = body.root.find(".//h1")
        if first_h1 is not None and first_h1 is _first_element(body.root):
            title = next(h.text for h in body.headings if h.id == first_h1.get("id"))
            body.headings = [h for h in body.headings if h.id != first_h1.get("id")]
            first_h1.tail = None
            title_html = markup.inner_xhtml(first_h1)    # keeps its footnote calls
            first_h1.drop_tree()
        else:
            title = _humanise(path.stem)
    title = markup.plain_typography(title, lang)
    part = _humanise(relative.parts[0]) if len(relative.parts) > 1 else ""
    return {
        "source": Path(label), "slug": slug, "id": doc_id, "lang": lang, "title": title,
        "title_html": title_html or markup.escape_text(title),
        "part": part, "fm": fm.values, "body": body, "ids": ids.current, "path": path,
    }


def _languages(root, files, front, configured, html_of, html) -> tuple[str, list[str]]:
    """The publication's language and each document's: as set (front matter, quire.toml),
    else guessed from the text (language.detect); warnings for guesses that fail."""
    own = [fm.values.get("lang") or configured for fm in front]
    guesses = []
    for path, fm, lang in zip(files, front, own):
        if lang:
            guesses.append(None)
            continue
        text = html_of(fm.body)
        html.setdefault(fm.body, text)          # converted once, used again below
        body = markup.parse_fragment(text[:language.SAMPLE * 4])
        guess = language.detect(f"{fm.values.get('title', '')} {language.prose(body)}")
        if guess.confident:
            log.info("%s: language %s, from its text", _rel(path, root), language.name(guess.lang))
        guesses.append(guess)
    lang, langs, warnings = language.choose([_rel(p, root) for p in files], own, guesses,
                                            configured)
    for warning in warnings:
        log.warning(warning)
    return lang, langs


def _first_element(root):
    return next(iter(root), None)


def _link_documents(converted: list[dict]) -> None:
    """Resolve links between documents (`ch2.md#x` -> `#x`) and fill empty cross-references.

    Every id is unique in the publication, so a resolved link is a bare `#id`; each output
    turns it into what it needs (a file name in the EPUB).
    """
    by_path = {c["path"]: c for c in converted}
    targets = {k: v for c in converted for k, v in c["body"].targets.items()}
    targets.update({c["id"]: c["title"] for c in converted})
    for c in converted:
        warnings = c["body"].warnings
        for a in c["body"].root.iter("a"):
            href = a.get("href", "")
            target, _, fragment = href.partition("#")
            if target.endswith(".md") and not REMOTE.match(target):
                other = by_path.get((c["path"].parent / target).resolve())
                if other is None:
                    warnings.append(f"{c['source']}: link '{href}' names no document "
                                    "of the publication")
                    continue
                fragment = other["body"].renamed.get(fragment, fragment)
                if fragment and fragment not in other["ids"]:
                    slugged = markup.slugify(fragment)
                    slugged = other["body"].renamed.get(slugged, slugged)
                    fragment = slugged if slugged in other["ids"] else ""
                    if not fragment:
                        warnings.append(f"{c['source']}: link '{href}': no such heading, "
                                        "figure or table")
                href = "#" + (fragment or other["id"])
                a.set("href", href)
            elif href.startswith("#") and href[1:] not in targets and not any(
                    href[1:] in d["ids"] for d in converted):
                warnings.append(f"{c['source']}: link '{href}' points to no heading, "
                                "figure, table or note; it was made plain text")
                del a.attrib["href"]
                continue
            if href.startswith("#") and not a.text_content().strip() and len(a) == 0:
                a.text = targets.get(href[1:], href[1:])


def _document(c: dict) -> Document:
    fm, body = c["fm"], c["body"]
    lead = ""
    if fm.get("lead"):
        lead, warnings = markup.short_text(fm["lead"], c["lang"], str(c["source"]))
        body.warnings.extend(warnings)
    return Document(
        source=c["source"], slug=c["slug"], id=c["id"], lang=c["lang"], title=c["title"],
        title_html=c["title_html"],
        part=c["part"], subtitle=fm.get("subtitle", ""), section=fm.get("section", ""),
        authors=fm.get("authors", ()), lead=lead, body=body.xhtml(),
        headings=tuple(body.headings), footnotes=tuple(body.footnotes),
        ids=frozenset(c["ids"]), images_without_alt=body.images_without_alt,
    )


def _stylesheets(root: Path) -> tuple[tuple[tuple[str, Path], ...], tuple[Path, ...]]:
    """Each layer from the project's styles/ when it has one, else from the built-in theme.

    Every url() and @import must name a file beside the stylesheet: nothing is fetched
    from the network or from outside the project.
    """
    theme = theme_dir()
    layers, named = [], []
    for layer in LAYERS:
        own = root / "styles" / f"{layer}.css"
        path = own if own.is_file() else theme / f"{layer}.css"
        named += _check_stylesheet(path, root if path == own else theme, _rel(path, root))
        layers.append((layer, path))
    return tuple(layers), tuple(named)


_CSS_REFERENCE = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)|url\(\s*['"]?([^'")]+?)['"]?\s*\)""")


def _check_stylesheet(path: Path, base_root: Path, label: str) -> list[Path]:
    """Refuse what a stylesheet may not reach; returns the files it names."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ContentError(label, f"cannot be read as UTF-8 text ({err})")
    named = []
    for match in _CSS_REFERENCE.finditer(text):
        url = match.group(1) or match.group(2)
        line = text.count("\n", 0, match.start()) + 1
        if url.startswith(("data:", "#")):
            continue
        named.append(resolve_local(url, path.parent, base_root, label, line, what="url"))
    return named


def _humanise(stem: str) -> str:
    text = re.sub(r"^\d+[-_. ]*", "", stem).replace("-", " ").replace("_", " ").strip()
    return (text[:1].upper() + text[1:]) if text else stem


def _unique(items):
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return tuple(seen)


def _identifier(title: str, authors, name: str) -> str:
    """Stable between builds: derived from what names the work, not from the clock."""
    key = "|".join([name, title, *(a.name for a in authors)])
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'quire:' + key)}"


def _modified(date: str) -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise QuireError(f"SOURCE_DATE_EPOCH: expected seconds since 1970; got '{epoch}'")
    if date:
        return dt.datetime.fromisoformat(date).replace(tzinfo=dt.timezone.utc)
    return dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
