"""``process-pool``: a ``concurrent.futures.ProcessPoolExecutor(mp_context=ctx)``, shut down on
every path.

The mode is the call style: ``submit`` (one future per task, gathered with ``as_completed``)
or ``map`` (``Executor.map``, which takes a chunksize). ``max_tasks_per_child`` (Python 3.11+)
retires workers.

The executor watches its workers itself: when one dies, it fails every pending future with
``BrokenProcessPool`` at once and the pool can run nothing more. Every wait passes the run's
deadline as its ``timeout``. On a healthy run ``shutdown()`` lets the workers finish and exit;
past the deadline the workers are killed first, since ``shutdown`` would wait for a running task.

Before Python 3.12 a dying worker can crash the executor's own manager thread (CPython
gh-107219): ``map`` cancels its pending futures while that thread is failing them, the thread
dies of ``InvalidStateError`` before it stops the other workers, and ``shutdown()`` returns with
them still running. ``stop`` kills and reaps whatever worker outlives ``shutdown()``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any

from ..interrupts import sigint_deferred
from ..processes import Deadline, DeadlineExceeded, ProcessGroup, describe
from ..protocol import POOL, Message, Observation, WorkSpec
from .pool_tasks import TaskProgress, as_message, start_worker
from .pooling import CONTINUES, STOPS, CallStyle, Workers, require_pool_options
from .pooling import describe as describe_error

NAME = "process-pool"
FAMILY = POOL
DESCRIPTION = "a concurrent.futures.ProcessPoolExecutor: every wait timed, shut down on every path"
STYLES: dict[str, CallStyle] = {
    style.name: style
    for style in (
        CallStyle("submit", "as_completed([executor.submit(task, n) for n in tasks])",
                  ordered=False, on_failure=CONTINUES, chunked=False, names_task=True),
        CallStyle("map", "executor.map(task, tasks, timeout=..., chunksize=...)", ordered=True,
                  on_failure=STOPS, chunked=True, names_task=True),
    )
}
MODES = tuple(STYLES)
UNPICKLABLE_ERROR = "TypeError"  # the pickling error itself, raised again in the caller
BREAKS_WHEN_A_WORKER_DIES = True
# ``max_tasks_per_child`` is new in Python 3.11.
HAS_MAX_TASKS_PER_CHILD = sys.version_info >= (3, 11)
# Before 3.12 ``map`` on a pool whose worker dies can crash the manager thread (gh-107219).
MAP_CAN_CRASH_THE_EXECUTOR = sys.version_info < (3, 12)


def require_options(workload: WorkSpec) -> None:
    require_pool_options(workload, STYLES)
    if workload.max_tasks_per_child is None:
        return
    if not HAS_MAX_TASKS_PER_CHILD:
        raise ValueError("max_tasks_per_child needs Python 3.11 or later (ProcessPoolExecutor)")
    if workload.start_method == "fork":
        raise ValueError("ProcessPoolExecutor refuses max_tasks_per_child with the fork start "
                         "method; use spawn or forkserver")
    if workload.max_tasks_per_child > 1:
        raise ValueError("max_tasks_per_child above 1 deadlocks ProcessPoolExecutor once a worker "
                         "retires (CPython gh-115634); use 1")


def chunksize(workload: WorkSpec) -> int:
    """The chunksize the run's call uses (1 for ``submit``, and ``map``'s default)."""
    return (workload.chunksize or 1) if STYLES[workload.mode].chunked else 1


def executor_workers(executor: ProcessPoolExecutor) -> list[Any]:
    """The executor's current workers: it keeps them in a private dict (None once shut down)."""
    return list((getattr(executor, "_processes", None) or {}).values())


def record(observation: Observation, number: int, future: Future[Message]) -> None:
    error = future.exception()
    if error is None:
        observation.received.append(future.result())  # a Message: an Unpicklable never comes
    else:
        observation.failed.append((number, describe_error(error)))


def submit_all(executor: ProcessPoolExecutor, workload: WorkSpec, deadline: Deadline,
               observation: Observation, workers: Workers) -> None:
    tasks = workload.procs * workload.base
    futures: dict[Future[Message], int] = {}
    with sigint_deferred():  # submit() starts workers: Ctrl-C waits until each is recorded
        try:
            for number in range(tasks):
                futures[executor.submit(as_message, number)] = number
        except BrokenProcessPool as error:  # a worker died while tasks were still being submitted
            observation.failed += [(number, describe_error(error))
                                   for number in range(len(futures), tasks)]
    workers.look(executor_workers(executor))
    try:
        for future in as_completed(futures, timeout=deadline.remaining()):
            workers.look(executor_workers(executor))
            record(observation, futures[future], future)
    except FuturesTimeout:
        unfinished = sum(1 for future in futures if not future.done())
        raise DeadlineExceeded(f"deadline of {deadline.seconds:g} s passed with {unfinished} of "
                               f"{tasks} futures unfinished",
                               [describe(p) for p in workers.alive()]) from None


def map_all(executor: ProcessPoolExecutor, workload: WorkSpec, deadline: Deadline,
            observation: Observation, workers: Workers) -> None:
    tasks = workload.procs * workload.base
    try:
        with sigint_deferred():  # map() submits every chunk at once, starting the workers
            results = executor.map(as_message, range(tasks), timeout=deadline.remaining(),
                                   chunksize=chunksize(workload))
        workers.look(executor_workers(executor))
        for result in results:
            observation.received.append(result)
    except FuturesTimeout:
        raise DeadlineExceeded(f"deadline of {deadline.seconds:g} s passed with "
                               f"{len(observation.received)} of {tasks} results in",
                               [describe(p) for p in workers.alive()]) from None
    except Exception as error:  # the results before it came; the iterator ends here
        observation.failed.append((len(observation.received), describe_error(error)))


def stop(executor: ProcessPoolExecutor, workers: Workers, finished: bool) -> None:
    """Shut the executor down; unless every call finished, kill its workers first.

    ``shutdown`` waits for the tasks that are running; a killed worker makes the executor fail
    whatever is left and end at once.
    """
    if not finished:
        for process in workers.alive() + executor_workers(executor):
            process.kill()
    executor.shutdown(wait=True, cancel_futures=not finished)
    reap_survivors(workers.alive())


def reap_survivors(processes: Iterable[BaseProcess]) -> None:
    """Kill and join the workers that outlived ``shutdown()``.

    Before 3.12 ``map`` on a pool whose worker died can crash the executor's manager thread
    before it stops the other workers (gh-107219); ``shutdown()`` then returns with them still
    waiting for work, and interpreter exit waits for them forever (they are not daemons).
    """
    for process in processes:
        if process.is_alive():
            process.kill()
            process.join()


def execute(
    workload: WorkSpec,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    progress = TaskProgress(ctx, workload.procs * workload.base)
    initargs = (progress.slots, workload.fault, workload.base)
    if sys.version_info >= (3, 11):
        executor = ProcessPoolExecutor(workload.procs, mp_context=ctx, initializer=start_worker,
                                       initargs=initargs,
                                       max_tasks_per_child=workload.max_tasks_per_child)
    else:  # no max_tasks_per_child before 3.11 (Workload refuses one there)
        executor = ProcessPoolExecutor(workload.procs, mp_context=ctx, initializer=start_worker,
                                       initargs=initargs)
    workers = Workers()
    finished = False
    try:
        run = submit_all if workload.mode == "submit" else map_all
        run(executor, workload, deadline, observation, workers)
        finished = True
    finally:
        workers.look(executor_workers(executor))
        stop(executor, workers, finished)
        observation.children = workers.children()
