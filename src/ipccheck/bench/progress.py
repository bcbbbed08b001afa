"""The progress line of ``ipccheck bench``: what runs now, on stderr, so stdout stays clean."""

from __future__ import annotations

import sys
from typing import TextIO


class Progress:
    """One line on stderr saying what runs now: rewritten in place on a terminal."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.in_place = self.stream.isatty()
        self.width = 0

    def step(self, label: str) -> None:
        self.done += 1
        text = f"bench [{self.done}/{self.total}] {label}"
        if self.in_place:
            self.stream.write("\r" + text.ljust(self.width))
            self.width = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.in_place and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
