"""``queue``: producers ``put`` into one ``multiprocessing.Queue``; the parent ``get``s.

A Queue's ``put`` hands the item to a feeder thread, and a producer does not exit until that
thread has written everything into the pipe. So the parent must drain before it joins
(the multiprocessing docs' "joining processes that use queues"), and close the queue after.
"""

from __future__ import annotations

import queue as queue_module
from multiprocessing.context import BaseContext

from ..channel import Message, collect, drain_leftovers, messages
from ..faults import Fault
from ..outcome import CHANNEL, Observation
from ..processes import Deadline, ProcessGroup
from ..workload import Workload

NAME = "queue"
FAMILY = CHANNEL
DESCRIPTION = "producers put into one multiprocessing.Queue, the parent drains before joining"


def producer(channel, producer_id: int, base: int, mode: str, fault: Fault | None = None) -> None:  # type: ignore[no-untyped-def]
    for message in messages(producer_id, base, mode, fault):
        channel.put(message)


def getter(channel):  # type: ignore[no-untyped-def]
    """A receive function for ``collect`` over anything with ``get(timeout=...)``."""

    def receive(timeout: float) -> Message | None:
        try:
            return channel.get(timeout=timeout)
        except queue_module.Empty:
            return None

    return receive


def execute(
    workload: Workload,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    channel = ctx.Queue()
    try:
        for index in range(workload.procs):
            args = (channel, index, workload.base, workload.mode, workload.fault)
            group.start(producer, args, name=f"producer-{index}")
        receive = getter(channel)
        collect(receive, workload.procs, group, deadline, observation)
        group.join(deadline)
        drain_leftovers(receive, observation)
    finally:
        channel.close()
        channel.join_thread()
