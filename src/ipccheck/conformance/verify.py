"""verify_queue, verify_pipe, verify_counter: ipccheck's runner and invariants on a user's object.

Nothing here judges a run: every run goes through ``runs.run_case`` (``runner.run`` with a
stand-in from ``under_test``, judged by ``invariants.check``), exactly like the reference
methods. Every entry point takes the same path: validate every argument (``_prepare``), probe
each start method with one item (``probe``), then, under each start method whose probe passed,
search (queues, pipes: ``search``) or run trials (counters: ``trials``). Each start method ends
in its own ``Verdict``; one that fails does not stop the others from being checked.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any

from .._validate import DEFAULT_TIMEOUT, MAX_BASE, MAX_PROCS, require_choice, require_count, require_timeout
from ..invariants import Violation
from .contexts import as_is_hint, contexts_for, require_source, source_name
from .factory import OBJECT_KINDS, name_of, require_callable
from .probe import probe
from .runs import Case, Ran, run_case
from .search import Bounds, examples_for, require_hypothesis, search
from .trials import counter_trials
from .verdict import ConformanceError, Report, Verdict

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
    context: str  # the context source, named for the report
    tell: Callable[[str], None]  # the caller's progress line; called before each probe and run


def _prepare(
    factory: object,
    start_methods: str | Iterable[str] | None,
    timeout: float | None,
    context: object,
    progress: Callable[[str], None] | None,
    needs: Iterable[str] = (),
) -> _Prepared:
    """Validate what every kind takes, in one place, before any process starts."""
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be a callable taking one label, got {type(progress).__name__}")
    source = require_source(context)
    return _Prepared(
        factory=require_callable(factory),
        contexts=contexts_for(start_methods, source, needs),
        timeout=DEFAULT_TIMEOUT if timeout is None else require_timeout(timeout),
        context=source_name(source),
        tell=progress or _quiet,
    )


def _quiet(label: str) -> None:
    """No progress line: the API default."""


def _probe_each(prepared: _Prepared, kind: str) -> dict[str, Verdict]:
    """Probe every start method before any search, so a bad factory fails before one starts."""
    verdicts = {}
    for start_method, ctx in prepared.contexts.items():
        prepared.tell(f"probing the {kind} factory under {start_method}")
        verdicts[start_method] = probe(prepared.factory, kind, start_method, ctx, prepared.timeout)
    return verdicts


def _after_probe(probed: Verdict, then: Verdict) -> Verdict:
    """A start method's verdict: what ran after its probe, with the probe's run and time added."""
    return dataclasses.replace(then, runs=then.runs + probed.runs, seconds=then.seconds + probed.seconds)


def _conclude(kind: str, prepared: _Prepared, verdicts: list[Verdict]) -> Report:
    """The Report if every start method conformed; else raise the ConformanceError."""
    factory = name_of(prepared.factory)
    if all(verdict.ok for verdict in verdicts):
        return Report(kind, factory, tuple(verdicts), prepared.context, PROOF_NOTE)
    raise ConformanceError(kind, factory, tuple(verdicts), prepared.context)


def _with_hint(verdict: Verdict, prepared: _Prepared, earlier: list[Verdict]) -> str:
    """The verdict's note, plus why an object from a factory called as is may not suit its start
    method; not when fork, checked before it, failed the same way: then the start method is not why."""
    if any(other.start_method == "fork" and other.invariants == verdict.invariants for other in earlier):
        return verdict.note
    hint = as_is_hint(prepared.factory, name_of(prepared.factory), verdict.start_method)
    return f"{verdict.note} This may be why: {hint}".strip() if hint else verdict.note


def _verify_channel(
    kind: str,
    factory: object,
    *,
    context: object,
    start_methods: str | Iterable[str] | None,
    max_examples: int | None,
    max_procs: int | None,
    max_items: int | None,
    timeout: float | None,
    derandomize: bool | None,
    progress: Callable[[str], None] | None,
) -> Report:
    """The one path of verify_queue and verify_pipe: validate, probe, then search each start method."""
    prepared = _prepare(factory, start_methods, timeout, context, progress)
    require_hypothesis()
    examples = examples_for(max_examples)
    procs = DEFAULT_MAX_PROCS if max_procs is None else max_procs
    items = DEFAULT_MAX_ITEMS if max_items is None else max_items
    payloads = PAYLOAD_SIZES if kind == "pipe" else ()
    bounds = Bounds(
        procs=require_count("max_procs", procs, minimum=1, maximum=MAX_PROCS),
        items=require_count("max_items", items, minimum=0, maximum=MAX_BASE),
        payloads=payloads,
    )
    typical = Bounds(
        procs=min(TYPICAL.procs, bounds.procs),
        items=min(TYPICAL.items, bounds.items),
        payloads=tuple(size for size in TYPICAL.payloads if size in payloads),
    )
    verdicts: list[Verdict] = []
    for start_method, probed in _probe_each(prepared, kind).items():
        if probed.ok:
            ctx = prepared.contexts[start_method]
            searched = _search_one(kind, prepared, start_method, ctx, bounds, typical, examples, derandomize)
            if not searched.ok:
                searched = dataclasses.replace(searched, note=_with_hint(searched, prepared, verdicts))
            probed = _after_probe(probed, searched)
        verdicts.append(probed)
    return _conclude(kind, prepared, verdicts)


def _search_one(
    kind: str,
    prepared: _Prepared,
    start_method: str,
    ctx: BaseContext,
    bounds: Bounds,
    typical: Bounds,
    examples: int,
    derandomize: bool | None,
) -> Verdict:
    """Search one start method whose probe passed; its verdict, with the smallest failure's errors."""
    started = time.perf_counter()
    seen: dict[tuple[int, ...], Ran] = {}

    def run_one(case: Case) -> tuple[Violation, ...]:
        failed = any(ran.violations for ran in seen.values())
        looking = ", a failure found: looking for a smaller one" if failed else ""
        prepared.tell(f"{kind} under {start_method}: run {len(seen) + 1}{looking}")
        ran = run_case(kind, prepared.factory, case, start_method, ctx, prepared.timeout)
        seen[tuple(case.values())] = ran
        return ran.violations

    searched = search(run_one, bounds, typical, max_examples=examples, derandomize=derandomize)
    seconds = time.perf_counter() - started
    runs = searched.runs
    finding = searched.finding
    if finding is None:
        return Verdict(start_method, runs, seconds)
    smallest = finding.smallest
    ran = seen.get(tuple(smallest.case.values()))
    return Verdict(
        start_method=start_method,
        runs=runs,
        seconds=seconds,
        violations=smallest.violations,
        case={**smallest.case, "start_method": start_method},
        first_case={**finding.first_case, "start_method": start_method},
        errors=ran.errors if ran is not None else {},
        note=finding.note,
    )


