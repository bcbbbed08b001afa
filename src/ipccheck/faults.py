"""Fault injection: a producer or worker that is SIGKILLed, SIGTERMed or raises after k items.

A ``Fault`` travels with the Workload into the children. A worker calls
``strike(fault, index, done)`` between items; it does nothing unless this worker is the victim
and has done exactly ``after`` items. Then the victim kills itself, so *when* it dies is exact
and a failing example replays.

A pool decides which of its workers runs which task, so in a pool run the fault names a task
instead: ``KIND:P@K`` strikes in task ``P × base + K`` (the task whose result is ``(P, K)``),
in whichever worker runs it. A task can also return a result that cannot be pickled
(``unpicklable``, pools only). See ``ipccheck.methods.pooling``.

This module holds the fault itself: its spec, its parser and its injection. What a faulted run
must still promise is judged in ``ipccheck.invariants.faulted``.
"""

from __future__ import annotations

import os
import re
import signal
import time
from dataclasses import dataclass

from ._validate import MAX_BASE, MAX_PROCS, require_choice, require_count

FAULT_KINDS: tuple[str, ...] = ("kill", "term", "raise")
# Kinds only a pool's task can suffer: it returns a result that cannot be pickled and so can
# never be sent back (the worker itself carries on).
TASK_FAULT_KINDS: tuple[str, ...] = ("unpicklable",)
# The exit code each kind leaves behind (negative: killed by that signal).
EXIT_CODES: dict[str, int] = {"kill": -signal.SIGKILL, "term": -signal.SIGTERM, "raise": 1,
                              "unpicklable": 0}
# Methods whose channel a killed producer can break for everyone else. A Queue's feeder thread
# may die holding the queue's write lock, and the multiprocessing docs warn the queue "is liable
# to become corrupted": the other producers can never write again. A JoinableQueue also counts
# items as unfinished at ``put``, so items a killed producer put but never wrote keep every
# ``join()`` waiting forever. Such a run is reported as ``channel-broken`` (see
# ``protocol.ChannelBroken``) instead of waiting out its deadline. A ``raise`` never breaks them:
# a normal exit flushes the feeder.
MAY_BREAK: tuple[str, ...] = ("queue", "joinable-queue")
# What a shared-state victim's per-worker slot reads after it died having done ``after``
# increments (a state worker strikes between increments, outside any lock, so each one is whole):
# - "live": the slot is shared memory the worker increments in place, so it reads ``after``;
# - "at-end": the worker writes its count once, after its last increment (the managers' dict),
#   so a victim's slot was never written and reads 0;
# - value and array keep no per-worker slots, only the total.
VICTIM_SLOT: dict[str, str] = {
    "raw-array": "live",
    "shared-memory": "live",
    "shareable-list": "live",
    "manager": "at-end",
    "manager-tcp": "at-end",
}

_SPEC = re.compile(r"(?P<kind>[a-z]+):(?P<victim>\d+)@(?P<after>\d+)")


class InjectedFault(Exception):
    """What a victim raises for ``kind="raise"``."""


@dataclass(frozen=True)
class Fault:
    """Producer or worker ``victim`` dies by ``kind`` after sending or applying ``after`` items."""

    kind: str
    victim: int = 0
    after: int = 0

    def __post_init__(self) -> None:
        require_choice("fault kind", self.kind, FAULT_KINDS + TASK_FAULT_KINDS)
        require_count("fault victim", self.victim, minimum=0, maximum=MAX_PROCS - 1)
        require_count("fault after", self.after, minimum=0, maximum=MAX_BASE)

    def __str__(self) -> str:
        return f"{self.kind}:{self.victim}@{self.after}"

    @classmethod
    def parse(cls, text: str) -> Fault:
        """``kind:VICTIM@AFTER``, e.g. ``kill:1@50``; a one-line ValueError otherwise."""
        match = _SPEC.fullmatch(text)
        if match is None:
            raise ValueError(f"fault must look like KIND:PRODUCER@K with KIND one of "
                             f"{', '.join(FAULT_KINDS + TASK_FAULT_KINDS)}, got {text!r}")
        return cls(match["kind"], int(match["victim"]), int(match["after"]))

    @property
    def exit_code(self) -> int:
        """The exit code the victim must end with."""
        return EXIT_CODES[self.kind]


def require_fits(fault: Fault, procs: int, base: int) -> None:
    """Refuse a fault that cannot strike in a workload of ``procs`` × ``base``."""
    if fault.victim >= procs:
        raise ValueError(f"fault victim {fault.victim} does not exist: procs is {procs}")
    if fault.after > base:
        raise ValueError(f"fault after {fault.after} items would never strike: base is {base}")


def hits(fault: Fault | None, index: int, done: int) -> bool:
    """Is this the fault's moment: its victim ``index``, having done exactly ``after`` items?"""
    return fault is not None and index == fault.victim and done == fault.after


def strike(fault: Fault | None, index: int, done: int) -> None:
    """Die now if this worker is the fault's victim and has done exactly ``fault.after`` items."""
    if fault is None or not hits(fault, index, done) or fault.kind in TASK_FAULT_KINDS:
        return
    if fault.kind == "raise":
        raise InjectedFault(f"injected fault: worker {index} raised after {done} item(s)")
    os.kill(os.getpid(), signal.SIGKILL if fault.kind == "kill" else signal.SIGTERM)
    time.sleep(60)  # the signal lands first; the run's deadline covers a handler ignoring it


def victim_slot(method: str, after: int) -> int | None:
    """What the victim's per-worker slot must read (see ``VICTIM_SLOT``); None if it has none."""
    return {"live": after, "at-end": 0}.get(VICTIM_SLOT.get(method, ""))
