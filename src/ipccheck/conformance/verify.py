"""verify_queue, verify_pipe, verify_counter: ipccheck's runner and invariants on a user's object.

Nothing here judges a run: every run goes through ``runner.run`` with a stand-in from
``under_test`` and is judged by ``invariants.check``, exactly like the reference methods.
Every entry point takes the same path: validate every argument (``_prepare``), probe each
start method with one object (``probe``), then run. Queues and pipes differ only in their
stand-in and in whether a payload size is part of a case (``Channel``); they search with
``search``. Counters run a fixed number of trials instead: a lost update depends on OS
scheduling, which no search can replay.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any

from .._validate import DEFAULT_TIMEOUT, MAX_BASE, MAX_PROCS, require_choice, require_count, require_timeout
from ..invariants import Violation, check
from ..protocol import Method
from ..runner import run
from ..workload import Workload
from .contexts import as_is_hint, contexts_for
from .factory import OBJECT_KINDS, name_of, require_callable
from .probe import probe
from .search import Bounds, Case, Finding, RunCase, examples_for, require_hypothesis, search
from .under_test import CounterUnderTest, PipeUnderTest, QueueUnderTest
from .verdict import ConformanceError, Report

# The largest case a queue or pipe search tries by default: one example stays well under a
# second under fork (docs/conformance.md).
DEFAULT_MAX_PROCS = 4
DEFAULT_MAX_ITEMS = 200
# Payload sizes a pipe message may carry, smallest first.
PAYLOAD_SIZES = (0, 2**16, 2**20, 2**22)
# The case every search runs first: common enough to catch a common bug at once.
TYPICAL = Bounds(procs=2, items=20, payloads=(0, 2**16, 2**20))

# verify_counter: 4 workers x 100,000 increments after a barrier, 3 trials per start method;
# see its docstring for the detection rate measured on an unlocked Value.
DEFAULT_COUNTER_PROCS = 4
DEFAULT_INCREMENTS = 100_000
DEFAULT_TRIALS = 3
MAX_TRIALS = 10_000

PROOF_NOTE = "Passing is evidence, not proof: it shows no broken promise in the runs tried."


@dataclass(frozen=True)
class _Prepared:
    """What every entry point validated: the factory, a context per start method, the deadline."""

    factory: Callable[..., Any]
    contexts: dict[str, BaseContext]
    timeout: float


def _prepare(
    factory: object, start_methods: str | Iterable[str] | None, timeout: float | None
) -> _Prepared:
    """Validate what every kind takes, in one place, before any process starts."""
    return _Prepared(
        factory=require_callable(factory),
        contexts=contexts_for(start_methods),
        timeout=DEFAULT_TIMEOUT if timeout is None else require_timeout(timeout),
    )


def _probe_each(prepared: _Prepared, kind: str, tell: Callable[[str], None]) -> None:
    """Probe every start method before running any: a bad factory fails before a search starts."""
    for start_method, ctx in prepared.contexts.items():
        tell(f"probing the {kind} factory under {start_method}")
        probe(prepared.factory, kind, start_method, ctx)


def _quiet(label: str) -> None:
    """The default ``progress``: say nothing."""


def _telling(run_case: RunCase, tell: Callable[[str], None], what: str) -> RunCase:
    """``run_case`` that first tells ``tell`` which run starts, and whether one failed already."""
    runs = 0
    failed = False

    def telling(case: Case) -> Sequence[Violation]:
        nonlocal runs, failed
        runs += 1
        tell(f"{what}: run {runs}" + (", a failure found: looking for a smaller one" if failed else ""))
        violations = run_case(case)
        failed = failed or bool(violations)
        return violations

    return telling


def _passed(kind: str, prepared: _Prepared, runs: int, started: float) -> Report:
    return Report(
        kind=kind,
        factory=name_of(prepared.factory),
        runs=runs,
        start_methods=tuple(prepared.contexts),
        seconds=time.perf_counter() - started,
        note=PROOF_NOTE,
    )


def _with_hint(note: str, prepared: _Prepared, start_method: str) -> str:
    """The note, plus why an object from a factory called as is may not suit this start method."""
    hint = as_is_hint(prepared.factory, name_of(prepared.factory), start_method)
    return f"{note} This may be why: {hint}".strip() if hint else note


@dataclass(frozen=True)
class Channel:
    """What differs between the queue and the pipe search."""

    kind: str  # also the reference method the stand-in replaces (for the Workload)
    stand_in: Callable[[Callable[..., Any], Case], Method]
    payloads: tuple[int, ...]  # payload sizes a case may carry; () for none


QUEUE = Channel("queue", lambda factory, case: QueueUnderTest(factory), payloads=())
PIPE = Channel("pipe", lambda factory, case: PipeUnderTest(factory, case["payload"]), PAYLOAD_SIZES)


def _verify_channel(
    channel: Channel,
    factory: object,
    *,
    start_methods: str | Iterable[str] | None,
    max_examples: int | None,
    max_procs: int | None,
    max_items: int | None,
    timeout: float | None,
    derandomize: bool | None,
    progress: Callable[[str], None] | None,
) -> Report:
    """The one path of verify_queue and verify_pipe: validate, probe, then search each start method."""
    prepared = _prepare(factory, start_methods, timeout)
    require_hypothesis()
    examples = examples_for(max_examples)
    procs = DEFAULT_MAX_PROCS if max_procs is None else max_procs
    items = DEFAULT_MAX_ITEMS if max_items is None else max_items
    bounds = Bounds(
        procs=require_count("max_procs", procs, minimum=1, maximum=MAX_PROCS),
        items=require_count("max_items", items, minimum=0, maximum=MAX_BASE),
        payloads=channel.payloads,
    )
    typical = Bounds(
        procs=min(TYPICAL.procs, bounds.procs),
        items=min(TYPICAL.items, bounds.items),
        payloads=tuple(size for size in TYPICAL.payloads if size in channel.payloads),
    )
    tell = progress or _quiet
    started = time.perf_counter()
    _probe_each(prepared, channel.kind, tell)
    runs = 0
    for start_method in prepared.contexts:

        def run_case(case: Case, start_method: str = start_method) -> list[Violation]:
            # runner.run looks this start method's context up by name: the same object as
            # prepared.contexts[start_method], which it hands to the stand-in's execute().
            workload = Workload(
                channel.kind, case["procs"], case["items"], start_method, "stream", prepared.timeout
            )
            return check(run(workload, channel.stand_in(prepared.factory, case)))

        telling = _telling(run_case, tell, f"{channel.kind} under {start_method}")
        searched = search(telling, bounds, typical, max_examples=examples, derandomize=derandomize)
        runs += searched.runs
        if searched.finding is not None:
            raise _violated(channel.kind, prepared, start_method, searched.finding, runs)
    return _passed(channel.kind, prepared, runs, started)


def _violated(
    kind: str, prepared: _Prepared, start_method: str, finding: Finding, runs: int
) -> ConformanceError:
    return ConformanceError(
        kind=kind,
        factory=name_of(prepared.factory),
        violations=finding.smallest.violations,
        case={**finding.smallest.case, "start_method": start_method},
        first_case={**finding.first_case, "start_method": start_method},
        runs=runs,
        note=_with_hint(finding.note, prepared, start_method),
    )


def verify_queue(
    factory: Callable[..., Any],
    *,
    start_methods: str | Iterable[str] | None = None,
    max_examples: int | None = None,
    max_procs: int | None = None,
    max_items: int | None = None,
    timeout: float | None = None,
    derandomize: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Verify that a queue from ``factory`` delivers every item exactly once, in order per producer.

    ``factory`` runs in the parent, once per run, for the start method under test: it is given
    that start method's context as ``factory(ctx=ctx)`` when it takes a ``ctx`` parameter, and
    ``multiprocessing.Queue`` (or ``SimpleQueue``, ``JoinableQueue``) is used as that context's
    ``Queue``; any other factory is called with no arguments (``contexts`` says why ``ctx`` is
    better). It must return an object with ``put(item)`` and ``get(timeout=...)`` raising
    ``queue.Empty`` (or ``get()`` plus ``empty()``). The object goes to 1..max_procs producer
    processes as a ``Process`` argument; each puts ``(producer, seq)`` for seq in 0..items-1 and
    then a sentinel, while the parent gets. Every run is judged by ``ipccheck.invariants``: total,
    exactly-once, order, sentinel, exit codes, deadline, nothing left behind.

    Returns a Report; raises ConformanceError naming the violated invariants, the smallest case
    Hypothesis shrank to, and the evidence. A bad factory or option raises TypeError or
    ValueError. ``max_examples`` is per start method (default: the loaded Hypothesis profile's,
    at most 20); ``timeout`` is the deadline of one run. ``progress``, if given, is called with
    a short label before each probe and run (the command shows it on its progress line).
    """
    return _verify_channel(
        QUEUE, factory, start_methods=start_methods, max_examples=max_examples,
        max_procs=max_procs, max_items=max_items, timeout=timeout, derandomize=derandomize,
        progress=progress,
    )


