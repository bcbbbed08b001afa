"""The pools: ``Pool.map`` and ``ProcessPoolExecutor.map`` at each chunksize, in tasks per second.

A pool moves every task's argument to a worker and its result back, through pipes and queues
underneath, so its rate is measured against the same raw ``os.pipe`` limit as every channel.
The chunksize is what a user can change: a chunk of tasks travels as one message each way, so a
bigger chunk pays the fixed cost of a message (pickling, locking, a wake-up) once per chunk.

Each task returns its argument, a payload of the run's smallest size, so data moves both ways.
The pool is started and warmed with one small map before the clock starts (both pools start a
worker for each task they cannot hand to an idle one), so start-up stays out of the figure.
Every wait is bounded by the row's deadline; a pool that did not finish is terminated (or its
executor shut down with its pending tasks cancelled) and the row becomes a note.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.context import BaseContext

from ..processes import Deadline
from .transfer import payload

WORKERS = 2  # the machines this runs on in CI have two cores
CHUNKSIZES = (1, 16, 256)
# Tasks per run relative to ``--messages``: a task is a round trip, at chunksize 1 a slow one.
COUNT_SCALE = 0.25
WARM_TASKS = 4 * WORKERS  # enough to start every worker: each task finding none idle starts one

# run(ctx, chunksize, size, count, deadline) -> seconds for ``count`` tasks
PoolRunner = Callable[[BaseContext, int, int, int, Deadline], float]


def echo(item: bytes) -> bytes:
    """The task: return the argument, so a payload crosses each way (module level, for spawn)."""
    return item


def expect_all(name: str, got: list[bytes], count: int, size: int) -> None:
    if len(got) != count or any(len(item) != size for item in got):
        raise RuntimeError(f"{name} returned {len(got)} results, expected {count} of {size} bytes")


def run_pool_map(ctx: BaseContext, chunksize: int, size: int, count: int, deadline: Deadline) -> float:
    """``Pool.map`` (as ``map_async(...).get(timeout)``, never a bare wait) of ``count`` echoes."""
    items = [payload(size)] * count
    with ctx.Pool(WORKERS) as pool:  # leaving the block on an error terminates the pool
        pool.map_async(echo, [b""] * WARM_TASKS, 1).get(timeout=deadline.remaining())
        started = time.perf_counter()
        got = pool.map_async(echo, items, chunksize).get(timeout=deadline.remaining())
        seconds = time.perf_counter() - started
        pool.close()  # every result is in: the workers exit on their own
        pool.join()
    expect_all("Pool.map", got, count, size)
    return seconds


def run_executor_map(
    ctx: BaseContext, chunksize: int, size: int, count: int, deadline: Deadline
) -> float:
    """``ProcessPoolExecutor.map`` with a timeout of ``count`` echoes."""
    items = [payload(size)] * count
    executor = ProcessPoolExecutor(WORKERS, mp_context=ctx)
    try:
        list(executor.map(echo, [b""] * WARM_TASKS, timeout=deadline.remaining()))
        started = time.perf_counter()
        got = list(executor.map(echo, items, timeout=deadline.remaining(), chunksize=chunksize))
        seconds = time.perf_counter() - started
    finally:
        executor.shutdown(wait=True, cancel_futures=True)  # an echo never runs for long
    expect_all("Executor.map", got, count, size)
    return seconds


@dataclass(frozen=True)
class PoolBench:
    """One pool's map, timed at each chunksize."""

    name: str
    description: str
    run: PoolRunner


POOLS: tuple[PoolBench, ...] = (
    PoolBench("pool-map", f"multiprocessing.Pool.map, {WORKERS} workers", run_pool_map),
    PoolBench("executor-map", f"concurrent.futures.ProcessPoolExecutor.map, {WORKERS} workers",
              run_executor_map),
)
POOL_NAMES = tuple(pool.name for pool in POOLS)
