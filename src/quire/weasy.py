"""WeasyPrint, imported once per process and without its slow library search."""

from __future__ import annotations

import sys


def imported():
    """The weasyprint module.

    On import WeasyPrint opens Pango, HarfBuzz and Fontconfig by trying several names each,
    and cffi hands every name that does not load to `ctypes.util.find_library`, which runs
    `ldconfig` and then a compiler: 0.17 s per process. On Linux the names that load are
    sonames (`libpango-1.0.so.0`) that the dynamic loader finds itself, so the search is
    skipped; if the import fails that way, it is tried again the usual way.

    WeasyPrint lays nested boxes out recursively, five or more Python frames a level: the
    recursion limit is raised so that the deepest nesting quire accepts (limits.py: 100
    levels, inside tables, lists and footnotes) lays out."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 8000))
    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        import weasyprint
        return weasyprint
    import ctypes.util

    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        import weasyprint
    except OSError:
        for name in [m for m in sys.modules if m.split(".")[0] == "weasyprint"]:
            del sys.modules[name]
        ctypes.util.find_library = search
        import weasyprint
    finally:
        ctypes.util.find_library = search
    return weasyprint
