"""``value``: one shared ``Value`` counter, every increment inside ``get_lock()``.

``counter.value += 1`` is a read followed by a write; without the lock two workers can read
the same number and one increment is lost. The lock makes read-and-write one step.
"""

from __future__ import annotations

from multiprocessing.context import BaseContext
from multiprocessing.sharedctypes import Synchronized

from ..faults import Fault, strike
from ..processes import Deadline, ProcessGroup
from ..protocol import STATE, Observation, WorkSpec, worker_role

NAME = "value"
FAMILY = STATE
DESCRIPTION = "a shared Value counter, each += 1 inside get_lock()"


def worker(counter: Synchronized[int], index: int, base: int, fault: Fault | None = None) -> None:
    for done in range(base):
        strike(fault, index, done)  # a fault strikes between increments, never inside the lock
        with counter.get_lock():
            counter.value += 1
    strike(fault, index, base)


def execute(
    workload: WorkSpec,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    counter = ctx.Value("q", 0)  # 'q': 64-bit, so large totals do not wrap as 'i' would at 2**31
    for index in range(workload.procs):
        args = (counter, index, workload.base, workload.fault)
        group.start(worker, args, role=worker_role(index))
    group.join(deadline)
    observation.state_total = counter.value
