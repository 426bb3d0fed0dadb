"""map() over forked processes (`imap`), for work that is pure Python and CPU-bound.

The function and everything it closes over are handed to each process as it is forked
(never pickled, never kept in a module global); the items and results travel pickled on
queues. A process that dies (the out-of-memory killer) stops the map with a QuireError
instead of a wait that never ends (`watch`).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import signal
from typing import Callable, Iterable

from .errors import QuireError


class Mapped:
    """The results of `imap`, in order: `next()` waits for the next one only. Close it
    (or read it to the end) to stop the processes."""

    def __init__(self, results, close):
        self._results, self.close = results, close

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._results)


def imap(function: Callable, items: Iterable[tuple], jobs: int,
         meanwhile: Callable[[], object] | None = None) -> Mapped:
    """function(*item) for each item, in order, by `jobs` forked processes started at
    once: the caller takes each result as soon as it and those before it are done, and
    works on it while the processes make the next. The function may be a closure: the
    workers inherit it. Runs here, as the results are taken, when jobs is 1.
    `meanwhile()` runs in this process once the workers are started (with one job, before
    the first result)."""
    items = list(items)
    if jobs <= 1 or len(items) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        def here():
            if meanwhile:
                meanwhile()
            for item in items:
                yield function(*item)
        return Mapped(here(), lambda: None)
    context = multiprocessing.get_context("fork")
    # A Queue, not a SimpleQueue: its puts go through a thread, so a long text never
    # blocks this process on a full pipe while the workers wait on theirs.
    tasks, answers = context.Queue(), context.Queue()
    processes = [context.Process(target=_serve, args=(function, tasks, answers), daemon=True)
                 for _ in range(min(jobs, len(items)))]
    for process in processes:
        process.start()
    for number, item in enumerate(items):
        tasks.put((number, item))
    for process in processes:
        tasks.put(None)                     # one stop for each process

    def stop() -> None:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()

    def results():
        try:
            if meanwhile:
                meanwhile()
            alive = watch(processes)
            done: dict[int, object] = {}
            for number in range(len(items)):
                while number not in done:
                    try:
                        got, kind, value = answers.get(timeout=0.05)
                    except queue.Empty:
                        alive()
                        continue
                    if kind == "error":
                        raise value
                    done[got] = value
                yield done.pop(number)
        finally:
            stop()
    started = results()
    return Mapped(started, lambda: (started.close(), stop()))


def _serve(function: Callable, tasks, answers) -> None:
    """A worker: call `function` on each item until told to stop."""
    while (task := tasks.get()) is not None:
        number, item = task
        try:
            answers.put((number, "done", function(*item)))
        except BaseException as err:          # raised again in the parent
            try:
                pickle.dumps(err)
            except Exception:
                err = RuntimeError(f"{type(err).__name__}: {err}")
            answers.put((number, "error", err))


def give_back_memory() -> None:
    """Hand the memory this process has freed back to the system (glibc's malloc_trim; a
    no-op elsewhere). glibc keeps what Python frees in its heap: after loading four times
    the six ydkjs books the parent held 365 MiB, 129 MiB once trimmed, and every worker
    forked from it started at the larger figure."""
    global _TRIM
    if _TRIM is None:
        import ctypes
        try:
            _TRIM = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _TRIM = False
    if _TRIM:
        _TRIM(0)


_TRIM = None                # glibc's malloc_trim, once looked up (False: none here)


def resident() -> int:
    """This process's resident memory in bytes (Linux), or 0 where it cannot be read."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def watch(processes) -> Callable[[], None]:
    """A check that raises QuireError once one of `processes` has died: killed by a
    signal, or exited with an error status (a process that exits with 0 has finished)."""
    def alive() -> None:
        for process in processes:
            code = process.exitcode
            if code:
                cause = (f"was killed by {signal.Signals(-code).name}" if code < 0
                         else f"exited with status {code}")
                raise QuireError(f"a build process {cause} (out of memory?): the build "
                                 "stopped and left the outputs as they were. With --jobs 1 "
                                 "it runs in one process.")
    return alive
