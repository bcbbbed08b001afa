"""A fast check for FIFO queue histories whose values are unique (each value put once).

With unique values no search is needed: a history of ``put``, ``get`` and ``get_nowait`` is
linearizable iff none of four small patterns occurs (Henzinger, Sezgin and Vafeiadis,
"Aspect-oriented linearizability proofs", CONCUR 2013, for queues with unique values), where
"a before b" means a returned before b was called:

1. fresh: a get returns a value that was never put, or before its put was called;
2. repeated: two gets return the same value;
3. order: put(x) before put(y), y is taken, and x is never taken or only after get(y) returned;
4. empty: a get finds the queue empty although, at every instant from its call to its return,
   some value x was surely inside (put(x) had returned and get(x) was not yet called).

Each is found in O(n log n) by sorting and one sweep, so 100,000 operations take about a
second. A failure names the get that has no valid linearization point and the two to four
operations of the pattern: minimal evidence. The property test in
``tests/linearizability/test_agreement.py`` checks this against brute force.
"""

from __future__ import annotations

import bisect
import math
import time

from .history import History, Operation, describe
from .models import EMPTY, QueueModel
from .verdict import Verdict

CHECKER = "unique-queue"
OPERATIONS = frozenset({"put", "get", "get_nowait"})


def not_applicable(history: History, model: object) -> str | None:
    """Why the pattern check cannot judge this history (None: it can)."""
    if not isinstance(model, QueueModel) or model.maxsize is not None:
        return "the model is not an unbounded QueueModel"
    values: set[object] = set()
    for op in history:
        if op.name not in OPERATIONS:
            return f"it has {op.name}() operations (only put, get and get_nowait are covered)"
        if op.name == "put":
            if op.error is not None or len(op.args) != 1:
                return "a put raised or did not take exactly one value"
            try:
                if op.args[0] in values:
                    return f"the value {op.args[0]!r} was put twice"
                values.add(op.args[0])
            except TypeError:
                return f"the value {op.args[0]!r} is not hashable"
        elif op.error is not None and op.error != EMPTY:
            return f"a get raised {op.error}"
    return None


def unique_queue(history: History, model: QueueModel) -> Verdict:
    """Judge a unique-values queue history by the four patterns; raise if it does not apply."""
    reason = not_applicable(history, model)
    if reason is not None:
        raise ValueError(f"the unique-values queue check does not apply: {reason}")
    started = time.perf_counter()
    puts = {op.args[0]: op for op in history if op.name == "put"}
    gets = [op for op in history if op.name != "put" and op.error is None]
    empties = [op for op in history if op.name != "put" and op.error is not None]
    found = _fresh_or_repeated(history, puts, gets) or _order(history, puts, gets)
    found = found or _empty(history, puts, gets, empties)
    seconds = time.perf_counter() - started
    if found is None:
        return Verdict(True, CHECKER, len(history), explored=len(history), seconds=seconds)
    culprit, evidence, explanation = found
    return Verdict(False, CHECKER, len(history), culprit=culprit, evidence=evidence,
                   explanation=explanation, explored=len(history), seconds=seconds)


Found = tuple[Operation, tuple[Operation, ...], str] | None


def _fresh_or_repeated(
    history: History, puts: dict[object, Operation], gets: list[Operation]
) -> Found:
    taken: dict[object, Operation] = {}
    for get in gets:  # in order of call
        value = get.result
        put = puts.get(value)
        if put is None:
            return get, (get,), f"fresh: {value!r} was never put"
        if get.ret < put.call:
            return get, (put, get), f"fresh: {value!r} was taken before its put was called"
        if value in taken:
            first = taken[value]
            earlier = describe(first, history.start)
            return get, (put, first, get), f"repeated: {value!r} was already taken by {earlier}"
        taken[value] = get
    return None


def _order(history: History, puts: dict[object, Operation], gets: list[Operation]) -> Found:
    """Is some x put before y still not taken when get(y) returns? One sweep over put times."""
    taken = {get.result: get for get in gets}
    by_return = sorted(puts.values(), key=lambda op: op.ret)
    latest = -math.inf  # over the puts that returned so far: the latest call of their get
    latest_put: Operation | None = None
    done = 0
    for put_y in sorted((puts[get.result] for get in gets), key=lambda op: op.call):
        while done < len(by_return) and by_return[done].ret < put_y.call:
            put_x = by_return[done]
            get_x = taken.get(put_x.args[0])
            left = math.inf if get_x is None else get_x.call
            if left > latest:
                latest, latest_put = left, put_x
            done += 1
        get_y = taken[put_y.args[0]]
        if latest_put is not None and latest > get_y.ret:
            x, y = latest_put.args[0], put_y.args[0]
            get_x = taken.get(x)
            later = "was never taken" if get_x is None else "was taken only after that"
            evidence = (latest_put, put_y, get_y) + ((get_x,) if get_x else ())
            return get_y, evidence, (
                f"order: {x!r} was put before {y!r}, so it is ahead of {y!r}, "
                f"yet {y!r} was taken and {x!r} {later}"
            )
    return None


def _empty(
    history: History, puts: dict[object, Operation], gets: list[Operation], empties: list[Operation]
) -> Found:
    """Does some empty get lie wholly inside the time the queue surely held a value?"""
    if not empties:
        return None
    taken = {get.result: get for get in gets}
    inside: list[tuple[float, float, object]] = []  # open intervals (put returned, get called)
    for value, put in puts.items():
        get = taken.get(value)
        end = math.inf if get is None else get.call
        if put.ret < end:
            inside.append((put.ret, end, value))
    inside.sort(key=lambda interval: interval[0])
    starts: list[float] = []
    ends: list[float] = []
    for begin, end, _ in inside:  # merge; touching open intervals leave their end point bare
        if ends and begin < ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(begin)
            ends.append(end)
    for empty in empties:
        i = bisect.bisect_left(starts, empty.call) - 1
        if i >= 0 and empty.ret < ends[i]:
            cover = _cover(inside, empty)
            evidence = tuple(op for value in cover for op in (puts[value], taken.get(value)) if op)
            names = ", ".join(repr(value) for value in cover)
            return empty, evidence + (empty,), (
                f"empty: from its call to its return the queue surely held {names} "
                "(each put had returned and its get had not been called)"
            )
    return None


def _cover(inside: list[tuple[float, float, object]], empty: Operation) -> list[object]:
    """The fewest values whose time surely inside covers ``empty`` (greedy interval cover)."""
    point: float = empty.call
    chosen: list[object] = []
    for _ in inside:  # each round covers more, so at most one round per interval
        best = max((iv for iv in inside if iv[0] < point), key=lambda iv: iv[1])
        chosen.append(best[2])
        if best[1] > empty.ret or best[1] <= point:
            break
        point = best[1]
    return chosen
