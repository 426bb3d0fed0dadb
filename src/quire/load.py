"""Read a project folder into one immutable Publication.

The steps, in order: find the documents and their reading order (structure), read each
one's front matter (frontmatter) and merge the publication's settings (quire.toml wins),
convert the Markdown once per document (markup, in `jobs` processes for a long
manuscript), settle languages, titles and parts (documents, structure), add what the
scholarly syntax makes (citations, index), resolve links between documents (links), and
freeze it all with the stylesheet layers (stylesheets) and the font plan (fonts). Every
problem in the manuscripts is collected and raised at once. It leaves out anything an
output does: no HTML for print, no EPUB files, no layout.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import uuid
from dataclasses import replace
from pathlib import Path

from . import (design, documents, failures, fonts, frontmatter, language, links, markup,
               mdbook, parallel, scholarly, snippets, structure, stylesheets)
from .assets import Assets
from .config import pdf_settings, read_config, read_mdbook
from .errors import ManyErrors, QuireError
from .frontmatter import FrontMatter
from .ids import Ids
from .model import Metadata, Publication
from .resources import ascii_slug, refuse_outside, relative

log = logging.getLogger("quire")
DOCUMENT_KEYS = {"title", "subtitle", "lang", "authors", "section", "lead", "date"}
PARALLEL_TEXT = 200_000     # characters of Markdown from which `jobs` processes convert it
# ... and from which the converted bodies are parked between steps (markup.Converted): the
# trees take about 22 MiB per million characters; parking costs 4 ms a chapter.
PARK_TEXT = 4_000_000


def load(project: Path, html_of=None, jobs: int = 1, meanwhile=None,
         classify=None) -> Publication:
    """The publication in `project`. `html_of(text)` may replace Python-Markdown's
    conversion and `classify(sample)` py3langid's language guess (caches in front of
    them); a long manuscript is converted by `jobs` processes, while this one runs
    `meanwhile()` (the CLI imports WeasyPrint)."""
    root, content, files, config, is_mdbook = _find(project)
    log.info("reading %d documents...", len(files))
    problems: list[tuple[int, QuireError]] = []       # (document index, error)
    front = []
    included: set[Path] = set()                      # files put in by snippets
    for index, path in enumerate(files):
        try:
            fm = frontmatter.read(root, path)
            label = relative(path, root)
            body, used = snippets.expand(fm.body, root, path, label, fm.body_line)
            if is_mdbook:                           # {{#include}} is mdBook's
                body, more = mdbook.expand(body, root, path, label, fm.body_line)
                used += more
            front.append(replace(fm, body=body))
            included.update(used)
        except QuireError as err:
            problems += [(index, e) for e in getattr(err, "errors", [err])]
            front.append(FrontMatter({}, "", 1))
    if included and not included.issuperset(p.resolve() for p in files):   # not documents too
        kept = [n for n, path in enumerate(files) if path.resolve() not in included]
        files, front = [files[n] for n in kept], [front[n] for n in kept]
    frontmatter.report_ignored(files, front, root)
    settings = _settings(config, files, front, root)
    own = [fm.values.get("lang") or settings.get("lang") for fm in front]
    model = []              # py3langid's model read while Markdown is converted, if needed

    def also():             # only when much Markdown is new: its samples likely are too
        if not all(own):
            model.append(language.preload())
        if meanwhile:
            meanwhile()
    ids, assets = Ids(), Assets(root)
    design_table = settings.get("design", {})
    layout = design.choose(design_table.get("layout"),
                           [bool(fm.values.get("authors")) for fm in front])
    numbering_mode = settings.get("numbering", "chapter" if layout == "book" else True)
    html_of = _converter(html_of, front, jobs, also)
    try:
        lang, langs = _languages(root, files, front, own, settings.get("lang"), html_of, model,
                                 classify)
        converted = _convert(root, content, files, front, langs, ids, assets, numbering_mode,
                             html_of, problems)
    finally:
        html_of.close()
    if problems:
        errors = [err for _, err in sorted(problems, key=lambda pair: pair[0])]
        raise errors[0] if len(errors) == 1 else ManyErrors(errors)
    structure.part_titles(converted)
    book_title = structure.book_title(converted, content, root)
    if numbering_mode == "chapter":
        documents.number_by_chapter(converted, lang, settings.get("title") or book_title)
    added, read = scholarly.apply(converted, settings, root, ids, lang, content)
    converted += added
    links.link_documents(converted, contents=settings.get("toc", len(files) > 1))
    docs = tuple(documents.document(c) for c in converted)     # each parked again
    for c in converted:
        for warning in c["body"].warnings:
            log.warning(warning)

    title = settings.get("title") or book_title
    authors = settings.get("authors") or _unique(a for d in docs for a in d.authors)
    # a title with no Latin letters (中文, Русский) names the files after the folder
    name = settings.get("name") or ascii_slug(title, ascii_slug(root.resolve().name))
    cover = None
    if settings.get("cover"):
        source = "quire.toml" if "cover" in config else str(docs[0].source)
        cover_name = assets.image(settings["cover"], root / "quire.toml", source, None)
        cover = next(a for a in assets.all() if a.name == cover_name)
    metadata = _metadata(settings, title, lang, authors, name)
    layers, styled = stylesheets.layers(root, layout)
    font_plan = fonts.plan(root, config.get("fonts", {}), docs)
    return Publication(
        root=root, name=ascii_slug(name), metadata=metadata, documents=docs,
        assets=assets.all(),
        stylesheets=layers,
        inputs=tuple(sorted({*files, *assets.by_source, *(p for _, p in layers), *styled, *read,
                             *included, *(face.path for face in font_plan.faces)})),
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


def _find(project: Path) -> tuple[Path, Path, list[Path], dict, bool]:
    """(project folder, content folder, documents in reading order, quire.toml's values,
    whether it is laid out as an mdBook) for a project folder or a single Markdown file."""
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
    book = None if single or content.is_dir() else read_mdbook(root / "book.toml")
    if book:                                        # mdBook's layout: book.toml, src/
        content = root / book[0]
        refuse_outside(content, root, "book.toml: [book] src")
        config = {**book[1], **config}
    elif single or not content.is_dir():
        if not single and not structure.markdown_files(root):
            raise QuireError(f"{relative(content, root.parent)}: content folder not found "
                             "(put the manuscript's Markdown files there)")
        content = root            # quire.toml beside the Markdown files
    files = [single] if single else structure.document_files(root, content,
                                                             config.get("documents"))
    if not files:
        raise QuireError(f"{relative(content, root.parent)}: no Markdown (.md) files to publish")
    return root, content, files, config, book is not None


def _settings(config: dict, files: list[Path], front: list[FrontMatter], root: Path) -> dict:
    """The publication's settings: quire.toml's over a lone document's front matter (key by
    key in [pdf] and [epub]); publication keys in several documents' front matter are
    ignored, with a warning."""
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
                            relative(path, root), key)
    return settings


def _convert(root, content, files, front, langs, ids, assets, numbering_mode, html_of,
             problems) -> list[dict]:
    """Each document converted, in order (documents.convert), its problems added to
    `problems`; a long manuscript's bodies parked (markup.Converted)."""
    numbering = markup.Numbering(enabled=bool(numbering_mode))
    firsts = {path: structure.first_heading(fm.body) for path, fm in zip(files, front)}
    groups: dict[Path, list] = {}
    for path in files:
        groups.setdefault(path.parent, []).append(firsts[path])
    shared = structure.shared_headings(groups) if len(files) > 1 else {}
    converted = []
    summary = structure.summary_entries(content, files)
    parking = sum(len(fm.body) for fm in front) >= PARK_TEXT
    for index, (path, fm, doc_lang) in enumerate(zip(files, front, langs)):
        if numbering_mode == "chapter":     # each chapter counts from 1, then gets its prefix
            numbering = markup.Numbering(enabled=True)
        try:
            c = failures.guarded(relative(path, root), "converting it",
                                 lambda path=path, fm=fm, doc_lang=doc_lang: documents.convert(
                                     root, content, path, fm, doc_lang, ids, assets, numbering,
                                     html_of, drop_shared=bool(firsts[path])
                                     and shared.get(path.parent) == firsts[path],
                                     summary=summary.get(path, (1, ""))))
        except QuireError as err:
            problems.append((index, err))
            continue
        problems += [(index, err) for err in c["body"].errors]
        c["body"].parking = parking
        c["body"].park()                    # one tree at a time (markup.Converted)
        converted.append(c)
    return converted


