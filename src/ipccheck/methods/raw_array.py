"""``raw-array``: a lock-free ``RawArray`` with one slot per worker.

No lock is needed because no two workers ever touch the same slot; the parent adds the slots
up after every worker has exited. Sharing nothing is the fastest way to share.
"""

from __future__ import annotations

from multiprocessing.context import BaseContext
from typing import Any

from ..faults import Fault, strike
from ..processes import Deadline, ProcessGroup
from ..protocol import STATE, Observation, WorkSpec, worker_role

NAME = "raw-array"
FAMILY = STATE
DESCRIPTION = "a RawArray with one slot per worker: no lock, because nothing is shared"


def worker(slots: Any, index: int, base: int, fault: Fault | None = None) -> None:
    for done in range(base):
        strike(fault, index, done)  # a fault strikes between increments
        slots[index] += 1  # only this worker writes slots[index]
    strike(fault, index, base)


def execute(
    workload: WorkSpec,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    slots = ctx.RawArray("q", workload.procs)
    for index in range(workload.procs):
        args = (slots, index, workload.base, workload.fault)
        group.start(worker, args, role=worker_role(index))
    group.join(deadline)
    observation.slots = list(slots)
    observation.state_total = sum(observation.slots)
