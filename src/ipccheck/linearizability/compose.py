"""P-compositionality: check each independent part of a history alone.

Linearizability is local (Herlihy & Wing): a history of several objects is linearizable iff
each object's sub-history is. A model whose ``partition`` splits a history (a dictionary, per
key) therefore lets the search run on each part: many small searches instead of one whose
configurations multiply across keys. The verdict is the first part that fails, or success.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .history import History
from .models import Model
from .search import wing_gong_lowe
from .verdict import Verdict

Checker = Callable[..., Verdict]


def compositional(
    history: History,
    model: Model,
    *,
    checker: Checker = wing_gong_lowe,
    budget: float | None = None,
) -> Verdict:
    """Split ``history`` with ``model.partition`` and check each part with ``checker``."""
    started = time.perf_counter()
    parts = model.partition(history.operations)
    if parts is None or len(parts) <= 1:
        return checker(history, model, budget=budget)
    give_up = None if budget is None else time.monotonic() + budget
    explored = 0
    for part in parts:
        remaining = None if give_up is None else max(0.0, give_up - time.monotonic())
        verdict = checker(History(part), model, budget=remaining)
        explored += verdict.explored
        if verdict.linearizable is not True:
            name = f"compositional({verdict.checker})"
            seconds = time.perf_counter() - started
            if verdict.linearizable is None:
                return Verdict(None, name, len(history), explored=explored, seconds=seconds)
            return Verdict(False, name, len(history), culprit=verdict.culprit,
                           evidence=verdict.evidence, order=verdict.order,
                           explanation=f"In the part of {len(part)} operations that "
                           f"includes it: {verdict.explanation}",
                           state=verdict.state, explored=explored, seconds=seconds)
    return Verdict(True, f"compositional({checker.__name__.replace('_', '-')})", len(history),
                   explored=explored, seconds=time.perf_counter() - started)
