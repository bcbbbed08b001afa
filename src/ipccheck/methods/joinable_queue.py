"""``joinable-queue``: a ``JoinableQueue`` whose consumer marks every item ``task_done``.

Each producer, after its sentinel, calls ``join()``: it returns only when every item put so
far has been marked done, so a producer exits knowing its items were consumed. A missed
``task_done`` would leave producers waiting forever, which the deadline turns into a finding.

``put`` counts an item as unfinished at once, before the feeder thread has written it. A
producer killed with items still in its feeder's buffer leaves that count above zero for good,
so no ``join()`` can ever return. The parent sees it exactly: once every other producer's
sentinel has arrived it has marked everything it received done, so whatever is still counted
was put by the dead one and never written. That is reported as ``ChannelBroken``, as is a
write lock the dead producer took with it (see ``queue``).
"""

from __future__ import annotations

import time
from multiprocessing.context import BaseContext
from multiprocessing.queues import JoinableQueue
from typing import Any

from ..channel import collect, drain_leftovers, getter, put_producer
from ..faults import Fault
from ..processes import Deadline, ProcessGroup
from ..protocol import CHANNEL, ChannelBroken, Message, Observation, WorkSpec, producer_role
from ..queue_watch import WriteLockWatch, ended_how

NAME = "joinable-queue"
FAMILY = CHANNEL
DESCRIPTION = "a JoinableQueue: task_done() per item, producers join() until all are consumed"

# How long producers may still be running, once everything they sent has arrived and items are
# stranded, before they are taken to be stuck in join(). One that is merely exiting takes
# milliseconds; this wait is spent only when a dead producer did strand items.
JOIN_PATIENCE = 1.0


def producer(
    channel: JoinableQueue[Message], producer_id: int, base: int, mode: str, fault: Fault | None = None
) -> None:
    put_producer(channel, producer_id, base, mode, fault)
    channel.join()  # wait until the consumer has called task_done() for every item


def unfinished_tasks(channel: Any) -> int:
    """How many items were put and not yet marked done (the count ``join()`` waits on)."""
    count = channel._unfinished_tasks
    try:
        return int(count.get_value())
    except NotImplementedError:  # macOS has no sem_getvalue: count by taking each and giving back
        taken = 0
        while count.acquire(False):
            taken += 1
        for _ in range(taken):
            count.release()
        return taken


def raise_if_stranded(channel: Any, group: ProcessGroup, deadline: Deadline,
                      observation: Observation, procs: int) -> None:
    """Raise ChannelBroken if a dead producer left items counted that keep producers waiting."""
    silent = sorted(set(range(procs)) - {sender for sender, _ in observation.sentinels})
    if not silent:
        return
    stranded = unfinished_tasks(channel)
    if not stranded:
        return
    # A producer whose join() returned before the dead one's puts were counted is only exiting;
    # one still here after the patience is waiting in join() for good.
    give_up = time.monotonic() + min(JOIN_PATIENCE, deadline.remaining())
    for process in group.alive():
        process.join(max(0.0, give_up - time.monotonic()))
    waiting = ", ".join(p.name for p in group.alive())
    if waiting:
        raise ChannelBroken(
            f"{ended_how(group, silent)} put {stranded} item(s) that were never written: the "
            f"JoinableQueue counts them unfinished forever, so join() can never return in "
            f"{waiting}"
        )


def execute(
    workload: WorkSpec,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    channel = ctx.JoinableQueue()
    watch = WriteLockWatch(channel, group)
    get = watch.watching(getter(channel))

    def receive(timeout: float) -> Message | None:
        message = get(timeout)
        if message is not None:
            channel.task_done()
        return message

    try:
        for index in range(workload.procs):
            args = (channel, index, workload.base, workload.mode, workload.fault)
            group.start(producer, args, role=producer_role(index))
        collect(receive, workload.procs, group, deadline, observation, diagnose=watch)
        raise_if_stranded(channel, group, deadline, observation, workload.procs)
        group.join(deadline)
        drain_leftovers(receive, observation)
    finally:
        channel.close()
        channel.join_thread()
