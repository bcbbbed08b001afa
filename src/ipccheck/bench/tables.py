"""The text tables of ``ipccheck bench``: pure formatting, tested on made-up results.

Numbers print with three significant figures and a k/M/G suffix, sizes in B/KiB/MiB. When a
run measured several start methods, each table gains a ``start method`` column and the rows of
one method under each start method sit next to each other, so they read side by side.
"""

from __future__ import annotations

from collections.abc import Sequence

from .results import (
    KINDS,
    LIMIT,
    ChannelResult,
    PoolResult,
    StartResult,
    StateResult,
    limit_rates,
    pool_ratio,
    ratio_to_limit,
)
from .stats import Spread, ratio, spread

BATCHED = "batched"  # the channel the headline compares with the limit


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


def first_seen(values: Sequence[str]) -> dict[str, int]:
    """Each distinct value -> the position of its first appearance: an order to sort by."""
    return {value: i for i, value in enumerate(dict.fromkeys(values))}


def channel_table(results: Sequence[ChannelResult]) -> str:
    """Every channel row grouped by payload size (limits first), with its ratio to os.pipe."""
    limits = limit_rates(results)
    kinds = {kind: i for i, kind in enumerate(KINDS)}
    names = first_seen([r.name for r in results])
    methods = first_seen([r.start_method for r in results])
    several = len(methods) > 1
    ordered = sorted(
        results, key=lambda r: (r.size, kinds[r.kind], names[r.name], methods[r.start_method])
    )
    rows = []
    for r in ordered:
        items = r.items_per_second
        start = f"{spread(r.start_seconds).median * 1000:.1f}" if r.start_seconds else "-"
        rows.append(
            [human_size(r.size), r.name, r.kind]
            + ([r.start_method] if several else [])
            + [
                human(items.median),
                format_range(items),
                human(r.megabytes_per_second.median),
                format_ratio(ratio_to_limit(r, limits)),
                start,
            ]
        )
    headers = ["size", "method", "kind"] + (["start method"] if several else [])
    headers += ["msgs/s", "min-max", "MB/s", f"x {LIMIT}", "start ms"]
    right = [True, False, False] + ([False] if several else []) + [True] * 5
    return table(headers, rows, right)


def state_table(results: Sequence[StateResult]) -> str:
    """Increments/s per shared-state method, one column pair per process count."""
    procs = sorted({r.procs for r in results})
    names = first_seen([r.name for r in results])
    methods = first_seen([r.start_method for r in results])
    several = len(methods) > 1
    by_key = {(r.name, r.start_method, r.procs): r for r in results}
    headers = ["method"] + (["start method"] if several else [])
    for p in procs:
        headers += [f"incr/s @{p}", f"min-max @{p}"]
    rows = []
    for name in names:
        for method in methods:
            row = [name] + ([method] if several else [])
            for p in procs:
                found = by_key.get((name, method, p))
                if found is None:
                    row += ["-", "-"]
                else:
                    rate = found.increments_per_second
                    row += [human(rate.median), format_range(rate)]
            rows.append(row)
    lefts = 2 if several else 1
    return table(headers, rows, [False] * lefts + [True] * (len(headers) - lefts))


def pool_table(results: Sequence[PoolResult], limits: dict[tuple[str, int], float]) -> str:
    """Tasks/s per pool and chunksize, with the ratio to the raw os.pipe at the tasks' size."""
    names = first_seen([r.name for r in results])
    methods = first_seen([r.start_method for r in results])
    several = len(methods) > 1
    ordered = sorted(results, key=lambda r: (names[r.name], r.chunksize, methods[r.start_method]))
    rows = []
    for r in ordered:
        tasks = r.tasks_per_second
        rows.append(
            [r.name]
            + ([r.start_method] if several else [])
            + [str(r.chunksize), human(tasks.median), format_range(tasks),
               format_ratio(pool_ratio(r, limits))]
        )
    headers = ["pool"] + (["start method"] if several else [])
    headers += ["chunksize", "tasks/s", "min-max", f"x {LIMIT}"]
    lefts = 2 if several else 1
    return table(headers, rows, [False] * lefts + [True] * (len(headers) - lefts))


def start_table(results: Sequence[StartResult]) -> str:
    rows = []
    for r in results:
        s = spread(r.seconds)
        rows.append(
            [r.start_method, f"{s.median * 1000:.1f}", f"{s.low * 1000:.1f}-{s.high * 1000:.1f}"]
        )
    return table(("start method", "start+join ms", "min-max ms"), rows, (False, True, True))


def batched_headlines(results: Sequence[ChannelResult]) -> list[str]:
    """Per start method: the batched channel against os.pipe at the smallest size both ran.

    Items/s against records/s: a batched item is one record, however many share a message.
    """
    limits = limit_rates(results)
    methods = list(first_seen([r.start_method for r in results]))
    lines = []
    for method in methods:
        candidates = [
            r
            for r in results
            if r.name == BATCHED and r.start_method == method and (method, r.size) in limits
        ]
        if not candidates:
            continue
        batched = min(candidates, key=lambda r: r.size)
        items = batched.items_per_second.median
        limit = limits[(method, batched.size)]
        under = f" ({method})" if len(methods) > 1 else ""
        lines.append(
            f"batched at {human_size(batched.size)} items{under}: {human(items)} items/s = "
            f"{format_ratio(ratio(items, limit))} the raw {LIMIT}'s {human(limit)} records/s"
        )
    return lines
