"""``shareable-list``: a ``ShareableList`` of ints, one item per worker.

A ShareableList is a SharedMemory segment with a fixed layout; its items can be changed in
place but not appended. The parent creates and unlinks it; workers attach by name and close.
"""

from __future__ import annotations

from multiprocessing.context import BaseContext
from multiprocessing.shared_memory import ShareableList

from ..outcome import STATE, Observation
from ..processes import Deadline, ProcessGroup
from ..workload import Workload

NAME = "shareable-list"
FAMILY = STATE
DESCRIPTION = "a ShareableList of ints, one item per worker, unlinked by the parent"


def worker(list_name: str, index: int, base: int) -> None:
    slots = ShareableList(name=list_name)
    try:
        for _ in range(base):
            slots[index] += 1  # only this worker writes item ``index``
    finally:
        slots.shm.close()


def execute(
    workload: Workload,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    slots = ShareableList([0] * workload.procs)
    observation.shm_names.append(slots.shm.name)
    try:
        for index in range(workload.procs):
            group.start(worker, (slots.shm.name, index, workload.base), name=f"worker-{index}")
        group.join(deadline)
        observation.slots = list(slots)
        observation.state_total = sum(observation.slots)
    finally:
        slots.shm.close()
        slots.shm.unlink()
