"""The recorder each process wraps around every operation it performs on the shared object.

Recording must not change what it records: there is no lock around an operation and nothing
shared between processes while they run. Each process keeps its own list of ``Operation``
records and hands the whole list to the parent after its last operation (``execute`` sends
it over a pipe), so the only cost inside the measured interval is two clock readings.

Why one clock serves every process: ``time.monotonic_ns()`` reads CLOCK_MONOTONIC on Linux,
a single system-wide clock (nanoseconds since boot), so readings taken in different processes
on one machine can be compared; ``tests/linearizability/test_clock.py`` checks that readings
passed back and forth between processes never go backwards. Python's documentation states
that ``time.monotonic()`` is system-wide on every platform since 3.5; on macOS CPython reads
``mach_absolute_time()``, which Apple documents as one machine-wide tick counter. That is not
verified here (no macOS machine); the same test checks it wherever the suite runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .history import Operation


class Recorder:
    """Time and record each operation of one process; ``operations`` is what it did."""

    def __init__(self, process: int) -> None:
        self.process = process
        self.operations: list[Operation] = []
        self._last_return = -1

    def _call_time(self) -> int:
        """A reading strictly after the previous return, so the history stays well formed.

        Two readings can be equal on a coarse clock; reading again until the clock moves only
        takes the call time a little later, still before the call: the interval stays true.
        """
        now = time.monotonic_ns()
        while now <= self._last_return:
            now = time.monotonic_ns()
        return now

    def record(self, name: str, args: tuple[Any, ...], perform: Callable[[], Any]) -> Operation:
        """Run ``perform()``, which must do exactly the call ``name(*args)``, and record it.

        An exception is part of the history (``get_nowait`` raising ``Empty`` is an answer),
        so it is recorded by class name and not raised; the caller goes on with its list.
        """
        call = self._call_time()
        try:
            result = perform()
        except Exception as exc:  # every exception is an outcome the model must judge
            ret = time.monotonic_ns()
            op = Operation(self.process, name, args, None, type(exc).__name__, call, ret, str(exc))
        else:
            ret = time.monotonic_ns()
            op = Operation(self.process, name, args, result, None, call, ret)
        self._last_return = ret
        self.operations.append(op)
        return op
