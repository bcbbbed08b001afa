"""The task a pool run hands its pool, and the shared slots that say which worker runs it.

A pool run hands ``procs × base`` tasks to a pool of ``procs`` workers. Task ``number`` returns
``divmod(number, base)``, so every result says which task it came from and the checks are exact.
Each worker starts with ``start_worker`` (the pool's ``initializer``), which hands it the run's
progress slots, fault and base through ``initargs``: a shared array cannot travel inside a
task's arguments, only to a process as it starts.

A fault ``KIND:P@K`` strikes in task ``P × base + K``, in whichever worker runs it: the pool
decides which worker runs which task, so naming a task (not a worker) is what makes a failing
example replay.
"""

from __future__ import annotations

import ctypes
import os
import re
from multiprocessing.context import BaseContext
from typing import Any, cast

from ..faults import Fault, InjectedFault, hits, strike
from ..protocol import Message

# --- in each worker ----------------------------------------------------------------------------

_slots: Any = None  # the run's progress slots (see TaskProgress); None until start_worker
_fault: Fault | None = None
_base = 1


def start_worker(slots: Any, fault: Fault | None, base: int) -> None:
    """The pool's initializer: runs once in every worker before its first task."""
    global _slots, _fault, _base
    _slots, _fault, _base = slots, fault, base


class Unpicklable:
    """A result that cannot be pickled, as a lock or an open file would be."""

    def __init__(self, number: int) -> None:
        self.number = number

    def __reduce__(self) -> str:
        raise TypeError(f"cannot pickle the result of task {self.number}")

    def __repr__(self) -> str:
        return f"<unpicklable result of task {self.number}>"


def task(number: int) -> Message | Unpicklable:
    """Task ``number``: returns ``divmod(number, base)`` unless the run's fault strikes here.

    While it runs, its slot holds this worker's pid. The slot is cleared when the task returns
    or raises an exception the pool reports; a worker that dies in it (killed, or ended by
    ``SystemExit``, which the pool does not catch) leaves its pid there for the parent to find.
    """
    block, item = divmod(number, _base)
    _slots[number] = os.getpid()
    try:
        if hits(_fault, block, item):
            assert _fault is not None
            if _fault.kind == "raise":
                raise InjectedFault(f"injected fault: task {number} raised")
            if _fault.kind == "unpicklable":
                _slots[number] = 0
                return Unpicklable(number)
            strike(_fault, block, item)  # kill or term: the worker dies here, mid-task
    except Exception:
        _slots[number] = 0
        raise
    _slots[number] = 0
    return (block, item)


def as_message(number: int) -> Message:
    """``task``, typed as what the caller receives: an ``Unpicklable`` can never reach it."""
    return cast(Message, task(number))


def block_task(block: int, item: int) -> Message:
    """``task`` as ``starmap`` calls it: with the ``(block, item)`` pair the result will be."""
    return as_message(block * _base + item)


# --- in the parent ----------------------------------------------------------------------------

_SLOT_BYTES = ctypes.sizeof(ctypes.c_int)
_NONZERO = re.compile(rb"[^\x00]")


def exists(pid: int) -> bool:
    """Is there a process ``pid`` (running, or dead but not yet reaped)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process now has that pid
        return True
    return True


class TaskProgress:
    """One shared slot per task: the pid of the worker running it, 0 when none is."""

    def __init__(self, ctx: BaseContext, tasks: int) -> None:
        self.slots = ctx.RawArray("i", max(tasks, 1))  # RawArray: a worker writes only its own

    def died_running(self) -> dict[int, int]:
        """Task -> pid, for each task whose worker ended while running it.

        A slot is read again after its pid is found gone: a worker that ended can never change
        its slot, so a task that finished just before its worker retired is not mistaken.
        """
        running = {match.start() // _SLOT_BYTES for match in _NONZERO.finditer(bytes(self.slots))}
        dead = {}
        for number in sorted(running):
            pid = self.slots[number]
            if pid and not exists(pid) and self.slots[number] == pid:
                dead[number] = pid
        return dead
