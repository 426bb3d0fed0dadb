"""The shapes of what the build cache keeps as JSON (cache.py, outputs/pdf/store.py).

A value read back from the cache is used only when it has exactly the shape quire writes;
anything else (an edited, truncated or foreign entry that still parses) is a miss. These
are predicates only: they never raise, whatever the value.
"""

from __future__ import annotations


def _int(value) -> bool:
    return type(value) is int


def _number(value) -> bool:
    return type(value) in (int, float)


def strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def string_map(value) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str)
                                           for k, v in value.items())


def build_record(record) -> bool:
    """One entry of builds.json: the inputs digest, warnings, files read, outputs' digests."""
    return (isinstance(record, dict) and isinstance(record.get("inputs"), str)
            and strings(record.get("warnings")) and strings(record.get("extra"))
            and string_map(record.get("outputs")))


def _start(value) -> bool:
    return (isinstance(value, list) and len(value) == 4 and isinstance(value[1], str)
            and _int(value[2]) and _int(value[3]))


def page_starts(data) -> bool:
    """page-starts.json: {"inputs": digest, "starts": [[label, document, block, letters]]}."""
    return (isinstance(data, dict) and isinstance(data.get("inputs"), str)
            and isinstance(data.get("starts"), list)
            and all(_start(s) and isinstance(s[0], str) for s in data["starts"]))


def _anchor(value) -> bool:
    return (isinstance(value, list) and len(value) >= 2 and isinstance(value[0], str)
            and _int(value[1]) and value[1] >= 0 and all(_number(v) for v in value[2:]))


def _bookmark(value) -> bool:
    return (isinstance(value, list) and len(value) == 4 and _int(value[0])
            and isinstance(value[1], str) and isinstance(value[2], list)
            and len(value[2]) == 2 and all(_number(v) for v in value[2])
            and (value[3] is None or isinstance(value[3], str)))


def chunk_layout(record, placeholder: str | None = None) -> bool:
    """A chunk of a long PDF as laid out (outputs/pdf/store.py, `ChunkStore.keep`)."""
    return (isinstance(record, dict) and _int(record.get("pages")) and record["pages"] >= 1
            and isinstance(record.get("opens"), str) and isinstance(record.get("side"), str)
            and isinstance(record.get("anchors"), list)
            and all(_anchor(a) and a[1] < record["pages"] for a in record["anchors"])
            and isinstance(record.get("bookmarks"), list)
            and len(record["bookmarks"]) == record["pages"]
            and all(isinstance(page, list) and all(_bookmark(b) for b in page)
                    for page in record["bookmarks"])
            and string_map(record.get("shown")) and strings(record.get("refused"))
            and strings(record.get("messages")) and isinstance(record.get("starts"), list)
            and all(_start(s) and _int(s[0]) and 1 <= s[0] <= record["pages"]
                    for s in record["starts"]))


def findings(value) -> bool:
    """Preflight findings of a chunk: [[page, problem]]."""
    return isinstance(value, list) and all(
        isinstance(f, list) and len(f) == 2 and _int(f[0]) and isinstance(f[1], str)
        for f in value)


def text_problems(value) -> bool:
    """The text check's problems of a chunk (outputs/text_check.py): document id ->
    {"pages": [int], "words"/"notdef"/"missing": [str], "misdrawn": [[str, str]],
    "unmapped": int}."""
    def entry(e) -> bool:
        return (isinstance(e, dict) and set(e) <= _TEXT_KINDS
                and isinstance(e.get("pages", []), list) and all(map(_int, e.get("pages", [])))
                and all(strings(e.get(k, [])) for k in ("words", "notdef", "missing"))
                and isinstance(e.get("misdrawn", []), list)
                and all(strings(p) and len(p) == 2 for p in e.get("misdrawn", []))
                and _int(e.get("unmapped", 0)))
    return isinstance(value, dict) and all(isinstance(k, str) and entry(e)
                                           for k, e in value.items())


_TEXT_KINDS = {"pages", "words", "notdef", "missing", "misdrawn", "unmapped"}


def builds(value) -> bool:
    """When the last builds started, per kind of chunk entry: {"layout": [ns, ns], ...}."""
    return isinstance(value, dict) and all(
        isinstance(v, list) and all(_int(t) for t in v) for v in value.values())
