"""The publication model: built once by `load`, then read (never changed) by every output."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path

from .language import direction as _direction

PDF_VARIANTS = ("print", "screen", "archive")   # PdfSettings.variant


@dataclass(frozen=True)
class Author:
    name: str
    email: str = ""
    affiliation: str = ""

@dataclass(frozen=True)
class Heading:
    level: int      # 1 = the document title, 2.. = headings in the text
    text: str
    id: str         # unique across the publication

@dataclass(frozen=True)
class Footnote:
    id: str         # the note's id; its call has id `ref_id`
    ref_id: str
    number: int
    html: str       # XHTML fragment (block content)

@dataclass(frozen=True)
class PageStart:
    """Where a printed page begins: in a document, at a block, after so many letters of it.

    Found by the PDF layout and used by the EPUB's page-break markers and page list.
    `block` is the index of a block in `blocks()` of the document's body, or -1 for the
    document's start; `letters` counts the block's letters and digits on earlier pages.
    """

    label: str
    document: str       # Document.id
    block: int
    letters: int

@dataclass(frozen=True)
class Asset:
    """A file the publication uses (image), stored once in every output."""

    source: Path            # absolute path inside the project
    name: str               # unique file name inside the outputs, e.g. "images/photo.png"
    media_type: str
    data: bytes = b""       # the bytes of a data: URI image (then `source` is its document)

    def read(self) -> bytes:
        return self.data or self.source.read_bytes()

@dataclass(frozen=True)
class Document:
    """One Markdown file: its metadata and its body as an XHTML fragment."""

    source: Path            # path relative to the project folder
    slug: str               # unique; the EPUB file name stem
    id: str                 # anchor id of the document's start (unique)
    lang: str
    title: str              # plain text (contents, metadata)
    part: str               # the part (subfolder) title, "" for none
    title_html: str = ""    # the title as inline XHTML, with any footnote calls
    subtitle: str = ""
    section: str = ""       # the journal section label ("Aktuelt i foreningen")
    authors: tuple[Author, ...] = ()
    lead: str = ""          # XHTML fragment (blocks)
    body: str = ""          # XHTML fragment: the text, with footnote calls
    headings: tuple[Heading, ...] = ()
    footnotes: tuple[Footnote, ...] = ()
    ids: frozenset[str] = frozenset()   # every id this document defines
    images_without_alt: int = 0
    level: int = 1          # 2: a section of the document before it, 0: never numbered
                            # (structure.summary_entries: SUMMARY.md's nesting)

    @property
    def direction(self) -> str:
        """"rtl" or "ltr": the writing direction of the document's language."""
        return _direction(self.lang)

@dataclass(frozen=True)
class PdfSettings:
    page_width: str = "210mm"
    page_height: str = "297mm"
    margin_top: str = "20mm"
    margin_bottom: str = "24mm"
    margin_inner: str = "20mm"
    margin_outer: str = "20mm"
    two_sided: bool = False
    columns: int = 1            # text columns of the document body
    variant: str = "print"      # print (PDF/X-4, CMYK), screen (PDF/UA-1), archive (PDF/A-3u)
    bleed: str = "3mm"          # print variant only
    marks: bool = False         # crop marks, print variant only (WeasyPrint draws them in RGB)
    resolution: int = 150       # ppi: an image is never enlarged past it (unless sized)

@dataclass(frozen=True)
class Metadata:
    title: str
    lang: str
    identifier: str
    modified: datetime          # UTC; from SOURCE_DATE_EPOCH or the publication date
    subtitle: str = ""
    authors: tuple[Author, ...] = ()
    publisher: str = ""
    journal: str = ""           # the series or journal the publication belongs to
    rights: str = ""
    date: str = ""              # ISO date of publication, "" if unknown
    subject: str = ""
    description: str = ""
    keywords: tuple[str, ...] = ()
    editors: tuple[Author, ...] = ()
    isbn: str = ""

    @property
    def direction(self) -> str:
        """"rtl" or "ltr": the writing direction of the publication's language."""
        return _direction(self.lang)

@dataclass(frozen=True)
class Face:
    """One font file (a face of a collection) that a publication uses beyond the theme."""

    family: str             # the CSS family name
    path: Path              # absolute
    index: int = 0          # the face within a .ttc collection
    weight: int = 400
    style: str = "normal"
    installed: bool = True  # found among the system's fonts (the PDF names its family)

@dataclass(frozen=True)
class FontPlan:
    faces: tuple[Face, ...] = ()
    # role -> families to put first (the project's own) and last (other scripts)
    first: tuple[tuple[str, tuple[str, ...]], ...] = ()
    last: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.faces or self.first or self.last)

@dataclass(frozen=True)
class Publication:
    root: Path                  # the project folder (absolute)
    name: str                   # output file stem
    metadata: Metadata
    documents: tuple[Document, ...]
    assets: tuple[Asset, ...]
    stylesheets: tuple[tuple[str, Path], ...] = ()   # (layer, css file): shared, print, epub
    templates_dir: Path | None = None
    pdf: PdfSettings = PdfSettings()
    toc: bool = False           # print a table of contents
    title_page: bool = False    # a title page and a colophon before the first document
    cover: Asset | None = None
    # EPUB page-break markers and page list from the print layout: "auto" (when the same
    # build makes the PDF), True (always; an EPUB alone then costs a layout), False (never)
    page_list: bool | str = "auto"
    accessibility: tuple[tuple[str, object], ...] = ()   # quire.toml [accessibility] overrides
    inputs: tuple[Path, ...] = ()   # every file a build reads (documents, images, styles)
    fonts: FontPlan = FontPlan()    # fonts beyond the theme's (other scripts, [fonts])
    design: str = "journal"     # the print design: "book" or "journal" (design.py)
    theme: tuple[tuple[str, str], ...] = ()     # [design] values: CSS custom property -> value
    toc_depth: int = 1          # heading levels in the printed contents (1: documents only)

    def parts(self, documents=None) -> list[tuple[str, list[Document], int, bool]]:
        """The runs of documents that share a part ("" for documents outside any part), as
        (part title, documents, part number, whether the part opens here); numbers count
        the publication's runs from 1. `documents`, a run of the publication's (a PDF laid
        out in chunks), gives the runs within it; by default all documents."""
        numbers: dict[str, tuple[int, bool]] = {}
        number, previous = 0, None
        for doc in self.documents:
            opens = number == 0 or doc.part != previous
            number += opens
            numbers[doc.id], previous = (number, opens), doc.part
        runs: list[tuple[str, list[Document], int, bool]] = []
        for doc in self.documents if documents is None else documents:
            if runs and runs[-1][0] == doc.part and numbers[doc.id][0] == runs[-1][2]:
                runs[-1][1].append(doc)
            else:
                runs.append((doc.part, [doc], *numbers[doc.id]))
        return runs

    @cached_property
    def _documents_by_id(self) -> dict[str, Document]:
        return {anchor: doc for doc in self.documents for anchor in doc.ids}

    def document_of(self, anchor: str) -> Document | None:
        """The document that defines the id `anchor`."""
        return self._documents_by_id.get(anchor)
