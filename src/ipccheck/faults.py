"""Fault injection: a producer or worker that is SIGKILLed, SIGTERMed or raises after k items.

A ``Fault`` travels with the Workload into the children. A worker calls
``strike(fault, index, done)`` between items; it does nothing unless this worker is the victim
and has done exactly ``after`` items. Then the victim kills itself, so *when* it dies is exact
and a failing example replays.

A faulted run is judged by its own promises (``FAULT_CHECKS``), not by weakening the usual ones:
healthy producers still lose nothing; the victim's items that arrived are an in-order prefix of
what it sent, no longer than ``after``; its sentinel never arrives; it ended the way the fault
says. A state worker strikes between two increments, outside any lock, so the total is exactly
the healthy workers' plus the victim's ``after``, and the victim's own slot reads what
``VICTIM_SLOT`` says. Everything else (deadline, cleanup, order) is checked exactly as in a
healthy run.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

from .invariants import (
    Violation,
    _summarize,
    check_broken,
    check_deadline,
    check_error,
    check_left_behind,
    check_order,
)
from .outcome import Outcome
from .processes import exit_description

KINDS: tuple[str, ...] = ("kill", "term", "raise")
# The exit code each kind leaves behind (negative: killed by that signal).
EXIT_CODES = {"kill": -signal.SIGKILL, "term": -signal.SIGTERM, "raise": 1}
# Methods whose channel a killed producer can break for everyone else. A Queue's feeder thread
# may die holding the queue's write lock, and the multiprocessing docs warn the queue "is liable
# to become corrupted": the other producers can never write again. A JoinableQueue also counts
# items as unfinished at ``put``, so items a killed producer put but never wrote keep every
# ``join()`` waiting forever. Such a run is reported as ``channel-broken`` (see
# ``channel.ChannelBroken``) instead of waiting out its deadline. A ``raise`` never breaks them:
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
        from .workload import MAX_BASE, MAX_PROCS, check_choice, check_count

        check_choice("fault kind", self.kind, KINDS)
        check_count("fault victim", self.victim, minimum=0, maximum=MAX_PROCS - 1)
        check_count("fault after", self.after, minimum=0, maximum=MAX_BASE)

    def __str__(self) -> str:
        return f"{self.kind}:{self.victim}@{self.after}"

    @classmethod
    def parse(cls, text: str) -> Fault:
        """``kind:VICTIM@AFTER``, e.g. ``kill:1@50``; a one-line ValueError otherwise."""
        match = _SPEC.fullmatch(text)
        if match is None:
            raise ValueError(f"fault must look like KIND:PRODUCER@K with KIND one of "
                             f"{', '.join(KINDS)}, got {text!r}")
        return cls(match["kind"], int(match["victim"]), int(match["after"]))


def check_fits(fault: Fault, method: str, procs: int, base: int) -> None:
    """Refuse a fault that cannot strike in this workload."""
    if fault.victim >= procs:
        raise ValueError(f"fault victim {fault.victim} does not exist: procs is {procs}")
    if fault.after > base:
        raise ValueError(f"fault after {fault.after} items would never strike: base is {base}")


def strike(fault: Fault | None, index: int, done: int) -> None:
    """Die now if this worker is the fault's victim and has done exactly ``fault.after`` items."""
    if fault is None or index != fault.victim or done != fault.after:
        return
    if fault.kind == "raise":
        raise InjectedFault(f"injected fault: worker {index} raised after {done} item(s)")
    os.kill(os.getpid(), signal.SIGKILL if fault.kind == "kill" else signal.SIGTERM)
    time.sleep(60)  # the signal lands first; the run's deadline covers a handler ignoring it


def process_index(name: str) -> int | None:
    """``producer-3`` -> 3; None for a name without a trailing index."""
    match = re.search(r"-(\d+)$", name)
    return int(match.group(1)) if match else None


def who_died(outcome: Outcome) -> tuple[str, ...]:
    """One line per child that did not exit 0: which, how, and how many of its items arrived."""
    arrived = Counter(producer for producer, _ in outcome.received)
    lines = []
    for name, code in outcome.exitcodes.items():
        if code == 0 or code is None:
            continue
        index = process_index(name)
        if outcome.is_channel and index is not None:
            done = f"{arrived[index]} of its items arrived"
        elif outcome.slots is not None and index is not None and index < len(outcome.slots):
            done = f"its per-worker count reads {outcome.slots[index]}"
        else:
            done = "its progress is unknown"
        fault = outcome.workload.fault
        if outcome.broken is not None and (fault is None or index != fault.victim):
            done += "; ipccheck stopped it once the channel broke"
        lines.append(f"{name} {exit_description(code)}; {done}")
    return tuple(lines)


