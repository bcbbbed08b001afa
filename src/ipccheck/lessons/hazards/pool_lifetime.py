"""A pool's workers: one that dies loses its task silently, and a pool left open is only warned of.

``multiprocessing.Pool`` replaces a worker that dies and never reports the task it was running,
so ``Pool.map`` waits forever (CPython issues #96062 and #78178); ``ProcessPoolExecutor``
notices the death and fails every pending future with ``BrokenProcessPool``. A pool that is
never closed is only noticed when it is garbage-collected, with a ``ResourceWarning``
(Python 3.8+); the ``with`` block alone is no cure, since ``Pool.__exit__`` calls
``terminate()``, which drops whatever was not waited for.

Neither depends on how the workers start (``per_start_method=False``). Every pool lives inside
``left_unchosen``: a pool starts workers from its own thread, any time until it is joined, and
a spawn start would fix the process-wide default. Every wait has a timeout; every pool is
terminated or closed, and joined, on every path.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from multiprocessing.context import BaseContext
from multiprocessing.pool import Pool
from typing import TypeVar

from ...default_context import left_unchosen
from ...methods.pool import terminate
from ...methods.pool_tasks import exists
from ...methods.process_pool import executor_workers, reap_survivors
from .hazard import HAZARD_TIMEOUT, Finding, Hazard

WORKERS = 2
TASKS = 8
VICTIM = 3  # the task whose worker kills itself
HANG_WAIT = 1.0  # how long the demonstration waits for a map that will never finish
COLLECT_PATIENCE = 2.0  # seconds a dropped pool gets to become garbage
DROPPED_SLEEP = 5.0  # a task that cannot finish before the with block ends
UNCLOSED = "unclosed running multiprocessing pool"
T = TypeVar("T")


def square(number: int) -> int:
    return number * number


def square_or_die(number: int, victim: int) -> int:
    """``square``, except that the worker running task ``victim`` kills itself (SIGKILL)."""
    if number == victim:
        os.kill(os.getpid(), signal.SIGKILL)
    return number * number


def demo_killed_worker(ctx: BaseContext) -> Finding:
    """Pool.map with a worker killed mid-task: the pool carries on, the map never finishes."""
    with left_unchosen():
        pool: Pool = ctx.Pool(WORKERS)
        try:
            # The pool is up and answering before the mistake: its later silence is not a slow start.
            warm = pool.map_async(square, range(TASKS)).get(timeout=HAZARD_TIMEOUT)
            doomed = pool.map_async(partial(square_or_die, victim=VICTIM), range(TASKS), chunksize=1)
            started = time.perf_counter()
            try:
                doomed.get(timeout=HANG_WAIT)  # the mistake is a bare get(); this one is bounded
                waited = "returned"
            except multiprocessing.TimeoutError:
                waited = f"raised TimeoutError after {time.perf_counter() - started:.1f} s"
            # A task queued behind the whole map: once it is answered, every map task was handed out.
            later = pool.apply_async(square, (TASKS,)).get(timeout=HAZARD_TIMEOUT)
            still_waiting = not doomed.ready()
        finally:
            terminate(pool)  # close() and join() would wait for the lost task too
            pool.join()
    lost = f"still not ready: task {VICTIM} was lost and never reported"
    evidence = (
        f"the pool answered a first map of {TASKS} tasks ({len(warm)} results); then the worker "
        f"running task {VICTIM} of a second map killed itself: map_async(...).get(timeout="
        f"{HANG_WAIT:g}) {waited}; a task submitted after that whole map was answered ({later}), "
        f"so the pool replaced its worker and went on, yet the map is "
        f"{lost if still_waiting else 'ready'}"
    )
    return Finding(waited != "returned" and still_waiting and later == TASKS * TASKS, evidence)


def fix_killed_worker(ctx: BaseContext) -> Finding:
    """ProcessPoolExecutor.map with the same dying task: BrokenProcessPool, at once."""
    with left_unchosen():
        executor = ProcessPoolExecutor(WORKERS, mp_context=ctx)
        try:
            started = time.perf_counter()
            results = executor.map(partial(square_or_die, victim=VICTIM), range(TASKS),
                                   timeout=HAZARD_TIMEOUT, chunksize=1)
            try:
                got: object = list(results)
            except BrokenProcessPool as error:
                got = error
            took = time.perf_counter() - started
        finally:
            shut_down_even_if_crashed(executor)
    broke = isinstance(got, BrokenProcessPool)
    said = f"raised BrokenProcessPool ({got})" if broke else f"returned {got!r}"
    return Finding(broke, f"ProcessPoolExecutor.map with the worker of task {VICTIM} killed "
                          f"{said} after {took:.2f} s; shutdown() then returned")


def shut_down_even_if_crashed(executor: ProcessPoolExecutor) -> None:
    """``shutdown()``, then stop what the executor's thread leaves if it crashed (gh-107219).

    A broken executor normally stops its workers and closes its queues itself. Before 3.12 its
    thread can die first; the workers would then keep interpreter exit waiting forever, and
    the call queue's feeder thread and the pipes would stay open. Harmless after a clean stop.
    """
    workers = executor_workers(executor)  # shutdown() forgets all three
    call_queue = getattr(executor, "_call_queue", None)
    wakeup = getattr(executor, "_executor_manager_thread_wakeup", None)
    executor.shutdown(wait=True, cancel_futures=True)
    reap_survivors(workers)
    if call_queue is not None:
        call_queue.close()
        call_queue.join_thread()
    if wakeup is not None:
        wakeup.close()


def _forget_a_pool(ctx: BaseContext) -> int:
    """Use a pool, never close it, and drop it; return its worker's pid."""
    pool: Pool = ctx.Pool(1)
    return int(pool.apply_async(os.getpid).get(timeout=HAZARD_TIMEOUT))


