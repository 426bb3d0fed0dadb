"""Footnotes: Python-Markdown's end notes moved out of the text into Footnote records.

Notes are numbered in the order of their first call (calls inside notes included); the
calls become neutral links (`a.noteref`) that each output places as it needs (footnotes at
the page foot in print, notes in the EPUB). It leaves out placing them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import html

from ..model import Footnote
from .xhtml import inner_xhtml

if TYPE_CHECKING:
    from .convert import Converted


def extract_footnotes(root, result: Converted, claim_id) -> None:
    """Move Python-Markdown's end notes into `result.footnotes`, calls into neutral links.

    Notes are numbered in the order of their first call, calls inside notes included. A note
    called several times keeps one text; every call links to it, and the note links back to
    its first call.
    """
    block = root.find(".//div[@class='footnote']")
    if block is None:
        return
    notes = {}
    for li in block.findall("./ol/li"):
        for back in li.findall(".//a[@class='footnote-backref']"):
            back.drop_tree()
        for p in li.iter("p"):
            if p.text and not len(p):
                p.text = p.text.rstrip("\u00a0 ")
            elif len(p) and p[-1].tail:
                p[-1].tail = p[-1].tail.rstrip("\u00a0 ")
        for p in list(li.iter("p")):
            if not len(p) and not (p.text or "").strip():
                p.drop_tree()
        notes[li.get("id")] = li
    block.drop_tree()
    called: dict[str, tuple[str, str, int]] = {}       # key -> (note id, first call id, number)

    def replace_calls(container) -> None:
        for sup in list(container.iter("sup")):
            a = sup.find("a[@class='footnote-ref']")
            key = a.get("href", "#")[1:] if a is not None else None
            if key not in notes:
                continue
            if key in called:
                note_id, _, number = called[key]
                ref_id = claim_id(f"fnref-{number}")
            else:
                number = len(called) + 1
                note_id, ref_id = claim_id(f"fn-{number}"), claim_id(f"fnref-{number}")
                called[key] = (note_id, ref_id, number)
            new = html.Element("a", {"class": "noteref", "id": ref_id, "href": f"#{note_id}"})
            new.text = str(number)
            new.tail = sup.tail
            sup.getparent().replace(sup, new)

    replace_calls(root)
    done = 0
    while done < len(called):                       # notes called from notes
        key = list(called)[done]
        replace_calls(notes[key])
        done += 1
    for key, (note_id, ref_id, number) in called.items():
        li = notes[key]
        li.tag = "div"
        li.attrib.clear()
        result.footnotes.append(Footnote(note_id, ref_id, number, inner_xhtml(li).strip()))
