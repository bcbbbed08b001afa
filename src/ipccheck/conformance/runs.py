"""One run of the user's object: a case becomes a Workload, the object a stand-in, the runner
runs it with the context under test, and ipccheck's invariants judge what it observed.

Every run of the kit goes through ``run_case``: the probe, the search, the counter trials.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any

from ..invariants import Violation, check
from ..protocol import Method
from ..runner import run
from ..workload import Workload
from .under_test import CounterUnderTest, PipeUnderTest, QueueUnderTest

# The reference method each kind of object stands in for.
REFERENCE = {"queue": "queue", "pipe": "pipe", "counter": "value"}

# One run's workload: procs, then items (queues, pipes: plus a payload size) or increments.
Case = dict[str, int]


@dataclass(frozen=True)
class Ran:
    """What one run showed: the broken promises, each child's exception, and whether it hung."""

    case: Case
    violations: tuple[Violation, ...]
    errors: dict[str, str]
    timed_out: bool


def stand_in(kind: str, factory: Callable[..., Any], case: Case) -> Method:
    """The user's factory dressed as the reference method ``kind`` stands in for."""
    if kind == "queue":
        return QueueUnderTest(factory)
    if kind == "pipe":
        return PipeUnderTest(factory, case.get("payload", 0))
    return CounterUnderTest(factory)


def run_case(
    kind: str,
    factory: Callable[..., Any],
    case: Case,
    start_method: str,
    ctx: BaseContext,
    timeout: float,
) -> Ran:
    """Run ``case`` once with objects from ``factory`` and children from ``ctx``; judge it."""
    base = case["increments"] if kind == "counter" else case["items"]
    workload = Workload(REFERENCE[kind], case["procs"], base, start_method, "stream", timeout)
    outcome = run(workload, stand_in(kind, factory, case), ctx)
    errors = {child.name: child.error for child in outcome.children if child.error}
    return Ran(dict(case), tuple(check(outcome)), errors, outcome.timed_out)
