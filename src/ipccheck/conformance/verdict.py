"""How a conformance check ends: a Report if every promise held, else a ConformanceError.

Both are plain data with a readable ``str`` and a ``to_dict`` for ``--json``, so the command, the
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
class Report:
    """A check that found nothing wrong. Passing is evidence, not proof."""

    kind: str
    factory: str
    runs: int
    start_methods: tuple[str, ...]
    seconds: float
    note: str = ""

    def __str__(self) -> str:
        methods = ", ".join(self.start_methods)
        text = (
            f"{self.kind} from {self.factory} conformed: {self.runs} runs under {methods} "
            f"in {self.seconds:.1f} s, every invariant held"
        )
        return text + (f"\n{self.note}" if self.note else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "kind": self.kind,
            "factory": self.factory,
            "runs": self.runs,
            "start_methods": list(self.start_methods),
            "seconds": round(self.seconds, 3),
            "note": self.note,
        }


@dataclass(eq=False)  # exceptions compare and hash by identity
class ConformanceError(AssertionError):
    """The implementation broke a promise: which invariants, the smallest case, the evidence.

    A subclass of ``AssertionError``, so pytest shows it as an ordinary test failure.
    """

    kind: str
    factory: str
    violations: Sequence[Violation]
    case: dict[str, Any]
    first_case: dict[str, Any] | None = None
    runs: int = 0
    note: str = ""
    invariants: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.invariants = tuple(dict.fromkeys(v.invariant for v in self.violations))
        super().__init__(self.message())

    def message(self) -> str:
        lines = [
            f"{self.kind} from {self.factory} is not conformant: "
            f"violated {', '.join(self.invariants)}",
            f"minimal case: {describe_case(self.case)}",
        ]
        if self.first_case and self.first_case != self.case:
            lines.append(f"  (shrunk from {describe_case(self.first_case)}; {self.runs} runs)")
        lines.append("evidence:")
        lines += [f"  {violation}" for violation in self.violations]
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.message()

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": False,
            "kind": self.kind,
            "factory": self.factory,
            "invariants": list(self.invariants),
            "case": self.case,
            "first_case": self.first_case,
            "violations": [str(v) for v in self.violations],
            "runs": self.runs,
            "note": self.note,
        }
