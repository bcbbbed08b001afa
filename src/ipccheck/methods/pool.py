"""``pool``: a ``multiprocessing.Pool`` from the run's context, closed and joined on every path.

The mode is the call style: ``map`` (``map_async`` then ``get``, which is what ``Pool.map``
does), ``imap``, ``imap-unordered``, ``apply-async`` with a callback and an error callback, and
``starmap``. ``map`` and ``starmap`` take a chunksize; ``maxtasksperchild`` retires workers.

Two rules make it correct. Wait with a timeout, never with a bare ``get()``: when a worker dies
in the middle of a task, the Pool starts a new worker and never reports that task, so a bare
``get()`` waits forever (CPython issues #96062 and #78178). While waiting, this method looks
for a task whose worker died running it (``pool_tasks.TaskProgress``) and reports it as lost
instead of waiting out the deadline. And end the pool with ``close()`` then ``join()`` only
once every result is in; on any other path ``terminate()`` it (``join()`` after ``close()``
would wait for the lost task too). ``imap`` and ``imap-unordered`` take no chunksize here: with
one, ``Pool.imap`` returns a plain generator whose ``next()`` cannot time out.
"""

from __future__ import annotations

import multiprocessing
import threading
from functools import partial
from multiprocessing.context import BaseContext
from multiprocessing.pool import ApplyResult, Pool
from typing import Any

from ..channel import POLL_SECONDS  # the longest wait before looking again, as for channels
from ..interrupts import sigint_deferred
from ..processes import Deadline, DeadlineExceeded, ProcessGroup, describe
from ..protocol import POOL, Message, Observation, WorkSpec
from .pool_tasks import TaskProgress, as_message, block_task, start_worker
from .pooling import (
    CONTINUES,
    WHOLE_CALL,
    CallStyle,
    Workers,
    default_chunksize,
    deliverable,
    lost_set,
    lost_tasks,
    require_pool_options,
)
from .pooling import describe as describe_error

NAME = "pool"
FAMILY = POOL
DESCRIPTION = "a multiprocessing.Pool: results waited for with a timeout, closed and joined"
STYLES: dict[str, CallStyle] = {
    style.name: style
    for style in (
        CallStyle("map", "Pool.map_async(task, tasks, chunksize).get()", ordered=True,
                  on_failure=WHOLE_CALL, chunked=True, names_task=False),
        CallStyle("imap", "Pool.imap(task, tasks)", ordered=True, on_failure=CONTINUES,
                  chunked=False, names_task=True),
        CallStyle("imap-unordered", "Pool.imap_unordered(task, tasks)", ordered=False,
                  on_failure=CONTINUES, chunked=False, names_task=False),
        CallStyle("apply-async", "Pool.apply_async(task, (n,), callback, error_callback)",
                  ordered=False, on_failure=CONTINUES, chunked=False, names_task=True),
        CallStyle("starmap", "Pool.starmap_async(task, pairs, chunksize).get()", ordered=True,
                  on_failure=WHOLE_CALL, chunked=True, names_task=False),
    )
}
MODES = tuple(STYLES)
UNPICKLABLE_ERROR = "MaybeEncodingError"
# How long ``terminate`` lets Pool.terminate() work before it kills the workers still running.
TERMINATE_GRACE = 2.0
BREAKS_WHEN_A_WORKER_DIES = False


def require_options(workload: WorkSpec) -> None:
    require_pool_options(workload, STYLES)


def chunksize(workload: WorkSpec) -> int:
    """The chunksize the run's call uses (1 for the styles that take none)."""
    if not STYLES[workload.mode].chunked:
        return 1
    tasks = workload.procs * workload.base
    return workload.chunksize or default_chunksize(tasks, workload.procs)


class WholeCall:
    """``map`` and ``starmap``: one answer for the whole call, every result or one exception."""

    def __init__(self, pool: Pool, workload: WorkSpec, observation: Observation) -> None:
        self.observation = observation
        tasks = range(workload.procs * workload.base)
        self.result: ApplyResult[list[Message]]
        if workload.mode == "map":
            self.result = pool.map_async(as_message, tasks, chunksize(workload))
        else:
            pairs = [divmod(number, workload.base) for number in tasks]
            self.result = pool.starmap_async(block_task, pairs, chunksize(workload))

    def collect(self, timeout: float) -> bool:
        """Wait at most ``timeout``; True once the call has given everything it ever will."""
        self.result.wait(timeout)
        if not self.result.ready():
            return False
        try:
            self.observation.received.extend(self.result.get(0))
        except Exception as error:  # the call raised: one exception, no result at all
            self.observation.failed.append((None, describe_error(error)))
        return True