def _caught_resource_warnings(
    ctx: BaseContext, use: Callable[[BaseContext], T], expect_one: bool = False
) -> tuple[list[str], T]:
    """Run ``use(ctx)`` and a full collection, recording every ResourceWarning meanwhile.

    ``expect_one``: collect again, for up to COLLECT_PATIENCE seconds, until one comes. A pool
    whose ``get()`` has just returned is still reachable for a moment: the result's ``_set()``
    wakes ``get()`` first and only then drops the result (which holds the pool) from the cache
    its thread keeps. A collection in that moment finds nothing (once in 20 runs of the suite).
    """
    with warnings.catch_warnings(record=True) as caught, left_unchosen():
        warnings.simplefilter("always", ResourceWarning)
        value = use(ctx)
        give_up = time.monotonic() + COLLECT_PATIENCE
        while True:
            gc.collect()  # a pool in a reference cycle is only found here
            said = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
            if said or not expect_one or time.monotonic() > give_up:
                return said, value
            time.sleep(0.05)


def demo_pool_not_closed(ctx: BaseContext) -> Finding:
    """A pool dropped without close()/join(): a ResourceWarning when it is collected."""
    said, pid = _caught_resource_warnings(ctx, _forget_a_pool, expect_one=True)
    found = [text for text in said if UNCLOSED in text]
    gone = not exists(pid)
    evidence = (
        f"a pool was used and dropped without close() or join(): "
        f"{'ResourceWarning: ' + repr(found[0].split(' <')[0]) if found else 'no ResourceWarning'}; "
        f"its finalizer then terminated its worker (pid {pid}: "
        f"{'gone' if gone else 'STILL THERE'})"
    )
    return Finding(bool(found) and gone, evidence)


def _close_and_join(ctx: BaseContext) -> list[int]:
    """The fix: the with block for every exit path, and close() then join() inside it."""
    with ctx.Pool(WORKERS) as pool:
        got: list[int] = pool.map_async(square, range(TASKS)).get(timeout=HAZARD_TIMEOUT)
        pool.close()  # no more tasks: each worker exits once the queue is empty
        pool.join()  # every task it was given is done; __exit__'s terminate() drops nothing
    return got


def _with_block_only(ctx: BaseContext) -> bool:
    """The with block without close()/join(): is an apply_async not waited for done after it?"""
    with ctx.Pool(1) as pool:
        late = pool.apply_async(time.sleep, (DROPPED_SLEEP,))
    return late.ready()  # __exit__ called terminate(): the task was killed, never answered


def fix_pool_not_closed(ctx: BaseContext) -> Finding:
    said, got = _caught_resource_warnings(ctx, _close_and_join)
    dropped_said, done = _caught_resource_warnings(ctx, _with_block_only)
    held = got == [square(n) for n in range(TASKS)] and not said and not dropped_said and not done
    evidence = (
        f"with ctx.Pool() as pool: map, close(), join(): {len(got)} "
        f"of {TASKS} results, {len(said) or 'no'} ResourceWarning; beware the with block alone: "
        f"an apply_async(time.sleep, ({DROPPED_SLEEP:g},)) not waited for was "
        f"{'answered' if done else 'dropped, never answered (__exit__ calls terminate())'}"
    )
    return Finding(held, evidence)


HAZARDS: tuple[Hazard, ...] = (
    Hazard(
        "pool-killed-worker",
        "a Pool worker that dies mid-task (killed, out of memory) is replaced and its task is "
        "never reported: Pool.map, or a bare get(), waits forever",
        "ProcessPoolExecutor, which fails every pending future with BrokenProcessPool; or wait "
        "with get(timeout) and check that the workers running your tasks are still alive",
        demo_killed_worker,
        fix_killed_worker,
        per_start_method=False,
    ),
    Hazard(
        "pool-not-closed",
        "a Pool that is never closed and joined keeps its workers until it is garbage-collected, "
        "then only a ResourceWarning says so (Python 3.8+)",
        "with ctx.Pool() as pool: ... then pool.close() and pool.join() inside the block; the "
        "block alone is not enough: Pool.__exit__ calls terminate(), which drops unfinished work",
        demo_pool_not_closed,
        fix_pool_not_closed,
        per_start_method=False,
    ),
)
