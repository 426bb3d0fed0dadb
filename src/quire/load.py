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
from urllib.parse import unquote

from . import (design, failures, fonts, images, language, limits, markup, parallel,
               references, sanitize, scholarly, structure)
from .config import FrontMatter, pdf_settings, read_config, split_front_matter
from .errors import ContentError, ManyErrors, QuireError
from .model import Asset, Document, Metadata, Publication
from .resources import (IMAGE_TYPES, ascii_slug, inside, refuse_outside,
                        resolve_local, theme_dir)

log = logging.getLogger("quire")
LAYERS = ("shared", "print", "book", "epub", "custom")   # book: the book design's print layer
DOCUMENT_KEYS = {"title", "subtitle", "lang", "authors", "section", "lead", "date"}


class _Ids:
    """Hands out ids unique in the whole publication (used only while loading)."""

    def __init__(self):
        self.used: set[str] = set()
        self.slugs: set[str] = set()      # document file names (EPUB)
        self.current: set[str] = set()   # ids of the document being converted
        self.next: dict[str, int] = {}   # base -> the next number to try (linear, not n²)

    def claim(self, wanted: str) -> str:
        base = re.sub(r"[^\w.\-]+", "-", wanted, flags=re.UNICODE).strip("-") or "id"
        if not (base[0].isalpha() or base[0] == "_"):
            base = "x" + base
        candidate, n = base, self.next.get(base, 2)
        while candidate in self.used or re.fullmatch(r"page-\d+", candidate):  # page markers
            candidate, n = f"{base}-{n}", n + 1
        if candidate != base:
            self.next[base] = n
        self.used.add(candidate)
        self.current.add(candidate)
        return candidate


class _Assets:
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


PARALLEL_TEXT = 200_000     # characters of Markdown from which `jobs` processes convert it


