"""Hypothesis strategies for small histories, for the checker-agreement property tests.

A history is drawn in three steps: per process a short list of operations; an interleaving of
their calls and returns with clock readings (ties included, since real clocks tie); and
results. Half the histories get their results by letting every operation take effect at a
random instant inside its interval, so they are linearizable by construction; the other half
then change one result, which makes most of them near misses: the cases that tell a correct
checker from a sloppy one.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from ipccheck.linearizability.history import History, Operation
from ipccheck.linearizability.models import CounterModel, DictModel, Model, QueueModel

MAX_OPERATIONS = 8


def perform(model: Model, state: Any, name: str, args: tuple[Any, ...]) -> tuple[Any, str | None, Any]:
    """What the operation returns (or raises) when it takes effect alone: (result, error, state)."""
    if isinstance(model, QueueModel):
        if name in ("put", "put_nowait"):
            return (None, "Full", state) if model.is_full(state) else (None, None, state + args)
        if name in ("get", "get_nowait"):
            return (state[0], None, state[1:]) if state else (None, "Empty", state)
        return {"empty": not state, "qsize": len(state), "full": model.is_full(state)}[name], None, state
    if isinstance(model, CounterModel):
        if name == "increment":
            return None, None, state + 1
        return state, None, state + (args[0] if name == "fetch_add" else 0)
    current = dict(state).get(args[0])
    if name == "get":
        return current, None, state
    if name == "set":
        return None, None, frozenset([p for p in state if p[0] != args[0]] + [(args[0], args[1])])
    swapped = current == args[1]
    if swapped:
        state = frozenset([p for p in state if p[0] != args[0]] + [(args[0], args[2])])
    return swapped, None, state


# The operations the unique-values queue check covers; the put is listed twice to keep the
# queue from being empty most of the time.
PUT_AND_GET = ("put", "put", "get", "get_nowait")


def draw_call(
    draw: st.DrawFn, model: Model, unique: bool, names: tuple[str, ...] | None
) -> tuple[str, tuple[Any, ...]]:
    """One operation name with its arguments, for ``model`` (queues: one of ``names``)."""
    if isinstance(model, QueueModel):
        if names is None:
            names = ("put", "put", "get", "get_nowait", "empty", "qsize")
            names += ("full",) if model.maxsize else ()
        name = draw(st.sampled_from(names))
        if name != "put":
            return name, ()
        return name, (None if unique else draw(SMALL),)  # None: numbered later, uniquely
    if isinstance(model, CounterModel):
        name = draw(st.sampled_from(("increment", "read", "fetch_add")))
        return name, ((draw(st.integers(1, 2)),) if name == "fetch_add" else ())
    name = draw(st.sampled_from(("get", "set", "cas")))
    key = draw(KEYS)
    if name == "get":
        return name, (key,)
    if name == "set":
        return name, (key, draw(SMALL))
    return name, (key, draw(st.one_of(st.none(), SMALL)), draw(SMALL))


SMALL = st.integers(0, 2)
KEYS = st.sampled_from("ab")
TICKS = st.integers(0, 2)  # clock steps between events: 0 makes a tie
WHERE = st.integers(0, 4)  # where in its interval an operation takes effect, in quarters


MODELS = {
    "queue": QueueModel(),
    "bounded-queue": QueueModel(maxsize=2),
    "counter": CounterModel(),
    "dict": DictModel(),
}


@st.composite
def histories(
    draw: st.DrawFn,
    model: Model,
    unique: bool = True,
    names: tuple[str, ...] | None = None,
    max_operations: int = MAX_OPERATIONS,
) -> History:
    """A well-formed history of at most ``max_operations`` operations for ``model``."""
    procs = draw(st.integers(1, 4))
    lanes = [
        [draw_call(draw, model, unique, names) for _ in range(draw(st.integers(0, 4)))]
        for _ in range(procs)
    ]
    while sum(map(len, lanes)) > max_operations:
        max(lanes, key=len).pop()
    numbered = 0
    for lane in lanes:  # unique put values, in program order
        for i, (name, args) in enumerate(lane):
            if name == "put" and args == (None,):
                numbered += 1
                lane[i] = (name, (numbered,))
    # Interleave calls and returns; each process alternates call, return, call, ...
    events = [p for p, lane in enumerate(lanes) for _ in range(2 * len(lane))]
    events = draw(st.permutations(events))
    now, last_return = 0, [-1] * procs
    next_event = [0] * procs
    times: list[list[int]] = [[] for _ in lanes]
    for p in events:
        now += draw(TICKS)
        if next_event[p] % 2 == 0 and now <= last_return[p]:
            now = last_return[p] + 1  # a process calls strictly after its previous return
        times[p].append(now)
        if next_event[p] % 2 == 1:
            last_return[p] = now
        next_event[p] += 1
    # Results: let each operation take effect at a random instant of its interval.
    timed = []
    for p, lane in enumerate(lanes):
        for i, (name, args) in enumerate(lane):
            call, ret = times[p][2 * i], times[p][2 * i + 1]
            point = call + draw(WHERE) / 4 * (ret - call)
            timed.append((point, p, name, args, call, ret))
    state = model.initial
    ops = []
    for _, p, name, args, call, ret in sorted(timed, key=lambda t: (t[0], t[1])):
        result, error, state = perform(model, state, name, args)
        ops.append(Operation(p, name, args, result, error, call, ret))
    if ops and draw(st.booleans()):  # change one outcome: usually no longer linearizable
        i = draw(st.integers(0, len(ops) - 1))
        ops[i] = _mutated(draw, ops[i], numbered)
    return History(ops)


def _mutated(draw: st.DrawFn, op: Operation, values: int) -> Operation:
    """``op`` with another outcome: a value that was put, a small number, a bool, or an error."""
    plausible = (None, 0, 1, 2, 3, True, False, *range(4, values + 1))
    outcomes = [(v, None) for v in plausible] + [(None, "Empty"), (None, "Full")]
    result, error = draw(st.sampled_from(outcomes))
    return Operation(op.process, op.name, op.args, result, error, op.call, op.ret)
