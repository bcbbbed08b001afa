"""Deliberately broken pool methods: each breaks exactly one promise a pool run must keep.

Do not copy these. Each is a plausible mistake around a correct ``multiprocessing.Pool``; the
runner runs it in place of the ``pool`` method, so the test shows the checks catch it. Only the
parent runs this module: the workers run ``ipccheck.methods.pooling``'s task, which spawn and
forkserver children import from the package.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from multiprocessing.pool import Pool
from typing import Any

from ipccheck.methods.pool import pool_workers
from ipccheck.methods.pool_tasks import TaskProgress, as_message, block_task, start_worker
from ipccheck.methods.pooling import Workers
from ipccheck.methods.pooling import describe as describe_error
from ipccheck.processes import Deadline, DeadlineExceeded, ProcessGroup
from ipccheck.protocol import POOL, Observation, WorkSpec

# Pools that LeakingPool left running, so a test can stop them once it has seen the report.
LEAKED: list[Pool] = []


def make_pool(ctx: BaseContext, workload: WorkSpec) -> tuple[Pool, Workers]:
    progress = TaskProgress(ctx, workload.procs * workload.base)
    pool = ctx.Pool(workload.procs, start_worker, (progress.slots, workload.fault, workload.base))
    workers = Workers()
    workers.look(pool_workers(pool))
    return pool, workers


@contextmanager
def closed_pool(ctx: BaseContext, workload: WorkSpec, observation: Observation) -> Iterator[Pool]:
    """A pool ended correctly (close and join), its workers recorded: the rest is the bug."""
    pool, workers = make_pool(ctx, workload)
    finished = False
    try:
        yield pool
        finished = True
    finally:
        workers.look(pool_workers(pool))
        if finished:
            pool.close()
        else:
            pool.terminate()
        pool.join()
        observation.children = workers.children()


def mapped(pool: Pool, workload: WorkSpec, deadline: Deadline) -> list[Any]:
    return pool.map_async(as_message, range(workload.procs * workload.base)).get(
        deadline.remaining())


class BrokenPool:
    FAMILY = POOL

    def execute(self, workload: WorkSpec, ctx: BaseContext, group: ProcessGroup,
                deadline: Deadline, observation: Observation) -> None:
        raise NotImplementedError


class OutOfOrderPool(BrokenPool):
    """Sorts map's results by the wrong key (item, then block), so the blocks interleave."""

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        with closed_pool(ctx, workload, observation) as pool:
            results = mapped(pool, workload, deadline)
            observation.received.extend(sorted(results, key=lambda pair: (pair[1], pair[0])))


class DuplicatingPool(BrokenPool):
    """Records the first result twice, as a retry after a lost acknowledgement would."""

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        with closed_pool(ctx, workload, observation) as pool:
            results = mapped(pool, workload, deadline)
            observation.received.extend(results[:1] + results)


class DroppingPool(BrokenPool):
    """Keeps every result but the last, as an off-by-one slice would."""

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        with closed_pool(ctx, workload, observation) as pool:
            observation.received.extend(mapped(pool, workload, deadline)[:-1])


class StarmapFunctionPool(BrokenPool):
    """Passes map the two-argument function written for starmap: every task raises TypeError."""

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        with closed_pool(ctx, workload, observation) as pool:
            call = pool.map_async(block_task, range(workload.procs * workload.base))
            try:
                observation.received.extend(call.get(deadline.remaining()))
            except TypeError as error:
                observation.failed.append((None, describe_error(error)))


class ExitingTaskPool(BrokenPool):
    """Ends one call with ``sys.exit(3)``, as if that stopped only the task: it ends the worker,
    whose exit code the run must report (and the Pool never answers that call)."""

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        pool, workers = make_pool(ctx, workload)
        try:
            observation.received.extend(mapped(pool, workload, deadline))
            pool.apply_async(sys.exit, (3,))
            while not any(p.exitcode == 3 for p in workers.seen.values()):
                deadline.check("waiting for the worker that ran sys.exit(3) to end")
                time.sleep(0.01)
        finally:
            pool.terminate()  # close() and join() would wait for the call that never ends
            pool.join()
            observation.children = workers.children()


class LeakingPool(BrokenPool):
    """Never closes its pool (it is kept in a module-level list, as a global cache would)."""

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        pool, workers = make_pool(ctx, workload)
        LEAKED.append(pool)
        observation.received.extend(mapped(pool, workload, deadline))
        observation.children = workers.children()


class StopAtFirstErrorImap(BrokenPool):
    """Iterates ``imap`` with a ``for`` loop inside one ``try``: the first exception ends it,
    though ``Pool.imap`` would have gone on to give every later result."""

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        with closed_pool(ctx, workload, observation) as pool:
            try:
                for result in pool.imap(as_message, range(workload.procs * workload.base)):
                    observation.received.append(result)
            except Exception as error:
                observation.failed.append((len(observation.received), describe_error(error)))


class UnwatchedPool(BrokenPool):
    """Waits with a timeout but never looks for a worker that died: a lost task costs it the
    whole deadline."""

    def execute(self, workload, ctx, group, deadline, observation):  # type: ignore[no-untyped-def]
        pool, workers = make_pool(ctx, workload)
        try:
            try:
                observation.received.extend(mapped(pool, workload, deadline))
            except multiprocessing.TimeoutError:
                raise DeadlineExceeded(f"deadline of {deadline.seconds:g} s passed") from None
        finally:
            workers.look(pool_workers(pool))
            pool.terminate()
            pool.join()
            observation.children = workers.children()
