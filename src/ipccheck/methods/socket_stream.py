"""``socket``: a connected socket pair per producer carrying length-prefixed records.

A stream socket has no message boundaries: one ``recv`` may return half a record or several.
Each record is therefore sent as a 4-byte length and then its body, and the parent keeps a
buffer per socket, cutting out whole records only. ``recv`` returning ``b""`` means EOF.
"""

from __future__ import annotations

import socket
import struct
from collections import deque
from multiprocessing.connection import wait
from multiprocessing.context import BaseContext
from typing import cast

from ..channel import collect, drain_leftovers, messages
from ..faults import Fault
from ..processes import Deadline, ProcessGroup
from ..protocol import CHANNEL, Message, Observation, WorkSpec, producer_role

NAME = "socket"
FAMILY = CHANNEL
DESCRIPTION = "a socket pair per producer, records framed as 4-byte length + body"

LENGTH = struct.Struct("!I")
BODY = struct.Struct("!qq")  # (producer, n) as two signed 64-bit integers
RECV_BYTES = 65536


def frame(message: Message) -> bytes:
    """One record on the wire: its length, then its body."""
    body = BODY.pack(*message)
    return LENGTH.pack(len(body)) + body


def producer(
    sock: socket.socket, producer_id: int, base: int, mode: str, fault: Fault | None = None
) -> None:
    with sock, sock.makefile("wb") as stream:  # buffered: many records per system call
        for message in messages(producer_id, base, mode, fault):
            stream.write(frame(message))


class FrameReader:
    """Turn the byte streams of several sockets back into whole records."""

    def __init__(self, sockets: list[socket.socket]) -> None:
        self.buffers = {sock: bytearray() for sock in sockets}
        self.ready: deque[Message] = deque()

    def _cut_records(self, buffer: bytearray) -> None:
        while len(buffer) >= LENGTH.size:
            (length,) = LENGTH.unpack_from(buffer)
            end = LENGTH.size + length
            if len(buffer) < end:
                return  # the rest of this record has not arrived yet
            self.ready.append(BODY.unpack(bytes(buffer[LENGTH.size : end])))
            del buffer[:end]

    def __call__(self, timeout: float) -> Message | None:
        while not self.ready and self.buffers:
            readable = wait(list(self.buffers), timeout)
            if not readable:
                return None
            for ready in readable:
                sock = cast(socket.socket, ready)  # wait() returns what it was given
                chunk = sock.recv(RECV_BYTES)
                if not chunk:  # EOF: the producer closed its end (a partial record is dropped)
                    del self.buffers[sock]
                    continue
                self.buffers[sock] += chunk
                self._cut_records(self.buffers[sock])
        return self.ready.popleft() if self.ready else None


def execute(
    workload: WorkSpec,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    parent_ends: list[socket.socket] = []
    try:
        for index in range(workload.procs):
            parent_end, child_end = socket.socketpair()
            parent_ends.append(parent_end)
            args = (child_end, index, workload.base, workload.mode, workload.fault)
            group.start(producer, args, role=producer_role(index))
            child_end.close()  # only the producer may hold its end, or EOF never comes
        receive = FrameReader(parent_ends)
        collect(receive, workload.procs, group, deadline, observation)
        group.join(deadline)
        drain_leftovers(receive, observation)
    finally:
        for sock in parent_ends:
            sock.close()
