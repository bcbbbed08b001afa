"""A broken promise, in words: which invariant, and the evidence that shows it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..outcome import Outcome

# Long evidence lists are cut after this many entries ("... and N more").
MAX_EVIDENCE = 5


@dataclass(frozen=True)
class Violation:
    """One broken promise: which invariant, and the evidence in words."""

    invariant: str
    message: str

    def __str__(self) -> str:
        return f"{self.invariant}: {self.message}"


# An invariant: a pure function from an Outcome to its violations (empty when it held).
Invariant = Callable[[Outcome], "list[Violation]"]


def summarize(invariant: str, evidence: list[str]) -> list[Violation]:
    """Turn evidence lines into violations, cutting long lists short."""
    shown = [Violation(invariant, line) for line in evidence[:MAX_EVIDENCE]]
    if len(evidence) > MAX_EVIDENCE:
        shown.append(Violation(invariant, f"... and {len(evidence) - MAX_EVIDENCE} more"))
    return shown
