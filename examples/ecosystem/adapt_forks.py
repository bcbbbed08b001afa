"""billiard, multiprocess and aioprocessing: multiprocessing's own objects from its forks.

Each factory builds from the ``ctx`` the kit passes, so with ``--context billiard`` (or
``multiprocess``) the queue, the pipe and the counter are that library's, and so are the
children they travel to. aioprocessing wraps multiprocess's objects when multiprocess is
installed (as it is here), so its queue is checked with ``--context multiprocess``.
``make_multiprocess_queue`` is the contrast: multiprocess's Queue sent to the standard
library's children (no ``--context``).
"""

from __future__ import annotations

import ctypes
from typing import Any

import aioprocessing
import multiprocess


def make_queue(ctx: Any) -> Any:
    return ctx.Queue()


def make_multiprocess_queue(ctx: Any) -> Any:
    """multiprocess's Queue for the start method of ``ctx``, whatever library ``ctx`` is from."""
    return multiprocess.get_context(ctx.get_start_method()).Queue()


def make_pipe(ctx: Any) -> Any:
    return ctx.Pipe()


class LockedValue:
    """The library's ``Value``, incremented under its own lock."""

    def __init__(self, ctx: Any) -> None:
        # A ctypes type, not the typecode "q": billiard's Value knows no "q" ("this type has no size").
        self._value = ctx.Value(ctypes.c_int64, 0)

    def increment(self) -> None:
        with self._value.get_lock():
            self._value.value += 1

    @property
    def value(self) -> int:
        return int(self._value.value)


def make_aio_queue(ctx: Any) -> Any:
    """aioprocessing's AioQueue on ``ctx``: put and get are the wrapped queue's own."""
    return aioprocessing.AioQueue(context=ctx)
