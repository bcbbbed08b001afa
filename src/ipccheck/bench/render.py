"""The text report of ``ipccheck bench``: the tables a person reads, with what produced them."""

from __future__ import annotations

from .pools import WORKERS
from .results import LIMIT, BenchResults, limit_rates
from .settings import BenchSettings
from .tables import batched_headlines, channel_table, human_size, pool_table, start_table, state_table


def render(results: BenchResults, settings: BenchSettings) -> str:
    """Channels, the batched headline, shared state, pools, start costs and notes, in that order."""
    several = len(settings.start_methods) > 1
    which = (
        f"start methods {', '.join(settings.start_methods)} side by side"
        if several
        else f"start method {settings.start_methods[0]}"
    )
    parts = [
        f"ipccheck bench: one producer -> parent consumer, {which}, median of {settings.repeat} "
        f"repeats; x {LIMIT} = msgs/s over the raw {LIMIT}'s at that size"
        + (" and start method" if several else ""),
        "",
        channel_table(results.channels),
    ]
    headlines = batched_headlines(results.channels)
    if headlines:
        parts += ["", *headlines]
    if results.state:
        cpus = results.machine.get("cpu_count")
        parts += [
            "",
            f"shared state: increments/s at {' and '.join(map(str, settings.state_procs))} "
            f"processes (the machine has {cpus} CPUs)",
            "",
            state_table(results.state),
        ]
    if results.pools:
        size, count = results.pools[0].size, results.pools[0].count
        parts += [
            "",
            f"pools: map of {count} tasks of {human_size(size)} (each returns its argument), "
            f"{WORKERS} workers, per chunksize; x {LIMIT} = tasks/s over the raw {LIMIT}'s "
            f"records/s at {human_size(size)}",
            "",
            pool_table(results.pools, limit_rates(results.channels)),
        ]
    if results.starts:
        parts += ["", "process start cost (start + join of a process that does nothing)", ""]
        parts.append(start_table(results.starts))
    if results.notes:
        parts += ["", *(f"note: {note}" for note in results.notes)]
    return "\n".join(parts)
