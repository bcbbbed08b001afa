"""check_queue, check_pipe, check_counter: ipccheck's runner and invariants on a user's object.

Nothing here judges a run: every run goes through ``runner.run`` with an implementation from
``under_test`` and is judged by ``invariants.check``, exactly like the reference methods. What
this module adds is the search. For queues and pipes Hypothesis generates (procs, items) per
start method and, when a run breaks a promise, shrinks it to the smallest case that still does.
Counters are different: a lost update depends on OS scheduling, which no search can replay,
so ``check_counter`` runs a fixed number of high-contention trials instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .._validate import (
    MAX_BASE,
    MAX_PROCS,
    require_count,
    require_start_method,
    require_timeout,
    supported_start_methods,
)
from ..invariants import Violation, check
from ..runner import run
from ..workload import Workload
from .factory import check_callable, name_of, probe
from .under_test import CounterUnderTest, PipeUnderTest, QueueUnderTest
from .verdict import ConformanceError, Report

# Defaults chosen so one example stays well under a second under fork (docs/conformance.md).
DEFAULT_MAX_PROCS = 4
DEFAULT_MAX_ITEMS = 200
DEFAULT_TIMEOUT = 20.0
# Each example starts real processes, so at most this many per start method unless asked.
DEFAULT_MAX_EXAMPLES = 20
MAX_EXAMPLES = 10_000
# Once the typical case failed, the search for a smaller one may try at least this many.
FAILING_SEARCH_EXAMPLES = 25
# Once a failure is found, shrinking stops after this long and reports the smallest so far.
SHRINK_SECONDS = 30.0
# Payload sizes a pipe message may carry; the explicit example always sends the largest.
PAYLOAD_SIZES = (0, 2**16, 2**20, 2**22)

# check_counter: 4 workers x 100,000 increments after a barrier; see its docstring for the
# detection rate measured on an unlocked Value (broken.UnlockedCounter).
DEFAULT_COUNTER_PROCS = 4
DEFAULT_INCREMENTS = 100_000
DEFAULT_TRIALS = 3

PROOF_NOTE = "Passing is evidence, not proof: it shows no broken promise in the runs tried."
HYPOTHESIS_MISSING = (
    "the conformance kit needs Hypothesis to shrink failures: pip install 'ipccheck[conformance]'"
)


def require_hypothesis() -> None:
    """Fail in one line, before anything starts, if the ``conformance`` extra is not installed."""
    try:
        import hypothesis  # noqa: F401
    except ImportError:
        raise ImportError(HYPOTHESIS_MISSING) from None


def _start_methods(start_methods: Iterable[str] | None) -> tuple[str, ...]:
    if start_methods is None:
        return supported_start_methods()
    if isinstance(start_methods, str):
        start_methods = [start_methods]
    chosen = tuple(require_start_method(method) for method in start_methods)
    if not chosen:
        raise ValueError("start_methods must name at least one start method")
    return tuple(dict.fromkeys(chosen))


def _max_examples(max_examples: int | None) -> int:
    if max_examples is not None:
        return require_count("max_examples", max_examples, minimum=1, maximum=MAX_EXAMPLES)
    from hypothesis import settings

    return min(settings.default.max_examples, DEFAULT_MAX_EXAMPLES)


class _Violated(Exception):
    """Raised inside the search so Hypothesis sees a failing case; the details are kept aside."""


class _OutOfTime(Exception):
    """Raised inside the search to end shrinking once SHRINK_SECONDS have passed."""


@dataclass
class _Failure:
    case: dict[str, Any]
    violations: list[Violation]


def _search(
    cases: Any,
    run_case: Callable[[dict[str, Any]], list[Violation]],
    *,
    max_examples: int,
    derandomize: bool | None,
) -> tuple[int, list[_Failure], bool]:
    """Let Hypothesis look for a failing case and shrink it; return (runs, failures, flaky).

    Every failing run is recorded here as well, so whatever Hypothesis ends with (the shrunk
    failure, a ``Flaky`` report because a failure did not replay, or the shrink time limit)
    the smallest failure actually seen can still be reported with its evidence.
    """
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis.errors import Flaky

    failures: list[_Failure] = []
    runs = 0
    first_failure_at: float | None = None

    @settings(
        database=None,  # a user's check must not depend on what an earlier run stored
        deadline=None,  # one example starts real processes
        max_examples=max_examples,
        derandomize=settings.default.derandomize if derandomize is None else derandomize,
        verbosity=Verbosity.quiet,  # the ConformanceError is the report
        suppress_health_check=[HealthCheck.too_slow],
        report_multiple_bugs=False,
        # No "explain" phase: it reruns many variations of a failure, each one real processes.
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    @given(cases)
    def search(case: dict[str, Any]) -> None:
        nonlocal runs, first_failure_at
        if first_failure_at is not None and time.monotonic() - first_failure_at > SHRINK_SECONDS:
            raise _OutOfTime
        runs += 1
        violations = run_case(case)
        if violations:
            failures.append(_Failure(_in_order(case), violations))
            first_failure_at = first_failure_at or time.monotonic()
            raise _Violated

    try:
        search()
    except Exception as exc:
        if not failures:
            raise
        return runs, failures, isinstance(exc, Flaky)
    return runs, failures, False


def _in_order(case: dict[str, Any]) -> dict[str, Any]:
    """The case with its fields in one fixed order, for messages and for picking the smallest."""
    return {key: case[key] for key in ("procs", "items", "payload") if key in case}


def _cases(limits: dict[str, int]) -> Any:
    """(procs, items[, payload]) up to ``limits``; Hypothesis shrinks each toward its minimum.

    Drawn as a tuple, not ``fixed_dictionaries``, so the fields are always drawn in the same
    order: that keeps Hypothesis from trying one case twice under two key orders.
    """
    from hypothesis import strategies as st

    fields = [st.integers(1, limits["procs"]), st.integers(0, limits["items"])]
    names = ["procs", "items"]
    if "payload" in limits:
        fields.append(st.sampled_from([s for s in PAYLOAD_SIZES if s <= limits["payload"]]))
        names.append("payload")
    return st.tuples(*fields).map(lambda values: dict(zip(names, values, strict=True)))


def _explore(
    kind: str,
    factory: Callable[[], Any],
    start_methods: tuple[str, ...],
    limits: dict[str, int],
    typical: dict[str, int],
    run_case: Callable[[dict[str, Any]], list[Violation]],
    *,
    max_examples: int,
    derandomize: bool | None,
) -> Report:
    """Search each start method in turn (cheapest first); raise on the first that fails.

    Every start method first runs one ``typical`` case, so a common bug is found whatever
    Hypothesis draws. If it fails, the search is confined to cases no bigger than it and
    shrinks from there (Hypothesis does not shrink explicit examples); otherwise the search
    covers everything up to ``limits``.
    """
    started = time.perf_counter()
    total_runs = 0
    for start_method in start_methods:
        probe(factory, kind, start_method)

    for start_method in start_methods:

        def run_one(case: dict[str, Any], start_method: str = start_method) -> list[Violation]:
            return run_case({**case, "start_method": start_method})

        typical_violations = run_one(typical)
        total_runs += 1
        if typical_violations:  # a failure exists within these bounds: look harder for it
            bounds, examples = typical, max(max_examples, FAILING_SEARCH_EXAMPLES)
        else:
            bounds, examples = limits, max_examples
        runs, failures, flaky = _search(
            _cases(bounds), run_one, max_examples=examples, derandomize=derandomize
        )
        total_runs += runs
        note = ""
        if typical_violations and not failures:
            again = run_one(typical)
            total_runs += 1
            failures = [_Failure(_in_order(typical), again or typical_violations)]
            flaky = not again
            note = "" if flaky else "Not shrunk: the search found no smaller failing case."
        if flaky:
            note = "The failure did not repeat when the same case ran again: it depends on timing."
        if failures:
            smallest = min(failures, key=lambda failure: tuple(failure.case.values()))
            first = typical if typical_violations else failures[0].case
            raise ConformanceError(
                kind=kind,
                factory=name_of(factory),
                violations=smallest.violations,
                case={**smallest.case, "start_method": start_method},
                first_case={**first, "start_method": start_method},
                runs=total_runs,
                note=note,
            )
    return Report(
        kind=kind,
        factory=name_of(factory),
        runs=total_runs,
        start_methods=start_methods,
        seconds=time.perf_counter() - started,
        note=PROOF_NOTE,
    )


def _limits(max_procs: int | None, max_items: int | None) -> dict[str, int]:
    procs = DEFAULT_MAX_PROCS if max_procs is None else max_procs
    items = DEFAULT_MAX_ITEMS if max_items is None else max_items
    require_count("max_procs", procs, minimum=1, maximum=MAX_PROCS)
    require_count("max_items", items, minimum=0, maximum=MAX_BASE)
    return {"procs": procs, "items": items}


def check_queue(
    factory: Callable[[], Any],
    *,
    start_methods: Iterable[str] | None = None,
    max_examples: int | None = None,
    max_procs: int | None = None,
    max_items: int | None = None,
    timeout: float | None = None,
    derandomize: bool | None = None,
) -> Report:
    """Check that a queue from ``factory`` delivers every item exactly once, in order per producer.

    ``factory()`` runs in the parent (with the start method under test as the default, so
    ``multiprocessing.Queue`` itself is a valid factory) and must return an object with
    ``put(item)`` and ``get(timeout=...)`` raising ``queue.Empty`` (or ``get()`` plus
    ``empty()``). The object goes to 1..max_procs producer processes as a ``Process``
    argument; each puts ``(producer, seq)`` for seq in 0..items-1 and then a sentinel, while the
    parent gets. Every run is judged by ``ipccheck.invariants``: total, exactly-once, order,
    sentinel, exit codes, deadline, nothing left behind.

    Returns a Report; raises ConformanceError naming the violated invariants, the smallest case
    Hypothesis shrank to, and the evidence. A bad factory raises TypeError or ValueError.
    ``max_examples`` is per start method (default: the loaded Hypothesis profile's, at most 20).
    """
    factory = check_callable(factory)
    require_hypothesis()
    methods = _start_methods(start_methods)
    examples = _max_examples(max_examples)
    limits = _limits(max_procs, max_items)
    seconds = DEFAULT_TIMEOUT if timeout is None else require_timeout(timeout)
    implementation = QueueUnderTest(factory)

    def run_case(case: dict[str, Any]) -> list[Violation]:
        workload = Workload(
            "queue", case["procs"], case["items"], case["start_method"], "stream", seconds
        )
        return check(run(workload, implementation))

    typical = {"procs": min(2, limits["procs"]), "items": min(20, limits["items"])}
    return _explore(
        "queue", factory, methods, limits, typical, run_case,
        max_examples=examples, derandomize=derandomize,
    )


def check_pipe(
    factory: Callable[[], Any],
    *,
    start_methods: Iterable[str] | None = None,
    max_examples: int | None = None,
    max_procs: int | None = None,
    max_items: int | None = None,
    timeout: float | None = None,
    derandomize: bool | None = None,
) -> Report:
    """Check that pipes from ``factory`` deliver in order, exactly once, intact, then report EOF.

    ``factory()`` must return a connected pair ``(a, b)`` of connection-like objects (``send``,
    ``recv``, ``poll``, ``close``), as ``multiprocessing.Pipe()`` does. Each run makes one pair
    per producer: ``b`` goes to the producer, which sends ``(producer, seq)`` items (the middle
    one carrying a payload of up to 4 MiB), a sentinel, then closes ``b``; the parent closes its
    copy of ``b`` and reads ``a``, and ``a.recv()`` must then raise ``EOFError``. Judged by the
    same invariants as ``check_queue``; a corrupted payload or a missing EOF is an ``error``.
    """
    factory = check_callable(factory)
    require_hypothesis()
    methods = _start_methods(start_methods)
    examples = _max_examples(max_examples)
    limits = {**_limits(max_procs, max_items), "payload": PAYLOAD_SIZES[-1]}
    seconds = DEFAULT_TIMEOUT if timeout is None else require_timeout(timeout)

    def run_case(case: dict[str, Any]) -> list[Violation]:
        workload = Workload(
            "pipe", case["procs"], case["items"], case["start_method"], "stream", seconds
        )
        return check(run(workload, PipeUnderTest(factory, case["payload"])))

    typical = {**_limits(min(2, limits["procs"]), min(20, limits["items"])), "payload": 2**20}
    return _explore(
        "pipe", factory, methods, limits, typical, run_case,
        max_examples=examples, derandomize=derandomize,
    )


def check_counter(
    factory: Callable[[], Any],
    *,
    start_methods: Iterable[str] | None = None,
    procs: int = DEFAULT_COUNTER_PROCS,
    increments: int = DEFAULT_INCREMENTS,
    trials: int = DEFAULT_TRIALS,
    timeout: float | None = None,
) -> Report:
    """Check that a counter from ``factory`` loses no update under heavy contention.

    ``factory()`` must return an object with ``increment()`` (called in ``procs`` worker
    processes, ``increments`` times each, all released at once by a barrier) and a ``value``
    attribute (read in the parent afterwards, judged by the ``total`` invariant). The budget is
    explicit: ``trials`` runs per start method, each under ``timeout``.

    Passing is evidence, not proof. A lost update needs two workers to interleave badly, which
    the OS decides; such a failure cannot be replayed, so it is not shrunk either. Measured on
    this 2-core machine under heavy load, one trial of the defaults (4 x 100,000) caught an
    unlocked ``multiprocessing.Value`` in 100 of 100 trials under fork and 30 of 30 under
    spawn, but 4 x 10,000 caught it in only 63 of 100: small workloads prove little
    (docs/conformance.md).
    """
    factory = check_callable(factory)
    methods = _start_methods(start_methods)
    require_count("procs", procs, minimum=1, maximum=MAX_PROCS)
    require_count("increments", increments, minimum=0, maximum=MAX_BASE)
    require_count("trials", trials, minimum=1, maximum=MAX_EXAMPLES)
    seconds = DEFAULT_TIMEOUT if timeout is None else require_timeout(timeout)
    started = time.perf_counter()
    for start_method in methods:
        probe(factory, "counter", start_method)
    runs = 0
    implementation = CounterUnderTest(factory)
    for start_method in methods:
        for trial in range(1, trials + 1):
            workload = Workload("value", procs, increments, start_method, "stream", seconds)
            violations = check(run(workload, implementation))
            runs += 1
            if violations:
                raise ConformanceError(
                    kind="counter",
                    factory=name_of(factory),
                    violations=violations,
                    case={"procs": procs, "increments": increments, "start_method": start_method},
                    runs=runs,
                    note=f"Found in trial {trial} of {trials}; a free-running race is not shrunk.",
                )
    return Report(
        kind="counter",
        factory=name_of(factory),
        runs=runs,
        start_methods=methods,
        seconds=time.perf_counter() - started,
        note=PROOF_NOTE,
    )


def check_kind(kind: str, factory: Callable[[], Any], **options: Any) -> Report:
    """Dispatch by kind name, for the command and the pytest classes."""
    checks: dict[str, Callable[..., Report]] = {
        "queue": check_queue,
        "pipe": check_pipe,
        "counter": check_counter,
    }
    if kind not in checks:
        raise ValueError(f"unknown kind {kind!r}; choose from: {', '.join(checks)}")
    return checks[kind](factory, **options)


__all__: Sequence[str] = ("check_counter", "check_kind", "check_pipe", "check_queue")
