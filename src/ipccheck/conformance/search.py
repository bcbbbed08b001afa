"""The search behind verify_queue and verify_pipe: find a failing case, then the smallest one.

It knows nothing of queues, pipes or start methods: it is given ``run_case(case) ->
violations`` and the bounds of the cases to try, and it decides which cases to run. For one
start method:

1. One *typical* case runs first, always, so a common bug is found whatever Hypothesis draws.
2. If it failed, Hypothesis searches only cases no bigger than it (at least
   FAILING_SEARCH_EXAMPLES of them: a failure is known to exist there) and shrinks the failures
   it finds; it never shrinks an explicit example, which is why the search is needed at all.
   If it passed, Hypothesis searches everything up to the bounds.
3. Every failing run is recorded here as well. So whatever Hypothesis ends with (its shrunk
   failure, ``Flaky`` because a failure did not repeat, or the SHRINK_SECONDS limit) the
   smallest failure actually seen is reported with its evidence.

Hypothesis is the optional ``conformance`` extra, so it is imported inside the functions that
use it (each import says so) and ``require_hypothesis`` fails in one line when it is missing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._validate import require_count
from ..invariants import Violation

if TYPE_CHECKING:  # for annotations only: Hypothesis is optional at run time
    from hypothesis.strategies import SearchStrategy

# Each example starts real processes, so at most this many per start method unless asked.
DEFAULT_MAX_EXAMPLES = 20
MAX_EXAMPLES = 10_000
# Once the typical case failed, the search for a smaller one may try at least this many.
FAILING_SEARCH_EXAMPLES = 25
# Once a failure is found, shrinking stops after this long and reports the smallest so far.
SHRINK_SECONDS = 30.0

HYPOTHESIS_MISSING = (
    "the conformance kit needs Hypothesis to shrink failures: pip install 'ipccheck[conformance]'"
)
NOT_SHRUNK = "Not shrunk: the search found no smaller failing case."
FLAKY = "The failure did not repeat when the same case ran again: it depends on timing."

# One run's workload: procs, items and (for pipes) payload, always in that order.
Case = dict[str, int]
RunCase = Callable[[Case], Sequence[Violation]]


def require_hypothesis() -> None:
    """Fail in one line, before anything starts, if the ``conformance`` extra is not installed."""
    try:
        import hypothesis  # noqa: F401 - optional extra: only whether it imports matters here
    except ImportError:
        raise ImportError(HYPOTHESIS_MISSING) from None


def examples_for(max_examples: int | None) -> int:
    """``max_examples`` validated, or the loaded Hypothesis profile's, at most DEFAULT_MAX_EXAMPLES."""
    if max_examples is not None:
        return require_count("max_examples", max_examples, minimum=1, maximum=MAX_EXAMPLES)
    from hypothesis import settings  # optional extra: a user's profile may set max_examples

    return min(settings().max_examples, DEFAULT_MAX_EXAMPLES)


@dataclass(frozen=True)
class Bounds:
    """The cases a search may try: 1..procs producers, 0..items items each, a payload size."""

    procs: int
    items: int
    payloads: tuple[int, ...] = ()  # sizes to choose from, smallest first; () for no payload

    def largest(self) -> Case:
        """The biggest case within these bounds: the typical case when these are typical."""
        case = {"procs": self.procs, "items": self.items}
        if self.payloads:
            case["payload"] = max(self.payloads)
        return case

    def strategy(self) -> SearchStrategy[Case]:
        """Hypothesis draws cases within these bounds and shrinks each field toward its minimum.

        Drawn as a tuple, not ``fixed_dictionaries``, so the fields are always drawn in the same
        order: that keeps Hypothesis from spending examples on one case under two key orders.
        """
        from hypothesis import strategies as st  # optional extra: only a search draws cases

        names = ["procs", "items"]
        fields = [st.integers(1, self.procs), st.integers(0, self.items)]
        if self.payloads:
            names.append("payload")
            fields.append(st.sampled_from(self.payloads))
        return st.tuples(*fields).map(lambda values: dict(zip(names, values, strict=True)))


@dataclass(frozen=True)
class Failure:
    """One failing run: its case and what it broke."""

    case: Case
    violations: tuple[Violation, ...]


@dataclass(frozen=True)
class Finding:
    """The smallest failure seen, the case the search started from, and what to tell the reader."""

    smallest: Failure
    first_case: Case
    note: str = ""


@dataclass(frozen=True)
class Searched:
    """How many runs one start method took, and the finding (None: every run kept its promises)."""

    runs: int
    finding: Finding | None


def search(
    run_case: RunCase,
    bounds: Bounds,
    typical: Bounds,
    *,
    max_examples: int,
    derandomize: bool | None,
) -> Searched:
    """Run the typical case, then let Hypothesis search (confined after a failure) and shrink."""
    first = typical.largest()
    typical_violations = tuple(run_case(first))
    runs = 1
    if typical_violations:  # a failure exists within these bounds: look harder there
        bounds, max_examples = typical, max(max_examples, FAILING_SEARCH_EXAMPLES)
    searched, failures, flaky = _hypothesis_search(run_case, bounds, max_examples, derandomize)
    runs += searched
    note = ""
    if typical_violations and not failures:  # the search never saw it again: replay it once
        again = tuple(run_case(first))
        runs += 1
        failures = [Failure(first, again or typical_violations)]
        flaky = not again
        note = "" if flaky else NOT_SHRUNK
    if not failures:
        return Searched(runs, None)
    if flaky:
        note = FLAKY
    smallest = min(failures, key=lambda failure: tuple(failure.case.values()))
    started_from = first if typical_violations else failures[0].case
    return Searched(runs, Finding(smallest, started_from, note))


class _Violated(Exception):
    """Raised inside the search so Hypothesis sees a failing case; the details are kept aside."""


class _OutOfTime(Exception):
    """Raised inside the search to end shrinking once SHRINK_SECONDS have passed."""


def _hypothesis_search(
    run_case: RunCase, bounds: Bounds, max_examples: int, derandomize: bool | None
) -> tuple[int, list[Failure], bool]:
    """Let Hypothesis look for a failing case and shrink it; return (runs, failures, flaky)."""
    # optional extra: only a search needs Hypothesis
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis.errors import Flaky

    failures: list[Failure] = []
    runs = 0
    first_failure_at: float | None = None

    @settings(
        database=None,  # a user's check must not depend on what an earlier run stored
        deadline=None,  # one example starts real processes
        max_examples=max_examples,
        derandomize=settings().derandomize if derandomize is None else derandomize,
        verbosity=Verbosity.quiet,  # the ConformanceError is the report
        suppress_health_check=[HealthCheck.too_slow],
        report_multiple_bugs=False,
        # No "explain" phase: it reruns many variations of a failure, each one real processes.
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    @given(bounds.strategy())
    def attempt(case: Case) -> None:
        nonlocal runs, first_failure_at
        if first_failure_at is not None and time.monotonic() - first_failure_at > SHRINK_SECONDS:
            raise _OutOfTime
        runs += 1
        violations = tuple(run_case(case))
        if violations:
            failures.append(Failure(case, violations))
            if first_failure_at is None:
                first_failure_at = time.monotonic()
            raise _Violated

    try:
        attempt()
    except Exception as exc:
        if not failures:
            raise
        return runs, failures, isinstance(exc, Flaky)
    return runs, failures, False
