"""``verify_linearizable``: search for a scenario whose history is not linearizable, and shrink it.

Lincheck's method on real processes. Hypothesis generates scenarios (``generate``); each is run
``stress`` times on fresh objects (``stress``), and every history is checked. When one fails,
Hypothesis shrinks the scenario: each smaller candidate is run up to ``stress`` times too,
and counts as failing if any run fails. Because a failure depends on timing, a candidate that
failed once may pass on replay; Hypothesis then reports its failure as flaky. Every failing
trial is kept here, so whatever Hypothesis ends with, the smallest failure actually seen is
reported, with its history and the run in which it failed. Shrinking stops after
SHRINK_SECONDS and reports the smallest failure so far.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterable
from typing import Any

from .._validate import (
    DEFAULT_TIMEOUT,
    MAX_PROCS,
    require_count,
    require_start_methods,
    require_timeout,
    supported_start_methods,
)
from .execute import make, release
from .generate import scenarios
from .kinds import KINDS, Kind
from .report import NotLinearizable, Passed
from .scenario import MAX_PAYLOAD
from .stress import MAX_RUNS, Trial, stress

# Defaults sized so that one start method takes seconds under fork (docs/linearizability.md).
DEFAULT_MAX_EXAMPLES = 10
DEFAULT_STRESS = 10
DEFAULT_MAX_PROCS = 3
DEFAULT_MAX_CALLS = 3
MAX_EXAMPLES = 10_000
SHRINK_SECONDS = 60.0
MAX_CALLS_PER_PROCESS = 16
HYPOTHESIS_MISSING = (
    "the linearizability search needs Hypothesis: pip install hypothesis "
    "(or the 'conformance' extra)"
)


class _Failed(Exception):
    """Raised inside the search so Hypothesis sees a failing scenario; the trial is kept aside."""


class _OutOfTime(Exception):
    """Raised inside the search to end shrinking once SHRINK_SECONDS have passed."""


def require_kind(kind: object) -> Kind:
    if isinstance(kind, Kind):
        return kind
    if isinstance(kind, str) and kind in KINDS:
        return KINDS[kind]
    raise ValueError(f"unknown kind {kind!r}; choose from: {', '.join(KINDS)} (or pass a Kind)")


def require_operations(kind: Kind, operations: Iterable[str] | None) -> tuple[str, ...]:
    """The operation set to use: the kind's default, or the names given, each known to the kind."""
    if operations is None:
        return kind.default_operations
    names = (operations,) if isinstance(operations, str) else tuple(operations)
    chosen = tuple(dict.fromkeys(names))
    unknown = [name for name in chosen if name not in kind.operations]
    if unknown or not chosen:
        raise ValueError(f"unknown {kind.name} operation(s) {', '.join(unknown) or '(none)'}; "
                         f"choose from: {', '.join(kind.operations)}")
    if kind.name == "queue" and "get" in chosen and "put" not in chosen:
        raise ValueError("get waits for a put: an operation set with get must include put")
    return chosen


def name_of(factory: Any) -> str:
    module, qualname = getattr(factory, "__module__", None), getattr(factory, "__qualname__", None)
    return f"{module}:{qualname}" if module and qualname else repr(factory)


def probe(factory: Callable[..., Any], kind: Kind, operations: tuple[str, ...], method: str) -> None:
    """Make one object in the parent and check it has every operation, before any child starts."""
    obj = make(factory, multiprocessing.get_context(method))
    try:
        missing = kind.missing(obj, operations)
        if missing:
            raise TypeError(f"{type(obj).__name__} from {name_of(factory)} cannot do "
                            f"{', '.join(missing)} (a {kind.name} needs {', '.join(operations)})")
    finally:
        release(obj, clean=False)


