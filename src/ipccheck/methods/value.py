"""``value``: one shared ``Value`` counter, every increment inside ``get_lock()``.

``counter.value += 1`` is a read followed by a write; without the lock two workers can read
the same number and one increment is lost. The lock makes read-and-write one step.
"""

from __future__ import annotations

from multiprocessing.context import BaseContext

from ..faults import strike
from ..outcome import STATE, Observation
from ..processes import Deadline, ProcessGroup
from ..workload import Workload

NAME = "value"
FAMILY = STATE
DESCRIPTION = "a shared Value counter, each += 1 inside get_lock()"


def worker(counter, index: int, base: int, fault=None) -> None:  # type: ignore[no-untyped-def]
    for done in range(base):
        strike(fault, index, done)  # a fault strikes between increments, never inside the lock
        with counter.get_lock():
            counter.value += 1
    strike(fault, index, base)


def execute(
    workload: Workload,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    counter = ctx.Value("q", 0)  # 'q': 64-bit, so large totals do not wrap as 'i' would at 2**31
    for index in range(workload.procs):
        args = (counter, index, workload.base, workload.fault)
        group.start(worker, args, name=f"worker-{index}")
    group.join(deadline)
    observation.state_total = counter.value
