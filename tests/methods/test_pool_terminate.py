"""``methods.pool.terminate``: Pool.terminate() that cannot hang on a worker deaf to SIGTERM.

A replacement worker forked just before terminate() can lose its SIGTERM (see the function's
docstring); a worker that ignores SIGTERM is the same worker, made on purpose. Each worker is
busy in a task when the pool is terminated, so none can leave on the pool's own sentinel.
"""

from __future__ import annotations

import multiprocessing
import signal
import time
from typing import Any

import pytest

from ipccheck.methods.pool import pool_workers, terminate

pytestmark = pytest.mark.processes

WORKERS = 2
STARTED: Any = None  # the barrier the workers' tasks meet the parent at (inherited by fork)


def start_worker(started: Any, deaf: bool) -> None:
    global STARTED
    STARTED = started
    if deaf:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)


def busy(_: int) -> None:
    STARTED.wait(timeout=30)
    time.sleep(60)


def terminated_pool(deaf: bool, grace: float) -> list[int | None]:
    """Terminate a pool whose workers are all in a task; the exit code of each."""
    ctx = multiprocessing.get_context("fork")
    started = ctx.Barrier(WORKERS + 1)
    pool = ctx.Pool(WORKERS, initializer=start_worker, initargs=(started, deaf))
    workers = pool_workers(pool)
    try:
        for number in range(WORKERS):
            pool.apply_async(busy, (number,))
        started.wait(timeout=30)  # every worker is in its task now
        terminate(pool, grace=grace)  # pool.terminate() alone would join a deaf one forever
        pool.join()
        return [worker.exitcode for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
            worker.join()


def test_terminate_kills_workers_that_outlive_their_sigterm():
    assert terminated_pool(deaf=True, grace=0.2) == [-signal.SIGKILL] * WORKERS


def test_terminate_leaves_a_willing_pool_to_sigterm():
    assert terminated_pool(deaf=False, grace=30) == [-signal.SIGTERM] * WORKERS
