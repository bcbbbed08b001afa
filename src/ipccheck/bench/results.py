"""What one ``ipccheck bench`` run found: one record per table row, and the ratio to the limit.

Each record keeps every repeat's raw seconds; medians, ranges, rates and ratios are computed
from them (``stats``), so the text tables, the JSON and the plot can never disagree. A record
names the start method it was measured under, so several start methods sit side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .stats import MEGABYTE, Spread, rates, ratio, spread

# The reference every channel row is compared with: raw os.pipe records of the same size.
LIMIT = "os.pipe"
# What a channel row is, in the order the table shows them at each size.
KINDS = ("limit", "channel", "peer")


@dataclass(frozen=True)
class ChannelResult:
    """One channel at one payload size: ``count`` items per repeat, one duration per repeat."""

    name: str
    kind: str  # one of KINDS
    start_method: str
    size: int
    count: int
    seconds: tuple[float, ...]
    start_seconds: tuple[float, ...] = ()  # empty when the row starts no process (memcpy)

    @property
    def items_per_second(self) -> Spread:
        return spread(rates(self.count, self.seconds))

    @property
    def megabytes_per_second(self) -> Spread:
        return self.items_per_second.scaled(self.size / MEGABYTE)


@dataclass(frozen=True)
class StateResult:
    """One shared-state method with ``procs`` workers doing ``per_worker`` increments each."""

    name: str
    start_method: str
    procs: int
    per_worker: int
    seconds: tuple[float, ...]

    @property
    def increments_per_second(self) -> Spread:
        return spread(rates(self.procs * self.per_worker, self.seconds))


@dataclass(frozen=True)
class PoolResult:
    """One pool's map of ``count`` tasks (each returns its ``size``-byte argument) at a chunksize."""

    name: str
    start_method: str
    chunksize: int
    size: int
    count: int
    seconds: tuple[float, ...]

    @property
    def tasks_per_second(self) -> Spread:
        return spread(rates(self.count, self.seconds))


def pool_ratio(result: PoolResult, limits: dict[tuple[str, int], float]) -> float | None:
    """Tasks/s over the raw os.pipe's records/s at the tasks' size and start method."""
    return ratio(result.tasks_per_second.median, limits.get((result.start_method, result.size)))


@dataclass(frozen=True)
class StartResult:
    """What starting (and joining) a process that does nothing costs under one start method."""

    start_method: str
    seconds: tuple[float, ...]


def limit_rates(results: Sequence[ChannelResult]) -> dict[tuple[str, int], float]:
    """(start method, payload size) -> median items/s of the raw os.pipe there."""
    return {(r.start_method, r.size): r.items_per_second.median for r in results if r.name == LIMIT}


def ratio_to_limit(result: ChannelResult, limits: dict[tuple[str, int], float]) -> float | None:
    """This row's median items/s over the raw os.pipe's at the same size and start method."""
    return ratio(result.items_per_second.median, limits.get((result.start_method, result.size)))


@dataclass
class BenchResults:
    """Every row of one run, the notes on rows that failed or were skipped, and the machine."""

    channels: list[ChannelResult]
    state: list[StateResult]
    starts: list[StartResult]
    notes: list[str]
    machine: dict[str, Any] = field(default_factory=dict)
    pools: list[PoolResult] = field(default_factory=list)
