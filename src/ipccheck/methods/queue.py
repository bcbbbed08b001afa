"""``queue``: producers ``put`` into one ``multiprocessing.Queue``; the parent ``get``s.

A Queue's ``put`` hands the item to a feeder thread, and a producer does not exit until that
thread has written everything into the pipe. So the parent must drain before it joins
(the multiprocessing docs' "joining processes that use queues"), and close the queue after.
A producer killed while its feeder holds the queue's write lock breaks the queue for every
other producer; ``queue_watch.WriteLockWatch`` reports that instead of waiting out the deadline.
"""

from __future__ import annotations

from multiprocessing.context import BaseContext

from ..channel import collect, drain_leftovers, getter, put_producer
from ..processes import Deadline, ProcessGroup
from ..protocol import CHANNEL, Observation, WorkSpec, producer_role
from ..queue_watch import WriteLockWatch

NAME = "queue"
FAMILY = CHANNEL
DESCRIPTION = "producers put into one multiprocessing.Queue, the parent drains before joining"


def execute(
    workload: WorkSpec,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    channel = ctx.Queue()
    try:
        for index in range(workload.procs):
            args = (channel, index, workload.base, workload.mode, workload.fault)
            group.start(put_producer, args, role=producer_role(index))
        watch = WriteLockWatch(channel, group)
        receive = watch.watching(getter(channel))
        collect(receive, workload.procs, group, deadline, observation, diagnose=watch)
        group.join(deadline)
        drain_leftovers(receive, observation)
    finally:
        channel.close()
        channel.join_thread()
