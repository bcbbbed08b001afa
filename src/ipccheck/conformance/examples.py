"""Correct factories for the kit: the shapes it expects, and what it proves itself against.

``multiprocessing.Queue``, ``SimpleQueue``, ``JoinableQueue`` and ``Pipe`` are factories as
they are (the kit uses the same method of the context under test). A manager queue and a
counter need a few lines, shown here; each builds from the ``ctx`` the kit passes, so the same
factory works under fork, spawn and forkserver.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.sharedctypes import Synchronized
from typing import Any

from .contexts import ContextLike


def manager_queue(ctx: ContextLike) -> Any:
    """A ``Manager().Queue()`` proxy; the manager process stops when the proxy is dropped."""
    return ctx.Manager().Queue()


class LockedCounter:
    """A shared ``Value`` counter whose read-and-write happens under its lock."""

    def __init__(self, ctx: ContextLike = multiprocessing) -> None:
        self._value: Synchronized[int] = ctx.Value("q", 0)

    def increment(self) -> None:
        with self._value.get_lock():
            self._value.value += 1

    @property
    def value(self) -> int:
        return self._value.value