def verify_pipe(
    factory: Callable[..., Any],
    *,
    start_methods: str | Iterable[str] | None = None,
    max_examples: int | None = None,
    max_procs: int | None = None,
    max_items: int | None = None,
    timeout: float | None = None,
    derandomize: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Verify that pipes from ``factory`` deliver in order, exactly once, intact, then report EOF.

    ``factory`` is called as for ``verify_queue`` (``multiprocessing.Pipe`` is used as the
    context's ``Pipe``) and must return a connected pair ``(a, b)`` of connection-like objects
    (``send``, ``recv``, ``poll``, ``close``). Each run makes one pair per producer: ``b`` goes
    to the producer, which sends ``(producer, seq)`` items (the middle one carrying a payload of
    up to 4 MiB), a sentinel, then closes ``b``; the parent closes its copy of ``b`` and reads
    ``a``, and ``a.recv()`` must then raise ``EOFError``. Judged by the same invariants as
    ``verify_queue``; a corrupted payload or a missing EOF is an ``error``.
    """
    return _verify_channel(
        PIPE, factory, start_methods=start_methods, max_examples=max_examples,
        max_procs=max_procs, max_items=max_items, timeout=timeout, derandomize=derandomize,
        progress=progress,
    )


def verify_counter(
    factory: Callable[..., Any],
    *,
    start_methods: str | Iterable[str] | None = None,
    procs: int = DEFAULT_COUNTER_PROCS,
    increments: int = DEFAULT_INCREMENTS,
    trials: int = DEFAULT_TRIALS,
    timeout: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Verify that a counter from ``factory`` loses no update under heavy contention.

    ``factory`` is called as for ``verify_queue`` and must return an object with
    ``increment()`` (called in ``procs`` worker processes, ``increments`` times each, all
    released at once by a barrier) and a ``value`` attribute (read in the parent afterwards,
    judged by the ``total`` invariant). The budget is explicit: ``trials`` runs per start
    method, each under ``timeout``. ``progress`` is called as for ``verify_queue``.

    Passing is evidence, not proof. A lost update needs two workers to interleave badly, which
    the OS decides; such a failure cannot be replayed, so it is not shrunk either. Measured on
    this 2-core machine under heavy load, one trial of the defaults (4 x 100,000) caught an
    unlocked ``multiprocessing.Value`` in 100 of 100 trials under fork and 30 of 30 under
    spawn, but 4 x 10,000 caught it in only 63 of 100: small workloads prove little
    (docs/conformance.md).
    """
    prepared = _prepare(factory, start_methods, timeout)
    require_count("procs", procs, minimum=1, maximum=MAX_PROCS)
    require_count("increments", increments, minimum=0, maximum=MAX_BASE)
    require_count("trials", trials, minimum=1, maximum=MAX_TRIALS)
    tell = progress or _quiet
    started = time.perf_counter()
    _probe_each(prepared, "counter", tell)
    stand_in = CounterUnderTest(prepared.factory)
    runs = 0
    for start_method in prepared.contexts:
        for trial in range(1, trials + 1):
            tell(f"counter under {start_method}: trial {trial} of {trials}")
            workload = Workload("value", procs, increments, start_method, "stream", prepared.timeout)
            violations = check(run(workload, stand_in))
            runs += 1
            if violations:
                note = f"Found in trial {trial} of {trials}; a free-running race is not shrunk."
                raise ConformanceError(
                    kind="counter",
                    factory=name_of(prepared.factory),
                    violations=violations,
                    case={"procs": procs, "increments": increments, "start_method": start_method},
                    runs=runs,
                    note=_with_hint(note, prepared, start_method),
                )
    return _passed("counter", prepared, runs, started)


# One entry point per kind of OBJECT_KINDS.
VERIFIERS: dict[str, Callable[..., Report]] = {
    "queue": verify_queue,
    "pipe": verify_pipe,
    "counter": verify_counter,
}


def verify_kind(kind: str, factory: Callable[..., Any], **options: Any) -> Report:
    """``verify_queue``, ``verify_pipe`` or ``verify_counter`` by kind name (the command uses it)."""
    return VERIFIERS[require_choice("kind", kind, OBJECT_KINDS)](factory, **options)


__all__ = ["verify_counter", "verify_kind", "verify_pipe", "verify_queue"]
