"""``manager``: a manager ``Value`` and ``dict``, changed only while holding a manager ``Lock``.

A manager's ``Value`` has no ``get_lock()`` and ignores ``lock=``: its ``+=`` is a remote
read then a remote write, and loses updates like any unlocked counter. A manager ``Lock``
makes the pair atomic. Each worker also records its own count in the dict.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from multiprocessing.context import BaseContext
from multiprocessing.managers import DictProxy, ValueProxy

from ..faults import Fault, strike
from ..interrupts import running_manager
from ..processes import Deadline, ProcessGroup
from ..protocol import STATE, Observation, WorkSpec, worker_role

NAME = "manager"
FAMILY = STATE
DESCRIPTION = "a manager Value and dict, each update inside a manager Lock"


def worker(
    total: ValueProxy[int],
    per_worker: DictProxy[int, int],
    lock: AbstractContextManager[object],
    index: int,
    base: int,
    fault: Fault | None = None,
) -> None:
    done = 0
    for _ in range(base):
        strike(fault, index, done)  # a fault strikes between increments, never inside the lock
        with lock:
            total.value += 1
        done += 1
    strike(fault, index, done)  # before the count is recorded: a victim's stays unrecorded
    per_worker[index] = done


def execute(
    workload: WorkSpec,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    with running_manager(ctx.Manager) as manager:  # leaving the block shuts the manager down
        total = manager.Value("q", 0)
        per_worker = manager.dict()
        lock = manager.Lock()
        try:
            for index in range(workload.procs):
                args = (total, per_worker, lock, index, workload.base, workload.fault)
                group.start(worker, args, role=worker_role(index))
            group.join(deadline)
            observation.state_total = total.value
            observation.slots = [per_worker.get(index, 0) for index in range(workload.procs)]
        finally:
            group.stop()  # stop the workers before the manager they talk to goes away
