"""The arithmetic and the output of ``ipccheck bench``: pure functions, no processes, no clocks.

Everything a reader checks in a benchmark lives here so tests can pin it down without timing
anything: how many messages a run sends, how repeats become a median and a min-max range, how a
rate becomes MB/s and a ratio to the raw ``os.pipe``, how the tables are aligned and what the
JSON looks like. The measuring itself (``channels``, ``state``) only produces
durations; ``bench`` glues the two together.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# The reference every channel row is compared with: raw os.pipe records of the same size.
LIMIT = "os.pipe"
MEGABYTE = 1_000_000  # MB/s in decimal megabytes, like network and disk figures
KINDS = ("limit", "channel", "peer")
MAX_SIZE = 64 * 1024 * 1024


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


def parse_sizes(text: str) -> list[int]:
    """``"8,1024,64k,1m"`` -> ``[8, 1024, 65536, 1048576]``, sorted, duplicates removed."""
    sizes = set()
    for part in text.split(","):
        word = part.strip().lower()
        if not word:
            raise ValueError(f"empty size in {text!r}")
        factor = {"k": 1024, "m": 1024 * 1024}.get(word[-1], 1)
        number = word[:-1] if factor > 1 else word
        if not number.isdigit():
            raise ValueError(
                f"size {part.strip()!r} is not a whole number of bytes (e.g. 8, 64k, 1m)"
            )
        size = int(number) * factor
        if not 1 <= size <= MAX_SIZE:
            raise ValueError(f"size {part.strip()!r} must be between 1 byte and 64m")
        sizes.add(size)
    return sorted(sizes)


def parse_names(text: str, known: Sequence[str]) -> list[str]:
    """``"queue,pipe-send"`` -> those names in ``known``'s order; unknown names are an error."""
    wanted = [word.strip() for word in text.split(",") if word.strip()]
    if not wanted:
        raise ValueError("--methods needs at least one name")
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise ValueError(f"unknown bench method {unknown[0]!r}; choose from: {', '.join(known)}")
    return [name for name in known if name in wanted]


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelResult:
    """One channel at one payload size: ``count`` items per repeat, one duration per repeat."""

    name: str
    kind: str  # limit, channel or peer
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
    procs: int
    per_worker: int
    seconds: tuple[float, ...]

    @property
    def increments_per_second(self) -> Spread:
        return spread(rates(self.procs * self.per_worker, self.seconds))


@dataclass(frozen=True)
class StartResult:
    """What starting (and joining) a process that does nothing costs under one start method."""

    start_method: str
    seconds: tuple[float, ...]


def limit_rates(results: Sequence[ChannelResult]) -> dict[int, float]:
    """Payload size -> median items/s of the raw os.pipe at that size."""
    return {r.size: r.items_per_second.median for r in results if r.name == LIMIT}


def ratio_to_limit(result: ChannelResult, limits: dict[int, float]) -> float | None:
    """This row's median items/s over the raw os.pipe's at the same size."""
    return ratio(result.items_per_second.median, limits.get(result.size))


# --- text output ------------------------------------------------------------------------------


def human(value: float) -> str:
    """A rate in three significant figures with k/M/G: ``1_520_000`` -> ``1.52 M``."""
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    for threshold, suffix in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
        if abs(value) >= threshold:
            return f"{value / threshold:.3g}{suffix}"
    return f"{value:.3g}"


def human_size(size: int) -> str:
    """``65536`` -> ``64 KiB``; sizes that are not whole KiB/MiB stay in bytes."""
    for unit, name in ((1024 * 1024, "MiB"), (1024, "KiB")):
        if size >= unit and size % unit == 0:
            return f"{size // unit} {name}"
    return f"{size} B"


def format_ratio(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}x" if value < 10 else f"{value:.1f}x"


def format_range(s: Spread) -> str:
    return f"{human(s.low)}-{human(s.high)}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> str:
    """Columns as wide as their widest cell, a rule under the headers, two spaces between."""
    for row in rows:
        if len(row) != len(headers):
            raise ValueError(f"row has {len(row)} cells for {len(headers)} columns: {row!r}")
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)
        ]
        return "  ".join(parts).rstrip()

    head = line(headers)
    return "\n".join([head, "-" * len(head), *(line(row) for row in rows)])


CHANNEL_HEADERS = ("size", "method", "kind", "msgs/s", "min-max", "MB/s", "x os.pipe", "start ms")
CHANNEL_RIGHT = (True, False, False, True, True, True, True, True)


