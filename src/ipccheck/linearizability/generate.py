"""Hypothesis strategies for scenarios: a few processes, each a short list of calls.

Needs the optional Hypothesis extra; every import of it is inside a function for that reason.
Shrinking moves toward fewer processes, fewer calls, and calls earlier in the operation list,
so a failing scenario ends as small as the bug allows.

Two rules keep a generated scenario from waiting for nothing: a queue's ``get`` blocks, so
each one must be sure of an item (``_bounded_gets``; one that is not becomes ``empty``, else
``qsize``, else a ``put``, whichever the operation set allows: none of them takes an item; a
set with ``get`` must have ``put``), and the setup part, run by the parent alone, never gets.
"""

from __future__ import annotations

from typing import Any

from .kinds import Kind
from .scenario import Call, Scenario

KEYS = "ab"


def _call(kind: Kind, name: str) -> Any:
    """A strategy for one Call of operation ``name``, with arguments of the right shape."""
    from hypothesis import strategies as st  # optional extra (Hypothesis)

    small = st.integers(0, 2)
    if kind.name == "queue" and name == "put":
        return st.just(Call("put", (0,)))  # numbered uniquely when the scenario is built
    if kind.name == "counter" and name == "fetch_add":
        return st.integers(1, 2).map(lambda n: Call("fetch_add", (n,)))
    if kind.name == "dict":
        key = st.sampled_from(KEYS)
        if name == "get":
            return key.map(lambda k: Call("get", (k,)))
        if name == "set":
            return st.tuples(key, small).map(lambda kv: Call("set", kv))
        return st.tuples(key, st.one_of(st.none(), small), small).map(lambda a: Call("cas", a))
    return st.just(Call(name))


def _numbered(parts: list[list[Call]]) -> list[tuple[Call, ...]]:
    """Give every put the next value, in order: setup, each parallel part, teardown."""
    numbered = 0
    out = []
    for calls in parts:
        fixed = []
        for call in calls:
            if call.name == "put":
                numbered += 1
                call = Call("put", (numbered,))
            fixed.append(call)
        out.append(tuple(fixed))
    return out


def _bounded_gets(setup: list[Call], parallel: list[list[Call]], teardown: list[Call],
                  instead: str) -> tuple[list[list[Call]], list[Call]]:
    """Replace every blocking get that might find no item to wait for.

    In the parallel part, the items sure to come are the setup puts and each process's puts
    that no get of its own precedes; a get_nowait may take one of them too. Gets beyond that
    become ``instead``. The teardown runs after everything, so it may take what is left.
    """
    sure = len([c for c in setup if c.name == "put"])
    for calls in parallel:
        for call in calls:
            if call.name == "get":
                break
            sure += call.name == "put"
    budget = sure - sum(c.name == "get_nowait" for calls in parallel for c in calls)
    fixed = []
    for calls in parallel:
        kept = []
        for call in calls:
            if call.name == "get":
                if budget <= 0:
                    call = Call(instead)
                budget -= 1
            kept.append(call)
        fixed.append(kept)
    everything = [*setup, *(c for calls in fixed for c in calls)]
    left = sum(c.name == "put" for c in everything) - sum(
        c.name in ("get", "get_nowait") for c in everything)
    last = []
    for call in teardown:
        if call.name == "get":
            if left <= 0:
                call = Call(instead)
            left -= 1
        left += call.name == "put"
        last.append(call)
    return fixed, last


def build(kind: Kind, setup: list[Call], parallel: list[list[Call]], teardown: list[Call],
          payload: int, operations: tuple[str, ...]) -> Scenario:
    """Number the put values and, for a queue, keep every blocking get sure of an item."""
    if kind.name == "queue":
        # What a get with no item it is sure of becomes: an operation that takes no item.
        instead = next((n for n in ("empty", "qsize", "put") if n in operations), "put")
        parallel, teardown = _bounded_gets(setup, parallel, teardown, instead)
    first, *middle, last = _numbered([setup, *parallel, teardown])
    return Scenario(tuple(middle), first, last, payload)


def scenarios(kind: Kind, operations: tuple[str, ...], *, max_procs: int, max_calls: int,
              max_setup: int = 2, max_teardown: int = 2, payload: int = 0) -> Any:
    """Scenarios of 1..max_procs processes with 1..max_calls calls each, plus setup and teardown."""
    from hypothesis import strategies as st  # optional extra (Hypothesis)

    calls = st.one_of(*(_call(kind, name) for name in operations))
    quiet = [name for name in operations if name != "get"] or list(operations)
    setup_calls = st.one_of(*(_call(kind, name) for name in quiet))

    @st.composite
    def scenario(draw: Any) -> Scenario:
        procs = draw(st.integers(1, max_procs))
        parallel = [draw(st.lists(calls, min_size=1, max_size=max_calls)) for _ in range(procs)]
        setup = draw(st.lists(setup_calls, max_size=max_setup))
        teardown = draw(st.lists(calls, max_size=max_teardown))
        return build(kind, setup, parallel, teardown, payload, operations)

    return scenario()
