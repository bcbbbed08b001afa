"""The contract between a sharing method and the runner: what a method is given, what it records.

A *method* (ipccheck's reference implementations in ``methods/``, or a user's object wrapped by
the conformance kit) is anything with a ``FAMILY`` and an ``execute`` that matches ``Method``.
It is handed a ``WorkSpec`` (what to run), a start-method context, a ``ProcessGroup`` to start
its children through, a ``Deadline``, and an ``Observation`` to fill in as things arrive.

Message-passing methods speak one wire protocol: every message is a pair ``(producer, n)``.
In stream mode ``n`` is the item's sequence number ``0..base-1``; in summary mode it is the
producer's subtotal. ``n == END`` is the sentinel: "this producer has sent everything".

A pool method hands a pool ``procs × base`` tasks; task ``i`` returns ``divmod(i, base)``, the
same ``(producer, n)`` pair item ``n`` of producer ``i // base`` would be in a stream, and the
caller records each result in ``received`` as it gets it. What the caller got instead of a
result (an exception) goes in ``failed``; a task the pool will never report goes in ``lost``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from multiprocessing.context import BaseContext
from typing import Protocol

from .faults import Fault
from .processes import Child, Deadline, ProcessGroup, Role

STATE = "state"  # workers change shared memory; the parent reads the final state
CHANNEL = "channel"  # producers send messages; the parent consumes them
POOL = "pool"  # a pool's workers run tasks; the parent collects each task's result
FAMILIES: tuple[str, ...] = (STATE, CHANNEL, POOL)

END = -1
Message = tuple[int, int]

# The roles of a run's children: producers send messages, workers change shared state.
PRODUCER = "producer"
WORKER = "worker"
POOL_WORKER = "pool-worker"  # started by a pool, not by the run's ProcessGroup


def producer_role(index: int) -> Role:
    """The role of producer ``index`` (its process is named ``producer-<index>``)."""
    return Role(PRODUCER, index)


def worker_role(index: int) -> Role:
    """The role of worker ``index`` (its process is named ``worker-<index>``)."""
    return Role(WORKER, index)


def pool_worker_role(index: int) -> Role:
    """The role of the ``index``-th worker a pool started (in the order the parent saw them)."""
    return Role(POOL_WORKER, index)


@dataclass
class Observation:
    """What a method saw while it ran; filled in as it goes, so a timeout keeps what arrived."""

    received: list[Message] = field(default_factory=list)
    sentinels: list[tuple[int, int]] = field(default_factory=list)
    state_total: int | None = None
    slots: list[int] | None = None
    shm_names: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    # Pools only. (task, "ExceptionType: message") for each call that reached the caller as an
    # exception; task is None when the caller cannot tell which task it was (Pool.map raises
    # once for the whole call). (task, how) for each task the pool will never report.
    failed: list[tuple[int | None, str]] = field(default_factory=list)
    lost: list[tuple[int, str]] = field(default_factory=list)
    # Processes a library started on the method's behalf (a pool's workers), as they ended.
    children: list[Child] = field(default_factory=list)


class ChannelBroken(Exception):
    """The channel itself broke when a producer died: a finding, reported instead of a hang.

    Raised by a method that recognises a failure its primitive documents (a ``Queue``'s write
    lock held by a dead process, a ``JoinableQueue`` counting items that will never come); the
    runner records the message in ``Outcome.broken`` and stops the producers left waiting.
    """


class WorkSpec(Protocol):
    """What a method reads from the Workload it runs (``ipccheck.workload.Workload`` has it all)."""

    @property
    def method(self) -> str: ...
    @property
    def procs(self) -> int: ...
    @property
    def base(self) -> int: ...
    @property
    def start_method(self) -> str: ...
    @property
    def mode(self) -> str: ...
    @property
    def timeout(self) -> float: ...
    @property
    def fault(self) -> Fault | None: ...
    @property
    def chunksize(self) -> int | None: ...
    @property
    def max_tasks_per_child(self) -> int | None: ...


class Method(Protocol):
    """Anything the runner can run: a family (STATE or CHANNEL) and an ``execute``.

    ``execute`` starts its children through ``group`` (never directly), never waits past
    ``deadline``, and writes what it saw into ``observation`` as it goes.
    """

    FAMILY: str

    def execute(
        self,
        workload: WorkSpec,
        ctx: BaseContext,
        group: ProcessGroup,
        deadline: Deadline,
        observation: Observation,
    ) -> None: ...


class ReferenceMethod(Method, Protocol):
    """One of ipccheck's own methods: also a ``NAME`` for the command and a one-line DESCRIPTION."""

    NAME: str
    DESCRIPTION: str
