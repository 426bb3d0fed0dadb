"""map() over forked processes, for work that is pure Python and CPU-bound."""

from __future__ import annotations

import multiprocessing
import signal
from typing import Callable, Iterable

from .errors import QuireError

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
            alive = watchdog(pool)
            while not pending.ready():
                alive()
                pending.wait(0.05)
            return pending.get()
    finally:
        _FUNCTION = None


def watchdog(pool) -> Callable[[], None]:
    """A check that raises QuireError once one of the pool's processes has died (killed by
    the out-of-memory killer, say): the pool would start another and wait forever for the
    task the dead one held. The processes are the pool's `_pool`, as in every CPython."""
    return watch(list(pool._pool))


def watch(processes) -> Callable[[], None]:
    """A check that raises QuireError once one of `processes` has died."""
    def alive() -> None:
        for process in processes:
            if process.exitcode is not None:
                code = process.exitcode
                cause = (f"was killed by {signal.Signals(-code).name}" if code < 0
                         else f"exited with status {code}")
                raise QuireError(f"a build process {cause} (out of memory?): the build "
                                 "stopped and left the outputs as they were. With --jobs 1 "
                                 "it runs in one process.")
    return alive
