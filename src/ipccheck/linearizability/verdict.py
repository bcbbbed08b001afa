"""What a checker concludes about one history, and the evidence behind it.

Every checker returns a ``Verdict``. When the history is linearizable, ``order`` may hold one
valid linearization (the search checkers build one; the pattern check does not need to).
When it is not, ``culprit`` is the operation that has no valid linearization point and
``evidence`` the few operations that show why: for the search, the longest order that every
operation so far could take effect in, then the culprit, which cannot follow it; for the
unique-values queue, the two to four operations of the violated pattern. When a search ran out
of its time budget, ``linearizable`` is None: no verdict, and the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .history import Operation, describe, process_label


@dataclass(frozen=True)
class Verdict:
    """One checker's conclusion about one history."""

    linearizable: bool | None  # None: the budget ran out before the search finished
    checker: str
    operations: int
    order: tuple[Operation, ...] = ()  # a valid linearization, when one was built
    culprit: Operation | None = None
    evidence: tuple[Operation, ...] = ()
    explanation: str = ""
    state: Any = None  # the model's state in which the culprit could not take effect
    explored: int = 0  # search steps (model calls) taken
    seconds: float = 0.0

    @property
    def finished(self) -> bool:
        return self.linearizable is not None

    def summary(self) -> str:
        """One line: linearizable, not (and which operation), or did not finish."""
        if self.linearizable is None:
            return (
                f"{self.checker}: did not finish in {self.seconds:.1f} s "
                f"({self.operations} operations, {self.explored} steps)"
            )
        if self.linearizable:
            return f"{self.checker}: linearizable ({self.operations} operations)"
        op = self.culprit
        culprit = f"{process_label(op.process)} {op}" if op is not None else "an operation"
        return f"{self.checker}: not linearizable: no valid linearization point for {culprit}"

    def report(self, start: int = 0) -> str:
        """The summary, the explanation and the evidence, times relative to ``start`` (ns)."""
        lines = [self.summary()]
        if self.explanation:
            lines.append(self.explanation)
        if self.evidence:
            lines.append("evidence:")
            lines += [f"  {describe(op, start)}" for op in self.evidence]
        return "\n".join(lines)
