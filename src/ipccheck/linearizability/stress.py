"""Run one scenario again and again on fresh objects, checking every history.

Whether a concurrent object misbehaves depends on how its processes happen to interleave, so
one run proves little. ``stress`` repeats a scenario up to ``runs`` times (the stress budget)
and stops at the first history that is not linearizable; the ``Trial`` says how many runs
that took, which is how often the failure can be expected to show.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._validate import DEFAULT_TIMEOUT, require_count, require_start_method, require_timeout
from ..processes import Deadline
from .checkers import linearize
from .execute import execute
from .history import History
from .kinds import Kind
from .scenario import Scenario
from .verdict import Verdict

MAX_RUNS = 1_000_000
# How long the checker may search one history of a scenario (they are tiny: milliseconds).
CHECK_BUDGET = 10.0


@dataclass(frozen=True)
class Trial:
    """A scenario run up to ``budget`` times: the first failing history, if any."""

    scenario: Scenario
    start_method: str
    runs: int  # runs made: the failing run's number, or the whole budget
    budget: int
    history: History | None = None
    verdict: Verdict | None = None
    undecided: int = 0  # runs whose check ran out of CHECK_BUDGET

    @property
    def failed(self) -> bool:
        return self.verdict is not None


def stress(
    scenario: Scenario,
    kind: Kind,
    factory: Callable[..., Any],
    start_method: str,
    *,
    runs: int,
    timeout: float = DEFAULT_TIMEOUT,
) -> Trial:
    """Run ``scenario`` up to ``runs`` times under ``start_method``; stop at the first violation.

    Each run has its own deadline of ``timeout`` seconds; a run that crashes or times out
    raises ``ScenarioError`` or ``DeadlineExceeded``, which is a finding of its own.
    """
    require_count("runs", runs, minimum=1, maximum=MAX_RUNS)
    ctx = multiprocessing.get_context(require_start_method(start_method))
    seconds = require_timeout(timeout)
    undecided = 0
    for run in range(1, runs + 1):
        history = execute(scenario, kind, factory, ctx, Deadline(seconds))
        verdict = linearize(history, kind.model, budget=CHECK_BUDGET)
        if verdict.linearizable is False:
            return Trial(scenario, start_method, run, runs, history, verdict, undecided)
        undecided += verdict.linearizable is None
    return Trial(scenario, start_method, runs, runs, undecided=undecided)


@dataclass(frozen=True)
class Rate:
    """How many of ``runs`` runs of one scenario gave a non-linearizable history."""

    scenario: Scenario
    start_method: str
    failures: int
    runs: int
    example: Trial | None  # the first failing run, with its history and verdict

    def __str__(self) -> str:
        return f"{self.failures} of {self.runs} runs not linearizable under {self.start_method}"


def failure_rate(
    scenario: Scenario,
    kind: Kind,
    factory: Callable[..., Any],
    start_method: str,
    *,
    runs: int,
    timeout: float = DEFAULT_TIMEOUT,
) -> Rate:
    """Run ``scenario`` exactly ``runs`` times and count the non-linearizable histories."""
    require_count("runs", runs, minimum=1, maximum=MAX_RUNS)
    ctx = multiprocessing.get_context(require_start_method(start_method))
    seconds = require_timeout(timeout)
    failures = 0
    example: Trial | None = None
    for run in range(1, runs + 1):
        history = execute(scenario, kind, factory, ctx, Deadline(seconds))
        verdict = linearize(history, kind.model, budget=CHECK_BUDGET)
        if verdict.linearizable is False:
            failures += 1
            if example is None:
                example = Trial(scenario, start_method, run, runs, history, verdict)
    return Rate(scenario, start_method, failures, runs, example)
