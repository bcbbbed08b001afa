"""``linearize(history, model)``: pick the fastest checker that applies, or the one named.

The choice, in order: the unique-values queue patterns when the history fits them; a search
per part when the model partitions (a dictionary, per key); otherwise Wing–Gong–Lowe. Every
checker can also be named, which is how the tests hold each one against brute force.
"""

from __future__ import annotations

from collections.abc import Callable

from .._validate import require_choice
from .brute import brute_force
from .compose import compositional
from .history import History
from .models import Model, QueueModel
from .search import wing_gong, wing_gong_lowe
from .unique_queue import not_applicable, unique_queue
from .verdict import Verdict

AUTO = "auto"


def _unique_queue(history: History, model: Model, *, budget: float | None = None) -> Verdict:
    if not isinstance(model, QueueModel):
        raise ValueError("the unique-values queue check needs a QueueModel")
    return unique_queue(history, model)


def _brute_force(history: History, model: Model, *, budget: float | None = None) -> Verdict:
    return brute_force(history, model)


def _compositional(history: History, model: Model, *, budget: float | None = None) -> Verdict:
    return compositional(history, model, budget=budget)


CHECKERS: dict[str, Callable[..., Verdict]] = {
    "wing-gong": wing_gong,
    "wing-gong-lowe": wing_gong_lowe,
    "compositional": _compositional,
    "unique-queue": _unique_queue,
    "brute-force": _brute_force,
}


def choose(history: History, model: Model) -> str:
    """The checker ``auto`` uses for this history and model."""
    if not_applicable(history, model) is None:
        return "unique-queue"
    if type(model).partition is not Model.partition:
        return "compositional"
    return "wing-gong-lowe"


def linearize(
    history: History, model: Model, *, checker: str = AUTO, budget: float | None = None
) -> Verdict:
    """Is ``history`` linearizable with respect to ``model``? ``budget``: seconds, None: no limit."""
    if not isinstance(history, History):
        raise TypeError(f"history must be a History, got {type(history).__name__}")
    if not isinstance(model, Model):
        raise TypeError(f"model must be a linearizability Model, got {type(model).__name__}")
    name = require_choice("checker", checker, (AUTO, *CHECKERS))
    unknown = sorted({op.name for op in history} - (model.operations or {op.name for op in history}))
    if unknown:
        raise ValueError(f"the {model.name} model has no operation {', '.join(unknown)}")
    if name == AUTO:
        name = choose(history, model)
    return CHECKERS[name](history, model, budget=budget)
