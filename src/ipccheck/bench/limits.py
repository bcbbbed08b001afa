"""The limits: what this machine can do at all, measured in the same run as every channel.

- ``os.pipe``: exact-size records over a raw ``os.pipe``, one ``write`` and one ``readv`` each:
  the reference every row is divided by;
- ``socketpair``: the same over an AF_UNIX stream socket pair (``sendall`` / ``recv_into``);
- ``memcpy``: a plain copy into a ``SharedMemory`` buffer, with no second process: the memory
  bandwidth no copying channel can beat.
"""

from __future__ import annotations

import os
import socket
import time
from multiprocessing import shared_memory
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext

from ..methods.shared_memory_segment import buffer_of
from ..processes import Deadline, ProcessGroup
from .handshake import Handshake
from .results import LIMIT
from .transfer import Channel, Timing, payload, read_exact, timed, write_all

# --- producers (module level, so spawn and forkserver children can import them) -----------------


def raw_pipe_producer(handshake: Handshake, writer: Connection, size: int, count: int) -> None:
    data = payload(size)
    with writer:
        fd = writer.fileno()
        handshake.arrive()
        for _ in range(count):
            write_all(fd, data)


def socket_limit_producer(handshake: Handshake, sock: socket.socket, size: int, count: int) -> None:
    data = payload(size)
    with sock:
        handshake.arrive()
        for _ in range(count):
            sock.sendall(data)


# --- runs ---------------------------------------------------------------------------------------


def run_os_pipe(ctx: BaseContext, size: int, count: int, deadline: Deadline) -> Timing:
    """Exact-size records over a raw ``os.pipe``: one ``write`` and one ``readv`` per record."""
    read_fd, write_fd = os.pipe()
    writer = Connection(write_fd, readable=False)  # a Connection, so spawn children inherit it
    try:
        buffer = bytearray(size)
        view = memoryview(buffer)

        def read_into(target: memoryview) -> int:
            return os.readv(read_fd, (target,))

        def consume(group: ProcessGroup) -> None:
            for _ in range(count):
                read_exact(read_into, buffer, view)

        return timed(ctx, deadline, raw_pipe_producer, (writer, size, count), consume, (writer,))
    finally:
        writer.close()
        os.close(read_fd)


def run_socketpair(ctx: BaseContext, size: int, count: int, deadline: Deadline) -> Timing:
    """Exact-size records over an AF_UNIX stream socket pair: ``sendall`` and ``recv_into``."""
    parent_end, child_end = socket.socketpair()
    with parent_end, child_end:
        buffer = bytearray(size)
        view = memoryview(buffer)

        def consume(group: ProcessGroup) -> None:
            for _ in range(count):
                read_exact(parent_end.recv_into, buffer, view)

        args = (child_end, size, count)
        return timed(ctx, deadline, socket_limit_producer, args, consume, (child_end,))


def run_memcpy(ctx: BaseContext, size: int, count: int, deadline: Deadline) -> Timing:
    """Copy the payload into a ``SharedMemory`` buffer ``count`` times, in this process."""
    segment = shared_memory.SharedMemory(create=True, size=size)
    try:
        data = payload(size)
        target = buffer_of(segment)[:size]
        try:
            started = time.perf_counter()
            for _ in range(count):
                target[:] = data
            seconds = time.perf_counter() - started
        finally:
            target.release()  # a live view would make close() fail with BufferError
    finally:
        segment.close()
        segment.unlink()
    return None, seconds  # no process started: no start time


LIMITS: tuple[Channel, ...] = (
    Channel(LIMIT, "limit", "raw os.pipe, exact-size records, one write/readv each", run_os_pipe),
    Channel("socketpair", "limit", "raw AF_UNIX socket pair, sendall/recv_into", run_socketpair),
    Channel("memcpy", "limit", "copy into a SharedMemory buffer, no second process", run_memcpy),
)
