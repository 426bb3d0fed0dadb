"""Hyphenation patterns, read by another process while this one starts WeasyPrint.

WeasyPrint hyphenates with Pyphen, which parses a language's patterns in pure Python the
first time a paragraph in that language is laid out: 0.1 s for Norwegian, on the critical
path of every PDF. A forked process parses them while this one imports WeasyPrint and
reads the stylesheets, and hands them over pickled (10 ms) into Pyphen's own cache.
"""

from __future__ import annotations

import multiprocessing
from typing import Callable, Iterable

from . import patches


def preload(langs: Iterable[str]) -> Callable[[], None]:
    """Start parsing the patterns of `langs`; the function returned puts them where
    WeasyPrint finds them, waiting for them if need be. If the helper fails, nothing is
    installed and WeasyPrint parses the patterns itself, as usual."""
    import pyphen

    found = (pyphen.language_fallback(lang.replace("-", "_")) for lang in set(langs))
    paths = sorted({pyphen.LANGUAGES[name] for name in found if name}
                   - patches.hyphenation_cached())
    if (not paths or "fork" not in multiprocessing.get_all_start_methods()
            or multiprocessing.current_process().daemon):   # a Dask worker may not fork
        return lambda: None
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    helper = context.Process(target=_parse, args=(paths, send), daemon=True)
    helper.start()
    send.close()

    def install() -> None:
        if receive.closed:                  # installed already
            return
        try:
            parsed = receive.recv()
        except (EOFError, OSError):
            return
        finally:
            receive.close()
            helper.join()
        patches.install_hyphenation(dict(zip(paths, parsed)))
    return install


def _parse(paths, send) -> None:
    import pyphen

    send.send([pyphen.HyphDict(path) for path in paths])
    send.close()
