"""Measure every row of a bench run: round-robin over repeats, failures become notes.

A *row* is one line of a table under one start method: something to time once per repeat
(``measure``) and how its repeats become a result record (``summarize``). Each row family
(channels, shared state, start costs) is a function that turns the settings into rows;
``run_bench`` measures them all in one loop. Adding a family (as the pools were) means a
catalogue module, a result record in ``results``, a ``*_rows`` function here, one line in
``run_bench``, and its table and JSON (``tables``, ``report``).

Repeats run round-robin (every row once, then every row again), so a burst of noise from other
work on the machine lands on every row, under every start method, rather than on all repeats
of one. Rows of one method under several start methods are measured next to each other.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from multiprocessing.context import BaseContext
from typing import Any, Generic, TypeVar

from .. import leftovers
from .._validate import supported_start_methods
from ..default_context import left_unchosen
from ..processes import Deadline
from ..progress import Progress
from .channels import CHANNELS
from .handshake import start_join_seconds
from .limits import LIMITS
from .machine import machine
from .peers import available_peers
from .pools import COUNT_SCALE, POOLS, PoolBench
from .results import BenchResults, ChannelResult, PoolResult, StartResult, StateResult
from .settings import BenchSettings
from .state import STATE_METHODS, StateMethod
from .stats import messages_for
from .tables import human_size
from .transfer import Channel, Timing

T = TypeVar("T")  # what one repeat of a row measures
R = TypeVar("R")  # the row's result record


@dataclass(frozen=True, eq=False)  # eq=False: rows are told apart by identity
class Row(Generic[T, R]):
    """One table row under one start method: how to time it once, how to sum its repeats up."""

    label: str  # what the progress line and a failure note call it
    measure: Callable[[Deadline], T]
    summarize: Callable[[list[T]], R]


class Samples:
    """Each row's measurements as they come in; a row that fails once is retired with a note."""

    def __init__(self, progress: Progress, notes: list[str], timeout: float) -> None:
        self.progress = progress
        self.notes = notes
        self.timeout = timeout
        self.values: dict[Row[Any, Any], list[Any]] = {}
        self.failed: set[Row[Any, Any]] = set()

    def measure(self, row: Row[Any, Any], label: str) -> None:
        self.progress.step(label)
        if row in self.failed:
            return
        try:
            value = row.measure(Deadline(self.timeout))
        except Exception as exc:  # a broken row is a finding to report, not a crash
            self.failed.add(row)
            self.notes.append(f"{label} failed: {type(exc).__name__}: {exc}")
            return
        self.values.setdefault(row, []).append(value)

    def round_robin(self, rows: Sequence[Row[Any, Any]], repeat: int) -> None:
        for done in range(1, repeat + 1):
            for row in rows:
                self.measure(row, f"{row.label} (repeat {done}/{repeat})")

    def once(self, rows: Sequence[Row[Any, Any]]) -> None:
        for row in rows:
            self.measure(row, row.label)

    def summaries(self, rows: Sequence[Row[Any, R]]) -> list[R]:
        """The result of every row that never failed, in the order of ``rows``."""
        return [
            row.summarize(self.values[row])
            for row in rows
            if row not in self.failed and row in self.values
        ]


def under(start_method: str, settings: BenchSettings) -> str:
    """The start-method part of a label, needed only when several are measured."""
    return f" {start_method}" if len(settings.start_methods) > 1 else ""


# --- channels -----------------------------------------------------------------------------------


def count_for(settings: BenchSettings, channel: Channel, size: int) -> int:
    messages = max(1, round(settings.messages * channel.count_scale))
    return messages_for(size, messages, settings.byte_budget)


def channel_result(
    channel: Channel, start_method: str, size: int, count: int, measured: list[Timing]
) -> ChannelResult:
    return ChannelResult(
        name=channel.name,
        kind=channel.kind,
        start_method=start_method,
        size=size,
        count=count,
        seconds=tuple(took for _, took in measured),
        # memcpy starts no process: its start is None
        start_seconds=tuple(began for began, _ in measured if began is not None),
    )


def channel_rows(
    settings: BenchSettings, channels: Sequence[Channel]
) -> list[Row[Timing, ChannelResult]]:
    rows: list[Row[Timing, ChannelResult]] = []
    for size in settings.sizes:
        for channel in channels:
            count = count_for(settings, channel, size)
            for start_method in settings.start_methods:
                ctx = multiprocessing.get_context(start_method)
                label = f"{channel.name} {human_size(size)}{under(start_method, settings)}"
                measure = partial(channel.run, ctx, size, count)
                summarize = partial(channel_result, channel, start_method, size, count)
                rows.append(Row(label, measure, summarize))
    return rows


