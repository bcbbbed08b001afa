"""Shared-state update rates: how many increments per second each way of sharing a counter allows.

Every worker does ``per_worker`` increments of its counter between "go" and "done" (see
``handshake``), so process start-up stays out of the figure. After each run the total is
checked: a benchmark of a method that lost updates would be measuring the wrong thing.

Per-process slots are packed next to each other (8 bytes apart, several in one 64-byte cache
line) or padded to a cache line each; the difference between the two is false sharing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from multiprocessing import shared_memory
from multiprocessing.context import BaseContext
from multiprocessing.managers import ValueProxy
from multiprocessing.sharedctypes import Synchronized
from typing import Any, Protocol

from ..interrupts import running_manager
from ..methods.shared_memory_segment import attach, buffer_of
from ..processes import Deadline, ProcessGroup, Role
from .handshake import Handshake

CACHE_LINE = 64
SLOT_BYTES = 8  # one 'q' counter
PADDED_STRIDE = CACHE_LINE // SLOT_BYTES  # slots apart, so each counter has a cache line alone

# run(ctx, procs, per_worker, deadline) -> seconds from "go" until every worker was done
Runner = Callable[[BaseContext, int, int, Deadline], float]


class Slots(Protocol):
    """Counters indexed by worker: a ``RawArray('q')`` or a memoryview cast to ``'q'``."""

    def __getitem__(self, index: int, /) -> int: ...
    def __setitem__(self, index: int, value: int, /) -> None: ...


# --- workers (module level, so spawn and forkserver children can import them) ------------------


def locked_value_worker(handshake: Handshake, counter: Synchronized[int], per_worker: int) -> None:
    handshake.arrive()
    for _ in range(per_worker):
        with counter.get_lock():
            counter.value += 1
    handshake.finish()


def slot_worker(handshake: Handshake, slots: Slots, index: int, per_worker: int) -> None:
    handshake.arrive()
    for _ in range(per_worker):
        slots[index] += 1  # only this worker writes slots[index]
    handshake.finish()


def shm_slot_worker(handshake: Handshake, name: str, index: int, per_worker: int) -> None:
    segment = attach(name)
    try:
        slots = buffer_of(segment).cast("q")
        try:
            handshake.arrive()
            for _ in range(per_worker):
                slots[index] += 1
            handshake.finish()
        finally:
            slots.release()  # a live view would make close() fail with BufferError
    finally:
        segment.close()


def manager_worker(
    handshake: Handshake,
    total: ValueProxy[int],
    lock: AbstractContextManager[Any],
    per_worker: int,
) -> None:
    handshake.arrive()
    for _ in range(per_worker):
        with lock:
            total.value += 1
    handshake.finish()


# --- runs -------------------------------------------------------------------------------------


def timed_workers(
    ctx: BaseContext,
    deadline: Deadline,
    target: Callable[..., None],
    args_for: Callable[[int], tuple[object, ...]],
    procs: int,
) -> float:
    """Start ``procs`` workers ``target(handshake, *args_for(i))``; time go -> all done."""
    handshake = Handshake(ctx, procs)
    with ProcessGroup(ctx) as group:
        for index in range(procs):
            group.start(target, (handshake, *args_for(index)), role=Role("bench-worker", index))
        handshake.wait_ready(group, deadline)
        started = handshake.start_clock()
        handshake.wait_done(group, deadline)
        seconds = time.perf_counter() - started
        group.join(deadline)
    return seconds


def expect_total(name: str, got: int, want: int) -> None:
    if got != want:
        raise RuntimeError(f"{name} ended at {got}, expected {want}: updates were lost")


def run_locked_value(ctx: BaseContext, procs: int, per_worker: int, deadline: Deadline) -> float:
    counter = ctx.Value("q", 0)
    seconds = timed_workers(
        ctx, deadline, locked_value_worker, lambda i: (counter, per_worker), procs
    )
    expect_total("locked Value", counter.value, procs * per_worker)
    return seconds


def _run_slots(stride: int) -> Runner:
    def run(ctx: BaseContext, procs: int, per_worker: int, deadline: Deadline) -> float:
        slots = ctx.RawArray("q", procs * stride)
        seconds = timed_workers(
            ctx, deadline, slot_worker, lambda i: (slots, i * stride, per_worker), procs
        )
        expect_total("RawArray slots", sum(slots), procs * per_worker)
        return seconds

    return run


def run_shm_slots(ctx: BaseContext, procs: int, per_worker: int, deadline: Deadline) -> float:
    segment = shared_memory.SharedMemory(create=True, size=SLOT_BYTES * procs)
    try:
        buffer_of(segment)[:] = bytes(segment.size)
        seconds = timed_workers(
            ctx, deadline, shm_slot_worker, lambda i: (segment.name, i, per_worker), procs
        )
        slots = buffer_of(segment).cast("q")
        total = sum(slots[:procs])
        slots.release()
        expect_total("shared-memory slots", total, procs * per_worker)
        return seconds
    finally:
        segment.close()
        segment.unlink()


def run_manager(ctx: BaseContext, procs: int, per_worker: int, deadline: Deadline) -> float:
    with running_manager(ctx.Manager) as manager:  # leaving the block shuts the manager down
        total = manager.Value("q", 0)
        lock = manager.Lock()
        seconds = timed_workers(
            ctx, deadline, manager_worker, lambda i: (total, lock, per_worker), procs
        )
        expect_total("manager Value", total.value, procs * per_worker)
    return seconds


@dataclass(frozen=True)
class StateMethod:
    """One way of sharing a counter, and how many increments each worker does by default."""

    name: str
    description: str
    run: Runner
    per_worker: int


STATE_METHODS: tuple[StateMethod, ...] = (
    StateMethod("locked-value", "Value('q'), += 1 inside get_lock()", run_locked_value, 50_000),
    StateMethod(
        "raw-array-slots", "RawArray, one 8-byte slot per process, packed", _run_slots(1), 500_000
    ),
    StateMethod(
        "raw-array-padded",
        f"RawArray, one slot per process, {CACHE_LINE} bytes apart",
        _run_slots(PADDED_STRIDE),
        500_000,
    ),
    StateMethod(
        "shared-memory-slots", "SharedMemory, one 8-byte slot per process", run_shm_slots, 500_000
    ),
    StateMethod("manager-value", "manager Value, += 1 inside a manager Lock", run_manager, 1_000),
)
