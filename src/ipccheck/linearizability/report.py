"""How a linearizability check of an object ends: ``Passed``, or ``NotLinearizable`` raised.

Both are plain data with a readable ``str`` and a ``to_dict`` (for ``--json``), so a script,
a pytest test and the command line say the same thing. ``NotLinearizable`` is an
``AssertionError``, so pytest shows it as an ordinary failure, with the minimal scenario, the
timeline of its failing history and the operation that had no valid linearization point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .history import describe
from .stress import Trial
from .timeline import render

PROOF_NOTE = "Passing is evidence, not proof: no run tried gave a non-linearizable history."


@dataclass(frozen=True)
class Passed:
    """Every history of every run tried was linearizable."""

    kind: str
    factory: str
    operations: tuple[str, ...]
    scenarios: int
    runs: int
    stress: int
    start_methods: tuple[str, ...]
    seconds: float
    undecided: int = 0

    def __str__(self) -> str:
        text = (
            f"{self.kind} from {self.factory} ({', '.join(self.operations)}): linearizable in "
            f"all {self.runs} runs of {self.scenarios} scenarios (up to {self.stress} runs each) "
            f"under {', '.join(self.start_methods)} in {self.seconds:.1f} s"
        )
        if self.undecided:
            text += f"; {self.undecided} histories were too costly to decide"
        return f"{text}\n{PROOF_NOTE}"

    def to_dict(self) -> dict[str, Any]:
        return {"ok": True, "kind": self.kind, "factory": self.factory,
                "operations": list(self.operations), "scenarios": self.scenarios,
                "runs": self.runs, "stress": self.stress, "start_methods": list(self.start_methods),
                "seconds": round(self.seconds, 3), "undecided": self.undecided}


@dataclass(eq=False)  # exceptions compare and hash by identity
class NotLinearizable(AssertionError):
    """A run gave a history no sequential order explains: the smallest such scenario found."""

    kind: str
    factory: str
    trial: Trial
    first: Trial | None = None  # the first failing scenario, before shrinking
    scenarios: int = 0  # scenarios tried in all
    note: str = ""
    culprit: str = field(init=False)

    def __post_init__(self) -> None:
        verdict = self.trial.verdict
        history = self.trial.history
        if verdict is None or history is None or verdict.culprit is None:
            raise ValueError("NotLinearizable needs a failed trial")
        self.culprit = describe(verdict.culprit, history.start)
        super().__init__(self.message())

    def message(self) -> str:
        trial = self.trial
        assert trial.verdict is not None and trial.history is not None  # __post_init__ checked
        lines = [
            f"{self.kind} from {self.factory} is not linearizable under {trial.start_method}",
            f"no valid linearization point for {self.culprit}",
            "",
            "minimal scenario:",
            *(f"  {line}" for line in str(trial.scenario).splitlines()),
            f"(failed in run {trial.runs} of up to {trial.budget}; {self.scenarios} scenarios tried)",
        ]
        if self.first is not None and self.first.scenario != trial.scenario:
            lines.append(f"(shrunk from a scenario of {self.first.scenario.size} calls)")
        lines += ["", "its history:", render(trial.history, trial.verdict.culprit), ""]
        lines.append(trial.verdict.report(trial.history.start))
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.message()

    def to_dict(self) -> dict[str, Any]:
        trial = self.trial
        assert trial.verdict is not None and trial.history is not None
        start = trial.history.start
        return {
            "ok": False, "kind": self.kind, "factory": self.factory,
            "start_method": trial.start_method, "culprit": self.culprit,
            "scenario": str(trial.scenario), "failed_in_run": trial.runs, "stress": trial.budget,
            "scenarios": self.scenarios, "explanation": trial.verdict.explanation,
            "history": [{"process": op.process, "operation": str(op),
                         "call_us": round((op.call - start) / 1000, 1),
                         "return_us": round((op.ret - start) / 1000, 1)} for op in trial.history],
            "note": self.note,
        }
