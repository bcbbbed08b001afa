"""``simple-queue``: a ``SimpleQueue``, a locked pipe with no feeder thread and no timeouts.

``SimpleQueue.get()`` cannot time out, so the parent only calls it when ``empty()`` says an
item is waiting, and otherwise naps briefly; that keeps a dead producer from hanging it.
"""

from __future__ import annotations

import time
from multiprocessing.context import BaseContext

from ..channel import collect, drain_leftovers, put_producer
from ..processes import Deadline, ProcessGroup
from ..protocol import CHANNEL, Message, Observation, WorkSpec, producer_role

NAME = "simple-queue"
FAMILY = CHANNEL
DESCRIPTION = "producers put into one SimpleQueue (no feeder thread), the parent polls it"

# How long to nap when the queue is empty before looking again.
NAP_SECONDS = 0.001


def execute(
    workload: WorkSpec,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    channel = ctx.SimpleQueue()

    def receive(timeout: float) -> Message | None:
        give_up = time.monotonic() + timeout
        while channel.empty():
            if time.monotonic() >= give_up:
                return None
            time.sleep(NAP_SECONDS)
        message: Message = channel.get()
        return message

    try:
        for index in range(workload.procs):
            args = (channel, index, workload.base, workload.mode, workload.fault)
            group.start(put_producer, args, role=producer_role(index))
        collect(receive, workload.procs, group, deadline, observation)
        group.join(deadline)
        drain_leftovers(receive, observation)
    finally:
        channel.close()
