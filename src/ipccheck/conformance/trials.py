"""verify_counter's runs: trials under contention, then what kind of failure a failure is.

A lost update needs two workers to interleave between a read and a write, and the OS decides
that: it cannot be replayed, so it cannot be shrunk. But not every counter failure is a race.
After a failing trial the same increments run once more with *one* worker:

- if one worker alone fails too, nothing was racing: it is a sequential failure (a semaphore's
  maximum value, an overflow, an ``increment`` that raises), and it is shrunk by bisection to
  the smallest number of increments that still fails with one worker;
- if one worker passes, the failure needs workers running together: a race, reported as found,
  with the trial it was found in, not shrunk;
- a trial that hit its deadline says only that: the total was never read, so nothing is claimed
  about lost updates, and the note says how to give a slow counter more time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from multiprocessing.context import BaseContext
from typing import Any

from .runs import Ran, run_case
from .search import SHRINK_SECONDS
from .verdict import Verdict


def deadline_note(procs: int, increments: int, timeout: float) -> str:
    return (
        f"The counter did not finish {procs} x {increments} increments within {timeout:g} s, so "
        "its total was never read: nothing is claimed about lost updates. A slow counter needs "
        "a longer timeout or fewer increments (timeout=, increments=; --timeout, --increments)."
    )


def race_note(trial: int, trials: int) -> str:
    return (
        f"Found in trial {trial} of {trials}. One worker alone did not reproduce it, so it needs "
        "workers running together: a race, which cannot be replayed, so it is not shrunk."
    )


def sequential_note(smallest: int, passed: int, out_of_time: bool) -> str:
    limit = f" Shrinking stopped after {SHRINK_SECONDS:g} s." if out_of_time else ""
    return (
        "One worker alone reproduces it, so this is not a race: it is a sequential failure, "
        f"shrunk by bisection to {smallest} increment(s) (with {passed} it passed).{limit}"
    )


def counter_trials(
    factory: Callable[..., Any],
    start_method: str,
    ctx: BaseContext,
    *,
    procs: int,
    increments: int,
    trials: int,
    timeout: float,
) -> Verdict:
    """Run ``trials`` trials under ``start_method``; classify and shrink the first failure."""
    started = time.perf_counter()
    runs = 0

    def once(workers: int, count: int) -> Ran:
        nonlocal runs
        runs += 1
        case = {"procs": workers, "increments": count}
        return run_case("counter", factory, case, start_method, ctx, timeout)

    for trial in range(1, trials + 1):
        failed = once(procs, increments)
        if not failed.violations:
            continue
        smallest, note = failed, race_note(trial, trials)
        if failed.timed_out:
            note = deadline_note(procs, increments, timeout)
        else:
            alone = once(1, increments)
            if alone.violations and not alone.timed_out:
                smallest, passed, out_of_time = _bisect(once, alone, time.perf_counter())
                note = sequential_note(smallest.case["increments"], passed, out_of_time)
        return Verdict(
            start_method=start_method,
            runs=runs,
            seconds=time.perf_counter() - started,
            violations=smallest.violations,
            case={**smallest.case, "start_method": start_method},
            first_case={**failed.case, "start_method": start_method},
            errors=smallest.errors,
            note=note,
        )
    return Verdict(start_method, runs, time.perf_counter() - started)


def _bisect(once: Callable[[int, int], Ran], failing: Ran, started: float) -> tuple[Ran, int, bool]:
    """The smallest increments that fail with one worker: (that run, the largest that passed,
    whether SHRINK_SECONDS from ``started`` ran out first). Zero increments do nothing: a pass."""
    passed = 0
    while failing.case["increments"] - passed > 1:
        if time.perf_counter() - started > SHRINK_SECONDS:
            return failing, passed, True
        middle = (passed + failing.case["increments"]) // 2
        ran = once(1, middle)
        if ran.violations and not ran.timed_out:
            failing = ran
        else:
            passed = middle
    return failing, passed, False