def load(project: Path, html_of=None, jobs: int = 1, meanwhile=None) -> Publication:
    """The publication in `project`. `html_of(text)` may replace Python-Markdown's
    conversion (a cache in front of it); a long manuscript is converted by `jobs`
    processes, while this one runs `meanwhile()` (the CLI imports WeasyPrint)."""
    single = project.resolve() if project.suffix.lower() == ".md" else None
    root = single.parent if single else project.resolve()
    if single and not single.is_file():
        raise QuireError(f"{project}: no such Markdown file")
    if not root.is_dir():
        raise QuireError(f"{project}: project folder not found")
    for name in ("quire.toml", "content", "styles", "templates"):
        refuse_outside(root / name, root, name)
    config = read_config(root / "quire.toml", "quire.toml")
    content = root / "content"
    if single or not content.is_dir():
        if not single and not _markdown_files(root):
            raise QuireError(f"{_rel(content, root.parent)}: content folder not found "
                             "(put the manuscript's Markdown files there)")
        content = root            # quire.toml beside the Markdown files
    files = [single] if single else _document_files(root, content, config.get("documents"))
    if not files:
        raise QuireError(f"{_rel(content, root.parent)}: no Markdown (.md) files to publish")

    log.info("reading %d documents...", len(files))
    problems: list[tuple[int, QuireError]] = []       # (document index, error)
    front = []
    for index, path in enumerate(files):
        try:
            front.append(_read_front_matter(root, path))
        except QuireError as err:
            problems.append((index, err))
            front.append(FrontMatter({}, "", 1))
    _report_ignored(files, front, root)
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
    design_table = settings.get("design", {})
    layout = design.choose(design_table.get("layout"),
                           [bool(fm.values.get("authors")) for fm in front])
    numbering_mode = settings.get("numbering", "chapter" if layout == "book" else True)
    numbering = markup.Numbering(enabled=bool(numbering_mode))
    firsts = {path: structure.first_heading(fm.body) for path, fm in zip(files, front)}
    groups: dict[Path, list] = {}
    for path in files:
        groups.setdefault(path.parent, []).append(firsts[path])
    shared = structure.shared_headings(groups) if len(files) > 1 else {}
    converted = []
    for index, (path, fm, doc_lang) in enumerate(zip(files, front, langs)):
        if numbering_mode == "chapter":     # each chapter counts from 1, then gets its prefix
            numbering = markup.Numbering(enabled=True)
        label = _rel(path, root)
        try:
            c = failures.guarded(label, "converting it", lambda path=path, fm=fm, doc_lang=doc_lang: _convert(
                root, content, path, fm, doc_lang, ids, assets, numbering, html_of,
                drop_shared=bool(firsts[path]) and shared.get(path.parent) == firsts[path]))
        except QuireError as err:
            problems.append((index, err))
            continue
        problems += [(index, err) for err in c["body"].errors]
        converted.append(c)
    if problems:
        errors = [err for _, err in sorted(problems, key=lambda pair: pair[0])]
        raise errors[0] if len(errors) == 1 else ManyErrors(errors)
    _parts(converted)
    book_title = _book_title(converted, content, root)
    if numbering_mode == "chapter":
        _number_by_chapter(converted, lang)
    added, read = scholarly.apply(converted, settings, root, ids, lang, content)
    converted += added
    _link_documents(converted)
    documents = tuple(_document(c) for c in converted)
    for c in converted:
        for warning in c["body"].warnings:
            log.warning(warning)

    title = settings.get("title") or book_title
    authors = settings.get("authors") or _unique(a for d in documents for a in d.authors)
    name = settings.get("name") or ascii_slug(title)
    isbn = settings.get("isbn", "")
    cover = None
    if settings.get("cover"):
        source = "quire.toml" if "cover" in config else str(documents[0].source)
        name = assets.image(settings["cover"], root / "quire.toml", source, None)
        cover = next(a for a in assets.all() if a.name == name)
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
    stylesheets, styled = _stylesheets(root, layout)
    font_plan = fonts.plan(root, config.get("fonts", {}), documents)
    return Publication(
        root=root, name=ascii_slug(name), metadata=metadata, documents=documents,
        assets=assets.all(),
        stylesheets=stylesheets,
        inputs=tuple(sorted({*files, *assets.by_source, *(p for _, p in stylesheets), *styled, *read,
                             *(face.path for face in font_plan.faces)})),
        templates_dir=(root / "templates") if (root / "templates").is_dir() else None,
        pdf=design.pdf_settings(pdf_settings(settings.get("pdf", {})), settings.get("pdf", {}),
                                layout),
        design=layout, theme=tuple(sorted(design_table.get("theme", {}).items())),
        toc_depth=design_table.get("toc_depth", 2 if layout == "book" else 1),
        toc=settings.get("toc", len(files) > 1),
        title_page=settings.get("title_page", len(files) > 1),
        cover=cover,
        page_list=settings.get("epub", {}).get("page_list", "auto"),
        accessibility=tuple(config.get("accessibility", {}).items()),
        fonts=font_plan,
    )


def _book_title(converted: list[dict], content: Path, root: Path) -> str:
    """The one document's title; else the README's (or index's) first heading; else a
    heading every document shares; else the folder's name."""
    if len(converted) == 1:
        return converted[0]["title"]
    index = next((c for c in converted if c["path"].parent == content
                  and c["path"].name.lower() in structure.INDEX_FILES), None)
    if index is not None and index["title_html"] and index["title"] != _humanise(
            index["path"].stem):
        return index["title"]
    dropped = {c["dropped"] for c in converted}
    if len(dropped) == 1 and "" not in dropped:
        return dropped.pop()
    return _humanise(root.name)