def channel_table(results: Sequence[ChannelResult]) -> str:
    """Every channel row grouped by payload size (limits first), with its ratio to os.pipe."""
    limits = limit_rates(results)
    order = {kind: i for i, kind in enumerate(KINDS)}
    ordered = sorted(
        enumerate(results), key=lambda pair: (pair[1].size, order[pair[1].kind], pair[0])
    )
    rows = []
    for _, r in ordered:
        items = r.items_per_second
        start = f"{spread(r.start_seconds).median * 1000:.1f}" if r.start_seconds else "-"
        rows.append(
            [
                human_size(r.size),
                r.name,
                r.kind,
                human(items.median),
                format_range(items),
                human(r.megabytes_per_second.median),
                format_ratio(ratio_to_limit(r, limits)),
                start,
            ]
        )
    return table(CHANNEL_HEADERS, rows, CHANNEL_RIGHT)


def state_table(results: Sequence[StateResult]) -> str:
    """Increments/s per shared-state method, one column pair per process count."""
    procs = sorted({r.procs for r in results})
    names = list(dict.fromkeys(r.name for r in results))
    by_key = {(r.name, r.procs): r for r in results}
    headers = ["method"]
    for p in procs:
        headers += [f"incr/s @{p}", f"min-max @{p}"]
    rows = []
    for name in names:
        row = [name]
        for p in procs:
            found = by_key.get((name, p))
            if found is None:
                row += ["-", "-"]
            else:
                row += [
                    human(found.increments_per_second.median),
                    format_range(found.increments_per_second),
                ]
        rows.append(row)
    return table(headers, rows, [False] + [True] * (len(headers) - 1))


def start_table(results: Sequence[StartResult]) -> str:
    rows = []
    for r in results:
        s = spread(r.seconds)
        rows.append(
            [r.start_method, f"{s.median * 1000:.1f}", f"{s.low * 1000:.1f}-{s.high * 1000:.1f}"]
        )
    return table(("start method", "start+join ms", "min-max ms"), rows, (False, True, True))


BATCHED = "batched"


def batched_headline(results: Sequence[ChannelResult]) -> str | None:
    """The batched channel against os.pipe at the smallest size both ran: items/s, not writes/s."""
    limits = limit_rates(results)
    candidates = [r for r in results if r.name == BATCHED and r.size in limits]
    if not candidates:
        return None
    batched = min(candidates, key=lambda r: r.size)
    items = batched.items_per_second.median
    return (
        f"batched at {human_size(batched.size)} items: {human(items)} items/s = "
        f"{format_ratio(ratio(items, limits[batched.size]))} the raw os.pipe's "
        f"{human(limits[batched.size])} records/s"
    )


# --- JSON -------------------------------------------------------------------------------------


def channel_json(result: ChannelResult, limits: dict[int, float]) -> dict[str, Any]:
    return {
        "name": result.name,
        "kind": result.kind,
        "size": result.size,
        "count": result.count,
        "repeats": len(result.seconds),
        "seconds": list(result.seconds),
        "items_per_s": result.items_per_second.to_dict(),
        "mb_per_s": result.megabytes_per_second.to_dict(),
        "ratio_to_os_pipe": ratio_to_limit(result, limits),
        "start_seconds": spread(result.start_seconds).to_dict() if result.start_seconds else None,
    }


def state_json(result: StateResult) -> dict[str, Any]:
    return {
        "name": result.name,
        "procs": result.procs,
        "per_worker": result.per_worker,
        "repeats": len(result.seconds),
        "seconds": list(result.seconds),
        "increments_per_s": result.increments_per_second.to_dict(),
    }


def start_json(result: StartResult) -> dict[str, Any]:
    return {
        "start_method": result.start_method,
        "repeats": len(result.seconds),
        "seconds": spread(result.seconds).to_dict(),
    }


def report_json(
    machine: dict[str, Any],
    settings: dict[str, Any],
    channels: Sequence[ChannelResult],
    state: Sequence[StateResult],
    starts: Sequence[StartResult],
    notes: Sequence[str],
) -> dict[str, Any]:
    """Every figure of one run, plus what it ran on and with which settings."""
    limits = limit_rates(channels)
    return {
        "machine": dict(machine),
        "settings": dict(settings),
        "limit": LIMIT,
        "channels": [channel_json(r, limits) for r in channels],
        "state": [state_json(r) for r in state],
        "start_cost": [start_json(r) for r in starts],
        "notes": list(notes),
    }
