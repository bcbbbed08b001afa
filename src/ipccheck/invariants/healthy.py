"""The promises of a run in which nothing was made to fail: all the work, exactly once, in order.

``total`` holds for every method: the run ends with procs × base. Shared-state methods that
keep per-worker counts must show each at base; message-passing methods must deliver every item
exactly once (stream) or every subtotal (summary), each producer's sentinel after its items, and
every child must exit 0.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from ..outcome import Outcome
from ..processes import exit_description
from .violation import Violation, summarize


def check_total(outcome: Outcome) -> list[Violation]:
    """The run ended with procs x base, no more and no less.

    A run stopped at its deadline claims no loss: a state run's total was never read (the
    deadline violation says so), and a channel's missing items may only have been late.
    """
    if outcome.observed == outcome.expected or (outcome.timed_out and not outcome.is_channel):
        return []
    difference = outcome.observed - outcome.expected
    what = "lost" if difference < 0 else "extra"
    if outcome.timed_out and difference < 0:
        what = "not received by the deadline"
    message = (
        f"expected {outcome.expected}, observed {outcome.observed} ({abs(difference)} {what})"
    )
    return [Violation("total", message)]


def check_slots(outcome: Outcome) -> list[Violation]:
    """Where each worker keeps its own count, every count is exactly base."""
    if outcome.slots is None:
        return []
    base = outcome.workload.base
    evidence = [
        f"worker {index} counted {count}, expected {base}"
        for index, count in enumerate(outcome.slots)
        if count != base
    ]
    if len(outcome.slots) != outcome.workload.procs:
        evidence.insert(0, f"{len(outcome.slots)} slots for {outcome.workload.procs} workers")
    return summarize("slots", evidence)


def check_exactly_once(outcome: Outcome) -> list[Violation]:
    """Stream mode: every (producer, seq) for seq in 0..base-1 arrived exactly once."""
    if not outcome.is_channel or outcome.workload.mode != "stream":
        return []
    procs, base = outcome.workload.procs, outcome.workload.base
    counts = Counter(outcome.received)
    evidence = []
    for producer in range(procs):
        for seq in range(base):
            if (producer, seq) not in counts:
                evidence.append(f"producer {producer}, item {seq}: never received")
    for (producer, seq), count in counts.items():
        if not (0 <= producer < procs and 0 <= seq < base):
            evidence.append(f"item ({producer}, {seq}) received but never sent")
        elif count > 1:
            evidence.append(f"item ({producer}, {seq}) received {count} times")
    return summarize("exactly-once", evidence)


def check_summary(outcome: Outcome) -> list[Violation]:
    """Summary mode: each producer's one subtotal arrived, exactly once, and equals base."""
    if not outcome.is_channel or outcome.workload.mode != "summary":
        return []
    subtotals: dict[int, list[int]] = defaultdict(list)
    for producer, subtotal in outcome.received:
        subtotals[producer].append(subtotal)
    evidence = []
    for producer in range(outcome.workload.procs):
        got = subtotals.pop(producer, [])
        if not got:
            evidence.append(f"producer {producer}: subtotal never received")
        elif len(got) > 1:
            evidence.append(f"producer {producer}: {len(got)} subtotals received {got}")
        elif got[0] != outcome.workload.base:
            evidence.append(
                f"producer {producer}: subtotal {got[0]}, expected {outcome.workload.base}"
            )
    for producer, got in sorted(subtotals.items()):
        evidence.append(f"subtotal {got} from producer {producer}, which does not exist")
    return summarize("summary", evidence)


def check_sentinels(outcome: Outcome) -> list[Violation]:
    """Each producer's sentinel arrived once, after all its items, and nothing of it after."""
    if not outcome.is_channel:
        return []
    positions: dict[int, list[int]] = defaultdict(list)
    for producer, position in outcome.sentinels:
        positions[producer].append(position)
    evidence = []
    for producer in range(outcome.workload.procs):
        seen = positions.pop(producer, [])
        if not seen:
            evidence.append(f"producer {producer}: sentinel never received")
            continue
        if len(seen) > 1:
            evidence.append(f"producer {producer}: sentinel received {len(seen)} times")
        first = seen[0]
        late = [
            item
            for index, item in enumerate(outcome.received)
            if item[0] == producer and index >= first
        ]
        if late:
            evidence.append(
                f"producer {producer}: {len(late)} item(s) after its sentinel, first {late[0]}"
            )
    for producer in sorted(positions):
        evidence.append(f"sentinel from producer {producer}, which does not exist")
    return summarize("sentinel", evidence)


def check_exit_codes(outcome: Outcome) -> list[Violation]:
    """Every worker exited on its own with code 0 (a timeout is reported by check_deadline)."""
    if outcome.timed_out:
        return []
    evidence = [
        f"{child.name}: {exit_description(child.exitcode)}"
        + (f", raised {child.error}" if child.error else "")
        for child in outcome.children
        if child.exitcode != 0
    ]
    return summarize("exit-code", evidence)