def _report_ignored(files: list[Path], front: list[FrontMatter], root: Path) -> None:
    """One warning for every front matter key of another tool that quire ignores."""
    where: dict[str, list[str]] = {}
    hints: dict[str, str] = {}
    for path, fm in zip(files, front):
        for key, line, hint in fm.ignored:
            where.setdefault(key, []).append(f"{_rel(path, root)}:{line}" if line
                                             else _rel(path, root))
            hints[key] = hints.get(key) or hint
    if not where:
        return
    parts = []
    for key, places in where.items():
        shown = ", ".join(places[:3]) + (f" and {len(places) - 3} more" if len(places) > 3 else "")
        hint = f"; did you mean '{hints[key]}'?" if hints[key] else ""
        parts.append(f"'{key}' ({shown}{hint})")
    log.warning("front matter keys quire does not use were ignored: %s", ", ".join(parts))


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
    found = sorted(_markdown_files(content),
                   key=lambda p: structure.path_order(p.relative_to(content).parts))
    for path in found:
        refuse_outside(path, root, _rel(path, root))
    documents = [p for p in found if not structure.is_contents_file(p)]
    if len(documents) < 2:          # a lone SUMMARY.md or toc.md is the text itself
        documents = found
    summary = next((p for p in found if p.parent == content and p.stem.lower() == "summary"),
                   None)
    return structure.reading_order(documents, content, _read_text_quietly, summary)


def _markdown_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*.md")
            if not any(part.startswith((".", "_")) for part in p.relative_to(folder).parts)
            and p.is_file() and "dist" not in p.relative_to(folder).parts[:1]]


def _read_text_quietly(path: Path) -> str:
    """A file's text for finding the reading order ("" if unreadable: loading says why)."""
    try:
        return path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return ""


def _read_front_matter(root: Path, path: Path) -> FrontMatter:
    label = _rel(path, root)
    limits.check_size(path, label)
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
    front = split_front_matter(text.replace("\r\n", "\n"), label)
    limits.check_markdown(front.body, label, front.body_line)
    if isinstance(front.values.get("lead"), str):
        limits.check_markdown(front.values["lead"], label, None)
    return front


def _convert(root, content, path, fm, lang, ids, assets, numbering, html_of,
             drop_shared: bool = False) -> dict:
    """One document converted; `drop_shared`: its first heading is one its folder's
    documents share (the book's title), not its own."""
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
        resolve_image=lambda src, line: assets.image(src, path, label, line),
        numbering=numbering, html_of=html_of)
    top = list(body.root)[:2]
    running = len(top) == 2 and all(el.tag == "h1" for el in top) and not (
        (top[0].tail or "").strip())                # "# The Book" then "# Chapter 1"
    dropped = _take_leading_h1(body, doc_id)[0] if drop_shared or running else ""
    title = fm.values.get("title")
    title_html = ""
    if title:
        first = _first_element(body.root)
        if first is not None and first.tag == "h1" and _same(
                markup.text_without_notes(first), title):
            _take_leading_h1(body, doc_id)          # not printed twice
    else:
        title, title_html = _take_leading_h1(body, doc_id)
        if not title and dropped and path.name.lower() in structure.INDEX_FILES:
            title = dropped                 # the book's README: titled by the book
        title = title or _humanise(path.stem)
    title = markup.plain_typography(title, lang)
    return {
        "source": Path(label), "slug": slug, "id": doc_id, "lang": lang, "title": title,
        "title_html": title_html or markup.escape_text(title), "dropped": dropped,
        "top": relative.parts[0] if len(relative.parts) > 1 else "",
        "fm": fm.values, "body": body, "ids": ids.current, "path": path,
        "text": fm.body, "first_line": fm.body_line,
    }


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def _take_leading_h1(body, doc_id: str) -> tuple[str, str]:
    """Take the body's first heading out when it is an h1 (what comes before it, a line of
    badges or language links, stays): (its text, its inline XHTML), or ("", "")."""
    first = next((el for el in body.root if el.tag in _HEADINGS), None)
    if first is None or first.tag != "h1":
        return "", ""
    text = next((h.text for h in body.headings if h.id == first.get("id")),
                " ".join(markup.text_without_notes(first).split()))
    body.headings = [h for h in body.headings if h.id != first.get("id")]
    first.tail = None
    html = markup.inner_xhtml(first)                # keeps its footnote calls
    first.drop_tree()
    _retarget(body, first.get("id"), doc_id)
    return text, html


