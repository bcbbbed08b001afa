"""``pipe``: one one-way ``Pipe`` per producer; the parent waits on all read ends at once.

Two rules make it correct. The parent closes its copy of each write end right after starting
the producer, so a producer that exits shows up as EOF. And the parent receives before it
joins: a producer blocks in ``send`` once the pipe's buffer is full, so joining first can hang.
"""

from __future__ import annotations

import selectors
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import cast

from ..channel import collect, drain_leftovers, messages
from ..faults import Fault
from ..processes import Deadline, ProcessGroup
from ..protocol import CHANNEL, Message, Observation, WorkSpec, producer_role

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
    """Receive from whichever of several connections has a message; forget those at EOF.

    One selector is kept for the whole run: ``multiprocessing.connection.wait`` builds and
    closes a new one on every call, which cost a third of the consumer's speed in a stream.
    """

    def __init__(self, readers: list[Connection]) -> None:
        self.selector = selectors.DefaultSelector()
        for reader in readers:
            self.selector.register(reader, selectors.EVENT_READ)

    def __call__(self, timeout: float) -> Message | None:
        while self.selector.get_map():
            ready = self.selector.select(timeout)
            if not ready:
                return None
            reader = ready[0][0].fileobj
            try:
                message: Message = cast(Connection, reader).recv()
            except EOFError:  # that producer is done and has closed its end
                self.selector.unregister(reader)
                continue
            return message
        return None

    def close(self) -> None:
        self.selector.close()


def execute(
    workload: WorkSpec,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    readers: list[Connection] = []
    receive: PipeReceiver | None = None
    try:
        for index in range(workload.procs):
            reader, writer = ctx.Pipe(duplex=False)
            readers.append(reader)
            args = (writer, index, workload.base, workload.mode, workload.fault)
            group.start(producer, args, role=producer_role(index))
            writer.close()  # only the producer may hold the write end, or EOF never comes
        receive = PipeReceiver(readers)
        collect(receive, workload.procs, group, deadline, observation)
        group.join(deadline)
        drain_leftovers(receive, observation)
    finally:
        if receive is not None:
            receive.close()
        for reader in readers:
            reader.close()
