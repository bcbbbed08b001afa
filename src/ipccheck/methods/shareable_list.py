"""``shareable-list``: a ``ShareableList`` of ints, one item per worker.

A ShareableList is a SharedMemory segment with a fixed layout; its items can be changed in
place but not appended. The parent creates and unlinks it; workers attach by name and close.
"""

from __future__ import annotations

from multiprocessing.context import BaseContext
from multiprocessing.shared_memory import ShareableList

from ..faults import Fault, strike
from ..processes import Deadline, ProcessGroup
from ..protocol import STATE, Observation, WorkSpec, worker_role

NAME = "shareable-list"
FAMILY = STATE
DESCRIPTION = "a ShareableList of ints, one item per worker, unlinked by the parent"


def worker(list_name: str, index: int, base: int, fault: Fault | None = None) -> None:
    slots: ShareableList[int] = ShareableList(name=list_name)
    try:
        for done in range(base):
            strike(fault, index, done)  # a fault strikes between increments
            slots[index] += 1  # only this worker writes item ``index``
        strike(fault, index, base)
    finally:
        slots.shm.close()


def execute(
    workload: WorkSpec,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    slots = ShareableList([0] * workload.procs)
    observation.shm_names.append(slots.shm.name)
    try:
        for index in range(workload.procs):
            args = (slots.shm.name, index, workload.base, workload.fault)
            group.start(worker, args, role=worker_role(index))
        group.join(deadline)
        observation.slots = [slots[index] for index in range(workload.procs)]
        observation.state_total = sum(observation.slots)
    finally:
        slots.shm.close()
        slots.shm.unlink()
