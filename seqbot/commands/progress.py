"""Progress of a long command on standard error.

    progress = Progress("scoring imdb", total=25_000)
    for done in ...: progress.update(done)
    progress.finish()

On a terminal one line is rewritten in place ("scoring imdb: 12,000/25,000 (48%), 1 min 5 s");
when stderr is a file or a pipe, a plain line is written every `every_seconds` (default 10 s), so
logs show that the command is alive without filling up.
"""

from __future__ import annotations

import sys
import time


def duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


class Progress:
    def __init__(self, what: str, total: int, stream=None, every_seconds: float = 10.0, clock=time.monotonic):
        self.what, self.total = what, total
        self.stream = stream if stream is not None else sys.stderr
        self.terminal = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every_seconds = 0.2 if self.terminal else every_seconds
        self.clock = clock
        self.started = self.last = clock()
        self.shown = False

    def _line(self, done: int) -> str:
        share = f" ({done / self.total:.0%})" if self.total else ""
        return f"seqbot: {self.what}: {done:,}/{self.total:,}{share}, {duration(self.clock() - self.started)}"

    def update(self, done: int) -> None:
        now = self.clock()
        if now - self.last < self.every_seconds:
            return
        self.last = now
        if self.terminal:
            self.stream.write("\r\x1b[K" + self._line(done))
        else:
            self.stream.write(self._line(done) + "\n")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        """Ends the in-place line on a terminal (with the final count); nothing more in a log."""
        if self.terminal and self.shown:
            self.stream.write("\r\x1b[K" + self._line(self.total) + "\n")
            self.stream.flush()
