"""Figures and table captions: a lone image with a title becomes a figure, a `Table: ...`
paragraph beside a table its caption, and both are numbered in the document's language
("Figur 2", "Tabell 1"); a reference to their id reads the same. It leaves out chapter
prefixes ("Figur 3.10": documents.number_by_chapter).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lxml import html

from .xhtml import drop_keep_tail

if TYPE_CHECKING:
    from .convert import Numbering


def figures(root, numbering: Numbering, word: str, targets: dict) -> None:
    """Figures: a lone image with a title becomes one; captions are numbered ("Figur 2")."""
    for p in list(root.iter("p")):
        children = list(p)
        if (len(children) == 1 and children[0].tag == "img" and children[0].get("title")
                and not (p.text or "").strip() and not (children[0].tail or "").strip()):
            img = children[0]
            figure = html.Element("figure")
            figure.append(img)
            caption = html.Element("figcaption")
            caption.text = img.attrib.pop("title")
            img.tail = None
            figure.append(caption)
            figure.tail = p.tail
            p.getparent().replace(p, figure)
    for figure in root.iter("figure"):
        img = figure.find(".//img")
        if figure.get("id") is None and img is not None and img.get("id"):
            figure.set("id", img.attrib.pop("id"))
        caption = figure.find("figcaption")
        if numbering.enabled and caption is not None:
            numbering.figures += 1
            _number(figure, caption, f"{word} {numbering.figures}", targets)


_TRAILING_ID = re.compile(r"\s*\{:?\s*#([\w\-]+)\s*\}\s*$")


_TABLE_CAPTION = re.compile(r"^\s*(Table|Tabell|Tabel|Tabelle|Tableau)?\s*:\s+")


def table_captions(root, numbering: Numbering, word: str, targets: dict, claim_id) -> None:
    """A paragraph 'Table: ...' (or ': ...') just before or after a table is its caption."""
    for table in list(root.iter("table")):
        for p in (table.getprevious(), table.getnext()):
            if p is not None and p.tag == "p" and _TABLE_CAPTION.match(p.text or ""):
                caption = html.Element("caption")
                caption.text = _TABLE_CAPTION.sub("", p.text, count=1)
                for child in p:
                    caption.append(child)
                last = caption[-1] if len(caption) else None
                tail_text = (last.tail if last is not None else caption.text) or ""
                wanted = _TRAILING_ID.search(tail_text)
                if wanted:
                    stripped = _TRAILING_ID.sub("", tail_text)
                    if last is not None:
                        last.tail = stripped
                    else:
                        caption.text = stripped
                    p.set("id", claim_id(wanted.group(1)))
                if p.get("id") and not table.get("id"):
                    table.set("id", p.get("id"))
                table.insert(0, caption)
                drop_keep_tail(p)
                break
        caption = table.find("caption")
        if numbering.enabled and caption is not None:
            numbering.tables += 1
            _number(table, caption, f"{word} {numbering.tables}", targets)


def _number(element, caption, label: str, targets: dict) -> None:
    """Put "Figur 2" before a caption; a reference to the element's id will read the same."""
    _prefix_label(caption, label)
    if element.get("id"):
        targets[element.get("id")] = label


def _prefix_label(caption, text: str) -> None:
    label = html.Element("span", {"class": "caption-label"})
    label.text = text
    label.tail = " " + (caption.text or "").lstrip()
    caption.text = None
    caption.insert(0, label)
