"""Hypothesis strategies for scenarios: a few processes, each a short list of calls.

Needs the optional Hypothesis extra; every import of it is inside a function for that reason.
Shrinking moves toward fewer processes, fewer calls, and calls earlier in the operation list,
so a failing scenario ends as small as the bug allows.

Two rules keep a generated scenario from waiting for nothing: a queue's ``get`` blocks, so a
scenario has no more of them than it has puts (an extra one becomes ``get_nowait``, else
``empty``, else a ``put``, whichever the operation set allows; a set with ``get`` must have
``put``), and the setup part, which the parent runs alone, never calls ``get``.
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


def build(kind: Kind, setup: list[Call], parallel: list[list[Call]], teardown: list[Call],
          payload: int, operations: tuple[str, ...]) -> Scenario:
    """Number the put values and keep blocking gets within the number of puts."""
    numbered = 0
    gets_left = sum(call.name == "put" for call in [*setup, *sum(parallel, []), *teardown])
    instead = next((n for n in ("get_nowait", "empty", "put") if n in operations), "put")

    def fix(calls: list[Call]) -> tuple[Call, ...]:
        nonlocal numbered, gets_left
        fixed = []
        for call in calls:
            if kind.name == "queue" and call.name == "get":
                if gets_left == 0:
                    call = Call(instead)
                else:
                    gets_left -= 1
            if call.name == "put":
                numbered += 1
                call = Call("put", (numbered,))
            fixed.append(call)
        return tuple(fixed)

    first = fix(setup)
    middle = tuple(fix(part) for part in parallel)
    return Scenario(middle, first, fix(teardown), payload)


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
