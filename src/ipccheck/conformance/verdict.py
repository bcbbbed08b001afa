"""How a conformance check ends: a Report if every promise held, else a ConformanceError.

Each start method gets its own ``Verdict``: a probe failure or a broken promise under one start
method is that start method's finding and does not stop the others from being checked. All three
are plain data with a readable ``str`` and a ``to_dict`` for ``--json``, so the command, the
pytest classes and a user's own script all say the same thing in the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..invariants import Violation


def describe_case(case: dict[str, Any]) -> str:
    """``procs=1, items=2, start method fork``: the workload of one run, in words."""
    parts = [f"{key}={value}" for key, value in case.items() if key != "start_method"]
    return ", ".join(parts + [f"start method {case['start_method']}"])


@dataclass(frozen=True)
class Verdict:
    """What one start method showed: every promise kept, or the smallest failure and its evidence.

    ``errors`` holds, for the smallest failing run, each child's exception in one line (type,
    message, innermost frame), by child name; the same lines are in the exit-code evidence.
    """

    start_method: str
    runs: int
    seconds: float
    violations: tuple[Violation, ...] = ()
    case: dict[str, Any] | None = None
    first_case: dict[str, Any] | None = None
    errors: dict[str, str] = field(default_factory=dict)
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def invariants(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.invariant for v in self.violations))

    def lines(self) -> list[str]:
        """This start method's part of a report."""
        if self.ok:
            return [f"{self.start_method}: conformed, {self.runs} runs in {self.seconds:.1f} s"]
        lines = [f"{self.start_method}: violated {', '.join(self.invariants)}"]
        if self.case is not None:
            lines.append(f"  minimal case: {describe_case(self.case)}")
            if self.first_case and self.first_case != self.case:
                lines.append(
                    f"    (shrunk from {describe_case(self.first_case)}; {self.runs} runs)"
                )
        lines.append("  evidence:")
        lines += [f"    {violation}" for violation in self.violations]
        if self.note:
            lines.append(f"  {self.note}")
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "start_method": self.start_method,
            "ok": self.ok,
            "runs": self.runs,
            "seconds": round(self.seconds, 3),
            "invariants": list(self.invariants),
            "case": self.case,
            "first_case": self.first_case,
            "violations": [str(v) for v in self.violations],
            "errors": self.errors,
            "note": self.note,
        }


def _context_words(context: str) -> str:
    return "" if context == "multiprocessing" else f" (children from {context})"


@dataclass(frozen=True)
class Report:
    """A check that found nothing wrong under any start method. Passing is evidence, not proof."""

    kind: str
    factory: str
    verdicts: tuple[Verdict, ...]
    context: str = "multiprocessing"
    note: str = ""

    @property
    def runs(self) -> int:
        return sum(verdict.runs for verdict in self.verdicts)

    @property
    def seconds(self) -> float:
        return sum(verdict.seconds for verdict in self.verdicts)

    @property
    def start_methods(self) -> tuple[str, ...]:
        return tuple(verdict.start_method for verdict in self.verdicts)

    def __str__(self) -> str:
        methods = ", ".join(self.start_methods)
        text = (
            f"{self.kind} from {self.factory}{_context_words(self.context)} conformed: "
            f"{self.runs} runs under {methods} in {self.seconds:.1f} s, every invariant held"
        )
        return text + (f"\n{self.note}" if self.note else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "kind": self.kind,
            "factory": self.factory,
            "context": self.context,
            "runs": self.runs,
            "start_methods": list(self.start_methods),
            "seconds": round(self.seconds, 3),
            "note": self.note,
            "verdicts": [verdict.to_dict() for verdict in self.verdicts],
        }


@dataclass(eq=False)  # exceptions compare and hash by identity
class ConformanceError(AssertionError):
    """The implementation broke a promise under at least one start method.

    ``verdicts`` has one entry per start method checked; ``case``, ``violations``, ``note`` and
    ``errors`` are those of the first start method that failed, ``invariants`` those violated
    under any. A subclass of ``AssertionError``, so pytest shows it as an ordinary test failure.
    """

    kind: str
    factory: str
    verdicts: Sequence[Verdict]
    context: str = "multiprocessing"
    invariants: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        if not self.failed:
            raise ValueError("a ConformanceError needs at least one failing verdict")
        violated = [name for verdict in self.failed for name in verdict.invariants]
        self.invariants = tuple(dict.fromkeys(violated))
        super().__init__(self.message())

    @property
    def failed(self) -> list[Verdict]:
        return [verdict for verdict in self.verdicts if not verdict.ok]

    @property
    def first(self) -> Verdict:
        return self.failed[0]

    @property
    def case(self) -> dict[str, Any]:
        return self.first.case or {"start_method": self.first.start_method}

    @property
    def first_case(self) -> dict[str, Any] | None:
        return self.first.first_case

    @property
    def violations(self) -> tuple[Violation, ...]:
        return self.first.violations

    @property
    def errors(self) -> dict[str, str]:
        return self.first.errors

    @property
    def note(self) -> str:
        return self.first.note

    @property
    def runs(self) -> int:
        return sum(verdict.runs for verdict in self.verdicts)

    def message(self) -> str:
        failed = ", ".join(verdict.start_method for verdict in self.failed)
        lines = [
            f"{self.kind} from {self.factory}{_context_words(self.context)} is not conformant "
            f"under {failed}: violated {', '.join(self.invariants)}"
        ]
        for verdict in self.verdicts:
            lines += verdict.lines()
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.message()

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": False,
            "kind": self.kind,
            "factory": self.factory,
            "context": self.context,
            "invariants": list(self.invariants),
            "case": self.case,
            "first_case": self.first_case,
            "violations": [str(v) for v in self.violations],
            "errors": self.errors,
            "runs": self.runs,
            "note": self.note,
            "verdicts": [verdict.to_dict() for verdict in self.verdicts],
        }