# --- shared state -------------------------------------------------------------------------------


def state_per_worker(method: StateMethod, scale: float) -> int:
    return max(1, round(method.per_worker * scale))


def state_result(
    name: str, start_method: str, procs: int, per_worker: int, measured: list[float]
) -> StateResult:
    return StateResult(name, start_method, procs, per_worker, tuple(measured))


def state_rows(settings: BenchSettings) -> list[Row[float, StateResult]]:
    methods = [m for m in STATE_METHODS if m.name in settings.state]
    rows: list[Row[float, StateResult]] = []
    for procs in settings.state_procs:
        for method in methods:
            per_worker = state_per_worker(method, settings.state_scale)
            for start_method in settings.start_methods:
                ctx = multiprocessing.get_context(start_method)
                label = f"{method.name} x{procs}{under(start_method, settings)}"
                measure = partial(method.run, ctx, procs, per_worker)
                summarize = partial(state_result, method.name, start_method, procs, per_worker)
                rows.append(Row(label, measure, summarize))
    return rows


# --- pools --------------------------------------------------------------------------------------


def pool_result(
    name: str, start_method: str, chunksize: int, size: int, count: int, measured: list[float]
) -> PoolResult:
    return PoolResult(name, start_method, chunksize, size, count, tuple(measured))


def pool_rows(settings: BenchSettings) -> list[Row[float, PoolResult]]:
    """Each pool's map at each chunksize, with tasks of the smallest size (the limit runs there)."""
    pools: list[PoolBench] = [p for p in POOLS if p.name in settings.pools]
    size = min(settings.sizes)
    count = messages_for(size, max(1, round(settings.messages * COUNT_SCALE)), settings.byte_budget)
    rows: list[Row[float, PoolResult]] = []
    for pool in pools:
        for chunksize in settings.chunksizes:
            for start_method in settings.start_methods:
                ctx = multiprocessing.get_context(start_method)
                label = f"{pool.name} chunksize {chunksize}{under(start_method, settings)}"
                measure = partial(pool.run, ctx, chunksize, size, count)
                summarize = partial(pool_result, pool.name, start_method, chunksize, size, count)
                rows.append(Row(label, measure, summarize))
    return rows


# --- start cost ---------------------------------------------------------------------------------


def start_costs(ctx: BaseContext, repeat: int, deadline: Deadline) -> list[float]:
    leftovers.warm_up(ctx)  # the forkserver's own start is a one-off, not the cost per process
    return [start_join_seconds(ctx, deadline) for _ in range(repeat)]


def start_result(start_method: str, measured: list[list[float]]) -> StartResult:
    (seconds,) = measured  # measured once, ``repeat`` starts inside
    return StartResult(start_method, tuple(seconds))


def start_rows(settings: BenchSettings) -> list[Row[list[float], StartResult]]:
    """Every start method this platform has, whichever ones the other rows run under."""
    rows: list[Row[list[float], StartResult]] = []
    for start_method in supported_start_methods():
        ctx = multiprocessing.get_context(start_method)
        measure = partial(start_costs, ctx, settings.start_repeat)
        rows.append(Row(f"start cost {start_method}", measure, partial(start_result, start_method)))
    return rows


# --- the run ------------------------------------------------------------------------------------


def run_bench(settings: BenchSettings, progress: Progress | None = None) -> BenchResults:
    """Measure every row ``settings`` asks for; failures become notes, never a crash."""
    peers, skipped = available_peers()
    chosen = [c for c in (*CHANNELS, *peers) if c.name in settings.channels]
    notes = [note for note in skipped if note.split()[0] in settings.channels]
    channels = channel_rows(settings, [*LIMITS, *chosen])
    state = state_rows(settings)
    pools = pool_rows(settings)
    starts = start_rows(settings)
    total = settings.repeat * (len(channels) + len(state) + len(pools)) + len(starts)
    if progress is None:
        progress = Progress("bench")
    progress.total = total
    samples = Samples(progress, notes, settings.timeout)
    with left_unchosen():
        for start_method in settings.start_methods:
            leftovers.warm_up(multiprocessing.get_context(start_method))
        try:
            samples.round_robin([*channels, *state, *pools], settings.repeat)
            samples.once(starts)
        finally:
            samples.progress.close()
    return BenchResults(
        channels=samples.summaries(channels),
        state=samples.summaries(state),
        starts=samples.summaries(starts),
        notes=notes,
        machine=machine(),
        pools=samples.summaries(pools),
    )
