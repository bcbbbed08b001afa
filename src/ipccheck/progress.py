"""One progress line on stderr: rewritten in place on a terminal, a few short lines in a log.

A command that can run past a few seconds says what it is doing now, on stderr so that stdout
stays the report. On a terminal the line overwrites itself (cut to the terminal's width, so it
never wraps); in a log, where nothing can be overwritten, a line is written at most once every
``log_seconds``, so a long run leaves a handful of lines and a short one none. The label of the
current step is also what the command names when it is interrupted.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from typing import TextIO

# In a log, at most one progress line this often (the command lets a user choose; 0: every step).
LOG_SECONDS = 10.0


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or already closed
        return False


class Progress:
    """``name [done/total] label`` on ``stream`` (stderr by default), one step at a time."""

    def __init__(
        self,
        name: str,
        total: int | None = None,
        stream: TextIO | None = None,
        *,
        log_seconds: float = LOG_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.total = total
        self.done = 0
        self.label = ""
        self.stream = stream if stream is not None else sys.stderr
        self.in_place = _is_terminal(self.stream)
        self.log_seconds = log_seconds
        self.clock = clock
        self.logged_at = clock()  # in a log, the first line comes only after log_seconds
        self.width = 0  # characters of the line now on the terminal

    def line(self) -> str:
        count = f"{self.done}/{self.total}" if self.total else str(self.done)
        return f"{self.name} [{count}] {self.label}".rstrip()

    def step(self, label: str) -> None:
        """Count one more step and show what it is."""
        self.done += 1
        self.show(label)

    def show(self, label: str) -> None:
        """Say what the current step is doing now, without counting a step."""
        self.label = label
        if self.in_place:
            text = self.line()[: shutil.get_terminal_size().columns - 1]
            self.stream.write("\r" + text.ljust(self.width))
            self.width = len(text)
        elif self.clock() - self.logged_at >= self.log_seconds:
            self.stream.write(self.line() + "\n")
            self.logged_at = self.clock()
        else:
            return
        self.stream.flush()

    def clear(self) -> None:
        """Take the line off the terminal, before something else is written there."""
        if self.in_place and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0

    close = clear
