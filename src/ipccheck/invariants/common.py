"""The promises every run keeps, healthy or faulted: it ends in time, raises nothing, its channel
survives, each producer's items keep their order, and nothing of it is left behind."""

from __future__ import annotations

from ..leftovers import Leftovers
from ..outcome import Outcome
from ..protocol import POOL
from .violation import Violation, summarize


def check_deadline(outcome: Outcome) -> list[Violation]:
    """The run finished within its deadline; if not, say who hung and what had arrived."""
    if not outcome.timed_out:
        return []
    alive = ", ".join(outcome.alive_at_deadline) or "none"
    if outcome.is_channel:
        so_far = (f"received {len(outcome.received)} item(s) and {len(outcome.sentinels)} "
                  "sentinel(s) so far")
    elif outcome.family == POOL:  # ``results`` names the tasks whose results never came
        so_far = f"{len(outcome.received)} of {outcome.expected} task results arrived"
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
    return summarize("order", evidence)


def check_left_behind(outcome: Outcome) -> list[Violation]:
    """After cleanup nothing of the run remains: no process, thread, segment, path or descriptor."""
    left = Leftovers(
        processes=outcome.left_processes,
        threads=outcome.left_threads,
        fds=outcome.leaked_fds,
        segments=outcome.left_shm,
        paths=outcome.left_paths,
    )
    return summarize("left-behind", left.evidence())
