"""``ipccheck bench``: Pipe vs Queue vs the rest, side by side, against the raw ``os.pipe`` limit.

One run measures everything on the same machine at the same time, because on a shared machine
only figures taken side by side can be compared: the limits (raw ``os.pipe``, AF_UNIX socket
pair, memcpy into shared memory), every message-passing channel at every payload size, the
shared-state increment rates at 2 and 4 processes, and the start cost of each start method.
Repeats run round-robin (all rows, then all rows again), so a burst of noise from other work on
the machine touches every row rather than all repeats of one.

The arithmetic and the output format live in ``stats`` (pure, tested without timing);
the measuring lives in ``channels`` and ``state``; the plot in ``plot``.
"""

from __future__ import annotations

import multiprocessing
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.context import BaseContext
from typing import Any, TextIO

from .. import leftovers
from .._validate import (
    DEFAULT_TIMEOUT,
    platform_default_start_method,
    require_count,
    require_start_method,
    require_timeout,
    supported_start_methods,
)
from ..processes import Deadline
from . import stats
from .channels import CHANNELS, LIMITS, PEERS, Channel, available_peers
from .handshake import start_join_seconds
from .state import STATE_METHODS, StateMethod

DEFAULT_SIZES = "8,1024,65536,1048576"
DEFAULT_MESSAGES = 20_000
DEFAULT_REPEAT = 5
BYTE_BUDGET = 64 * 1024 * 1024  # per run: big payloads send fewer messages
STATE_PROCS = (2, 4)
START_REPEAT = 5
# --quick: the same rows, fewer items and repeats (well under 30 s on a 2-core machine).
QUICK = {"messages": 8_000, "repeat": 3, "byte_budget": 8 * 1024 * 1024, "state_scale": 0.2}
MAX_MESSAGES = 10_000_000
MAX_REPEAT = 100

CHANNEL_NAMES = tuple(c.name for c in CHANNELS) + tuple(channel.name for _, _, channel in PEERS)
STATE_NAMES = tuple(m.name for m in STATE_METHODS)


@dataclass(frozen=True)
class BenchSettings:
    """Everything one bench run does, validated before any process starts."""

    channels: tuple[str, ...] = CHANNEL_NAMES
    state: tuple[str, ...] = STATE_NAMES
    sizes: tuple[int, ...] = (8, 1024, 65536, 1048576)
    messages: int = DEFAULT_MESSAGES
    repeat: int = DEFAULT_REPEAT
    start_method: str = field(default_factory=platform_default_start_method)
    byte_budget: int = BYTE_BUDGET
    state_scale: float = 1.0
    state_procs: tuple[int, ...] = STATE_PROCS
    start_repeat: int = START_REPEAT
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        require_count("messages", self.messages, minimum=1, maximum=MAX_MESSAGES)
        require_count("repeat", self.repeat, minimum=1, maximum=MAX_REPEAT)
        require_start_method(self.start_method)
        require_timeout(self.timeout)
        if not self.sizes:
            raise ValueError("bench needs at least one payload size")


@dataclass
class BenchResults:
    channels: list[stats.ChannelResult]
    state: list[stats.StateResult]
    starts: list[stats.StartResult]
    notes: list[str]


class Progress:
    """One line on stderr saying what runs now: rewritten in place on a terminal."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.in_place = self.stream.isatty()
        self.width = 0

    def step(self, label: str) -> None:
        self.done += 1
        text = f"bench [{self.done}/{self.total}] {label}"
        if self.in_place:
            self.stream.write("\r" + text.ljust(self.width))
            self.width = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.in_place and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        usable = None
    try:
        load = [round(x, 2) for x in os.getloadavg()]  # how busy the machine was: the noise
    except (AttributeError, OSError):
        load = None
    return {
        "cpu_count": os.cpu_count(),
        "usable_cpus": usable,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "load_average_1_5_15_min": load,
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


class Samples:
    """Each row's measurements as they come in; a row that fails once is retired with a note."""

    def __init__(self, progress: Progress, notes: list[str]) -> None:
        self.progress = progress
        self.notes = notes
        self.values: dict[tuple[str, int], list[Any]] = {}
        self.failed: set[tuple[str, int]] = set()

    def measure(self, key: tuple[str, int], label: str, fn: Callable[..., Any], *args: Any) -> None:
        self.progress.step(label)
        if key in self.failed:
            return
        try:
            value = fn(*args)
        except Exception as exc:  # a broken row is a finding to report, not a crash
            self.failed.add(key)
            self.notes.append(f"{label} failed: {type(exc).__name__}: {exc}")
            return
        self.values.setdefault(key, []).append(value)

    def get(self, key: tuple[str, int]) -> list[Any] | None:
        """Every measurement of a row that never failed, or None."""
        return None if key in self.failed else self.values.get(key)


