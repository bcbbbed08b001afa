"""How a race reads to a person: an outcome table per race, why updates are lost, the fix.

Like a jcstress outcome table, each distinct final value of a race gets a row with how often it
came and its grade (see ``theory``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .theory import lowest_reachable
from .trials import Trial

WHY = (
    "why: `v.value += 1` is a read then a write; two workers read the same number, both write "
    "it + 1, and one increment is lost (read, read, write, write)."
)
FIX = {
    "value": "fix: `with v.get_lock(): v.value += 1` makes the read and the write one step.",
    "raw-value": "fix: a RawValue has no lock; share a Lock and do `with lock: v.value += 1`.",
    "manager-value": (
        "fix: a manager Value has no get_lock(); use `lock = manager.Lock()` and "
        "`with lock: v.value += 1`."
    ),
}


@dataclass(frozen=True)
class OutcomeRow:
    """One line of the outcome table: a final value, how often it came, and its grade."""

    observed: int
    lost: int
    count: int
    grade: str


def outcome_table(trials: Iterable[Trial]) -> list[OutcomeRow]:
    """Each distinct final value of ``trials`` (all of one race), highest first, with its count."""
    counts = Counter((t.observed, t.lost, t.grade) for t in trials)
    return [
        OutcomeRow(observed, lost, count, grade)
        for (observed, lost, grade), count in sorted(counts.items(), key=lambda item: -item[0][0])
    ]


def format_race(trials: Sequence[Trial]) -> str:
    """The human report of one race (one mode, counter and start method): title and table."""
    first = trials[0]
    title = (
        f"{first.mode} · {first.counter} · {first.start_method} · "
        f"{first.procs} procs × {first.iterations} increments · {len(trials)} trial(s)"
    )
    exact = first.exact
    must = (
        f"must end at {exact}"
        if exact is not None
        else (f"reachable: {lowest_reachable(first.procs, first.iterations)}..{first.expected}")
    )
    lines = [title, f"  expected {first.expected} if nothing is lost; {must}"]
    lines.append(f"  {'observed':>10}  {'lost':>10}  {'trials':>6}  grade")
    for row in outcome_table(trials):
        lines.append(f"  {row.observed:>10}  {row.lost:>10}  {row.count:>6}  {row.grade}")
    for trial in trials:
        if trial.error is not None:
            lines.append(f"  error: {trial.error}")
    return "\n".join(lines)
