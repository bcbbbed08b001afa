"""``manager-queue``: a queue living in a manager process, reached through proxies.

Every ``put`` and ``get`` is a round trip to the manager process, which makes it an order of
magnitude slower than a ``Queue``, but its proxy can be passed anywhere, even to a Pool.
"""

from __future__ import annotations

from multiprocessing.context import BaseContext

from ..channel import collect, drain_leftovers, getter, put_producer
from ..interrupts import running_manager
from ..processes import Deadline, ProcessGroup
from ..protocol import CHANNEL, Observation, WorkSpec, producer_role

NAME = "manager-queue"
FAMILY = CHANNEL
DESCRIPTION = "a Manager().Queue() proxy: every put and get is a round trip to the manager"


def execute(
    workload: WorkSpec,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    with running_manager(ctx.Manager) as manager:  # leaving the block shuts the manager down
        channel = manager.Queue()
        try:
            for index in range(workload.procs):
                args = (channel, index, workload.base, workload.mode, workload.fault)
                group.start(put_producer, args, role=producer_role(index))
            receive = getter(channel)
            collect(receive, workload.procs, group, deadline, observation)
            group.join(deadline)
            drain_leftovers(receive, observation)
        finally:
            group.stop()  # stop the workers before the manager they talk to goes away