def _converter(convert, front: list[FrontMatter], jobs: int, meanwhile):
    """Python-Markdown's conversion (or `convert`, a cache in front of it) of a document's
    text, done ahead in `jobs` processes for a long manuscript; each text is converted once
    (the language guess and the document share it). The documents are made from the texts
    as they come, while the processes convert the next; call `close()` when done. A text
    whose conversion failed in a process is converted again here, where its error is
    reported for its document."""
    convert = convert or markup.to_html
    known = getattr(convert, "known", lambda text: False)     # in the cache
    todo = [text for text in dict.fromkeys(fm.body for fm in front) if not known(text)]
    html: dict[str, str | None] = {}
    pending: set[str] = set()           # texts the processes are converting
    if jobs > 1 and sum(len(text) for text in todo) >= PARALLEL_TEXT:
        pending, order = set(todo), iter(todo)
        coming = parallel.imap(_or_none(convert), [(t,) for t in todo], jobs, meanwhile)

    def html_of(text: str) -> str:
        while text in pending:
            done = next(order)
            try:
                html[done] = next(coming)
            except BaseException:
                pending.clear()             # a process died: the rest are converted here
                raise
            pending.discard(done)
        if html.get(text) is None:
            html[text] = convert(text)
        return html[text]
    html_of.close = coming.close if pending else lambda: None
    return html_of