def _parts(converted: list[dict]) -> None:
    """Each document's part: its top folder, titled by the heading that folder's documents
    share, else by its README or index, else by the folder's name."""
    for c in converted:
        if not c["top"]:
            c["part"] = ""
            continue
        same = [d for d in converted if d["top"] == c["top"]]
        shared = next((d["dropped"] for d in same if d["dropped"]), "")
        index = next((d["title"] for d in same if d["path"].name.lower() in
                      structure.INDEX_FILES and d["path"].parent.name == c["top"]), "")
        c["part"] = shared or index or _humanise(c["top"])


def _retarget(body, old: str, new: str) -> None:
    """Links to a heading that was taken out (as the title) lead to the document."""
    for key, value in list(body.renamed.items()):
        if value == old:
            body.renamed[key] = new
    for a in body.root.iter("a"):
        if a.get("href") == f"#{old}":
            a.set("href", f"#{new}")
    body.targets.pop(old, None)


def _languages(root, files, front, configured, html_of, html) -> tuple[str, list[str]]:
    """The publication's language and each document's: as set (front matter, quire.toml),
    else guessed from the text (language.detect); warnings for guesses that fail."""
    own = [fm.values.get("lang") or configured for fm in front]
    model = language.preload() if not all(own) else None
    texts = [None if lang else html_of(fm.body) for fm, lang in zip(front, own)]  # meanwhile
    guesses = []
    for path, fm, lang, text in zip(files, front, own, texts):
        if lang:
            guesses.append(None)
            continue
        html.setdefault(fm.body, text)          # converted once, used again below
        body = markup.parse_fragment(text[:language.SAMPLE * 4])
        guess = language.detect(f"{fm.values.get('title', '')} {language.prose(body)}")
        if guess.confident:
            log.info("%s: language %s, from its text", _rel(path, root), language.name(guess.lang))
        guesses.append(guess)
    if model:
        model.join()
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
    turns it into what it needs (a file name in the EPUB). A link to any other local file
    (a document left out, a licence file) becomes plain text: the outputs have no such file.
    """
    by_path = {c["path"]: c for c in converted}
    targets = {k: v for c in converted for k, v in c["body"].targets.items()}
    targets.update({c["id"]: c["title"] for c in converted})
    for c in converted:
        warnings = c["body"].warnings
        unresolved: list[str] = []
        for a in c["body"].root.iter("a"):
            href = a.get("href", "")
            target, _, fragment = href.partition("#")
            other = _document_named(by_path, c["path"], target) if target else None
            if other is not None:
                fragment = unquote(fragment)
                fragment = other["body"].renamed.get(fragment, fragment)
                if fragment and fragment not in other["ids"]:
                    slugged = markup.slugify(fragment)
                    slugged = other["body"].renamed.get(slugged, slugged)
                    fragment = (slugged if slugged in other["ids"]
                                else _anchors(other).get(_github_slug(fragment), ""))
                    if not fragment:
                        unresolved.append(href)
                href = "#" + (fragment or other["id"])
                a.set("href", href)
            elif href.startswith("#") and href[1:] not in targets and not any(
                    href[1:] in d["ids"] for d in converted):
                found = _anchors(c).get(_github_slug(unquote(href[1:])))
                if found is None:
                    unresolved.append(href)
                    del a.attrib["href"]
                    continue
                href = "#" + found
                a.set("href", href)
            if href.startswith("#") and not a.text_content().strip() and len(a) == 0:
                a.text = targets.get(href[1:], href[1:])
        if unresolved:
            shown = ", ".join(f"'{h[:60]}'" for h in dict.fromkeys(unresolved[:4]))
            more = f" and {len(unresolved) - 4} more" if len(unresolved) > 4 else ""
            warnings.append(f"{c['source']}: {len(unresolved)} link(s) to no heading, figure, "
                            f"table or note (links to the document, or plain text): {shown}{more}")
        references.outside_links(c["body"].root, str(c["source"]),
                                 lambda href: href.startswith("#"), warnings)


def _github_slug(text: str) -> str:
    """An anchor as GitHub makes it from a heading: "Up & Going" -> "up--going"."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def _anchors(c: dict) -> dict[str, str]:
    """A document's ids by the GitHub anchor of their heading (its title: the document)."""
    if "anchors" not in c:
        c["anchors"] = {_github_slug(h.text): h.id for h in reversed(c["body"].headings)}
        c["anchors"].setdefault(_github_slug(c["title"]), c["id"])
        index = c["path"].name.lower() in structure.INDEX_FILES
        for text in (c["dropped"], c["part"] if index else ""):
            if text:
                c["anchors"].setdefault(_github_slug(text), c["id"])
    return c["anchors"]


