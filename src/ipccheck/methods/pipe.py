"""``pipe``: one one-way ``Pipe`` per producer; the parent waits on all read ends at once.

Two rules make it correct. The parent closes its copy of each write end right after starting
the producer, so a producer that exits shows up as EOF. And the parent receives before it
joins: a producer blocks in ``send`` once the pipe's buffer is full, so joining first can hang.
"""

from __future__ import annotations

from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext

from ..channel import Message, collect, drain_leftovers, messages
from ..faults import Fault
from ..outcome import CHANNEL, Observation
from ..processes import Deadline, ProcessGroup
from ..workload import Workload

NAME = "pipe"
FAMILY = CHANNEL
DESCRIPTION = "one one-way Pipe per producer, the parent waiting on every read end"


def producer(
    writer: Connection, producer_id: int, base: int, mode: str, fault: Fault | None = None
) -> None:
    with writer:
        for message in messages(producer_id, base, mode, fault):
            writer.send(message)


class PipeReceiver:
    """Receive from whichever of several connections has a message; forget those at EOF."""

    def __init__(self, readers: list[Connection]) -> None:
        self.open_readers = list(readers)

    def __call__(self, timeout: float) -> Message | None:
        while self.open_readers:
            ready = wait(self.open_readers, timeout)
            if not ready:
                return None
            reader = ready[0]
            try:
                return reader.recv()
            except EOFError:  # that producer is done and has closed its end
                self.open_readers.remove(reader)
        return None


def execute(
    workload: Workload,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    readers: list[Connection] = []
    try:
        for index in range(workload.procs):
            reader, writer = ctx.Pipe(duplex=False)
            readers.append(reader)
            args = (writer, index, workload.base, workload.mode, workload.fault)
            group.start(producer, args, name=f"producer-{index}")
            writer.close()  # only the producer may hold the write end, or EOF never comes
        receive = PipeReceiver(readers)
        collect(receive, workload.procs, group, deadline, observation)
        group.join(deadline)
        drain_leftovers(receive, observation)
    finally:
        for reader in readers:
            reader.close()
