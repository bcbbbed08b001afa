"""``array``: a synchronized ``Array`` whose cells every worker updates, under the array's lock.

Worker ``i`` spreads its increments over all cells (``(i + k) % procs``), so workers really do
collide on the same cells and the lock is what keeps each ``+= 1`` whole.
"""

from __future__ import annotations

from multiprocessing.context import BaseContext
from multiprocessing.sharedctypes import SynchronizedArray

from ..faults import Fault, strike
from ..processes import Deadline, ProcessGroup
from ..protocol import STATE, Observation, WorkSpec, worker_role

NAME = "array"
FAMILY = STATE
DESCRIPTION = "a synchronized Array, cells shared by all workers, each += 1 inside get_lock()"


def worker(cells: SynchronizedArray[int], index: int, base: int, fault: Fault | None = None) -> None:
    size = len(cells)
    for k in range(base):
        strike(fault, index, k)  # a fault strikes between increments, never inside the lock
        with cells.get_lock():
            cells[(index + k) % size] += 1
    strike(fault, index, base)


def execute(
    workload: WorkSpec,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    cells = ctx.Array("q", workload.procs)
    for index in range(workload.procs):
        args = (cells, index, workload.base, workload.fault)
        group.start(worker, args, role=worker_role(index))
    group.join(deadline)
    with cells.get_lock():
        observation.state_total = sum(cells[:])
