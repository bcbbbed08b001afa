"""Turn Outcomes into what people read: an aligned table, or JSON for machines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..invariants import MAX_EVIDENCE, Violation
from ..outcome import Outcome
from ..protocol import STATE

COLUMNS = (
    ("method", 15, "<"),
    ("start", 10, "<"),
    ("mode", 14, "<"),
    ("procs", 5, ">"),
    ("base", 8, ">"),
    ("expected", 9, ">"),
    ("observed", 9, ">"),
    ("verdict", 7, "<"),
    ("seconds", 8, ">"),
)


def _line(values: Sequence[object]) -> str:
    cells = [f"{value!s:{align}{width}}" for value, (_, width, align) in zip(values, COLUMNS, strict=True)]
    return "  ".join(cells).rstrip()


def header() -> str:
    """The column titles and a rule under them."""
    titles = _line([name for name, _, _ in COLUMNS])
    return titles + "\n" + "-" * len(titles)


def row(outcome: Outcome, violations: Sequence[Violation]) -> str:
    """One table row for one run, then its violations and the children that died, indented."""
    workload = outcome.workload
    mode = workload.mode if outcome.family != STATE else "-"
    verdict = "ok" if not violations else "FAIL"
    line = _line(
        [
            workload.method,
            workload.start_method,
            mode,
            workload.procs,
            workload.base,
            outcome.expected,
            outcome.observed,
            verdict,
            f"{outcome.seconds:.3f}",
        ]
    )
    said = f"fault {workload.fault}" if workload.fault else "died"
    notes = [f"    {said}: {death}" for death in outcome.died]
    if workload.fault is not None:  # a pool's expected exception is no violation: show it
        caught = [(task, what) for task, what in outcome.failed
                  if not what.startswith("BrokenProcessPool")]  # that one is "pool-broken"
        notes += [f"    the caller got {what} for {'the call' if task is None else f'task {task}'}"
                  for task, what in caught[:MAX_EVIDENCE]]
    return "\n".join([line] + [f"    {violation}" for violation in violations] + notes)


def summary(results: Sequence[tuple[Outcome, Sequence[Violation]]], seconds: float) -> str:
    """The closing line: how many runs kept every promise."""
    failed = sum(1 for _, violations in results if violations)
    passed = len(results) - failed
    verdict = "every invariant held" if not failed else "INVARIANTS VIOLATED"
    return f"{passed} passed, {failed} failed in {seconds:.1f} s: {verdict}"


def as_json(outcome: Outcome, violations: Sequence[Violation]) -> dict[str, Any]:
    """The fields a script needs from one run."""
    workload = outcome.workload
    return {
        "method": workload.method,
        "start_method": workload.start_method,
        "procs": workload.procs,
        "base": workload.base,
        "mode": workload.mode if outcome.family != STATE else None,
        "chunksize": workload.chunksize,
        "max_tasks_per_child": workload.max_tasks_per_child,
        "family": outcome.family,
        "expected": outcome.expected,
        "observed": outcome.observed,
        "ok": not violations,
        "violations": [str(violation) for violation in violations],
        "seconds": round(outcome.seconds, 6),
        "timed_out": outcome.timed_out,
        "exitcodes": outcome.exitcodes,
        "errors": {child.name: child.error for child in outcome.children if child.error},
        "fault": None if workload.fault is None else str(workload.fault),
        "died": list(outcome.died),
        "broken": outcome.broken,
        "failed": [{"task": task, "error": what} for task, what in outcome.failed],
        "lost": [{"task": task, "how": how} for task, how in outcome.lost],
    }
