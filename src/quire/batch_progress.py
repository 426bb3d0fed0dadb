"""What `quire batch` prints while it runs: one updating line on a terminal, plain lines
elsewhere.

    progress = Progress(total, stream, terminal=stream.isatty(), quiet=False)
    progress.running(n)       # how many projects are building now
    progress.finished(item)   # an item of the batch's report
    progress.close()

On a terminal: one line, rewritten in place (`\\r` and erase-line), with the projects done,
failed and running, the rate (built projects a minute) and the time left at that rate;
failures are printed above it as they come. Elsewhere (CI logs, pipes, files): one plain
line per finished project, `[12/30] built: name (2 files, 1.3 s, 90 MB)`; with `quiet`
only failures, and a `[12/30] ...` count line every `every` projects so a long batch
still shows that it moves. Errors always go to stderr as `error: name: message`.
"""

from __future__ import annotations

import time
from typing import TextIO


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02}:{rest % 60:02}" if hours else f"{rest // 60}:{rest % 60:02}"


class Progress:
    def __init__(self, total: int, stream: TextIO, errors: TextIO, terminal: bool,
                 quiet: bool = False, every: int = 100, clock=time.monotonic):
        self.total, self.stream, self.errors = total, stream, errors
        self.terminal, self.quiet, self.every = terminal, quiet, every
        self.clock = clock
        self.start = clock()
        self.done = self.failed = self.built = self.busy = 0
        self.shown = False

    # -- events ----------------------------------------------------------------------------
    def running(self, count: int) -> None:
        self.busy = count
        self._draw()

    def finished(self, item: dict) -> None:
        self.done += 1
        self.failed += item["status"] == "failed"
        self.built += item["status"] == "built"
        self._clear()
        if item["status"] == "failed":
            for error in item["errors"]:
                self.errors.write(f"error: {item['name']}: {error['message']}\n")
            self.errors.flush()
        elif not self.terminal and not self.quiet:
            peak = f", {item['peak_memory'] / 2**20:.0f} MB" if item["peak_memory"] else ""
            self.stream.write(f"[{self.done}/{self.total}] {item['status']}: {item['name']} "
                              f"({len(item['files'])} files, {item['seconds']:.1f} s{peak})\n")
            self.stream.flush()
        if not self.terminal and self.quiet and self.done % self.every == 0 \
                and self.done < self.total:
            self.stream.write(f"[{self.done}/{self.total}] {self.line()}\n")
            self.stream.flush()
        self._draw()

    def close(self) -> None:
        self._clear()

    # -- the line ----------------------------------------------------------------------------
    def line(self) -> str:
        elapsed = self.clock() - self.start
        text = (f"{self.done}/{self.total} done, {self.failed} failed, "
                f"{self.busy} running")
        if self.built and elapsed > 0:
            rate = self.built / elapsed * 60
            left = self.total - self.done
            text += f", {rate:.0f} a minute, about {_duration(left / rate * 60)} left"
        return text

    def _draw(self) -> None:
        if self.terminal and self.done < self.total:
            self.errors.write(f"\r\033[K{self.line()}")
            self.errors.flush()
            self.shown = True

    def _clear(self) -> None:
        if self.terminal and self.shown:
            self.errors.write("\r\033[K")
            self.errors.flush()
            self.shown = False
