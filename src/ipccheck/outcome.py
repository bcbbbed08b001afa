"""What a run observed: facts only. Judging them is the job of ``invariants``.

Keeping the record separate from the verdict means a hand-made Outcome can feed every check
(that is how the tests prove each invariant can fail), and a user's channel run through the
conformance kit is judged by exactly the same code as ipccheck's own reference methods.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .processes import Child, exit_description
from .protocol import CHANNEL, POOL, STATE, Message, Observation
from .workload import Workload


@dataclass(frozen=True)
class Outcome:
    """The record of one run.

    ``received`` holds every message in arrival order as (producer, n); ``sentinels`` holds
    (producer, position) where position is how many messages had arrived before that
    producer's sentinel. ``slots`` are per-worker counters for methods that keep them.
    ``children`` are the run's processes, each with its role and exit code.
    The ``left_*`` fields and ``leaked_fds`` name what was still there after cleanup (a
    descriptor as ``7 -> /path``): each should be empty.
    ``died`` names each child that did not exit 0: how it ended and how much of its work arrived.
    ``broken`` says how a producer's death broke the channel itself (``protocol.ChannelBroken``);
    the producers it left waiting were stopped, so their work is incomplete.
    A pool run's ``received`` holds each task's result as the caller got it, its ``children``
    include the pool's workers, and ``failed`` and ``lost`` say which tasks reached the caller
    as an exception or never will (see ``protocol.Observation``).
    """

    workload: Workload
    family: str
    expected: int
    observed: int
    received: tuple[Message, ...] = ()
    sentinels: tuple[tuple[int, int], ...] = ()
    slots: tuple[int, ...] | None = None
    children: tuple[Child, ...] = ()
    seconds: float = 0.0
    timed_out: bool = False
    alive_at_deadline: tuple[str, ...] = ()
    left_processes: tuple[str, ...] = ()
    left_threads: tuple[str, ...] = ()
    left_shm: tuple[str, ...] = ()
    left_paths: tuple[str, ...] = ()
    leaked_fds: tuple[str, ...] = ()
    error: str | None = None
    died: tuple[str, ...] = ()
    broken: str | None = None
    failed: tuple[tuple[int | None, str], ...] = ()
    lost: tuple[tuple[int, str], ...] = ()

    @property
    def is_channel(self) -> bool:
        return self.family == CHANNEL

    @property
    def exitcodes(self) -> dict[str, int | None]:
        """Process name -> exit code, as the JSON report shows it."""
        return {child.name: child.exitcode for child in self.children}


def observed_total(workload: Workload, family: str, observation: Observation) -> int:
    """The total a run produced: final state, items or task results received, or the sum of
    subtotals."""
    if family == STATE:
        return observation.state_total or 0
    if family == POOL or workload.mode == "stream":
        return len(observation.received)
    return sum(n for _producer, n in observation.received)


def describe_deaths(outcome: Outcome) -> tuple[str, ...]:
    """One line per child that did not exit 0: which, how, and how much of its work arrived."""
    arrived = Counter(producer for producer, _ in outcome.received)
    fault = outcome.workload.fault
    lines = []
    for child in outcome.children:
        if child.exitcode == 0 or child.exitcode is None:
            continue
        index = child.role.index
        if outcome.family == POOL:  # what its tasks became is under ``lost`` and ``failed``
            lines.append(f"{child.name} {exit_description(child.exitcode)}")
            continue
        if outcome.is_channel and index is not None:
            done = f"{arrived[index]} of its items arrived"
        elif outcome.slots is not None and index is not None and index < len(outcome.slots):
            done = f"its per-worker count reads {outcome.slots[index]}"
        else:
            done = "its progress is unknown"
        if outcome.broken is not None and (fault is None or index != fault.victim):
            done += "; ipccheck stopped it once the channel broke"
        raised = f" ({child.error})" if child.error else ""
        lines.append(f"{child.name} {exit_description(child.exitcode)}{raised}; {done}")
    return tuple(lines)
