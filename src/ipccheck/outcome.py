"""What a run observed: facts only. Judging them is the job of ``invariants``.

Keeping the record separate from the verdict means a hand-made Outcome can feed every check
(that is how the tests prove each invariant can fail), and a user's channel run through the
conformance kit is judged by exactly the same code as ipccheck's own reference methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .workload import Workload

STATE = "state"  # workers change shared memory; the parent reads the final state
CHANNEL = "channel"  # producers send messages; the parent consumes them

# A message on every channel is a pair (producer, n). In stream mode n is the item's sequence
# number 0..base-1; in summary mode it is the producer's subtotal. n == END is the sentinel that
# says "this producer has sent everything".
END = -1


@dataclass
class Observation:
    """What a method saw while it ran; filled in as it goes, so a timeout keeps what arrived."""

    received: list[tuple[int, int]] = field(default_factory=list)
    sentinels: list[tuple[int, int]] = field(default_factory=list)
    state_total: int | None = None
    slots: list[int] | None = None
    shm_names: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    """The record of one run.

    ``received`` holds every message in arrival order as (producer, n); ``sentinels`` holds
    (producer, position) where position is how many messages had arrived before that
    producer's sentinel. ``slots`` are per-worker counters for methods that keep them.
    The ``left_*`` fields list what was still there after cleanup: each should be empty.
    ``died`` names each child that did not exit 0: how it ended and how much of its work arrived.
    ``broken`` says how a producer's death broke the channel itself (``channel.ChannelBroken``);
    the producers it left waiting were stopped, so their work is incomplete.
    """

    workload: Workload
    family: str
    expected: int
    observed: int
    received: tuple[tuple[int, int], ...] = ()
    sentinels: tuple[tuple[int, int], ...] = ()
    slots: tuple[int, ...] | None = None
    exitcodes: dict[str, int | None] = field(default_factory=dict)
    seconds: float = 0.0
    timed_out: bool = False
    alive_at_deadline: tuple[str, ...] = ()
    left_processes: tuple[str, ...] = ()
    left_shm: tuple[str, ...] = ()
    left_paths: tuple[str, ...] = ()
    leaked_fds: tuple[int, ...] = ()
    error: str | None = None
    died: tuple[str, ...] = ()
    broken: str | None = None

    @property
    def is_channel(self) -> bool:
        return self.family == CHANNEL


def observed_total(workload: Workload, family: str, observation: Observation) -> int:
    """The total a run produced: final state, items received, or the sum of subtotals."""
    if family == STATE:
        return observation.state_total or 0
    if workload.mode == "stream":
        return len(observation.received)
    return sum(n for _producer, n in observation.received)
