"""What the two pool methods share besides their task (``pool_tasks``): the call styles and
what each promises, the options both take, chunks, and the record of a pool's workers that
names a task a ``multiprocessing.Pool`` lost with its worker.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import Protocol

from .._validate import MAX_BASE, require_count
from ..faults import TASK_FAULT_KINDS
from ..processes import Child, exit_description
from ..protocol import ReferenceMethod, WorkSpec, pool_worker_role

# What a call does once one of its tasks failed (raised, or its result could not be sent):
WHOLE_CALL = "whole-call"  # the call raises that exception once and returns no result at all
CONTINUES = "continues"  # the exception takes that task's place; every other result still comes
STOPS = "stops"  # the results before it, then the exception; the iterator ends there

# How much of an exception's text a report keeps (MaybeEncodingError quotes a whole chunk).
DESCRIBE_CHARS = 240


@dataclass(frozen=True)
class CallStyle:
    """One way to hand a pool its tasks (a mode of a pool method), and what it promises."""

    name: str
    call: str  # the call, as a reader would write it
    ordered: bool  # results reach the caller in input order
    on_failure: str  # WHOLE_CALL, CONTINUES or STOPS
    chunked: bool  # takes a chunksize: the pool sends tasks, and returns results, in chunks
    names_task: bool  # the caller can tell which task an exception belongs to


class PoolMethod(ReferenceMethod, Protocol):
    """A reference method that runs its tasks in a pool: its call styles are its modes."""

    STYLES: dict[str, CallStyle]
    MODES: tuple[str, ...]  # the style names, the default first
    # What the caller gets for a result that cannot be pickled.
    UNPICKLABLE_ERROR: str
    # True: a worker's death breaks the whole pool (every pending call fails);
    # False: the pool replaces the worker and never reports the task it was running.
    BREAKS_WHEN_A_WORKER_DIES: bool

    def require_options(self, workload: WorkSpec) -> None:
        """Refuse, with a one-line ValueError or TypeError, options this pool cannot run."""
        ...

    def chunksize(self, workload: WorkSpec) -> int:
        """How many tasks the run's call sends (and gets answered) together."""
        ...


def describe(error: BaseException) -> str:
    """``ExceptionType: message``: what a report says the caller got.

    A long message keeps its start and its end, where MaybeEncodingError gives the reason.
    """
    text = f"{type(error).__name__}: {error}"
    if len(text) <= DESCRIBE_CHARS:
        return text
    half = (DESCRIBE_CHARS - 5) // 2
    return f"{text[:half]} ... {text[-half:]}"


def default_chunksize(tasks: int, procs: int) -> int:
    """The chunksize ``Pool.map`` picks when given none: about four chunks per worker."""
    chunksize, extra = divmod(tasks, procs * 4)
    return max(1, chunksize + bool(extra))


def chunk_of(number: int, chunksize: int, tasks: int) -> range:
    """The tasks sent (and answered) together with task ``number``."""
    start = number - number % chunksize
    return range(start, min(start + chunksize, tasks))


def deliverable(style: CallStyle, lost: Iterable[int], tasks: int) -> int:
    """How many results (or exceptions) a call can still give once ``lost`` tasks never return."""
    gone = sorted(set(lost))
    if not gone:
        return tasks
    if style.on_failure == WHOLE_CALL:
        return 0  # the call waits for every chunk, so it never returns
    if style.ordered:
        return gone[0]  # everything before the first lost task; the rest waits behind it
    return tasks - len(gone)


def require_pool_options(workload: WorkSpec, styles: dict[str, CallStyle]) -> None:
    """The checks both pools share: a chunksize only where the style takes one, counts in range,
    and a fault that names a task that exists."""
    style = styles[workload.mode]
    if workload.chunksize is not None:
        require_count("chunksize", workload.chunksize, minimum=1, maximum=MAX_BASE)
        if not style.chunked:
            takers = ", ".join(name for name, each in styles.items() if each.chunked)
            raise ValueError(f"{workload.method} {style.name} takes no chunksize (only {takers} do)")
    if workload.max_tasks_per_child is not None:
        require_count("max_tasks_per_child", workload.max_tasks_per_child, minimum=1,
                      maximum=MAX_BASE)
    fault = workload.fault
    if fault is not None and fault.after >= workload.base:
        raise ValueError(f"fault {fault} names task {fault.victim}@{fault.after}, which does not "
                         f"exist: each block has tasks 0..{workload.base - 1}")


def refuse_pool_options(workload: WorkSpec) -> None:
    """What a method that is not a pool must refuse: the pools' own options and fault kinds."""
    if workload.chunksize is not None or workload.max_tasks_per_child is not None:
        raise ValueError(f"chunksize and max_tasks_per_child apply to pool methods only, "
                         f"not {workload.method}")
    if workload.fault is not None and workload.fault.kind in TASK_FAULT_KINDS:
        raise ValueError(f"fault kind {workload.fault.kind!r} applies to pool methods only, "
                         f"not {workload.method}")


class Workers:
    """Every worker of a pool the parent has seen, in the order it first saw them.

    A pool keeps its workers to itself (``Pool._pool``, ``ProcessPoolExecutor._processes``):
    ``look`` is handed that list as it is now, and keeps each process so its exit code can be
    read once the pool is stopped. A worker that started and retired between two looks is missed.
    """

    def __init__(self) -> None:
        self.seen: dict[int, BaseProcess] = {}  # pid -> process

    def look(self, processes: Iterable[BaseProcess]) -> None:
        for process in list(processes):
            if process.pid is not None:
                self.seen.setdefault(process.pid, process)

    def alive(self) -> list[BaseProcess]:
        return [process for process in self.seen.values() if process.is_alive()]

    def name(self, pid: int) -> str:
        """``pool-worker-1, pid 4242, killed by SIGKILL``: who, and how it ended."""
        for index, (known, process) in enumerate(self.seen.items()):
            if known == pid:
                return f"{pool_worker_role(index)}, pid {pid}, {exit_description(process.exitcode)}"
        return f"pid {pid}, a worker that ended before ipccheck saw it"

    def children(self) -> list[Child]:
        return [Child(pool_worker_role(index), process.exitcode)
                for index, process in enumerate(self.seen.values())]


def lost_set(dead: dict[int, int], chunksize: int, tasks: int) -> set[int]:
    """Every task that will never return: each one that died with its worker, and its chunk."""
    return {other for number in dead for other in chunk_of(number, chunksize, tasks)}


def lost_tasks(dead: dict[int, int], chunksize: int, tasks: int, workers: Workers) -> list[tuple[int, str]]:
    """Each task that died with its worker, then the rest of its chunk: why each never returns."""
    lost: dict[int, str] = {}
    for number, pid in sorted(dead.items()):
        lost[number] = (f"its worker died while running it ({workers.name(pid)}); the pool "
                        "replaced the worker and never reported the task")
    for number, pid in sorted(dead.items()):
        for other in chunk_of(number, chunksize, tasks):
            lost.setdefault(other, f"sent in one chunk with task {number}, whose worker died "
                                   f"while running it ({workers.name(pid)}); the pool never "
                                   "reports that chunk")
    return list(lost.items())