def check_victim(outcome: Outcome) -> list[Violation]:
    """The victim ended as the fault says; its items arrived as a prefix, or its slot is right."""
    fault = outcome.workload.fault
    victim = fault.victim
    evidence = []
    name_code = [(n, c) for n, c in outcome.exitcodes.items() if process_index(n) == victim]
    for name, code in name_code:
        if code != EXIT_CODES[fault.kind]:
            evidence.append(f"{name}: {exit_description(code)}, expected "
                            f"{exit_description(EXIT_CODES[fault.kind])} from fault {fault}")
    if outcome.is_channel:
        if any(producer == victim for producer, _ in outcome.sentinels):
            evidence.append(f"producer {victim}: sentinel arrived, so fault {fault} never struck")
        got = [n for producer, n in outcome.received if producer == victim]
        if outcome.workload.mode == "summary":
            if got:
                evidence.append(f"producer {victim}: subtotal {got} arrived though it died first")
        elif got != list(range(len(got))):
            evidence.append(f"producer {victim}: items {got[:8]} are not an in-order prefix")
        elif len(got) > fault.after:
            evidence.append(f"producer {victim}: {len(got)} items arrived, more than the "
                            f"{fault.after} it sent before dying")
        elif fault.kind == "raise" and len(got) != fault.after:
            evidence.append(f"producer {victim}: {len(got)} of the {fault.after} items it sent "
                            "before raising arrived; a normal exit flushes every channel")
    elif outcome.slots is not None:
        want = victim_slot(outcome.workload.method, fault.after)
        got = outcome.slots[victim] if victim < len(outcome.slots) else None
        if got != want:
            evidence.append(f"worker {victim}: its slot reads {got}, expected {want} "
                            f"({VICTIM_SLOT.get(outcome.workload.method, 'no')} slot, fault {fault})")
    return _summarize("fault-victim", evidence)


def victim_slot(method: str, after: int) -> int | None:
    """What the victim's per-worker slot must read (see ``VICTIM_SLOT``); None if it has none."""
    return {"live": after, "at-end": 0}.get(VICTIM_SLOT.get(method, ""))


def check_healthy(outcome: Outcome) -> list[Violation]:
    """Every producer or worker but the victim did all its work, once, and exited 0.

    If the victim's death broke the channel (``outcome.broken``), the others were stopped part
    way: then what arrived from each must still be an in-order prefix, with no duplicate.
    """
    workload = outcome.workload
    victim, base = workload.fault.victim, workload.base
    broken = outcome.broken is not None
    evidence = [
        f"{name}: {exit_description(code)}"
        for name, code in outcome.exitcodes.items()
        if process_index(name) != victim and code != 0 and not outcome.timed_out and not broken
    ]
    healthy = [p for p in range(workload.procs) if p != victim]
    if outcome.is_channel:
        items: dict[int, list[int]] = defaultdict(list)
        for producer, n in outcome.received:
            items[producer].append(n)
        sentinels = Counter(producer for producer, _ in outcome.sentinels)
        want = list(range(base)) if workload.mode == "stream" else [base]
        for producer in healthy:
            got = items[producer]
            if broken:
                if got != want[: len(got)]:
                    evidence.append(f"producer {producer}: items {got[:8]} are not an in-order "
                                    "prefix of what it sent")
            elif sorted(got) != want:
                evidence.append(f"producer {producer}: {len(got)} item(s) arrived, expected "
                                f"{len(want)} (first missing or extra: "
                                f"{sorted(set(want) ^ set(got))[:3] or 'a duplicate'})")
            if sentinels[producer] > 1 or (sentinels[producer] == 0 and not broken):
                count = sentinels[producer]
                evidence.append(f"producer {producer}: sentinel arrived {count} times")
        strangers = set(items) | set(sentinels)
        for producer in sorted(strangers - set(range(workload.procs))):
            evidence.append(f"message from producer {producer}, which does not exist")
    else:
        if outcome.slots is not None:  # value and array keep only the total
            for worker in healthy:
                count = outcome.slots[worker] if worker < len(outcome.slots) else None
                if count != base:
                    evidence.append(f"worker {worker}: counted {count}, expected {base}")
        # The victim applied exactly ``after`` increments and died between two of them, so
        # each was whole (under the lock, or in its own slot): nothing more, nothing less.
        expected = (workload.procs - 1) * base + workload.fault.after
        if outcome.observed != expected:
            evidence.append(f"total {outcome.observed}, expected {expected} "
                            f"(the victim applied {workload.fault.after} before dying)")
    return _summarize("fault-healthy", evidence)


FAULT_CHECKS = (
    check_deadline,
    check_error,
    check_broken,
    check_healthy,
    check_victim,
    check_order,
    check_left_behind,
)
