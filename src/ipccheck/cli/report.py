"""Turn Outcomes into what people read: an aligned table, or JSON for machines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..invariants import Violation
from ..outcome import Outcome

COLUMNS = (
    ("method", 15, "<"),
    ("start", 10, "<"),
    ("mode", 7, "<"),
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
    mode = workload.mode if outcome.is_channel else "-"
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
        "mode": workload.mode if outcome.is_channel else None,
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
    }