def verify_queue(
    factory: Callable[..., Any],
    *,
    context: object = None,
    start_methods: str | Iterable[str] | None = None,
    max_examples: int | None = None,
    max_procs: int | None = None,
    max_items: int | None = None,
    timeout: float | None = None,
    derandomize: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Verify that a queue from ``factory`` delivers every item exactly once, in order per producer.

    ``context`` is where the children come from: anything with ``get_context(start_method)``,
    such as the ``billiard`` or ``multiprocess`` module for an object of that library (default:
    ``multiprocessing``). ``factory`` runs in the parent, once per run, for the start method
    under test: it is given that start method's context as ``factory(ctx=ctx)`` when it takes
    a ``ctx`` parameter, and ``multiprocessing.Queue`` (or ``SimpleQueue``, ``JoinableQueue``,
    or another library's ``Queue``) is used as that context's ``Queue``; any other factory is
    called with no arguments (``contexts`` says why ``ctx`` is better). It must return an object
    with ``put(item)`` and ``get(timeout=...)`` raising ``queue.Empty`` (or ``get()`` plus
    ``empty()``). The object goes to 1..max_procs producer processes as a ``Process`` argument;
    each puts ``(producer, seq)`` for seq in 0..items-1 and then the end marker ``(producer,
    -1)``, then calls the object's ``flush()`` and ``close()`` if it has them, while the parent
    gets. Every run is judged by ``ipccheck.invariants``: total, exactly-once, order, sentinel,
    exit codes, deadline, nothing left behind.

    Each start method is probed with one item first, then searched; each ends in a ``Verdict``.
    Returns a Report; raises ConformanceError naming, per failing start method, the violated
    invariants, the smallest case Hypothesis shrank to, the evidence and each child's exception.
    A bad factory or option raises TypeError or ValueError. ``max_examples`` is per start method
    (default: the loaded Hypothesis profile's, at most 20); ``timeout`` is the deadline of one run.
    ``progress``, if given, is called with a short label before each probe and run (the command
    shows it on its progress line).
    """
    return _verify_channel(
        "queue", factory, context=context, start_methods=start_methods,
        max_examples=max_examples, max_procs=max_procs, max_items=max_items, timeout=timeout,
        derandomize=derandomize, progress=progress,
    )


def verify_pipe(
    factory: Callable[..., Any],
    *,
    context: object = None,
    start_methods: str | Iterable[str] | None = None,
    max_examples: int | None = None,
    max_procs: int | None = None,
    max_items: int | None = None,
    timeout: float | None = None,
    derandomize: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Verify that pipes from ``factory`` deliver in order, exactly once, intact, then report EOF.

    ``context`` and ``factory`` are as for ``verify_queue`` (``multiprocessing.Pipe`` is used as
    the context's ``Pipe``); the factory must return a connected pair ``(a, b)`` of
    connection-like objects (``send``, ``recv``, ``poll``, ``close``). Each run makes one pair
    per producer: ``b`` goes to the producer, which sends ``(producer, seq)`` items (the middle
    one carrying a payload of up to 4 MiB), the end marker, then calls ``b.flush()`` (if any)
    and ``b.close()``; the parent closes its copy of ``b`` and reads ``a``, and ``a.recv()``
    must then raise ``EOFError``. Judged by the same invariants as ``verify_queue``; a corrupted
    payload or a missing EOF is an ``error``.
    """
    return _verify_channel(
        "pipe", factory, context=context, start_methods=start_methods,
        max_examples=max_examples, max_procs=max_procs, max_items=max_items, timeout=timeout,
        derandomize=derandomize, progress=progress,
    )


def verify_counter(
    factory: Callable[..., Any],
    *,
    context: object = None,
    start_methods: str | Iterable[str] | None = None,
    procs: int = DEFAULT_COUNTER_PROCS,
    increments: int = DEFAULT_INCREMENTS,
    trials: int = DEFAULT_TRIALS,
    timeout: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Verify that a counter from ``factory`` loses no update under heavy contention.

    ``context`` and ``factory`` are as for ``verify_queue`` (the context must also have
    ``Barrier``); the factory must return an object with ``increment()`` (called in ``procs``
    worker processes, ``increments`` times each, all released at once by a barrier; then each
    worker calls ``flush()`` and ``close()`` if the object has them) and a ``value`` attribute
    (read in the parent afterwards, judged by the ``total`` invariant; then the parent calls
    ``close()``). The budget is explicit: ``trials`` runs per start method, each under ``timeout``.

    Passing is evidence, not proof. A lost update needs two workers to interleave badly, which
    the OS decides; such a failure cannot be replayed, so it is not shrunk. A failure that one
    worker alone reproduces is no race: it is reported as a sequential failure, shrunk to the
    smallest number of increments (``trials``). Measured on this 2-core machine under heavy
    load, one trial of the defaults (4 x 100,000) caught an unlocked ``multiprocessing.Value``
    in 100 of 100 trials under fork and 30 of 30 under spawn, but 4 x 10,000 caught it in only
    63 of 100: small workloads prove little (docs/conformance.md).
    """
    prepared = _prepare(factory, start_methods, timeout, context, progress, needs=("Barrier",))
    require_count("procs", procs, minimum=1, maximum=MAX_PROCS)
    require_count("increments", increments, minimum=0, maximum=MAX_BASE)
    require_count("trials", trials, minimum=1, maximum=MAX_TRIALS)
    verdicts: list[Verdict] = []
    for start_method, probed in _probe_each(prepared, "counter").items():
        if probed.ok:
            prepared.tell(f"counter under {start_method}: {trials} trial(s)")
            verdict = counter_trials(
                prepared.factory, start_method, prepared.contexts[start_method],
                procs=procs, increments=increments, trials=trials, timeout=prepared.timeout,
            )
            note = verdict.note and _with_hint(verdict, prepared, verdicts)
            probed = _after_probe(probed, dataclasses.replace(verdict, note=note))
        verdicts.append(probed)
    return _conclude("counter", prepared, verdicts)


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
