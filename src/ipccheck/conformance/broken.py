"""Deliberately broken queues, pipes and counters: what the conformance kit must catch.

Do not copy these: each one hides a real-world bug behind a plausible wrapper. They live inside
the package (not in tests/) because spawn and forkserver children must import their classes to
rebuild them. Each builds a correct ``multiprocessing`` object from the ``ctx`` the kit passes
and breaks one promise in ``put``/``send``/``increment``; because every process has its own
copy of the wrapper, the bug hits each producer separately. Items are ipccheck's
``(producer, seq)`` pairs, and a sentinel is ``(producer, END)``.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
from multiprocessing.connection import Connection
from multiprocessing.queues import Queue
from multiprocessing.sharedctypes import Synchronized
from typing import Any

from ..protocol import END
from .contexts import ContextLike


class _WrappedQueue:
    """A ``multiprocessing.Queue`` with the ``get`` side left correct."""

    def __init__(self, ctx: ContextLike = multiprocessing) -> None:
        self._queue: Queue[Any] = ctx.Queue()

    def put(self, item: Any) -> None:
        self._queue.put(item)

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        return self._queue.get(block, timeout)

    def close(self) -> None:
        self._queue.close()
        self._queue.join_thread()


class DropOneQueue(_WrappedQueue):
    """Loses item 1 of every producer, as a retry path that swallows an error would."""

    def put(self, item: Any) -> None:
        if item[1] == 1:
            return
        super().put(item)


class DropLastQueue(_WrappedQueue):
    """Batches one item behind, but sends control messages straight through, dropping the batch.

    So each producer's last item before its sentinel never arrives; every other one does.
    """

    def __init__(self, ctx: ContextLike = multiprocessing) -> None:
        super().__init__(ctx)
        self._held: Any = None

    def put(self, item: Any) -> None:
        if item[1] == END:
            self._held = None  # the bug: the held item should be flushed first
            super().put(item)
            return
        if self._held is not None:
            super().put(self._held)
        self._held = item


class DuplicatingQueue(_WrappedQueue):
    """Sends item 0 of every producer twice, as a retry after a lost acknowledgement would."""

    def put(self, item: Any) -> None:
        super().put(item)
        if item[1] == 0:
            super().put(item)


class ReorderingQueue(_WrappedQueue):
    """Swaps each producer's items 0 and 1, as two senders sharing one producer's work would.

    It flushes a held item before a sentinel, so the only broken promise is the order.
    """

    def __init__(self, ctx: ContextLike = multiprocessing) -> None:
        super().__init__(ctx)
        self._held: Any = None

    def put(self, item: Any) -> None:
        if item[1] == 0:
            self._held = item
            return
        if item[1] == END and self._held is not None:
            super().put(self._held)
            self._held = None
        super().put(item)
        if self._held is not None:
            super().put(self._held)
            self._held = None


class DroppingConnection:
    """One end of a ``Pipe`` whose ``send`` silently loses item 1."""

    def __init__(self, connection: Connection[Any, Any]) -> None:
        self._connection = connection

    def send(self, message: Any) -> None:
        if message[1] == 1:
            return
        self._connection.send(message)

    def recv(self) -> Any:
        return self._connection.recv()

    def poll(self, timeout: float = 0.0) -> bool:
        return self._connection.poll(timeout)

    def close(self) -> None:
        self._connection.close()


def dropping_pipe(ctx: ContextLike) -> tuple[Connection[Any, Any], DroppingConnection]:
    """A ``Pipe()`` whose sending end loses one message."""
    reader, writer = ctx.Pipe()
    return reader, DroppingConnection(writer)


class TruncatingConnection(DroppingConnection):
    """A sending end that cuts large messages to 64 KiB, as a single short ``write`` would."""

    def send(self, message: Any) -> None:
        if len(message) == 3:
            producer_id, n, body = message
            message = (producer_id, n, body[: 2**16])
        self._connection.send(message)


def truncating_pipe(ctx: ContextLike) -> tuple[Connection[Any, Any], TruncatingConnection]:
    """A ``Pipe()`` whose sending end truncates large messages."""
    reader, writer = ctx.Pipe()
    return reader, TruncatingConnection(writer)


class NeverClosingConnection(DroppingConnection):
    """A sending end whose ``close`` does nothing, so the parent's copy keeps the pipe open."""

    def send(self, message: Any) -> None:
        self._connection.send(message)

    def close(self) -> None:
        pass  # the bug: the reader never sees EOF while the parent's copy stays open


def never_closing_pipe(ctx: ContextLike) -> tuple[Connection[Any, Any], NeverClosingConnection]:
    """A ``Pipe()`` whose sending end cannot be closed: the reader never gets EOF."""
    reader, writer = ctx.Pipe()
    return reader, NeverClosingConnection(writer)


class ParentOnlyQueue(_WrappedQueue):
    """A queue that refuses to be rebuilt in another process (a bad factory, not a bad queue)."""

    def __setstate__(self, state: dict[str, Any]) -> None:
        raise RuntimeError("ParentOnlyQueue cannot be used in a child process")


class RaisingQueue(_WrappedQueue):
    """Raises on each producer's item 1, as a ``put`` that validates too strictly would."""

    def put(self, item: Any) -> None:
        if item[1] == 1:
            raise ValueError(f"refused item {item}")
        super().put(item)


class StaleDescriptorQueue(_WrappedQueue):
    """Pickles a file descriptor as a bare number, as a ``Connection`` without a reducer does.

    The number means something only in the process that opened it: a spawn or forkserver child
    that rebuilds the queue finds no such descriptor (the number is kept high, so that it never
    names one of the child's own by chance). Under fork nothing is pickled and the queue works.
    """

    def __init__(self, ctx: ContextLike = multiprocessing) -> None:
        super().__init__(ctx)
        opened = os.open(os.devnull, os.O_RDONLY)
        try:
            self._fd = fcntl.fcntl(opened, fcntl.F_DUPFD_CLOEXEC, 900)
        finally:
            os.close(opened)

    def __setstate__(self, state: dict[str, Any]) -> None:
        os.fstat(state["_fd"])  # the bug: the number travelled, the descriptor did not
        self.__dict__.update(state)

    def close(self) -> None:
        super().close()
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


class UnlockedCounter:
    """A shared ``Value`` whose ``+= 1`` is a read and a write with no lock around the pair."""

    def __init__(self, ctx: ContextLike = multiprocessing) -> None:
        self._value: Synchronized[int] = ctx.Value("q", 0)

    def increment(self) -> None:
        self._value.value += 1  # the bug: should be inside ``with self._value.get_lock():``

    @property
    def value(self) -> int:
        return self._value.value
