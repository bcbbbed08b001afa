"""Correct factories for the kit: the shapes it expects, and what it proves itself against.

``multiprocessing.Queue``, ``SimpleQueue``, ``JoinableQueue`` and ``Pipe`` are factories as
they are. A manager queue and a counter need a few lines, shown here.
"""

from __future__ import annotations

import multiprocessing
from typing import Any


def manager_queue() -> Any:
    """A ``Manager().Queue()`` proxy; the manager process stops when the proxy is dropped."""
    return multiprocessing.Manager().Queue()


class LockedCounter:
    """A shared ``Value`` counter whose read-and-write happens under its lock."""

    def __init__(self) -> None:
        self._value = multiprocessing.Value("q", 0)

    def increment(self) -> None:
        with self._value.get_lock():
            self._value.value += 1

    @property
    def value(self) -> int:
        return self._value.value
