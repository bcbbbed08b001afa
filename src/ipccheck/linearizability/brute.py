"""Brute force: try every order of the operations that respects real time.

Only for tiny histories (8 operations have at most 40,320 orders). It exists to be obviously
right, so that the fast checkers can be tested against it: it shares no code with them
beyond the model and follows the definition word for word. A history is linearizable iff
some total order of its operations (1) puts ``a`` before ``b`` whenever ``a`` returned before
``b`` was called and (2) is accepted by the sequential model, operation by operation.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from .history import History, Operation, describe, precedes
from .models import Model
from .verdict import Verdict

# Beyond this many operations the enumeration is refused rather than left to run for hours.
MAX_OPERATIONS = 12


def real_time_orders(history: History) -> Iterator[tuple[Operation, ...]]:
    """Every order of the operations in which no operation comes before one that preceded it."""
    if len(history) > MAX_OPERATIONS:
        raise ValueError(
            f"brute force enumerates every order; {len(history)} operations is more than "
            f"{MAX_OPERATIONS}"
        )

    def extend(placed: tuple[Operation, ...], waiting: list[Operation]) -> Iterator[tuple[Operation, ...]]:
        if not waiting:
            yield placed
            return
        for index, op in enumerate(waiting):
            rest = waiting[:index] + waiting[index + 1:]
            if not any(precedes(other, op) for other in rest):
                yield from extend(placed + (op,), rest)

    yield from extend((), list(history))


def brute_force(history: History, model: Model) -> Verdict:
    """Linearizable iff some real-time order is accepted by ``model`` from its initial state."""
    started = time.perf_counter()
    orders = 0
    best: tuple[tuple[Operation, ...], Operation | None, object] = ((), None, model.initial)
    for order in real_time_orders(history):
        orders += 1
        state = model.initial
        for depth, op in enumerate(order):
            ok, after = model.step(state, op)
            if not ok:
                if best[1] is None or depth > len(best[0]):
                    best = (order[:depth], op, state)
                break
            state = after
        else:
            return Verdict(True, "brute-force", len(history), order=order, explored=orders,
                           seconds=time.perf_counter() - started)
    prefix, culprit, state = best
    explanation = (
        f"None of the {orders} orders that respect real time is accepted; the longest accepted "
        f"prefix has {len(prefix)} operations and leaves the {model.describe(state)}, in which "
        f"{describe(culprit, history.start) if culprit else 'the next operation'} cannot take effect."
    )
    return Verdict(False, "brute-force", len(history), order=prefix, culprit=culprit,
                   evidence=prefix + ((culprit,) if culprit else ()), explanation=explanation,
                   state=state, explored=orders, seconds=time.perf_counter() - started)
