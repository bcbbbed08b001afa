"""The promises a run keeps when one producer or worker was made to die (``Workload.fault``).

A faulted run is judged by its own promises, not by weakening the usual ones: healthy producers
still lose nothing; the victim's items that arrived are an in-order prefix of what it sent, no
longer than ``after``; its sentinel never arrives; it ended the way the fault says. A state
worker strikes between two increments, outside any lock, so the total is exactly the healthy
workers' plus the victim's ``after``, and the victim's own slot reads what
``faults.VICTIM_SLOT`` says. Deadline, cleanup and order are checked as in a healthy run.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from ..faults import VICTIM_SLOT, victim_slot
from ..outcome import Outcome
from ..processes import exit_description
from .violation import Violation, summarize


def check_victim(outcome: Outcome) -> list[Violation]:
    """The victim ended as the fault says; its items arrived as a prefix, or its slot is right."""
    fault = outcome.workload.fault
    if fault is None:
        return []
    victim = fault.victim
    evidence = []
    for child in outcome.children:
        if child.role.index == victim and child.exitcode != fault.exit_code:
            evidence.append(f"{child.name}: {exit_description(child.exitcode)}, expected "
                            f"{exit_description(fault.exit_code)} from fault {fault}")
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
        slot = outcome.slots[victim] if victim < len(outcome.slots) else None
        if slot != want:
            evidence.append(f"worker {victim}: its slot reads {slot}, expected {want} "
                            f"({VICTIM_SLOT.get(outcome.workload.method, 'no')} slot, fault {fault})")
    return summarize("fault-victim", evidence)


def check_healthy(outcome: Outcome) -> list[Violation]:
    """Every producer or worker but the victim did all its work, once, and exited 0.

    If the victim's death broke the channel (``outcome.broken``), the others were stopped part
    way: then what arrived from each must still be an in-order prefix, with no duplicate.
    """
    workload = outcome.workload
    if workload.fault is None:
        return []
    victim, base = workload.fault.victim, workload.base
    broken = outcome.broken is not None
    evidence = [
        f"{child.name}: {exit_description(child.exitcode)}"
        + (f", raised {child.error}" if child.error else "")
        for child in outcome.children
        if child.role.index != victim and child.exitcode != 0 and not outcome.timed_out
        and not broken
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
                counted = outcome.slots[worker] if worker < len(outcome.slots) else None
                if counted != base:
                    evidence.append(f"worker {worker}: counted {counted}, expected {base}")
        # The victim applied exactly ``after`` increments and died between two of them, so
        # each was whole (under the lock, or in its own slot): nothing more, nothing less.
        expected = (workload.procs - 1) * base + workload.fault.after
        if outcome.observed != expected:
            evidence.append(f"total {outcome.observed}, expected {expected} "
                            f"(the victim applied {workload.fault.after} before dying)")
    return summarize("fault-healthy", evidence)