class Iterated:
    """``imap`` and ``imap-unordered``: one result (or one task's exception) per ``next()``."""

    def __init__(self, pool: Pool, workload: WorkSpec, observation: Observation) -> None:
        self.observation = observation
        self.ordered = workload.mode == "imap"
        imap = pool.imap if self.ordered else pool.imap_unordered
        self.iterator = imap(as_message, range(workload.procs * workload.base))

    def collect(self, timeout: float) -> bool:
        while True:
            position = len(self.observation.received) + len(self.observation.failed)
            try:
                self.observation.received.append(self.iterator.next(timeout))
            except StopIteration:
                return True
            except multiprocessing.TimeoutError:
                return False
            except Exception as error:  # that task's exception in its place; the rest still come
                self.observation.failed.append((position if self.ordered else None,
                                                describe_error(error)))
            timeout = 0.0  # take whatever else is ready, then go back to watching


class Callbacks:
    """``apply-async``: one call per task; its callback or error callback records the answer.

    The callbacks run in the pool's result-handler thread, one at a time.
    """

    def __init__(self, pool: Pool, workload: WorkSpec, observation: Observation) -> None:
        self.observation = observation
        self.left = workload.procs * workload.base
        self.all_done = threading.Event()
        if not self.left:
            self.all_done.set()
        for number in range(self.left):
            pool.apply_async(as_message, (number,), callback=self.arrived,
                             error_callback=partial(self.raised, number))

    def collect(self, timeout: float) -> bool:
        return self.all_done.wait(timeout)

    def arrived(self, result: Message) -> None:
        self.observation.received.append(result)
        self.one_done()

    def raised(self, number: int, error: BaseException) -> None:
        self.observation.failed.append((number, describe_error(error)))
        self.one_done()

    def one_done(self) -> None:
        self.left -= 1
        if not self.left:
            self.all_done.set()


CALLS: dict[str, type[WholeCall | Iterated | Callbacks]] = {
    "map": WholeCall, "starmap": WholeCall, "imap": Iterated, "imap-unordered": Iterated,
    "apply-async": Callbacks,
}


def pool_workers(pool: Pool) -> list[Any]:
    """The pool's current workers. The Pool keeps them in a private list and offers no other
    way to read how a worker ended."""
    return list(getattr(pool, "_pool", []))


def terminate(pool: Pool, grace: float = TERMINATE_GRACE) -> None:
    """``pool.terminate()``, with SIGKILL for any worker still running ``grace`` seconds in.

    ``terminate()`` sends each worker SIGTERM, then joins it with no timeout. A worker the
    pool's own thread forked just before (replacing a dead one) can lose that SIGTERM: if the
    parent has a Python handler for SIGTERM, as the ``ipccheck`` command has, the child inherits
    it, and CPython drops a signal caught in the child before it resets its signal state after
    fork(). That worker then waits forever for a task, and ``terminate()`` for it. SIGKILL
    cannot be caught, so it cannot be lost.
    """
    returned = threading.Event()

    def kill_stragglers() -> None:
        while not returned.wait(grace):
            for process in pool_workers(pool):
                process.kill()  # no-op for one already reaped; never waits

    watchdog = threading.Thread(target=kill_stragglers, name="ipccheck-pool-terminate",
                                daemon=True)
    watchdog.start()
    try:
        pool.terminate()
    finally:
        returned.set()
        watchdog.join()


def execute(
    workload: WorkSpec,
    ctx: BaseContext,
    group: ProcessGroup,
    deadline: Deadline,
    observation: Observation,
) -> None:
    tasks = workload.procs * workload.base
    style, size = STYLES[workload.mode], chunksize(workload)
    progress = TaskProgress(ctx, tasks)
    workers = Workers()
    dead: dict[int, int] = {}
    with sigint_deferred():  # Ctrl-C waits until the pool exists, so the finally below stops it
        pool = ctx.Pool(workload.procs, start_worker, (progress.slots, workload.fault, workload.base),
                        workload.max_tasks_per_child)
    finished = False
    try:
        workers.look(pool_workers(pool))
        calls = CALLS[workload.mode](pool, workload, observation)
        while not calls.collect(min(POLL_SECONDS, deadline.remaining())):
            workers.look(pool_workers(pool))
            dead.update(progress.died_running())
            delivered = len(observation.received) + len(observation.failed)
            if dead and delivered >= deliverable(style, lost_set(dead, size, tasks), tasks):
                return  # every answer that can still come has come; the rest never will
            if deadline.expired():
                alive = [describe(process) for process in workers.alive()]
                raise DeadlineExceeded(f"deadline of {deadline.seconds:g} s passed with "
                                       f"{delivered} of {tasks} answers in", alive)
        workers.look(pool_workers(pool))
        pool.close()  # every result is in: let the workers finish and exit on their own
        finished = True
    finally:
        if not finished:
            terminate(pool)  # a lost task would keep close() and join() waiting forever
        pool.join()
        observation.children = workers.children()
        observation.lost = lost_tasks(dead, size, tasks, workers)
