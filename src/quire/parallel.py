"""map() over forked processes, for work that is pure Python and CPU-bound."""

from __future__ import annotations

import multiprocessing
from typing import Callable, Iterable

_FUNCTION: Callable | None = None       # inherited by the forked workers, never pickled


def _call(args):
    return _FUNCTION(*args)


def starmap(function: Callable, items: Iterable[tuple], jobs: int,
            meanwhile: Callable[[], object] | None = None) -> list:
    """[function(*item) for item in items], in order, by `jobs` forked processes. The
    function may be a closure: the workers inherit it. Runs here when jobs is 1.
    `meanwhile()` runs in this process while the workers work."""
    global _FUNCTION
    items = list(items)
    if jobs <= 1 or len(items) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        results = [function(*item) for item in items]
        if meanwhile:
            meanwhile()
        return results
    _FUNCTION = function
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, len(items))) as pool:
            pending = pool.map_async(_call, items, chunksize=1)
            if meanwhile:
                meanwhile()
            return pending.get()
    finally:
        _FUNCTION = None
