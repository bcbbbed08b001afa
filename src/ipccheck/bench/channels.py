"""One producer -> parent consumer, timed: the limits and every message-passing channel.

Each ``run_*`` function sends ``count`` payloads of ``size`` bytes from one child to the parent
and returns ``(start_seconds, transfer_seconds)``: how long the child took to become ready, and
how long the transfer took from "go" until the parent held the last payload. Every producer
sends the same prebuilt payload, so the figures measure the channel, not making the data.

The *limits* show what the machine can do at all: exact-size records over a raw ``os.pipe``
(the reference every row is divided by), over an AF_UNIX socket pair, and a plain copy into a
``SharedMemory`` buffer (no second process: the memory bandwidth a copy-based channel cannot
beat). The *batched* channel is the fix for small messages: it packs many records into one
``send_bytes`` message, so the fixed cost of a message is paid once per batch.
"""

from __future__ import annotations

import os
import shutil
import socket
import struct
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import shared_memory
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext

from ..interrupts import running_manager
from ..processes import Deadline, DeadlineExceeded, ProcessGroup, exit_description
from .handshake import Handshake

# The batched channel packs records into messages of at most this many bytes.
BATCH_BYTES = 32 * 1024
LENGTH = struct.Struct("!I")  # the socket channel's record header
# SimpleQueue.get() cannot time out: the consumer naps this long while the queue is empty.
NAP_SECONDS = 0.00005

# run(ctx, size, count, deadline) -> (start seconds or None if no process started, transfer seconds)
Runner = Callable[[BaseContext, int, int, Deadline], "tuple[float | None, float]"]


@dataclass(frozen=True)
class Channel:
    """One benchmark row family: a name, what it is, and how to run it once."""

    name: str
    kind: str  # limit, channel or peer
    description: str
    run: Runner
    count_scale: float = 1.0  # slow channels send fewer items so a run stays short


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