def verify_linearizable(
    factory: Callable[..., Any],
    kind: str | Kind,
    *,
    operations: Iterable[str] | None = None,
    start_methods: str | Iterable[str] | None = None,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    stress_runs: int = DEFAULT_STRESS,
    max_procs: int = DEFAULT_MAX_PROCS,
    max_calls: int = DEFAULT_MAX_CALLS,
    payload: int = 0,
    timeout: float = DEFAULT_TIMEOUT,
    derandomize: bool | None = None,
) -> Passed:
    """Look for a non-linearizable history of the object ``factory`` makes; raise if one is found.

    ``factory(ctx=...)`` or ``factory()`` is called in the parent once per run. Each start
    method gets up to ``max_examples`` scenarios of up to ``max_procs`` processes with up to
    ``max_calls`` calls each, each run up to ``stress_runs`` times (the stress budget).
    Returns Passed, or raises NotLinearizable with the smallest failing scenario and its
    timeline. Bad arguments raise TypeError/ValueError before any process starts.
    """
    if not callable(factory):
        raise TypeError(f"factory must be callable, got {type(factory).__name__}")
    chosen = require_kind(kind)
    ops = require_operations(chosen, operations)
    methods = supported_start_methods() if start_methods is None else require_start_methods(start_methods)
    require_count("max_examples", max_examples, minimum=1, maximum=MAX_EXAMPLES)
    require_count("stress_runs", stress_runs, minimum=1, maximum=MAX_RUNS)
    require_count("max_procs", max_procs, minimum=1, maximum=MAX_PROCS)
    require_count("max_calls", max_calls, minimum=1, maximum=MAX_CALLS_PER_PROCESS)
    require_count("payload", payload, minimum=0, maximum=MAX_PAYLOAD)
    seconds = require_timeout(timeout)
    try:
        import hypothesis  # noqa: F401  - optional extra, checked before anything starts
    except ImportError:
        raise ImportError(HYPOTHESIS_MISSING) from None
    for method in methods:
        probe(factory, chosen, ops, method)
    strategy = scenarios(chosen, ops, max_procs=max_procs, max_calls=max_calls, payload=payload)
    started = time.perf_counter()
    totals = {"runs": 0, "scenarios": 0, "undecided": 0}
    for method in methods:
        def run(scenario: Any, method: str = method) -> Trial:
            trial = stress(scenario, chosen, factory, method, runs=stress_runs, timeout=seconds)
            totals["runs"] += trial.runs
            totals["scenarios"] += 1
            totals["undecided"] += trial.undecided
            return trial

        failures, flaky = _search(strategy, run, max_examples=max_examples, derandomize=derandomize)
        if failures:
            smallest = min(failures, key=lambda t: (t.scenario.size, len(t.scenario.parallel)))
            note = ("The failure did not repeat on every replay: it depends on timing."
                    if flaky else "")
            raise NotLinearizable(chosen.name, name_of(factory), smallest, failures[0],
                                  totals["scenarios"], note)
    return Passed(chosen.name, name_of(factory), ops, totals["scenarios"], totals["runs"],
                  stress_runs, methods, time.perf_counter() - started, totals["undecided"])


def _search(strategy: Any, run: Callable[[Any], Trial], *, max_examples: int,
            derandomize: bool | None) -> tuple[list[Trial], bool]:
    """Let Hypothesis look for a failing scenario and shrink it; return (failures, flaky)."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings  # optional extra
    from hypothesis.errors import Flaky

    failures: list[Trial] = []
    first_failure_at: list[float] = []

    @settings(
        database=None,  # a check must not depend on what an earlier run stored
        deadline=None,  # one example starts real processes, many times
        max_examples=max_examples,
        derandomize=settings().derandomize if derandomize is None else derandomize,
        verbosity=Verbosity.quiet,  # NotLinearizable is the report
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],  # "explain" would rerun a lot
    )
    @given(strategy)
    def search(scenario: Any) -> None:
        if first_failure_at and time.monotonic() - first_failure_at[0] > SHRINK_SECONDS:
            raise _OutOfTime
        trial = run(scenario)
        if trial.failed:
            failures.append(trial)
            first_failure_at.append(time.monotonic())
            raise _Failed

    try:
        search()
    except Exception as exc:
        if not failures:
            raise
        return failures, isinstance(exc, Flaky)
    return failures, False