def run_bench(settings: BenchSettings, progress: Progress | None = None) -> BenchResults:
    """Measure every row ``settings`` asks for; failures become notes, never a crash."""
    ctx = multiprocessing.get_context(settings.start_method)
    leftovers.warm_up(ctx)
    peers, notes = available_peers()
    channels: list[Channel] = list(LIMITS) + [
        c for c in (*CHANNELS, *peers) if c.name in settings.channels
    ]
    notes = [note for note in notes if note.split()[0] in settings.channels]
    state_methods = [m for m in STATE_METHODS if m.name in settings.state]
    start_methods = supported_start_methods()
    rows = len(channels) * len(settings.sizes) + len(state_methods) * len(settings.state_procs)
    samples = Samples(progress or Progress(settings.repeat * rows + len(start_methods)), notes)

    def count_for(channel: Channel, size: int) -> int:
        messages = max(1, round(settings.messages * channel.count_scale))
        return stats.messages_for(size, messages, settings.byte_budget)

    for repeat in range(1, settings.repeat + 1):  # round-robin: noise lands on every row alike
        of = f"(repeat {repeat}/{settings.repeat})"
        for size in settings.sizes:
            for channel in channels:
                label = f"{channel.name} {stats.human_size(size)} {of}"
                args = (ctx, size, count_for(channel, size), Deadline(settings.timeout))
                samples.measure((channel.name, size), label, channel.run, *args)
        for procs in settings.state_procs:
            for method in state_methods:
                label = f"{method.name} x{procs} {of}"
                per_worker = state_per_worker(method, settings.state_scale)
                args = (ctx, procs, per_worker, Deadline(settings.timeout))
                samples.measure((method.name, procs), label, method.run, *args)

    def start_costs(start_ctx: BaseContext) -> list[float]:
        leftovers.warm_up(start_ctx)  # the forkserver's own start is a one-off, not the cost per process
        return [
            start_join_seconds(start_ctx, Deadline(settings.timeout))
            for _ in range(settings.start_repeat)
        ]

    for start_method in start_methods:
        start_ctx = multiprocessing.get_context(start_method)
        samples.measure((start_method, 0), f"start cost {start_method}", start_costs, start_ctx)
    samples.progress.close()

    channel_results = []
    for size in settings.sizes:
        for channel in channels:
            measured = samples.get((channel.name, size))
            if measured:
                channel_results.append(
                    stats.ChannelResult(
                        name=channel.name,
                        kind=channel.kind,
                        size=size,
                        count=count_for(channel, size),
                        seconds=tuple(took for _, took in measured),
                        # memcpy starts no process: its start is None
                        start_seconds=tuple(began for began, _ in measured if began is not None),
                    )
                )
    state_results = []
    for procs in settings.state_procs:
        for method in state_methods:
            measured = samples.get((method.name, procs))
            if measured:
                per_worker = state_per_worker(method, settings.state_scale)
                state_results.append(
                    stats.StateResult(method.name, procs, per_worker, tuple(measured))
                )
    starts = []
    for start_method in start_methods:
        measured = samples.get((start_method, 0))
        if measured:
            starts.append(stats.StartResult(start_method, tuple(measured[0])))
    return BenchResults(channel_results, state_results, starts, notes)


def state_per_worker(method: StateMethod, scale: float) -> int:
    return max(1, round(method.per_worker * scale))
def render(results: BenchResults, settings: BenchSettings) -> str:
    """The tables a person reads, with the settings that produced them."""
    parts = [
        f"ipccheck bench: one producer -> parent consumer, start method {settings.start_method}, "
        f"median of {settings.repeat} repeats; x os.pipe = msgs/s over raw os.pipe's at that size",
        "",
        stats.channel_table(results.channels),
    ]
    headline = stats.batched_headline(results.channels)
    if headline:
        parts += ["", headline]
    if results.state:
        parts += [
            "",
            f"shared state: increments/s at {' and '.join(map(str, settings.state_procs))} "
            f"processes (this machine has {os.cpu_count()} CPUs)",
            "",
            stats.state_table(results.state),
        ]
    if results.starts:
        parts += ["", "process start cost (start + join of a process that does nothing)", ""]
        parts.append(stats.start_table(results.starts))
    if results.notes:
        parts += ["", *(f"note: {note}" for note in results.notes)]
    return "\n".join(parts)