def _or_none(convert):
    def converted(text: str) -> str | None:
        try:
            return convert(text)
        except Exception:   # noqa: BLE001  converted again in the parent, to be reported
            return None
    return converted


def _for_guess(html_of, text: str) -> str:
    """A document's HTML for guessing its language; none if Python-Markdown fails on it:
    that is reported for the document, with its file, when it is converted (_convert)."""
    try:
        return html_of(text)
    except QuireError:
        raise
    except Exception:   # noqa: BLE001  reported by failures.guarded in _convert
        return ""


def _languages(root, files, front, own, configured, html_of, model,
               classify=None) -> tuple[str, list[str]]:
    """The publication's language and each document's: as set (`own`, from front matter
    or quire.toml), else guessed from the text (language.detect, through `classify`, a
    cache that reads the model only for a sample it has not seen); warnings for guesses
    that fail. `model` holds the thread reading the guesser's model, when one was started
    (it is joined here, before anything forks)."""
    if not all(own) and not model and not classify:
        model.append(language.preload())
    texts = [None if lang else _for_guess(html_of, fm.body)
             for fm, lang in zip(front, own)]  # meanwhile
    guesses = []
    for path, fm, lang, text in zip(files, front, own, texts):
        if lang:
            guesses.append(None)
            continue
        body = markup.parse_fragment(text[:language.SAMPLE * 4])
        guess = language.detect(f"{fm.values.get('title', '')} {language.prose(body)}",
                                classify)
        if guess.confident:
            log.info("%s: language %s, from its text", relative(path, root),
                     language.name(guess.lang))
        guesses.append(guess)
    for thread in model:
        thread.join()
    lang, langs, warnings = language.choose([relative(p, root) for p in files], own, guesses,
                                            configured,
                                            [language.in_name(p) if g and not g.confident
                                             else None for p, g in zip(files, guesses)])
    for warning in warnings:
        log.warning(warning)
    return lang, langs


def _metadata(settings: dict, title: str, lang: str, authors, name: str) -> Metadata:
    isbn = settings.get("isbn", "")
    return Metadata(
        title=title, lang=lang, subtitle=settings.get("subtitle", ""), authors=authors,
        publisher=settings.get("publisher", ""), journal=settings.get("journal", ""),
        rights=settings.get("rights", ""), date=settings.get("date", ""),
        subject=settings.get("subject", ""), description=settings.get("description", ""),
        keywords=settings.get("keywords", ()), editors=settings.get("editors", ()), isbn=isbn,
        identifier=settings.get("identifier") or (f"urn:isbn:{isbn}" if isbn else
                                                  _identifier(title, authors, name)),
        modified=_modified(settings.get("date", "")),
    )


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
