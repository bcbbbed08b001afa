"""Correct factories for the kit: the shapes it expects, and what it proves itself against.

``multiprocessing.Queue``, ``SimpleQueue``, ``JoinableQueue`` and ``Pipe`` are factories as
they are (the kit uses the same method of the context under test). A manager queue and a
counter need a few lines, shown here; each builds from the ``ctx`` the kit passes, so the same
factory works under fork, spawn and forkserver. ``BatchingQueue`` shows the producer-finished hook.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.queues import Queue
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


class BatchingQueue:
    """A queue that sends items in batches of ``size``: correct because the kit calls ``flush()``.

    Each producer's last batch is still in its buffer after its last ``put``; the kit calls
    ``flush()`` and then ``close()`` in every producer before it exits, which sends it. Without
    that hook, a batching sender would have to spot the end marker itself.
    """

    def __init__(self, ctx: ContextLike = multiprocessing, size: int = 8) -> None:
        self._queue: Queue[list[Any]] = ctx.Queue()
        self._size = size
        self._batch: list[Any] = []
        self._arrived: list[Any] = []  # the parent's side: a batch received, not yet handed out

    def put(self, item: Any) -> None:
        self._batch.append(item)
        if len(self._batch) >= self._size:
            self.flush()

    def flush(self) -> None:
        if self._batch:
            self._queue.put(self._batch)
            self._batch = []

    def get(self, timeout: float | None = None) -> Any:
        if not self._arrived:
            self._arrived = self._queue.get(timeout=timeout)  # raises queue.Empty in time
        return self._arrived.pop(0)

    def close(self) -> None:
        self._queue.close()
        self._queue.join_thread()  # every batch this process put is written out before it exits
