"""Deliberately broken shared objects: what a linearizability check must catch.

Do not copy these. They live inside the package (not in tests/) because spawn and forkserver
children must import their classes to rebuild them. Each takes the multiprocessing context
as ``ctx`` (None: the default context, as the conformance kit's zero-argument call gets).

``LaneQueue`` passes the conformance kit: every item arrives exactly once and each producer's
items arrive in the order it put them. What it breaks is real-time order *across*
producers, which the kit does not look at and linearizability does.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import time
from multiprocessing.context import BaseContext
from typing import Any

# LaneQueue: how many lanes, and how long a waiting get naps between looks.
LANES = 8
NAP_SECONDS = 0.001
# RacyCounter: a slow step between reading and writing, which makes the race easy to hit.
RACE_WINDOW_SECONDS = 0.002


def _context(ctx: BaseContext | None) -> Any:
    return multiprocessing if ctx is None else ctx


class LaneQueue:
    """A queue with one FIFO lane per producing process, served newest lane first.

    Each process puts into its own lane (the first process to put gets lane 0, the next lane
    1...), so one producer's items stay in order. ``get`` takes from the highest non-empty
    lane: if A's put returned before B's put began, B's item can still come out first.
    Lanes are ``SimpleQueue``s, whose ``put`` is written before it returns, so what a get
    sees depends only on this design, not on a feeder thread's timing.
    """

    def __init__(self, ctx: BaseContext | None = None) -> None:
        mp = _context(ctx)
        self._lanes = [mp.SimpleQueue() for _ in range(LANES)]
        self._next_lane = mp.Value("i", 0)
        self._get_lock = mp.Lock()  # one getter at a time, so an item seen is an item taken
        self._lane: int | None = None
        self._pid: int | None = None

    def _my_lane(self) -> int:
        if self._pid != os.getpid():  # a fork child inherits the parent's choice: choose again
            with self._next_lane.get_lock():
                self._lane = self._next_lane.value % LANES
                self._next_lane.value += 1
            self._pid = os.getpid()
        assert self._lane is not None
        return self._lane

    def put(self, item: Any) -> None:
        self._lanes[self._my_lane()].put(item)

    def get_nowait(self) -> Any:
        with self._get_lock:
            for lane in reversed(self._lanes):  # the bug: newest lane first, not oldest item
                if not lane.empty():
                    return lane.get()
        raise queue.Empty

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        give_up = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                return self.get_nowait()
            except queue.Empty:
                if not block or (give_up is not None and time.monotonic() >= give_up):
                    raise
            time.sleep(NAP_SECONDS)

    def empty(self) -> bool:
        return all(lane.empty() for lane in self._lanes)

    def close(self) -> None:
        for lane in self._lanes:
            lane.close()

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_lane": None, "_pid": None}  # a new process chooses its lane


class RacyCounter:
    """A shared counter whose ``fetch_add`` reads, pauses, then writes, with no lock around it.

    Two processes can read the same value, so ``fetch_add`` results repeat and increments are
    lost. The pause stands for any slow step between the read and the write.
    """

    def __init__(self, ctx: BaseContext | None = None) -> None:
        self._value = _context(ctx).Value("q", 0, lock=False)

    def fetch_add(self, n: int) -> int:
        old = int(self._value.value)
        time.sleep(RACE_WINDOW_SECONDS)
        self._value.value = old + n  # the bug: read and write should be one step under a lock
        return old

    def increment(self) -> None:
        self.fetch_add(1)

    @property
    def value(self) -> int:
        return int(self._value.value)
