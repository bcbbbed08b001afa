"""The promises every run must keep, as pure functions over an Outcome.

Each check returns a list of Violations (empty when the promise held) whose messages name the
concrete evidence: which producer, which item, what arrived instead. No check starts a process,
so each can be fed a hand-made Outcome and shown to fail.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .outcome import Outcome
from .processes import exit_description

# Long evidence lists are cut after this many entries ("... and N more").
MAX_EVIDENCE = 5


@dataclass(frozen=True)
class Violation:
    """One broken promise: which invariant, and the evidence in words."""

    invariant: str
    message: str

    def __str__(self) -> str:
        return f"{self.invariant}: {self.message}"


def _summarize(invariant: str, evidence: list[str]) -> list[Violation]:
    """Turn evidence lines into violations, cutting long lists short."""
    shown = [Violation(invariant, line) for line in evidence[:MAX_EVIDENCE]]
    if len(evidence) > MAX_EVIDENCE:
        shown.append(Violation(invariant, f"... and {len(evidence) - MAX_EVIDENCE} more"))
    return shown


def check_total(outcome: Outcome) -> list[Violation]:
    """The run ended with procs x base, no more and no less."""
    if outcome.observed == outcome.expected:
        return []
    difference = outcome.observed - outcome.expected
    what = "lost" if difference < 0 else "extra"
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
    return _summarize("slots", evidence)


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
    return _summarize("exactly-once", evidence)


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
    return _summarize("summary", evidence)


def check_order(outcome: Outcome) -> list[Violation]:
    """Stream mode: each producer's items arrived in the order it sent them."""
    if not outcome.is_channel or outcome.workload.mode != "stream":
        return []
    last_seen: dict[int, int] = {}
    evidence = []
    for producer, seq in outcome.received:
        previous = last_seen.get(producer)
        if previous is not None and seq < previous:
            evidence.append(f"producer {producer}: item {previous} arrived before item {seq}")
        last_seen[producer] = seq if previous is None else max(previous, seq)
    return _summarize("order", evidence)


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
    return _summarize("sentinel", evidence)


def check_exit_codes(outcome: Outcome) -> list[Violation]:
    """Every worker exited on its own with code 0 (a timeout is reported by check_deadline)."""
    if outcome.timed_out:
        return []
    evidence = [
        f"{name}: {exit_description(code)}"
        for name, code in outcome.exitcodes.items()
        if code != 0
    ]
    return _summarize("exit-code", evidence)


def check_left_behind(outcome: Outcome) -> list[Violation]:
    """After cleanup nothing of the run remains: no process, segment, path or descriptor."""
    evidence = [f"process still alive: {name}" for name in outcome.left_processes]
    evidence += [f"shared-memory segment not unlinked: {name}" for name in outcome.left_shm]
    evidence += [f"path not removed: {path}" for path in outcome.left_paths]
    if outcome.leaked_fds:
        fds = ", ".join(str(fd) for fd in outcome.leaked_fds)
        evidence.append(f"{len(outcome.leaked_fds)} file descriptor(s) leaked: {fds}")
    return _summarize("left-behind", evidence)


def check_deadline(outcome: Outcome) -> list[Violation]:
    """The run finished within its deadline; if not, say who hung and what had arrived."""
    if not outcome.timed_out:
        return []
    alive = ", ".join(outcome.alive_at_deadline) or "none"
    if outcome.is_channel:
        so_far = (f"received {len(outcome.received)} item(s) and {len(outcome.sentinels)} "
                  "sentinel(s) so far")
    else:  # the shared state is read once the workers are done, which they never were
        so_far = "the final state was never read, so the observed total means nothing"
    message = (
        f"did not finish within {outcome.workload.timeout:g} s; alive at the deadline: {alive}; "
        f"{so_far}"
    )
    return [Violation("deadline", message)]


def check_error(outcome: Outcome) -> list[Violation]:
    """The run raised no unexpected exception in the parent."""
    if outcome.error is None or outcome.timed_out:
        return []
    return [Violation("error", outcome.error)]


def check_broken(outcome: Outcome) -> list[Violation]:
    """The channel survived: no producer's death broke it for the others."""
    if outcome.broken is None:
        return []
    return [Violation("channel-broken", outcome.broken)]


CHECKS: tuple[Callable[[Outcome], list[Violation]], ...] = (
    check_deadline,
    check_error,
    check_broken,
    check_total,
    check_slots,
    check_exactly_once,
    check_summary,
    check_order,
    check_sentinels,
    check_exit_codes,
    check_left_behind,
)


def check(
    outcome: Outcome, checks: Iterable[Callable[[Outcome], list[Violation]]] | None = None
) -> list[Violation]:
    """Every violation of every invariant, in a stable order (empty means all promises held).

    A run with an injected fault is judged by ``faults.FAULT_CHECKS`` unless ``checks`` is given.
    """
    if checks is None:
        from .faults import FAULT_CHECKS  # late import: faults builds on this module

        checks = CHECKS if outcome.workload.fault is None else FAULT_CHECKS
    return [violation for each in checks for violation in each(outcome)]
