"""The message-passing channels multiprocessing offers, each timed one producer -> parent.

``pipe-send`` and ``pipe-send-bytes`` (a one-way ``Pipe``), the three queues, a manager queue,
a buffered socket pair with length-prefixed records, and a file handed over when complete. The
*batched* channel is the fix for small messages: it packs many records into one ``send_bytes``
message, so the fixed cost of a message is paid once per batch.
"""

from __future__ import annotations

import os
import shutil
import socket
import struct
import tempfile
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.queues import JoinableQueue

from ..interrupts import running_manager
from ..processes import Deadline, ProcessGroup
from .handshake import Handshake
from .transfer import Channel, Runner, Timing, get_all, payload, put_producer, read_exact, timed

# The batched channel packs records into messages of at most this many bytes.
BATCH_BYTES = 32 * 1024
LENGTH = struct.Struct("!I")  # the socket channel's record header
# SimpleQueue.get() cannot time out: the consumer naps this long while the queue is empty.
NAP_SECONDS = 0.00005

# --- producers (module level, so spawn and forkserver children can import them) -----------------


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


def joinable_producer(
    handshake: Handshake, channel: JoinableQueue[bytes], size: int, count: int
) -> None:
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


# --- runs ---------------------------------------------------------------------------------------


def over_pipe(
    producer: Callable[..., None], receive: Callable[[Connection, int], None]
) -> Runner:
    """A runner over a one-way ``ctx.Pipe()``; the parent calls ``receive(reader, count)``."""

    def run(ctx: BaseContext, size: int, count: int, deadline: Deadline) -> Timing:
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


def receive_objects(reader: Connection, count: int) -> None:
    for _ in range(count):
        reader.recv()


def receive_bytes(reader: Connection, count: int) -> None:
    for _ in range(count):
        reader.recv_bytes()


def run_batched(ctx: BaseContext, size: int, count: int, deadline: Deadline) -> Timing:
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


def run_queue(ctx: BaseContext, size: int, count: int, deadline: Deadline) -> Timing:
    channel = ctx.Queue()
    try:
        return timed(
            ctx,
            deadline,
            put_producer,
            (channel, size, count),
            lambda group: get_all(channel, count, deadline),
        )
    finally:
        channel.close()
        channel.join_thread()


def run_joinable_queue(ctx: BaseContext, size: int, count: int, deadline: Deadline) -> Timing:
    channel = ctx.JoinableQueue()

    def consume(group: ProcessGroup) -> None:
        get_all(channel, count, deadline, channel.task_done)

    try:
        return timed(ctx, deadline, joinable_producer, (channel, size, count), consume)
    finally:
        channel.close()
        channel.join_thread()


def run_simple_queue(ctx: BaseContext, size: int, count: int, deadline: Deadline) -> Timing:
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


def run_manager_queue(ctx: BaseContext, size: int, count: int, deadline: Deadline) -> Timing:
    with running_manager(ctx.Manager) as manager:  # leaving the block shuts the manager down
        channel = manager.Queue()
        return timed(
            ctx,
            deadline,
            put_producer,
            (channel, size, count),
            lambda group: get_all(channel, count, deadline),
        )


def run_socket(ctx: BaseContext, size: int, count: int, deadline: Deadline) -> Timing:
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

        args = (child_end, size, count)
        return timed(ctx, deadline, framed_socket_producer, args, consume, (child_end,))


def run_file(ctx: BaseContext, size: int, count: int, deadline: Deadline) -> Timing:
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


CHANNELS: tuple[Channel, ...] = (
    Channel(
        "pipe-send",
        "channel",
        "Pipe(duplex=False), send/recv (pickled)",
        over_pipe(send_producer, receive_objects),
    ),
    Channel(
        "pipe-send-bytes",
        "channel",
        "Pipe(duplex=False), send_bytes/recv_bytes",
        over_pipe(send_bytes_producer, receive_bytes),
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
