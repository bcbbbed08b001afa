"""What a pool promises its caller: every task's result exactly once, in input order where the
call style promises it, and no task lost or failed on the way.

Task ``n`` returns ``divmod(n, base)``, so each result names its task and these checks are exact.
``task-lost`` and ``pool-broken`` are findings about the pool itself, reported whether or not a
fault was injected: a ``Pool`` that never reports a task whose worker died, an executor that
breaks for every pending call.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from ..methods import POOLS
from ..methods.pooling import WHOLE_CALL, CallStyle
from ..outcome import Outcome
from .violation import Violation, summarize

# How many ranges a list of task numbers shows before it says "... and N more".
MAX_RANGES = 8
BROKEN_POOL = "BrokenProcessPool"


def style_of(outcome: Outcome) -> CallStyle:
    """The call style the run used (its mode)."""
    return POOLS[outcome.workload.method].STYLES[outcome.workload.mode]


def tasks_in(outcome: Outcome) -> int:
    return outcome.workload.procs * outcome.workload.base


def task_of(result: object, outcome: Outcome) -> int | None:
    """The task a result came from, or None if no task returns it."""
    base = outcome.workload.base
    if not (isinstance(result, tuple) and len(result) == 2):
        return None
    block, item = result
    if not (isinstance(block, int) and isinstance(item, int) and 0 <= item < base):
        return None
    number = block * base + item
    return number if 0 <= number < tasks_in(outcome) else None


def ranges(numbers: Iterable[int]) -> str:
    """``0-4, 7, 9-12``: task numbers, sorted, runs joined, a long list cut short."""
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    shown = [str(a) if a == b else f"{a}-{b}" for a, b in runs[:MAX_RANGES]]
    if len(runs) > MAX_RANGES:
        shown.append(f"... and {len(runs) - MAX_RANGES} more ranges")
    return ", ".join(shown)


def tasks_named(numbers: Iterable[int]) -> str:
    """``task 3`` or ``tasks 0-4, 7 (6)``."""
    unique = set(numbers)
    if len(unique) == 1:
        return f"task {next(iter(unique))}"
    return f"tasks {ranges(unique)} ({len(unique)})"


def consequence(outcome: Outcome) -> str:
    """What the lost tasks mean for the call the caller is waiting in."""
    style = style_of(outcome)
    lost = sorted(number for number, _ in outcome.lost)
    if style.on_failure == WHOLE_CALL:
        return (f"{style.call} can never return: it waits for every chunk, so it would wait "
                "forever (CPython issues #96062, #78178)")
    if style.ordered:
        after = tasks_in(outcome) - lost[0] - 1
        return f"{style.call} can never yield task {lost[0]}, nor the {after} results after it"
    return f"every other result arrived, but {style.call} can never finish"


def check_lost(outcome: Outcome) -> list[Violation]:
    """No task was lost: the pool reported every task, with a result or an exception."""
    if not outcome.lost:
        return []
    by_how: dict[str, list[int]] = defaultdict(list)
    for number, how in outcome.lost:
        by_how[how].append(number)
    evidence = [f"{tasks_named(numbers)}: {how}" for how, numbers in by_how.items()]
    return summarize("task-lost", evidence) + [Violation("task-lost", consequence(outcome))]


def check_pool_broken(outcome: Outcome) -> list[Violation]:
    """The pool did not break: no call failed with BrokenProcessPool."""
    broken = [(number, what) for number, what in outcome.failed if what.startswith(BROKEN_POOL)]
    if not broken:
        return []
    named = [number for number, _ in broken if number is not None]
    which = tasks_named(named) if named else "the call"
    return [Violation("pool-broken", f"the caller got {broken[0][1]} for {which}: the executor "
                                     "fails every pending call once a worker dies")]


def check_task_failed(outcome: Outcome) -> list[Violation]:
    """No call reached the caller as an exception (BrokenProcessPool is ``pool-broken``)."""
    evidence = [f"{'the call' if number is None else f'task {number}'}: the caller got {what}"
                for number, what in outcome.failed if not what.startswith(BROKEN_POOL)]
    return summarize("task-failed", evidence)


def misdelivered(outcome: Outcome) -> list[str]:
    """Evidence of results that belong to no task, or that arrived more than once."""
    numbers = [task_of(result, outcome) for result in outcome.received]
    evidence = [f"result {result!r} belongs to no task"
                for result, number in zip(outcome.received, numbers, strict=True) if number is None]
    counts = Counter(number for number in numbers if number is not None)
    evidence += [f"task {number}: result received {count} times"
                 for number, count in sorted(counts.items()) if count > 1]
    return evidence


def delivered(outcome: Outcome) -> set[int]:
    """The tasks whose result reached the caller."""
    return {number for number in (task_of(r, outcome) for r in outcome.received) if number is not None}


def check_results(outcome: Outcome) -> list[Violation]:
    """Every task's result arrived exactly once, and nothing that no task returns.

    Tasks reported lost or failed are left to ``task-lost``, ``task-failed`` and ``pool-broken``;
    after an exception for a whole call, no result was ever due.
    """
    evidence = misdelivered(outcome)
    if not any(number is None for number, _ in outcome.failed):
        accounted = delivered(outcome) | {number for number, _ in outcome.lost}
        accounted |= {number for number, _ in outcome.failed if number is not None}
        missing = set(range(tasks_in(outcome))) - accounted
        if missing:
            evidence.append(f"{tasks_named(missing)}: result never received")
    return summarize("results", evidence)


def check_input_order(outcome: Outcome) -> list[Violation]:
    """Ordered call styles (map, imap, starmap, Executor.map): results came in task order."""
    if not style_of(outcome).ordered:
        return []
    evidence = []
    previous: int | None = None
    for result in outcome.received:
        number = task_of(result, outcome)
        if number is None:
            continue
        if previous is not None and number <= previous:
            evidence.append(f"task {number}'s result came after task {previous}'s")
        previous = number if previous is None else max(previous, number)
    return summarize("input-order", evidence)
