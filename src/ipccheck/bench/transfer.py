"""One producer -> parent consumer, timed: what every channel row shares.

A row's runner sends ``count`` payloads of ``size`` bytes from one child to the parent and
returns a ``Timing``: how long the child took to become ready (None when no child was started),
and how long the transfer took from "go" until the parent held the last payload. Every producer
sends the same prebuilt payload, so the figures measure the channel, not making the data.

The catalogues of rows live in ``limits`` (what the machine can do at all), ``channels`` (what
multiprocessing offers) and ``peers`` (other libraries, when installed).
"""

from __future__ import annotations

import os
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any, Protocol

from ..processes import Deadline, DeadlineExceeded, ProcessGroup, exit_description
from .handshake import Handshake

# (start seconds, or None if the row started no process; transfer seconds)
Timing = tuple[float | None, float]
# run(ctx, size, count, deadline) -> Timing
Runner = Callable[[BaseContext, int, int, Deadline], Timing]


@dataclass(frozen=True)
class Channel:
    """One channel row family: a name, what it is, and how to run it once at one size."""

    name: str
    kind: str  # limit, channel or peer (``results.KINDS``)
    description: str
    run: Runner
    count_scale: float = 1.0  # slow channels send fewer items so a run stays short


class Putter(Protocol):
    """Anything with a queue's ``put``: multiprocessing's queues, a manager proxy, a peer's."""

    def put(self, item: bytes, /) -> None: ...


class Getter(Protocol):
    """Anything with a queue's ``get(timeout=...)``."""

    def get(self, block: bool = ..., timeout: float | None = ...) -> Any: ...


def payload(size: int) -> bytes:
    return b"\x5a" * size


def write_all(fd: int, data: bytes) -> None:
    """``os.write`` may write less than asked (big records on a pipe); finish the record."""
    written = os.write(fd, data)
    if written < len(data):
        view = memoryview(data)
        while written < len(data):
            written += os.write(fd, view[written:])


def read_exact(read_into: Callable[[memoryview], int], buffer: bytearray, view: memoryview) -> None:
    """Fill ``buffer`` with one whole record using ``read_into``; EOFError if the stream ended."""
    got = read_into(view)
    while got < len(buffer):
        n = read_into(view[got:])
        if n == 0:
            raise EOFError("the producer closed its end before sending every record")
        got += n


def put_producer(handshake: Handshake, channel: Putter, size: int, count: int) -> None:
    """The producer of every queue-like row: ``count`` puts of the same payload."""
    data = payload(size)
    handshake.arrive()
    for _ in range(count):
        channel.put(data)


def get_all(
    channel: Getter, count: int, deadline: Deadline, after_get: Callable[[], None] | None = None
) -> None:
    """``count`` times ``channel.get`` with a timeout, so a dead producer cannot hang the parent."""
    for _ in range(count):
        try:
            channel.get(timeout=max(deadline.remaining(), 0.001))
        except queue.Empty:
            raise DeadlineExceeded(
                f"deadline of {deadline.seconds:g} s passed waiting for items"
            ) from None
        if after_get is not None:
            after_get()


def timed(
    ctx: BaseContext,
    deadline: Deadline,
    producer: Callable[..., None],
    args: tuple[object, ...],
    consume: Callable[[ProcessGroup], None],
    child_ends: tuple[Any, ...] = (),
    handshake: Handshake | None = None,
) -> tuple[float, float]:
    """Start ``producer(handshake, *args)``, wait until it is ready, then time ``consume``.

    ``child_ends`` are the parent's copies of what only the child may hold (a pipe's write
    end; anything with ``close()``): closing them right after the start is what makes a dead
    producer show up as EOF. Pass ``handshake`` when ``consume`` needs it (to wait for "done").
    """
    handshake = handshake or Handshake(ctx)
    with ProcessGroup(ctx) as group:
        began = time.perf_counter()
        group.start(producer, (handshake, *args), role="bench-producer")
        for end in child_ends:
            end.close()
        handshake.wait_ready(group, deadline)
        start_seconds = time.perf_counter() - began
        started = handshake.start_clock()
        consume(group)
        seconds = time.perf_counter() - started
        group.join(deadline)
        (exitcode,) = group.exitcodes().values()
        if exitcode != 0:
            raise RuntimeError(f"the producer ended with {exit_description(exitcode)}")
    return start_seconds, seconds
