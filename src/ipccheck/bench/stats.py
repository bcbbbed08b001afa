"""The arithmetic of ``ipccheck bench``: pure functions on numbers, no processes, no clocks.

How many messages a run sends, how repeats become a median and a min-max range, how a count
and a duration become a rate, and how two rates become a ratio. Tests pin all of it down on
made-up durations, so the figures a reader checks never depend on timing anything.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

MEGABYTE = 1_000_000  # MB/s in decimal megabytes, like network and disk figures


@dataclass(frozen=True)
class Spread:
    """The median of some repeats and the range they covered: the noise, shown honestly."""

    median: float
    low: float
    high: float

    def scaled(self, factor: float) -> Spread:
        return Spread(self.median * factor, self.low * factor, self.high * factor)

    def to_dict(self) -> dict[str, float]:
        return {"median": self.median, "min": self.low, "max": self.high}


def spread(samples: Sequence[float]) -> Spread:
    """Median, min and max of at least one sample."""
    if not samples:
        raise ValueError("spread needs at least one sample")
    return Spread(statistics.median(samples), min(samples), max(samples))


def rates(count: int, seconds: Sequence[float]) -> list[float]:
    """Events per second for each repeat that did ``count`` events in ``seconds[i]``."""
    return [count / s if s > 0 else float("inf") for s in seconds]


def megabytes_per_second(items_per_second: float, size: int) -> float:
    return items_per_second * size / MEGABYTE


def ratio(value: float, reference: float | None) -> float | None:
    """``value / reference``, or None when there is no reference to compare with."""
    if reference is None or reference <= 0:
        return None
    return value / reference


def messages_for(size: int, messages: int, byte_budget: int, *, minimum: int = 16) -> int:
    """How many items one run sends: ``messages``, fewer for big payloads, never under ``minimum``.

    Big payloads would otherwise turn one run into gigabytes; the byte budget keeps every run
    about equally long whatever the size.
    """
    if size < 1:
        raise ValueError(f"size must be at least 1 byte, got {size}")
    return max(min(messages, byte_budget // size), min(minimum, messages))