def timed(
    ctx: BaseContext,
    deadline: Deadline,
    producer: Callable[..., None],
    args: tuple,
    consume: Callable[[ProcessGroup], None],
    child_ends: tuple = (),
    handshake: Handshake | None = None,
) -> tuple[float, float]:
    """Start ``producer(handshake, *args)``, wait until it is ready, then time ``consume``.

    ``child_ends`` are the parent's copies of what only the child may hold (a pipe's write
    end): closing them right after the start is what makes a dead producer show up as EOF.
    Pass ``handshake`` when ``consume`` needs it (to wait for "done").
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


def send_producer(handshake: Handshake, writer: Connection, size: int, count: int) -> None:
    data = payload(size)
    with writer:
        handshake.arrive()
        for _ in range(count):
            writer.send(data)


def send_bytes_producer(handshake: Handshake, writer: Connection, size: int, count: int) -> None:
    data = payload(size)
    with writer:
        handshake.arrive()
        for _ in range(count):
            writer.send_bytes(data)


def batched_producer(handshake: Handshake, writer: Connection, size: int, count: int) -> None:
    """Pack up to BATCH_BYTES of whole records into each ``send_bytes`` message."""
    per_message = max(1, BATCH_BYTES // size)
    batch = [payload(size)] * per_message
    with writer:
        handshake.arrive()
        for first in range(0, count, per_message):
            writer.send_bytes(b"".join(batch[: min(per_message, count - first)]))


def put_producer(handshake: Handshake, channel, size: int, count: int) -> None:  # type: ignore[no-untyped-def]
    data = payload(size)
    handshake.arrive()
    for _ in range(count):
        channel.put(data)


def joinable_producer(handshake: Handshake, channel, size: int, count: int) -> None:  # type: ignore[no-untyped-def]
    put_producer(handshake, channel, size, count)
    channel.join()  # returns once the consumer called task_done() for every item


def framed_socket_producer(
    handshake: Handshake, sock: socket.socket, size: int, count: int
) -> None:
    record = LENGTH.pack(size) + payload(size)
    with sock, sock.makefile("wb") as stream:  # buffered: many records per system call
        handshake.arrive()
        for _ in range(count):
            stream.write(record)


def file_producer(handshake: Handshake, path: str, size: int, count: int) -> None:
    data = payload(size)
    handshake.arrive()
    with open(path, "wb") as stream:
        for _ in range(count):
            stream.write(data)
    handshake.finish()


# --- the limits -------------------------------------------------------------------------------


def run_os_pipe(ctx: BaseContext, size: int, count: int, deadline: Deadline) -> tuple[float, float]:
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


def run_socketpair(
    ctx: BaseContext, size: int, count: int, deadline: Deadline
) -> tuple[float, float]:
    """Exact-size records over an AF_UNIX stream socket pair: ``sendall`` and ``recv_into``."""
    parent_end, child_end = socket.socketpair()
    with parent_end, child_end:
        buffer = bytearray(size)
        view = memoryview(buffer)

        def consume(group: ProcessGroup) -> None:
            for _ in range(count):
                read_exact(parent_end.recv_into, buffer, view)

        return timed(
            ctx, deadline, socket_limit_producer, (child_end, size, count), consume, (child_end,)
        )


def run_memcpy(
    ctx: BaseContext, size: int, count: int, deadline: Deadline
) -> tuple[float | None, float]:
    """Copy the payload into a ``SharedMemory`` buffer ``count`` times, in this process."""
    segment = shared_memory.SharedMemory(create=True, size=size)
    try:
        data = payload(size)
        target = segment.buf[:size]
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
    return None, seconds


# --- the channels -----------------------------------------------------------------------------


def _over_pipe(producer: Callable[..., None], receive: Callable[[Connection], None]) -> Runner:
    """A runner over a one-way ``ctx.Pipe()``; the parent calls ``receive(reader, count)``."""

    def run(ctx: BaseContext, size: int, count: int, deadline: Deadline) -> tuple[float, float]:
        reader, writer = ctx.Pipe(duplex=False)
        try:
            return timed(
                ctx,
                deadline,
                producer,
                (writer, size, count),
                lambda group: receive(reader, count),
                (writer,),
            )
        finally:
            reader.close()
            writer.close()

    return run


def _receive_objects(reader: Connection, count: int) -> None:
    for _ in range(count):
        reader.recv()


def _receive_bytes(reader: Connection, count: int) -> None:
    for _ in range(count):
        reader.recv_bytes()


def run_batched(ctx: BaseContext, size: int, count: int, deadline: Deadline) -> tuple[float, float]:
    """Records packed into ``send_bytes`` messages; the parent cuts each back into records."""
    reader, writer = ctx.Pipe(duplex=False)

    def consume(group: ProcessGroup) -> None:
        received = 0
        while received < count:
            data = reader.recv_bytes()
            records = [data[i : i + size] for i in range(0, len(data), size)]
            received += len(records)

    try:
        return timed(ctx, deadline, batched_producer, (writer, size, count), consume, (writer,))
    finally:
        reader.close()
        writer.close()


def _get_all(channel, count: int, deadline: Deadline, after_get: Callable[[], None] | None = None):  # type: ignore[no-untyped-def]
    """``count`` times ``channel.get`` with a timeout, so a dead producer cannot hang the parent."""
    import queue as queue_module

    for _ in range(count):
        try:
            channel.get(timeout=max(deadline.remaining(), 0.001))
        except queue_module.Empty:
            raise DeadlineExceeded(
                f"deadline of {deadline.seconds:g} s passed waiting for items"
            ) from None
        if after_get is not None:
            after_get()


def run_queue(ctx: BaseContext, size: int, count: int, deadline: Deadline) -> tuple[float, float]:
    channel = ctx.Queue()
    try:
        return timed(
            ctx,
            deadline,
            put_producer,
            (channel, size, count),
            lambda group: _get_all(channel, count, deadline),
        )
    finally:
        channel.close()
        channel.join_thread()


def run_joinable_queue(
    ctx: BaseContext, size: int, count: int, deadline: Deadline
) -> tuple[float, float]:
    channel = ctx.JoinableQueue()

    def consume(group: ProcessGroup) -> None:
        _get_all(channel, count, deadline, channel.task_done)

    try:
        return timed(ctx, deadline, joinable_producer, (channel, size, count), consume)
    finally:
        channel.close()
        channel.join_thread()


def run_simple_queue(
    ctx: BaseContext, size: int, count: int, deadline: Deadline
) -> tuple[float, float]:
    channel = ctx.SimpleQueue()

    def consume(group: ProcessGroup) -> None:
        for _ in range(count):
            while channel.empty():  # get() would block forever if the producer died
                deadline.check("waiting for items on a SimpleQueue")
                if not group.any_alive() and channel.empty():
                    raise RuntimeError("the producer exited before sending every item")
                time.sleep(NAP_SECONDS)
            channel.get()

    try:
        return timed(ctx, deadline, put_producer, (channel, size, count), consume)
    finally:
        channel.close()


def run_manager_queue(
    ctx: BaseContext, size: int, count: int, deadline: Deadline
) -> tuple[float, float]:
    with running_manager(ctx.Manager) as manager:  # leaving the block shuts the manager down
        channel = manager.Queue()
        return timed(
            ctx,
            deadline,
            put_producer,
            (channel, size, count),
            lambda group: _get_all(channel, count, deadline),
        )


def run_socket(ctx: BaseContext, size: int, count: int, deadline: Deadline) -> tuple[float, float]:
    """Length-prefixed records over a socket pair, buffered on both sides."""
    parent_end, child_end = socket.socketpair()
    with parent_end, child_end, parent_end.makefile("rb") as stream:

        def consume(group: ProcessGroup) -> None:
            for _ in range(count):
                header = stream.read(LENGTH.size)
                if len(header) < LENGTH.size:
                    raise EOFError("the producer closed its socket before sending every record")
                (length,) = LENGTH.unpack(header)
                if len(stream.read(length)) < length:
                    raise EOFError("a record was cut short")

        return timed(
            ctx, deadline, framed_socket_producer, (child_end, size, count), consume, (child_end,)
        )


def run_file(ctx: BaseContext, size: int, count: int, deadline: Deadline) -> tuple[float, float]:
    """The producer writes every record to a file, then the parent reads them all back."""
    directory = tempfile.mkdtemp(prefix="ipccheck-bench-")
    path = os.path.join(directory, "records")
    handshake = Handshake(ctx)

    def consume(group: ProcessGroup) -> None:
        handshake.wait_done(group, deadline)
        buffer = bytearray(size)
        view = memoryview(buffer)
        with open(path, "rb", buffering=0) as stream:
            for _ in range(count):
                read_exact(stream.readinto, buffer, view)

    try:
        args = (path, size, count)
        return timed(ctx, deadline, file_producer, args, consume, handshake=handshake)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


# --- optional peers: other libraries' channels, rows only when they are installed ---------------


def run_faster_fifo(
    ctx: BaseContext, size: int, count: int, deadline: Deadline
) -> tuple[float, float]:
    """``faster_fifo.Queue``: a shared-memory ring buffer with put/get(timeout)."""
    import faster_fifo
    import faster_fifo_reduction  # noqa: F401  (lets spawn and forkserver children receive the queue)

    channel = faster_fifo.Queue(max_size_bytes=max(1_000_000, 4 * (size + 64)))
    try:
        args = (channel, size, count)
        return timed(
            ctx, deadline, put_producer, args, lambda group: _get_all(channel, count, deadline)
        )
    finally:
        channel.close()


PEERS: tuple[tuple[str, str, Channel], ...] = (
    (
        "faster_fifo",
        "faster-fifo",
        Channel("faster-fifo", "peer", "faster_fifo.Queue (optional peer)", run_faster_fifo),
    ),
)


def available_peers() -> tuple[list[Channel], list[str]]:
    """The peer channels whose library imports here, and a note for each one that does not."""
    import importlib.util

    found, notes = [], []
    for module, package, channel in PEERS:
        if importlib.util.find_spec(module) is not None:
            found.append(channel)
        else:
            notes.append(
                f"{channel.name} skipped: not installed (pip install {package} adds it as a row)"
            )
    return found, notes


LIMITS: tuple[Channel, ...] = (
    Channel(
        "os.pipe", "limit", "raw os.pipe, exact-size records, one write/readv each", run_os_pipe
    ),
    Channel("socketpair", "limit", "raw AF_UNIX socket pair, sendall/recv_into", run_socketpair),
    Channel("memcpy", "limit", "copy into a SharedMemory buffer, no second process", run_memcpy),
)

CHANNELS: tuple[Channel, ...] = (
    Channel(
        "pipe-send",
        "channel",
        "Pipe(duplex=False), send/recv (pickled)",
        _over_pipe(send_producer, _receive_objects),
    ),
    Channel(
        "pipe-send-bytes",
        "channel",
        "Pipe(duplex=False), send_bytes/recv_bytes",
        _over_pipe(send_bytes_producer, _receive_bytes),
    ),
    Channel(
        "batched",
        "channel",
        f"records packed into send_bytes messages of <= {BATCH_BYTES // 1024} KiB",
        run_batched,
    ),
    Channel("queue", "channel", "Queue, put/get(timeout)", run_queue),
    Channel("simple-queue", "channel", "SimpleQueue, put/get", run_simple_queue),
    Channel(
        "joinable-queue", "channel", "JoinableQueue, put/get(timeout)/task_done", run_joinable_queue
    ),
    Channel(
        "manager-queue", "channel", "Manager().Queue() proxy", run_manager_queue, count_scale=0.1
    ),
    Channel("socket", "channel", "socket pair, 4-byte length + body, buffered", run_socket),
    Channel("file", "channel", "write every record to a file, then read them back", run_file),
)