def _document_named(by_path: dict, here: Path, target: str):
    """The converted document a link's path names (as written or percent-decoded; a folder
    names its README or index), or None."""
    if references.is_remote(target):
        return None
    for candidate in references.spellings(target):
        path = (here.parent / candidate).resolve()
        found = by_path.get(path)
        if found is None and (candidate.endswith("/") or path.is_dir()):
            found = next((by_path[p] for p in (path / "README.md", path / "index.md")
                          if p in by_path), None)
        if found is None and not path.suffix:
            found = by_path.get(path.with_suffix(".md"))      # mkdocs: cli/ for cli.md
        if found is not None:
            return found
    return None


def _number_by_chapter(converted: list[dict], lang: str) -> None:
    """Figure and table labels of a chapter get its number: "Figur 3.10"; documents that
    are no chapter (a preface) keep their own count."""
    numbers = design.chapters([(c["id"], c["title"]) for c in converted], lang)
    for c in converted:
        if c["id"] not in numbers:
            continue
        prefix = numbers[c["id"]][1]
        renamed = {}
        for span in c["body"].root.iter("span"):
            if span.get("class") == "caption-label" and span.text:
                word, _, number = span.text.rpartition(" ")
                renamed[span.text] = f"{word} {prefix}.{number}"
                span.text = renamed[span.text]
        targets = c["body"].targets     # what a reference to a figure or table reads
        for key, value in targets.items():
            targets[key] = renamed.get(value, value)


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


def _stylesheets(root: Path, layout: str = "journal"
                 ) -> tuple[tuple[tuple[str, Path], ...], tuple[Path, ...]]:
    """Each layer from the project's styles/ when it has one, else from the built-in theme;
    the book layer for the book design only, and the project's styles/custom.css last.

    Every url() and @import must name a file beside the stylesheet: nothing is fetched
    from the network or from outside the project.
    """
    theme = theme_dir()
    layers, named = [], []
    for layer in LAYERS:
        own = root / "styles" / f"{layer}.css"
        if (layer == "book" and layout != "book") or (layer == "custom" and not own.is_file()):
            continue
        refuse_outside(own, root, _rel(own, root))
        path = own if own.is_file() else theme / f"{layer}.css"
        named += _check_stylesheet(path, root if path == own else theme, _rel(path, root))
        layers.append((layer, path))
    return tuple(layers), tuple(named)


def _check_stylesheet(path: Path, base_root: Path, label: str, seen=None) -> list[Path]:
    """Refuse what a stylesheet may not reach (read with a real CSS tokenizer, so case and
    escapes hide nothing); returns the files it names, and theirs for stylesheets it imports."""
    seen = seen if seen is not None else {path.resolve()}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ContentError(label, f"cannot be read as UTF-8 text ({err})")
    named = []
    for url, line in sanitize.stylesheet_references(text):
        if url.startswith("#") or sanitize.data_image(url):
            continue
        if url.startswith("data:"):
            raise ContentError(label, f"url '{url[:40]}' is a data: URL that is not a "
                                      "PNG, JPEG, GIF or WebP image; use a file", line)
        found = resolve_local(url, path.parent, base_root, label, line, what="url")
        named.append(found)
        if found.suffix.lower() == ".css" and found not in seen:
            seen.add(found)
            named += _check_stylesheet(found, base_root, _rel(found, base_root), seen)
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
