"""Sequential models: what an object does when its operations run one at a time.

A model is the specification a history is judged against. It has an initial state and a
``step(state, op) -> (ok, new_state)`` that says whether ``op``, taking effect alone in
``state``, could have given the result the history recorded, and what the state is after it.
States must be hashable and never mutated (the checkers remember states they have seen).

Your own model is a small class::

    class Stack(Model):
        initial = ()
        operations = frozenset({"push", "pop"})

        def step(self, state, op):
            if op.name == "push":
                return True, state + op.args
            return bool(state) and op.result == state[-1], state[:-1]

``partition`` lets a checker split a history into independent parts (one per key of a
dictionary) and check each alone: P-compositionality, which is what makes large dictionary
histories cheap. A model that cannot be split returns None.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any

from .history import Operation

# queue.Empty and queue.Full, as the recorder names them.
EMPTY = "Empty"
FULL = "Full"


class Model:
    """The base of every sequential model; subclass it and override ``step``."""

    name = "model"
    initial: Hashable = None
    # The operation names the model knows (None: any); a scenario naming another is bad input.
    operations: frozenset[str] | None = None
    # Exception names that are answers, not crashes (``Empty`` from ``get_nowait``).
    errors: frozenset[str] = frozenset()

    def step(self, state: Any, op: Operation) -> tuple[bool, Any]:
        raise NotImplementedError("a model must define step(state, op) -> (ok, new_state)")

    def partition(self, operations: Sequence[Operation]) -> list[list[Operation]] | None:
        """Independent parts of a history, each checked alone against this model; None: one."""
        return None

    def describe(self, state: Any) -> str:
        """The state, in words for a report."""
        return repr(state)


class QueueModel(Model):
    """A FIFO queue, unbounded or holding at most ``maxsize`` items.

    ``put`` (and ``put_nowait``) appends, or raises ``Full`` when bounded and full; ``get`` and
    ``get_nowait`` take the head, or raise ``Empty`` when there is none (a ``get`` with a
    timeout does that too); ``empty``, ``qsize`` and ``full`` report the state.
    """

    name = "queue"
    initial: tuple[Any, ...] = ()
    operations = frozenset({"put", "put_nowait", "get", "get_nowait", "empty", "qsize", "full"})
    errors = frozenset({EMPTY, FULL})

    def __init__(self, maxsize: int | None = None) -> None:
        if maxsize is not None and (isinstance(maxsize, bool) or not isinstance(maxsize, int)):
            raise TypeError(f"maxsize must be an integer or None, got {maxsize!r}")
        if maxsize is not None and maxsize < 1:
            raise ValueError(f"maxsize must be at least 1 (None: unbounded), got {maxsize}")
        self.maxsize = maxsize

    def is_full(self, state: tuple[Any, ...]) -> bool:
        return self.maxsize is not None and len(state) >= self.maxsize

    def step(self, state: tuple[Any, ...], op: Operation) -> tuple[bool, Any]:
        name = op.name
        if name in ("put", "put_nowait"):
            if op.error is not None:
                return op.error == FULL and self.is_full(state), state
            return not self.is_full(state), state + op.args
        if name in ("get", "get_nowait"):
            if op.error is not None:
                return op.error == EMPTY and not state, state
            return bool(state) and state[0] == op.result, state[1:]
        if op.error is not None:
            return False, state
        if name == "empty":
            return op.result == (not state), state
        if name == "qsize":
            return op.result == len(state), state
        if name == "full":
            return op.result == self.is_full(state), state
        return False, state

    def describe(self, state: tuple[Any, ...]) -> str:
        return f"queue {list(state)!r}"


class CounterModel(Model):
    """A counter from 0: ``increment()``, ``read()`` and ``fetch_add(n)`` (returns the old value)."""

    name = "counter"
    initial = 0
    operations = frozenset({"increment", "read", "fetch_add"})

    def step(self, state: int, op: Operation) -> tuple[bool, Any]:
        if op.error is not None:
            return False, state
        if op.name == "increment":
            return True, state + 1
        if op.name == "read":
            return op.result == state, state
        if op.name == "fetch_add":
            return op.result == state, state + op.args[0]
        return False, state

    def describe(self, state: int) -> str:
        return f"counter {state}"


class DictModel(Model):
    """A dictionary of registers: ``get(key)`` (None when absent), ``set(key, value)`` and
    ``cas(key, expected, new)`` (compare-and-set: True and stores ``new`` iff the value is
    ``expected``). Keys are independent, so ``partition`` splits a history per key.

    The state is a frozenset of ``(key, value)`` pairs, so values must be hashable.
    """

    name = "dict"
    initial: frozenset[tuple[Any, Any]] = frozenset()
    operations = frozenset({"get", "set", "cas"})

    def step(self, state: frozenset[tuple[Any, Any]], op: Operation) -> tuple[bool, Any]:
        if op.error is not None or not op.args:
            return False, state
        key = op.args[0]
        current = dict(state).get(key)
        if op.name == "get":
            return op.result == current, state
        if op.name == "set":
            return True, _store(state, key, op.args[1])
        if op.name == "cas":
            swapped = current == op.args[1]
            if op.result != swapped:
                return False, state
            return True, _store(state, key, op.args[2]) if swapped else state
        return False, state

    def partition(self, operations: Sequence[Operation]) -> list[list[Operation]] | None:
        parts: defaultdict[Any, list[Operation]] = defaultdict(list)
        for op in operations:
            parts[op.args[0] if op.args else None].append(op)
        return list(parts.values())

    def describe(self, state: frozenset[tuple[Any, Any]]) -> str:
        return f"dict {dict(state)!r}"


def _store(state: frozenset[tuple[Any, Any]], key: Any, value: Any) -> frozenset[tuple[Any, Any]]:
    """The dictionary ``state`` with ``key`` now holding ``value``."""
    return frozenset([pair for pair in state if pair[0] != key] + [(key, value)])
