"""``joinable-queue``: a ``JoinableQueue`` whose consumer marks every item ``task_done``.

Each producer, after its sentinel, calls ``join()``: it returns only when every item put so
far has been marked done, so a producer exits knowing its items were consumed. A missed
``task_done`` would leave producers waiting forever, which the deadline turns into a finding.
"""

from __future__ import annotations

from multiprocessing.context import BaseContext

from ..channel import Message, collect, drain_leftovers, messages
from ..faults import Fault
from ..outcome import CHANNEL, Observation
from ..processes import Deadline, ProcessGroup
from ..workload import Workload
from .queue import getter

NAME = "joinable-queue"
FAMILY = CHANNEL
DESCRIPTION = "a JoinableQueue: task_done() per item, producers join() until all are consumed"


def producer(channel, producer_id: int, base: int, mode: str, fault: Fault | None = None) -> None:  # type: ignore[no-untyped-def]
    for message in messages(producer_id, base, mode, fault):
        channel.put(message)
    channel.join()  # wait until the consumer has called task_done() for every item


def execute(
    workload: Workload,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    channel = ctx.JoinableQueue()
    get = getter(channel)

    def receive(timeout: float) -> Message | None:
        message = get(timeout)
        if message is not None:
            channel.task_done()
        return message

    try:
        for index in range(workload.procs):
            args = (channel, index, workload.base, workload.mode, workload.fault)
            group.start(producer, args, name=f"producer-{index}")
        collect(receive, workload.procs, group, deadline, observation)
        group.join(deadline)
        drain_leftovers(receive, observation)
    finally:
        channel.close()
        channel.join_thread()
